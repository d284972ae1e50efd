"""The events list: upcoming or past events a member may see, filtered and keyset-paged.
The text box searches the search index (`community.search.services.matching_ids`).

One query for the `/events` page and `GET /api/v1/events` alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, or_, select
from sqlalchemy.orm import joinedload, lazyload

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.connections.models import Connection, ConnectionStatus
from community.connections.relations import blocked_ids_select, related_ids
from community.core.database import utcnow
from community.core.pagination import Page, keyset
from community.events.models import (
    Event,
    EventLanguage,
    EventStaff,
    EventStatus,
    Rsvp,
    RsvpStatus,
)
from community.extensions import db
from community.groups.access import readable_group_clause
from community.profiles.directory import visible_ids
from community.profiles.models import Profile
from community.profiles.services import load_profiles
from community.search.services import matching_ids

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
    city: str = ""  # a host-city slug
    language: str = ""  # an ISO 639-1 code spoken at the event
    step_free: bool = False
    child_friendly: bool = False
    childcare: bool = False
    past: bool = False
    group_id: int | None = None  # one group's events (the group page, the API)
    include_cancelled: bool = True  # the page marks them; the API leaves them out

    def active(self) -> bool:
        return bool(
            self.q
            or self.category
            or self.mode
            or self.date_from
            or self.date_to
            or self.free_seats
            or self.city
            or self.language
            or self.step_free
            or self.child_friendly
            or self.childcare
        )

    def more_active(self) -> bool:
        """Whether a filter behind the page's "More filters" is set."""
        return bool(
            self.mode
            or self.date_from
            or self.date_to
            or self.free_seats
            or self.language
            or self.step_free
            or self.child_friendly
            or self.childcare
        )


def visible_event_clauses(viewer: User) -> list:
    """SQL for "events `viewer` may see" (the list twin of `services.get_visible_event`):
    not in a private group they may not read, and not by an organiser either of them
    blocked (moderators and the event's own organiser see theirs). Used by `list_events`
    and the notifications' event loader."""
    # An event's staff (co-hosts, door helpers) see it in a private group too.
    staffed = select(EventStaff.event_id).where(EventStaff.user_id == viewer.id)
    clauses = [or_(readable_group_clause(viewer, Event.group_id), Event.id.in_(staffed))]
    if not viewer.has_role(Role.MODERATOR):
        clauses.append(
            or_(
                Event.organiser_id == viewer.id,
                Event.organiser_id.not_in(blocked_ids_select(viewer.id)),
            )
        )
    return clauses


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
    or was blocked by) are left out; moderators and the events' own hosts see them; so are
    events of a private group `viewer` is not an active member of (`readable_group_clause`).
    One query, whatever the page size, with each event's organiser and group loaded.
    Raises BadCursor."""
    now = now or utcnow()
    # The organiser is shown by name; their roles load only if something asks for them.
    statement = select(Event).options(
        joinedload(Event.organiser).lazyload(User.role_rows), joinedload(Event.group)
    )
    statement = statement.where(*visible_event_clauses(viewer))
    if filters.group_id is not None:
        statement = statement.where(Event.group_id == filters.group_id)
    if not filters.include_cancelled:
        statement = statement.where(Event.status == EventStatus.SCHEDULED)
    if filters.past:
        statement = statement.where(Event.ends_at <= now)
        order = [Event.starts_at.desc(), Event.id.desc()]
    else:
        statement = statement.where(Event.ends_at > now)
        order = [Event.starts_at.asc(), Event.id.asc()]
    if filters.q.strip():
        # The search index (title, description, category, city, tags): stemmed words, the
        # last one also as a prefix. Visibility stays the clauses above.
        statement = statement.where(
            Event.id.in_(matching_ids("event", filters.q.strip()[:MAX_SEARCH]))
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
        # A seat one can still take: RSVPs close when the event starts.
        statement = statement.where(
            Event.starts_at > now,
            or_(Event.capacity.is_(None), Event.seats_taken < Event.capacity),
        )
    if filters.city:
        statement = statement.where(Event.city == filters.city)
    if filters.language:
        statement = statement.where(Event.languages.any(EventLanguage.code == filters.language))
    for name in ("step_free", "child_friendly", "childcare"):
        if getattr(filters, name):
            statement = statement.where(getattr(Event, name).is_(True))
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


CONNECTIONS_SHOWN = 3


@dataclass
class Going:
    """Some members going to an event, as one viewer may see them, and how many more."""

    shown: list[tuple[User, Profile | None]]
    more: int = 0


def connections_going(viewer: User, events: list[Event]) -> dict[int, Going]:
    """Up to three of `viewer`'s connections going to each of `events` (with their
    profiles, for the avatars), and how many more: for the list cards and the home page.
    One query whatever the number of events (connections see each other's profiles at
    every visibility; members blocked either way are left out)."""
    ids = [event.id for event in events]
    if not ids:
        return {}
    connected = select(
        case((Connection.low_id == viewer.id, Connection.high_id), else_=Connection.low_id)
    ).where(
        or_(Connection.low_id == viewer.id, Connection.high_id == viewer.id),
        Connection.status == ConnectionStatus.ACCEPTED,
    )
    rows = db.session.execute(
        select(Rsvp.event_id, User, Profile)
        .join(User, User.id == Rsvp.user_id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(
            Rsvp.event_id.in_(ids),
            Rsvp.status == RsvpStatus.GOING,
            Rsvp.user_id.in_(connected),
            Rsvp.user_id.not_in(blocked_ids_select(viewer.id)),
            User.status == UserStatus.ACTIVE,
        )
        .options(lazyload(User.role_rows))
        .order_by(Rsvp.event_id, Rsvp.joined_at, Rsvp.id)
    ).all()
    going: dict[int, Going] = {}
    for event_id, user, profile in rows:
        entry = going.setdefault(event_id, Going(shown=[]))
        if len(entry.shown) < CONNECTIONS_SHOWN:
            entry.shown.append((user, profile))
        else:
            entry.more += 1
    return going


WHO_IS_GOING_SHOWN = 24


def who_is_going(viewer: User, event: Event, limit: int = WHO_IS_GOING_SHOWN) -> Going:
    """The members going to `event` whose profiles `viewer` may see (`visible_ids`: blocked
    members never, a connections-only profile only to connections), connections first,
    then in join order; at most `limit` of them, and how many other members are going
    (counted, not named). The viewer themself is left out. A fixed number of queries."""
    rows = db.session.execute(
        select(Rsvp.user_id, Rsvp.joined_at, Rsvp.id).where(
            Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.GOING
        )
    ).all()
    others = [row for row in rows if row.user_id != viewer.id]
    visible = visible_ids(viewer, [row.user_id for row in others])
    connected, _pending, _blocked = related_ids(viewer.id)
    named = sorted(
        (row for row in others if row.user_id in visible),
        key=lambda row: (row.user_id not in connected, row.joined_at, row.id),
    )
    chosen = [row.user_id for row in named[:limit]]
    users = (
        {
            user.id: user
            for user in db.session.scalars(
                select(User).where(User.id.in_(chosen)).options(lazyload(User.role_rows))
            )
        }
        if chosen
        else {}
    )
    profiles = load_profiles(chosen)
    shown = [(users[user_id], profiles.get(user_id)) for user_id in chosen if user_id in users]
    return Going(shown=shown, more=len(others) - len(shown))


def upcoming_for(viewer: User, limit: int = 5, *, now: datetime | None = None) -> list[Event]:
    """`viewer`'s next events: the scheduled ones they are going to or waitlisted for,
    soonest first (the home page)."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Event)
            .join(Rsvp, Rsvp.event_id == Event.id)
            .where(
                Rsvp.user_id == viewer.id,
                Rsvp.status.in_((RsvpStatus.GOING, RsvpStatus.WAITLISTED)),
                Event.status == EventStatus.SCHEDULED,
                Event.ends_at > now,
            )
            .options(joinedload(Event.organiser).lazyload(User.role_rows))
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )


def connections_events(viewer: User, limit: int = 5, *, now: datetime | None = None) -> list[Event]:
    """Upcoming scheduled events `viewer`'s connections are going to and `viewer` is not,
    soonest first (the home page). Events `get_visible_event` would hide are left out."""
    now = now or utcnow()
    connected, _pending, blocked = related_ids(viewer.id)
    connected -= blocked
    if not connected:
        return []
    mine = select(Rsvp.event_id).where(
        Rsvp.user_id == viewer.id, Rsvp.status != RsvpStatus.CANCELLED
    )
    statement = (
        select(Event)
        .where(
            Event.status == EventStatus.SCHEDULED,
            Event.ends_at > now,
            Event.id.not_in(mine),
            readable_group_clause(viewer, Event.group_id),
            Event.id.in_(
                select(Rsvp.event_id).where(
                    Rsvp.status == RsvpStatus.GOING, Rsvp.user_id.in_(connected)
                )
            ),
        )
        .options(joinedload(Event.organiser).lazyload(User.role_rows))
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    if blocked:
        statement = statement.where(Event.organiser_id.not_in(blocked))
    return list(db.session.scalars(statement))
