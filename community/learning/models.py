"""Learning: items (courses, workshops, language classes, guides) with the skills they build,
each member's private learning plan, and the claim on a member's weekly reminder.

Who may see what (the rules live in `community.learning.services`):
- Items are seen by every logged-in active member; organisers, moderators and admins add
  them, and the one who added an item, moderators and admins edit it.
- A plan entry, the plan's settings and its reminders belong to one member: everyone else
  gets the same 404 as for a missing entry.
- Events of the learning category appear beside the items (never copied here): a plan entry
  points at the event itself, and the event's own visibility rule decides who sees it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.auth.models import User
from community.core.database import UTCDateTime, utcnow
from community.events.models import Event
from community.extensions import db
from community.profiles.models import Tag


class LearningKind(StrEnum):
    COURSE = "course"
    WORKSHOP = "workshop"
    LANGUAGE_CLASS = "language_class"
    GUIDE = "guide"


class LearningFormat(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"  # with a host city
    SELF_PACED = "self_paced"


class PlanStatus(StrEnum):
    WANT = "want"  # want to do
    DOING = "doing"
    DONE = "done"


class LearningItem(db.Model):
    __tablename__ = "learning_items"
    # The list is newest first, keyset-paged on (created_at, id); the filters by equality
    # (kind, format, language, city) each have an index ending in the same two columns.
    __table_args__ = (
        Index("ix_learning_items_created", "created_at", "id"),
        Index("ix_learning_items_kind", "kind", "created_at", "id"),
        Index("ix_learning_items_format", "format", "created_at", "id"),
        Index("ix_learning_items_language", "language", "created_at", "id"),
        Index("ix_learning_items_city", "city", "created_at", "id"),
        CheckConstraint("cost_amount IS NULL OR cost_amount >= 0", name="cost"),
        CheckConstraint("(cost_amount IS NULL) = (currency IS NULL)", name="cost_with_currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # LearningKind
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    description_html: Mapped[str] = mapped_column(Text, default="")  # rendered, sanitised
    provider: Mapped[str] = mapped_column(String(120))
    format: Mapped[str] = mapped_column(String(12))  # LearningFormat
    city: Mapped[str | None] = mapped_column(String(40))  # host-city slug, in person only
    # Whole units of `currency`; NULL amount and currency: free. `cost_from`: "from €120".
    cost_amount: Mapped[int | None] = mapped_column()
    currency: Mapped[str | None] = mapped_column(String(3))  # ISO 4217
    cost_from: Mapped[bool] = mapped_column(default=False)
    funding: Mapped[str] = mapped_column(String(200), default="")  # in words
    language: Mapped[str] = mapped_column(String(3))  # ISO 639-1, taught in
    link: Mapped[str] = mapped_column(String(500), default="")  # http(s) only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    skills: Mapped[list[LearningSkill]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="LearningSkill.position"
    )

    @property
    def is_free(self) -> bool:
        return self.cost_amount is None


class LearningSkill(db.Model):
    """A skill an item builds: the same `profiles.models.Tag` rows profiles, posts and gigs
    use (so gigs' wanted skills can point at the learning that builds them)."""

    __tablename__ = "learning_skills"
    __table_args__ = (
        UniqueConstraint("item_id", "tag_id"),
        Index("ix_learning_skills_tag", "tag_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("learning_items.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)

    tag: Mapped[Tag] = relationship(lazy="joined")


class LearningPlanEntry(db.Model):
    """One thing in one member's plan: an item or a learning event (exactly one), with its
    status, the hours a week the member means to give it, and once done the skills gained
    and an optional certificate or evidence link."""

    __tablename__ = "learning_plan_entries"
    __table_args__ = (
        UniqueConstraint("user_id", "item_id"),
        UniqueConstraint("user_id", "event_id"),
        Index("ix_learning_plan_user", "user_id", "status", "id"),
        CheckConstraint("(item_id IS NULL) <> (event_id IS NULL)", name="item_or_event"),
        CheckConstraint(
            "weekly_goal_hours IS NULL OR weekly_goal_hours BETWEEN 1 AND 60", name="goal"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_items.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(8), default=PlanStatus.WANT)
    weekly_goal_hours: Mapped[int | None] = mapped_column(SmallInteger)
    skills_gained: Mapped[str] = mapped_column(String(400), default="")  # labels, ", "
    evidence_link: Mapped[str] = mapped_column(String(500), default="")
    added_to_profile: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    item: Mapped[LearningItem | None] = relationship()
    event: Mapped[Event | None] = relationship()


class LearningPlanSettings(db.Model):
    """A member's weekly reminder: the weekday (0 Monday … 6 Sunday, UTC) it comes on, or
    none. One row per member, made when first set."""

    __tablename__ = "learning_plan_settings"
    __table_args__ = (
        CheckConstraint(
            "reminder_weekday IS NULL OR reminder_weekday BETWEEN 0 AND 6", name="weekday"
        ),
        Index("ix_learning_plan_settings_weekday", "reminder_weekday"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    reminder_weekday: Mapped[int | None] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LearningReminder(db.Model):
    """The claim on a member's one reminder of an ISO week (`week`: its Monday): the unique
    key lets one run through, however many run at once."""

    __tablename__ = "learning_reminders"
    __table_args__ = (UniqueConstraint("user_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
