"""Demo check-ins (#18), called once by `events.demo.seed` after the demo events exist:

- the latest past event the demo member (Mia, member@alongside.example) went to gets its
  check-ins: every going party but one came (guests checked in one by one), the last one
  is a no-show, and the organiser accepted the list as final; so the attendance panel, the
  attendee page and Mia's "My events" show something;
- a new event in Mia's city starts within the hour, with five members of that city going
  (not the named demo people, whose chat rooms other demos and tests rely on) and Priya
  as its door helper, so check-in can be tried at once from `make run` (log in as the
  organiser or Priya, open the event, "Check people in").

Uses no random numbers (the later seeders' draws stay as they were) and the real services,
with `now=` set to the time each thing would have happened.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.core.database import get_or_create, utcnow
from community.core.errors import ServiceError
from community.events import checkin
from community.events import services as events
from community.events.models import Event, EventStaff, EventStatus, Rsvp, RsvpStatus, StaffRole
from community.extensions import db
from community.profiles import reference as ref

MIA = "member@alongside.example"
PRIYA = "priya@alongside.example"
NAMED = {MIA, PRIYA, "lars@alongside.example", "sofia@alongside.example"}


def seed(context, organiser) -> str:
    """Seed the check-ins described above; returns a line for the seed summary."""
    users = {user.email: user for user in context.users}
    mia = users.get(MIA)
    if mia is None:
        return "no check-ins (no demo member)"
    now = utcnow()
    past = db.session.scalar(
        select(Event)
        .join(Rsvp, Rsvp.event_id == Event.id)
        .where(
            Rsvp.user_id == mia.id,
            Rsvp.status == RsvpStatus.GOING,
            Event.organiser_id == organiser.id,
            Event.status == EventStatus.SCHEDULED,
            Event.ends_at < now,
        )
        .order_by(Event.starts_at.desc())
        .limit(1)
    )
    came = 0
    if past is not None:
        came = _attendance(organiser, mia, past)
    soon = _event_soon(context, organiser, mia, users.get(PRIYA), now)
    return f"{came} checked in at a past event, check-in open at event {soon.id}"


def _attendance(organiser, mia, event: Event) -> int:
    """Check in every going party of `event` but the last (Mia first), mark that one a
    no-show by accepting the list as final."""
    at = event.starts_at + timedelta(minutes=5)
    parties = events.attendees(event)
    going = [row for row in parties if row.status == RsvpStatus.GOING]
    going.sort(key=lambda row: row.user_id != mia.id)
    came = 0
    for row in going[:-1] if len(going) > 1 else going:
        for guest in range(row.guests + 1):
            checkin.check_in(organiser, event, user_id=row.user_id, guest=guest, now=at)
            came += 1
    checkin.accept_as_final(organiser, event, now=event.ends_at + timedelta(hours=1))
    return came


def _event_soon(context, organiser, mia, priya, now) -> Event:
    city = ref.CITY_BY_SLUG[context.cities[mia.id]]
    starts = (now + timedelta(minutes=45)).replace(second=0, microsecond=0)
    event = events.create_event(
        organiser,
        events.EventData(
            title=f"Welcome drinks, {city.name}",
            description="Meet the newest members over a drink. Check-in at the door is open.",
            category="social",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            timezone=city.timezone,
            venue=f"Café by the harbour, {city.name}",
            capacity=20,
            guests_allowed=2,
            city=city.slug,
        ),
    )
    named = {organiser.id, mia.id, *(u.id for u in context.users if u.email in NAMED)}
    neighbours = [
        user
        for user in context.users
        if context.cities.get(user.id) == city.slug and user.id not in named
    ]
    for index, member in enumerate(neighbours[:5]):
        try:
            events.rsvp(member, event, 1 if index % 3 == 0 else 0, now=now, confirm_by_mail=False)
        except ServiceError:
            continue
    if priya is not None:
        get_or_create(
            EventStaff,
            defaults={"role": StaffRole.DOOR_HELPER, "added_by_id": organiser.id},
            event_id=event.id,
            user_id=priya.id,
        )
        events.forget_staff_roles(priya.id)
    db.session.flush()
    return event
