"""The events list: upcoming or past events a member may see, filtered and keyset-paged.

One query for the `/events` page and `GET /api/v1/events` alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.auth.roles import Role
from community.connections.relations import blocked_ids_select
from community.core.database import casefold, like_pattern, utcnow
from community.core.pagination import Page, keyset
from community.events.models import Event, EventStatus, Rsvp
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
    include_cancelled: bool = True  # the page marks them; the API leaves them out

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
    viewer: User,
    filters: EventFilters,
    cursor: str | None,
    limit: int = PAGE_SIZE,
    *,
    now: datetime | None = None,
) -> Page[Event]:
    """A page of events for `viewer`: upcoming ones (not yet ended) soonest first, or past
    ones most recent first; cancelled ones in place with their status unless the filters
    leave them out. Events `get_visible_event` would hide (an organiser the viewer blocked
    or was blocked by) are left out; moderators and the events' own hosts see them. One
    query, whatever the page size, with each event's organiser loaded. Raises BadCursor."""
    now = now or utcnow()
    # The organiser is shown by name; their roles load only if something asks for them.
    statement = select(Event).options(joinedload(Event.organiser).lazyload(User.role_rows))
    if not viewer.has_role(Role.MODERATOR):
        statement = statement.where(
            or_(
                Event.organiser_id == viewer.id,
                Event.organiser_id.not_in(blocked_ids_select(viewer.id)),
            )
        )
    if not filters.include_cancelled:
        statement = statement.where(Event.status == EventStatus.SCHEDULED)
    if filters.past:
        statement = statement.where(Event.ends_at <= now)
        order = [Event.starts_at.desc(), Event.id.desc()]
    else:
        statement = statement.where(Event.ends_at > now)
        order = [Event.starts_at.asc(), Event.id.asc()]
    if filters.q.strip():
        pattern = like_pattern(filters.q.strip().casefold()[:MAX_SEARCH])
        statement = statement.where(
            or_(
                casefold(Event.title).like(pattern, escape="\\"),
                casefold(Event.description).like(pattern, escape="\\"),
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
    return keyset(statement, order, cursor, limit)


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
