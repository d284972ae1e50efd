"""Events and RSVPs.

An event's `seats_taken` is the sum of the seats (the member plus guests) of its going
parties; it changes only in `community.events.services`, under `lock_row` on the event row,
in the same transaction as the check that allows it. Waitlisted parties wait in
(`joined_at`, `id`) order.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.auth.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db
from community.profiles.models import Tag

MAX_GUESTS = 5  # guests allowed per member, at most


class EventCategory(StrEnum):
    NETWORKING = "networking"
    PROFESSIONAL_DEVELOPMENT = "professional_development"
    LEARNING = "learning"
    SOCIAL = "social"
    FAMILY = "family"
    VOLUNTEERING = "volunteering"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RsvpStatus(StrEnum):
    GOING = "going"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            f"guests_allowed >= 0 AND guests_allowed <= {MAX_GUESTS}", name="guests_allowed_range"
        ),
        CheckConstraint("seats_taken >= 0", name="seats_taken_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        Index("ix_events_status_starts", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # The group it belongs to; a foreign key comes with the groups feature.
    group_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    description_html: Mapped[str] = mapped_column(Text, default="")  # rendered, sanitised
    category: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name, e.g. Europe/Copenhagen
    venue: Mapped[str] = mapped_column(String(300), default="")
    venue_private: Mapped[bool] = mapped_column(Boolean, default=False)
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    guests_allowed: Mapped[int] = mapped_column(Integer, default=0)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default=EventStatus.SCHEDULED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # iCalendar SEQUENCE: rises on every change of time, place or status.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The host city of an in-person event (a `profiles.reference.CITIES` slug), for the
    # list's city filter; None for online events.
    city: Mapped[str | None] = mapped_column(String(40), index=True)
    # Access facts the organiser vouches for.
    step_free: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    child_friendly: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    childcare: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The cover image: a random file name (as avatars), and its text alternative.
    cover_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    cover_alt: Mapped[str] = mapped_column(String(200), default="", server_default="")

    organiser: Mapped[User] = relationship(foreign_keys=[organiser_id])
    languages: Mapped[list[EventLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="EventLanguage.position"
    )
    tags: Mapped[list[EventTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="EventTag.position"
    )

    @property
    def seats_free(self) -> int | None:
        """Seats still free, or None when the capacity is unlimited."""
        return None if self.capacity is None else self.capacity - self.seats_taken


class EventLanguage(db.Model):
    """A language spoken at an event (ISO 639-1, as `profiles.models.ProfileLanguage`)."""

    __tablename__ = "event_languages"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        Index("ix_event_languages_code", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(3))
    position: Mapped[int] = mapped_column(default=0)


class EventTag(db.Model):
    """A tag on an event: the same `profiles.models.Tag` rows profiles use."""

    __tablename__ = "event_tags"
    __table_args__ = (
        UniqueConstraint("event_id", "tag_id"),
        Index("ix_event_tags_tag_id", "tag_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)

    tag: Mapped[Tag] = relationship(lazy="joined")


class Rsvp(db.Model):
    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint(f"guests >= 0 AND guests <= {MAX_GUESTS}", name="guests_range"),
        Index("ix_rsvps_event_status_joined", "event_id", "status", "joined_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    guests: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12))
    # The waitlist order: kept when the party size changes, renewed when a cancelled RSVP
    # comes back.
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()

    @property
    def seats(self) -> int:
        """Seats this party takes: the member and their guests."""
        return 1 + self.guests


class CalendarFeed(db.Model):
    """A member's private calendar feed: the secret in its URL is kept only as a SHA-256
    hash, so the table never holds a working address. One feed per member; regenerating
    replaces the hash, which kills the old URL."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReminderKind(StrEnum):
    DAY = "day"
    HOUR = "hour"


class EventReminder(db.Model):
    """A reminder claimed for one member, event and kind: the unique key is what keeps
    `send-reminders` from sending twice, however many copies of it run at once."""

    __tablename__ = "event_reminders"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
