"""Events and RSVPs.

An event's `seats_taken` is the sum of the seats (the member plus guests) of its going
parties; it changes only in `community.events.services`, under `lock_row` on the event row,
in the same transaction as the check that allows it. Waitlisted parties wait in
(`joined_at`, `id`) order.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

if TYPE_CHECKING:
    from community.groups.models import Group

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


class SeriesFrequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY_DATE = "monthly_date"
    MONTHLY_WEEKDAY = "monthly_weekday"


class EventSeries(db.Model):
    """A repeating event: the rule its dates follow. Each date is an `Event` row with
    `series_id` (so it keeps its own capacity, RSVPs and every rule of a single event) and
    `original_starts_at`, the instant the rule gave it (the iCalendar RECURRENCE-ID).
    The rules live in `community.events.series`."""

    __tablename__ = "event_series"
    __table_args__ = (
        CheckConstraint(
            "ordinal IS NULL OR (ordinal >= -1 AND ordinal <= 4 AND ordinal != 0)",
            name="ordinal_range",
        ),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    frequency: Mapped[str] = mapped_column(String(16))
    # monthly_weekday only: 1-4 for "first" to "fourth", -1 for "last".
    ordinal: Mapped[int | None] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    start_time: Mapped[time] = mapped_column(Time())  # wall-clock time in `timezone`
    duration_minutes: Mapped[int] = mapped_column(Integer)
    # The end the organiser chose: a last date, or a number of dates.
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    rsvp_whole_series_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    # iCalendar SEQUENCE of the series (its RRULE entry): rises on every change to it.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


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
    # The group it belongs to (its members see it even when the group is private).
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="SET NULL"), index=True
    )
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
    # Hours before the start when freed seats stop going to the waitlist automatically
    # (then they wait to be claimed); None: the site's EVENT_PROMOTION_CUTOFF_MINUTES.
    promotion_cutoff_hours: Mapped[int | None] = mapped_column(Integer)
    # A change notice waiting to go to going and waitlisted members (`events.notices`): what
    # changed ("time", "place", "status", comma-separated) and when the notice is due. Quick
    # edits push the due time on and add to the list, so they make one notice.
    notice_changes: Mapped[str] = mapped_column(String(40), default="")
    notice_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # A date of a series: the series, and the instant its rule gave this date (the
    # iCalendar RECURRENCE-ID; it moves with the series' time, not with this date's own).
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="SET NULL"), index=True
    )
    original_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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
    series: Mapped[EventSeries | None] = relationship()
    group: Mapped[Group | None] = relationship("Group")
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


class AttendeeAudience(StrEnum):
    GOING = "going"
    WAITLISTED = "waitlisted"
    BOTH = "both"


class EventMessage(db.Model):
    """A message a host sent to an event's going and/or waitlisted members: the record the
    per-event hourly limit counts, and what was sent to whom."""

    __tablename__ = "event_messages"
    __table_args__ = (Index("ix_event_messages_event_created", "event_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    audience: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
