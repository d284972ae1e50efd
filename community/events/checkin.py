"""Check-in at the door (#18): tickets with a code and a QR code, the door list, checking
people in and undoing it, no-shows and accepting the list as final.

Called by the ticket and check-in pages (`checkin_routes`), the JSON API
(`community.api.checkins`), the check-in socket (`sockets`) and the demo seeder. Writes
flush, never commit: the caller commits once. Refusals are `ServiceError` kinds.

Who: a ticket is its member's (and the hosts'); the door list and checking in are for
`services.can_check_in` (hosts and door helpers), no-shows and the final list for
`services.can_manage` (hosts). Everyone else gets the NotFound of a missing event, so the
list never leaks. The door list carries names and party sizes only: never emails, answers
or links to profiles.

Codes: six characters of CODE_ALPHABET (no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes), shown as
`K7M 2QX`, unique per event (the `rsvps` unique key). A code is given the first time it is
needed (the ticket page or the API), not at RSVP time: most RSVPs never need one. Two
requests giving the first code at once (the member's phone and laptop) each set it with
`UPDATE ... WHERE checkin_code IS NULL` in a savepoint: the later one changes no row and reads
the winner's code; a code that clashes with another party's (1 in 300 million per party)
fails the unique key in the savepoint and is retried with a new one. This is
`core.database.get_or_create`'s rule for a column instead of a row.

Double check-ins are harmless: a person is one `EventCheckin` row (`rsvp_id`, `guest`
unique) made through `get_or_create`, so two helpers tapping at once store one row and the
second is told who was first. Every change is sent to the event's check-in room
(`checkin:<event id>`, `checkin:changed`) after the commit.

The door opens CHECKIN_OPENS_BEFORE the start and closes CHECKIN_CLOSES_AFTER the end;
outside that window checking in is refused (Conflict) with the time it opens.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.core.database import casefold, get_or_create, like_pattern, lock_row, utcnow
from community.core.effects import emit_after_commit
from community.core.errors import Conflict, Invalid, NotFound
from community.core.urls import external_url
from community.events import services
from community.events.display import event_when
from community.events.models import Event, EventCheckin, EventStatus, Rsvp, RsvpStatus
from community.extensions import db

CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 6
CODE_TRIES = 5
CHECKIN_OPENS_BEFORE = timedelta(hours=2)
CHECKIN_CLOSES_AFTER = timedelta(hours=12)
MAX_SEARCH = 100


def checkin_room(event_id: int) -> str:
    """The Socket.IO room of an event's check-in page: its door helpers and hosts."""
    return f"checkin:{event_id}"


# --- codes ---------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))


def normalise_code(text: str | None) -> str | None:
    """`text` as a stored code (`k7m 2qx`, `K7M-2QX` → `K7M2QX`), or None when it cannot be
    one (wrong length or a character outside the alphabet)."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


def format_code(code: str) -> str:
    """A code grouped for reading out: `K7M 2QX`."""
    return f"{code[:3]} {code[3:]}"


def ticket_code(row: Rsvp) -> str:
    """The party's check-in code, given now if it has none (see the module for the race)."""
    if row.checkin_code:
        return row.checkin_code
    for _attempt in range(CODE_TRIES):
        try:
            with db.session.begin_nested():
                db.session.execute(
                    update(Rsvp)
                    .where(Rsvp.id == row.id, Rsvp.checkin_code.is_(None))
                    .values(checkin_code=new_code())
                )
        except IntegrityError:
            continue  # another party of this event has that code: draw again
        db.session.refresh(row, ["checkin_code"])
        if row.checkin_code:
            return row.checkin_code
    raise Conflict(_("We could not make a ticket code just now. Please try again."), "code")


def checkin_url(event: Event, code: str) -> str:
    """The check-in page's full URL with `code`: what the QR code says, so a helper's
    camera app opens the right page with the code filled in."""
    return external_url("events.checkin_page", event_id=event.id, code=code)


def qr_svg(text: str) -> str:
    """`text` as an inline SVG QR code (no inline styles or scripts, so the CSP allows it)."""
    return segno.make(text, error="m").svg_inline(
        scale=6, border=2, dark="#000", light="#fff", omitsize=True
    )


# --- tickets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    """A going party's ticket: its code (stored form and spoken form), the URL the QR code
    encodes and the QR code as SVG text."""

    rsvp: Rsvp
    code: str
    spoken: str
    url: str
    svg: str


def ticket_for(viewer: User, event: Event, user_id: int | None = None) -> Ticket:
    """`viewer`'s ticket for `event` (or, for a host, member `user_id`'s). Called by the
    ticket page and the API, which commit (a first ticket stores its code). NotFound for
    anyone else's ticket (as if missing); Conflict when the party is not going (waitlisted,
    requested, declined, cancelled) or the event was cancelled, with words saying why."""
    owner_id = viewer.id if user_id is None else user_id
    if owner_id != viewer.id and not services.can_manage(viewer, event):
        raise NotFound(_("We could not find that ticket."))
    row = db.session.scalar(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == owner_id))
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("This event was cancelled: there is no ticket."), "event")
    if row is None or row.status != RsvpStatus.GOING:
        raise Conflict(_not_going_message(row), "event")
    code = ticket_code(row)
    url = checkin_url(event, code)
    return Ticket(rsvp=row, code=code, spoken=format_code(code), url=url, svg=qr_svg(url))


def _not_going_message(row: Rsvp | None) -> str:
    if row is not None and row.status == RsvpStatus.WAITLISTED:
        return _("You are on the waitlist: you get a ticket once a seat is yours.")
    if row is not None and row.status == RsvpStatus.REQUESTED:
        return _("Your request is waiting for a host: you get a ticket once it is accepted.")
    return _("Only members who are going have a ticket.")


# --- the door list -------------------------------------------------------------------------


@dataclass
class Person:
    """One person of a party at the door: the member (guest 0) or guest 1..n."""

    guest: int
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None  # the helper's display name

    @property
    def checked_in(self) -> bool:
        return self.checked_in_at is not None


@dataclass
class Party:
    """A going party on the door list: names and sizes only, nothing else of the member."""

    rsvp_id: int
    user_id: int
    name: str
    guests: int
    no_show: bool
    people: list[Person] = field(default_factory=list)

    @property
    def checked_in(self) -> int:
        return sum(1 for person in self.people if person.checked_in)

    @property
    def attendance(self) -> str:
        """ "went" (someone checked in), "no_show" (marked), or "going" (neither yet)."""
        if self.checked_in:
            return "went"
        return "no_show" if self.no_show else "going"

    def next_guest(self) -> int | None:
        """The first person of the party not checked in yet, or None."""
        return next((person.guest for person in self.people if not person.checked_in), None)


@dataclass(frozen=True)
class DoorCounts:
    checked_in: int  # people checked in (guests included)
    expected: int  # people going (guests included)


def get_checkin_event(viewer: User | None, event_id: int) -> Event:
    """The event, for those who may check people in (`can_check_in`); NotFound for everyone
    else, the same as for a missing event. Called by every check-in page, endpoint and
    socket event first."""
    event = services.get_visible_event(viewer, event_id)
    if not services.can_check_in(viewer, event):
        raise NotFound(_("We could not find that event."))
    return event


def door_list(event: Event, search: str = "", rsvp_ids: Iterable[int] | None = None) -> list[Party]:
    """The going parties of `event` by name (A to Z), each with its people's check-in state:
    two queries. `search` keeps the names containing it (any case); `rsvp_ids` keeps those
    parties (one row's update). Callers check `can_check_in`."""
    statement = (
        select(Rsvp.id, Rsvp.user_id, User.display_name, Rsvp.guests, Rsvp.no_show)
        .join(User, User.id == Rsvp.user_id)
        .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.GOING)
        .order_by(casefold(User.display_name), Rsvp.id)
    )
    search = " ".join((search or "").split())[:MAX_SEARCH]
    if search:
        statement = statement.where(
            casefold(User.display_name).like(like_pattern(search.casefold()), escape="\\")
        )
    if rsvp_ids is not None:
        statement = statement.where(Rsvp.id.in_(list(rsvp_ids)))
    parties = {
        rsvp_id: Party(rsvp_id, user_id, name, guests, no_show)
        for rsvp_id, user_id, name, guests, no_show in db.session.execute(statement)
    }
    for party in parties.values():
        party.people = [Person(guest) for guest in range(party.guests + 1)]
    if parties:
        checker = User.__table__.alias("checker")
        found = db.session.execute(
            select(
                EventCheckin.rsvp_id,
                EventCheckin.guest,
                EventCheckin.checked_in_at,
                checker.c.display_name,
            )
            .outerjoin(checker, checker.c.id == EventCheckin.checked_in_by_id)
            .where(EventCheckin.rsvp_id.in_(list(parties)))
        )
        for rsvp_id, guest, at, by in found:
            people = parties[rsvp_id].people
            if guest < len(people):
                people[guest].checked_in_at = at
                people[guest].checked_in_by = by
    return list(parties.values())


def door_counts(event: Event) -> DoorCounts:
    """People checked in and people expected (going, guests included): two small queries."""
    going = select(Rsvp.id).where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.GOING)
    checked = db.session.scalar(
        select(func.count()).select_from(EventCheckin).where(EventCheckin.rsvp_id.in_(going))
    )
    expected = db.session.scalar(
        select(func.coalesce(func.sum(1 + Rsvp.guests), 0)).where(
            Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.GOING
        )
    )
    return DoorCounts(checked_in=checked or 0, expected=expected or 0)


# --- checking in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinResult:
    """A check-in after `check_in`: the party (fresh), the person, and whether this call
    made the row (False: it was already there, by `party.people[guest].checked_in_by`)."""

    party: Party
    guest: int
    created: bool

    @property
    def person(self) -> Person:
        return self.party.people[self.guest]


def local_time(instant: datetime, zone: str) -> str:
    """A time of the door ("19:02") on the event's clock."""
    return format_datetime(instant, "HH:mm", tzinfo=ZoneInfo(zone), locale=get_locale() or "en_GB")


def door_window(event: Event) -> tuple[datetime, datetime]:
    """When check-in opens and closes for `event`."""
    return event.starts_at - CHECKIN_OPENS_BEFORE, event.ends_at + CHECKIN_CLOSES_AFTER


def _check_window(event: Event, now: datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("This event was cancelled."), "event")
    opens, closes = door_window(event)
    if now < opens:
        raise Conflict(
            _(
                "Check-in opens %(when)s, two hours before the start.",
                when=event_when(opens, event.timezone),
            ),
            "event",
        )
    if now > closes:
        raise Conflict(_("Check-in for this event has closed."), "event")


def find_party(event: Event, *, code: str | None = None, user_id: int | None = None) -> Rsvp:
    """The RSVP a code or member id names on `event`. NotFound for a code that is not one of
    this event's (mistyped, or another event's); Conflict for a member who is not going."""
    if code is not None:
        stored = normalise_code(code)
        row = None
        if stored is not None:
            row = db.session.scalar(
                select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.checkin_code == stored)
            )
        if row is None:
            raise NotFound(
                _("No ticket of this event has that code. Check it and try again."), "code"
            )
    else:
        row = db.session.scalar(
            select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == user_id)
        )
        if row is None:
            raise Conflict(_("That member is not going to this event."), "user_id")
    if row.status != RsvpStatus.GOING:
        raise Conflict(_("That member is not going to this event."), "user_id")
    return row


def check_in(
    actor: User,
    event: Event,
    *,
    code: str | None = None,
    user_id: int | None = None,
    guest: int | None = None,
    now: datetime | None = None,
) -> CheckinResult:
    """Check one person of a going party in: by ticket code or member id; `guest` 0 is the
    member, 1..n a guest; None: the party's first person not yet in. Called by the check-in
    page, the API and the demo. A person already checked in is not an error: the answer
    says who did it and when (`created` False). Refuses: NotFound for those who may not check
    in and for unknown codes; Conflict outside the door window or for a member not going;
    Invalid for a guest number the party does not have. The room hears `checkin:changed`
    after the commit."""
    if not services.can_check_in(actor, event):
        raise NotFound(_("We could not find that event."))
    now = now or utcnow()
    _check_window(event, now)
    row = find_party(event, code=code, user_id=user_id)
    if guest is None:
        party = door_list(event, rsvp_ids=[row.id])[0]
        guest = party.next_guest()
        if guest is None:  # everyone is in: the answer is the member's own check-in
            return CheckinResult(party=party, guest=0, created=False)
    if isinstance(guest, bool) or not isinstance(guest, int) or not 0 <= guest <= row.guests:
        raise Invalid(
            _("Choose the member (0) or one of their guests (1 to %(n)d).", n=row.guests),
            "guest",
        )
    _checkin, created = get_or_create(
        EventCheckin,
        defaults={"checked_in_by_id": actor.id, "checked_in_at": now},
        rsvp_id=row.id,
        guest=guest,
    )
    if created and row.no_show:
        row.no_show = False  # they came after all
    db.session.flush()
    party = door_list(event, rsvp_ids=[row.id])[0]
    if created:
        _announce(event, party)
    return CheckinResult(party=party, guest=guest, created=created)


def undo_check_in(actor: User, event: Event, user_id: int, guest: int) -> Party:
    """Undo one person's check-in (the Undo button; DELETE in the API). Undoing what is not
    checked in changes nothing. Same refusals as `check_in`, without the door window (a
    mistake can always be undone)."""
    if not services.can_check_in(actor, event):
        raise NotFound(_("We could not find that event."))
    row = find_party(event, user_id=user_id)
    if isinstance(guest, bool) or not isinstance(guest, int) or not 0 <= guest <= row.guests:
        raise Invalid(
            _("Choose the member (0) or one of their guests (1 to %(n)d).", n=row.guests),
            "guest",
        )
    gone = db.session.execute(
        delete(EventCheckin).where(EventCheckin.rsvp_id == row.id, EventCheckin.guest == guest)
    ).rowcount
    party = door_list(event, rsvp_ids=[row.id])[0]
    if gone:
        _announce(event, party)
    return party


def party_payload(party: Party) -> dict:
    """A party as the check-in socket and API send it: names and sizes only."""
    return {
        "rsvp_id": party.rsvp_id,
        "user_id": party.user_id,
        "name": party.name,
        "guests": party.guests,
        "people": [
            {
                "guest": person.guest,
                "checked_in": person.checked_in,
                "checked_in_at": person.checked_in_at.isoformat() if person.checked_in_at else None,
                "checked_in_by": person.checked_in_by,
            }
            for person in party.people
        ],
    }


def _announce(event: Event, party: Party) -> None:
    """Tell the event's check-in room about `party`'s new state, after the commit."""
    counts = door_counts(event)
    emit_after_commit(
        "checkin:changed",
        {
            "event_id": event.id,
            "party": party_payload(party),
            "counts": {"checked_in": counts.checked_in, "expected": counts.expected},
        },
        to=checkin_room(event.id),
    )


# --- after the event: no-shows and the final list ------------------------------------------


def _hosted_after_start(actor: User, event: Event, now: datetime) -> None:
    if not services.can_manage(actor, event):
        raise NotFound(_("We could not find that event."))
    if event.starts_at > now:
        raise Conflict(_("No-shows can be marked once the event has started."), "event")


def mark_no_show(
    actor: User, event: Event, user_id: int, no_show: bool = True, *, now: datetime | None = None
) -> Rsvp:
    """A host marks a going party as not having come (or takes the mark back). Called by the
    attendee page. Only hosts (NotFound for others, door helpers included), once the event
    has started (Conflict); a party with someone checked in cannot be a no-show (Conflict)."""
    _hosted_after_start(actor, event, now or utcnow())
    row = find_party(event, user_id=user_id)
    if no_show and db.session.scalar(select(exists().where(EventCheckin.rsvp_id == row.id))):
        raise Conflict(_("Someone of this party is checked in: undo that first."), "user_id")
    row.no_show = no_show
    db.session.flush()
    return row


def accept_as_final(actor: User, event: Event, *, now: datetime | None = None) -> int:
    """ "Accept the check-in list as final": every going party with nobody checked in is
    marked a no-show and `attendance_final_at` is set. Idempotent (a second call marks
    only parties that were un-marked since, and keeps the first time). Undone party by party
    by un-marking. Only hosts, once the event has started. Returns how many were marked."""
    now = now or utcnow()
    _hosted_after_start(actor, event, now)
    event = lock_row(event)
    marked = db.session.execute(
        update(Rsvp)
        .where(
            Rsvp.event_id == event.id,
            Rsvp.status == RsvpStatus.GOING,
            Rsvp.no_show.is_(False),
            ~exists().where(EventCheckin.rsvp_id == Rsvp.id),
        )
        .values(no_show=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    if event.attendance_final_at is None:
        event.attendance_final_at = now
    db.session.flush()
    db.session.expire_all()
    return marked
