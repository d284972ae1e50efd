"""Attendance as counts, for pages and the later sponsor and mentoring reports (#18).

Every function here returns numbers only: never a member's name or id, so a report built on
them cannot leak who came. Definitions, for a going party (an RSVP with status "going"):

- **went**: at least one person of the party was checked in; its people who went are the
  check-in rows (the member and each guest count on their own);
- **no_show**: a host marked it as not having come (or accepted the list as final
  without its check-in), and nobody of it was checked in;
- **pending**: neither yet (the event has not happened, or nobody decided).

`going` is every going party (went + no_show + pending); people count the member plus their
guests (seats), except `people_went`, which counts who was actually checked in.

`my_attendance` is the one per-member reading: a member's own parties only (the history page).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

from community.core.pagination import Page, keyset
from community.events.models import Event, EventCheckin, EventStatus, Rsvp, RsvpStatus
from community.extensions import db

MY_EVENTS_PAGE = 20


@dataclass(frozen=True)
class AttendanceCounts:
    """Parties and people of one event (or several, summed): counts only."""

    parties_going: int = 0
    parties_went: int = 0
    parties_no_show: int = 0
    people_going: int = 0
    people_went: int = 0
    people_no_show: int = 0

    @property
    def parties_pending(self) -> int:
        return self.parties_going - self.parties_went - self.parties_no_show

    @property
    def people_pending(self) -> int:
        """Seats of the pending parties."""
        return self.people_going - self.people_no_show - self._seats_went

    _seats_went: int = 0  # seats of the parties that went (guests who stayed away included)

    def __add__(self, other: AttendanceCounts) -> AttendanceCounts:
        return AttendanceCounts(
            *(getattr(self, name) + getattr(other, name) for name in _FIELDS),
            _seats_went=self._seats_went + other._seats_went,
        )


_FIELDS = (
    "parties_going",
    "parties_went",
    "parties_no_show",
    "people_going",
    "people_went",
    "people_no_show",
)


def _per_party():
    """One row per going party: its event, seats, people checked in, no-show mark."""
    checked = (
        select(EventCheckin.rsvp_id, func.count().label("people"))
        .group_by(EventCheckin.rsvp_id)
        .subquery()
    )
    people = func.coalesce(checked.c.people, 0)
    went = case((people > 0, 1), else_=0)
    no_show = case((and_(people == 0, Rsvp.no_show.is_(True)), 1), else_=0)
    seats = 1 + Rsvp.guests
    columns = (
        func.count(Rsvp.id),
        func.coalesce(func.sum(went), 0),
        func.coalesce(func.sum(no_show), 0),
        func.coalesce(func.sum(seats), 0),
        func.coalesce(func.sum(people), 0),
        func.coalesce(func.sum(no_show * seats), 0),
        func.coalesce(func.sum(went * seats), 0),
    )
    return checked, columns


def _counts(row) -> AttendanceCounts:
    *values, seats_went = (int(value) for value in row)
    return AttendanceCounts(*values, _seats_went=seats_went)


def attendance_counts(event_ids: Iterable[int]) -> dict[int, AttendanceCounts]:
    """Attendance of each of `event_ids` (one query); events without going parties get
    zeros. For the hosts' attendance panel and reports; callers decide who may see them."""
    ids = list(event_ids)
    found = {event_id: AttendanceCounts() for event_id in ids}
    if not ids:
        return found
    checked, columns = _per_party()
    rows = db.session.execute(
        select(Rsvp.event_id, *columns)
        .outerjoin(checked, checked.c.rsvp_id == Rsvp.id)
        .where(Rsvp.event_id.in_(ids), Rsvp.status == RsvpStatus.GOING)
        .group_by(Rsvp.event_id)
    )
    for event_id, *values in rows:
        found[event_id] = _counts(values)
    return found


@dataclass(frozen=True)
class OrganiserAttendance:
    events: int  # events organised that started in the period (not cancelled)
    counts: AttendanceCounts


def organiser_attendance(
    organiser_id: int, since: datetime, until: datetime
) -> OrganiserAttendance:
    """Attendance summed over the events `organiser_id` organised that start in
    [`since`, `until`) and were not cancelled: how many events and their counts (two
    queries). For the sponsor and mentoring reports (counts only)."""
    in_period = and_(
        Event.organiser_id == organiser_id,
        Event.status != EventStatus.CANCELLED,
        Event.starts_at >= since,
        Event.starts_at < until,
    )
    events = db.session.scalar(select(func.count()).select_from(Event).where(in_period)) or 0
    checked, columns = _per_party()
    row = db.session.execute(
        select(*columns)
        .select_from(Rsvp)
        .join(Event, Event.id == Rsvp.event_id)
        .outerjoin(checked, checked.c.rsvp_id == Rsvp.id)
        .where(in_period, Rsvp.status == RsvpStatus.GOING)
    ).one()
    return OrganiserAttendance(events=events, counts=_counts(row))


# --- a member's own history ----------------------------------------------------------------


@dataclass(frozen=True)
class MyEvent:
    """An event I am (or was) going to, and what became of it for me."""

    event: Event
    rsvp: Rsvp
    attendance: str  # "went", "no_show" or "going" (not decided, or still to come)


def my_events(user_id: int, *, past: bool, now: datetime, cursor: str | None) -> Page[MyEvent]:
    """A page of the events member `user_id` is going to (coming, soonest first) or went to
    or was marked absent from (`past`, latest first), with their own attendance: two
    queries. For the member's own "My events" page only."""
    started = Event.starts_at <= now
    statement = (
        select(Event, Rsvp)
        .join(Rsvp, and_(Rsvp.event_id == Event.id, Rsvp.user_id == user_id))
        .where(Rsvp.status == RsvpStatus.GOING, started if past else ~started)
    )
    order = [Event.starts_at.desc(), Event.id.desc()] if past else [Event.starts_at, Event.id]
    page = keyset(
        statement,
        order,
        cursor,
        MY_EVENTS_PAGE,
        key=lambda row: (row[0].starts_at, row[0].id),
        scalars=False,
    )
    rsvp_ids = [rsvp.id for _event, rsvp in page.items]
    went = set()
    if rsvp_ids:
        went = set(
            db.session.scalars(
                select(EventCheckin.rsvp_id).where(EventCheckin.rsvp_id.in_(rsvp_ids)).distinct()
            )
        )
    items = [
        MyEvent(
            event=event,
            rsvp=rsvp,
            attendance="went" if rsvp.id in went else "no_show" if rsvp.no_show else "going",
        )
        for event, rsvp in page.items
    ]
    return Page(items, page.next_cursor, page.prev_cursor)
