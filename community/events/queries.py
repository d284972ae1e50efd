"""The events list: upcoming or past events a member may see, filtered and keyset-paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select

from community.auth.models import User
from community.connections.relations import blocked_ids_select
from community.core.database import like_pattern, utcnow
from community.core.pagination import Page, keyset
from community.events.models import Event, Rsvp
from community.extensions import db

PAGE_SIZE = 20
MAX_SEARCH = 80


@dataclass
class EventFilters:
    """What the list's GET form asks for; empty values filter nothing."""

    q: str = ""
    category: str = ""
    mode: str = ""  # "online", "in_person" or ""
    date_from: date | None = None
    date_to: date | None = None
    free_seats: bool = False
    past: bool = False

    def active(self) -> bool:
        return bool(
            self.q
            or self.category
            or self.mode
            or self.date_from
            or self.date_to
            or self.free_seats
        )


def list_events(
    viewer: User, filters: EventFilters, cursor: str | None, *, now: datetime | None = None
) -> Page[Event]:
    """A page of events for `viewer`: upcoming ones (not yet ended) soonest first, or past
    ones most recent first; cancelled events stay in place with their status. Events of an
    organiser the viewer blocked or was blocked by are left out (hosts see their own).
    One query, whatever the page size."""
    now = now or utcnow()
    statement = select(Event).where(
        or_(
            Event.organiser_id == viewer.id,
            Event.organiser_id.not_in(blocked_ids_select(viewer.id)),
        )
    )
    if filters.past:
        statement = statement.where(Event.ends_at <= now)
        order = [Event.starts_at.desc(), Event.id.desc()]
    else:
        statement = statement.where(Event.ends_at > now)
        order = [Event.starts_at.asc(), Event.id.asc()]
    if filters.q:
        pattern = like_pattern(filters.q)
        statement = statement.where(
            or_(
                Event.title.ilike(pattern, escape="\\"),
                Event.description.ilike(pattern, escape="\\"),
            )
        )
    if filters.category:
        statement = statement.where(Event.category == filters.category)
    if filters.mode == "online":
        statement = statement.where(Event.online_url != "")
    elif filters.mode == "in_person":
        statement = statement.where(Event.online_url == "")
    if filters.date_from:
        statement = statement.where(Event.starts_at >= _day_start(filters.date_from))
    if filters.date_to:
        statement = statement.where(
            Event.starts_at < _day_start(filters.date_to) + timedelta(days=1)
        )
    if filters.free_seats:
        statement = statement.where(
            or_(Event.capacity.is_(None), Event.seats_taken < Event.capacity)
        )
    return keyset(statement, order, cursor, PAGE_SIZE)


def _day_start(day: date) -> datetime:
    # Days are taken in UTC: within a few hours of every host city's own day.
    return datetime.combine(day, time.min, tzinfo=UTC)


def my_rsvps(viewer: User, events: list[Event]) -> dict[int, Rsvp]:
    """`viewer`'s RSVP rows for `events`, by event id (one query)."""
    ids = [event.id for event in events]
    if not ids:
        return {}
    rows = db.session.scalars(select(Rsvp).where(Rsvp.user_id == viewer.id, Rsvp.event_id.in_(ids)))
    return {row.event_id: row for row in rows}
