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
    # On an event that requires approval: waiting for a host (takes no seat), or turned
    # down by one (may not ask again).
    REQUESTED = "requested"
    DECLINED = "declined"


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
    # RSVPs wait for a host's yes ("requested") instead of taking seats at once.
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When a host accepted the check-in list as final: every going party not checked in
    # was then marked a no-show. None while attendance is still open.
    attendance_final_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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
        UniqueConstraint("event_id", "checkin_code"),
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
    # The ticket's check-in code (`CHECKIN_ALPHABET`, unique within the event), given when
    # the party first goes; the QR code on the ticket page encodes it.
    checkin_code: Mapped[str | None] = mapped_column(String(12))
    # A host marked this going party as not having come (or accepted the final list
    # without its check-in).
    no_show: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

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


# --- organiser tools: staff, questions, check-in ------------------------------------------


class StaffRole(StrEnum):
    """What an organiser lets another member do on one event. A co-host does what the
    organiser does with the event (edit, message, manage RSVPs, see answers) except
    changing its staff or cancelling it; a door helper sees the going list by name and
    checks people in, nothing else (no answers, emails or other contact details)."""

    COHOST = "cohost"
    DOOR_HELPER = "door_helper"


class EventStaff(db.Model):
    """A member's role on an event besides its organiser's (`StaffRole`). One row per
    member and event; changes are recorded in the audit log (`community.audit`)."""

    __tablename__ = "event_staff"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_event_staff_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


MAX_QUESTIONS = 3  # questions an event may ask at RSVP


class QuestionKind(StrEnum):
    TEXT = "text"  # a short free answer
    CHOICE = "choice"  # one of the organiser's choices
    YES_NO = "yes_no"


class EventQuestion(db.Model):
    """A question asked at RSVP (at most MAX_QUESTIONS an event): dietary needs, children's
    ages, the language a member would like help in, access needs. `choices` holds a
    CHOICE question's options, one per line."""

    __tablename__ = "event_questions"
    __table_args__ = (UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    prompt: Mapped[str] = mapped_column(String(200))
    choices: Mapped[str] = mapped_column(Text, default="", server_default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def choice_list(self) -> list[str]:
        return [line for line in self.choices.splitlines() if line.strip()]


class RsvpAnswer(db.Model):
    """A member's answer to one of an event's questions. Seen by the event's hosts only
    (never door helpers), in the attendee export too; deleted ANSWER_RETENTION_DAYS after
    the event ends (`flask --app wsgi purge-event-answers`)."""

    __tablename__ = "rsvp_answers"
    __table_args__ = (UniqueConstraint("rsvp_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rsvp_id: Mapped[int] = mapped_column(ForeignKey("rsvps.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("event_questions.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(String(500))


class EventCheckin(db.Model):
    """One person of a going party checked in at the door: `guest` 0 is the member, 1 to
    n their guests, each checked in on their own. The unique key makes a double check-in
    (two helpers at two doors) harmless; undoing deletes the row."""

    __tablename__ = "event_checkins"
    __table_args__ = (
        UniqueConstraint("rsvp_id", "guest"),
        CheckConstraint(f"guest >= 0 AND guest <= {MAX_GUESTS}", name="guest_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rsvp_id: Mapped[int] = mapped_column(ForeignKey("rsvps.id", ondelete="CASCADE"))
    guest: Mapped[int] = mapped_column(Integer, default=0)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
