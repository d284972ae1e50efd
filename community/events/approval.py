"""Events that need a host's approval: members ask (`requested`, no seat), hosts accept or
decline.

- `request` is called by `services.rsvp` (under the event's row lock) when a member RSVPs
  to an event with `requires_approval`: the RSVP becomes "requested" and takes no seat; the
  hosts are notified ("event.request"). Changing the party while requested just changes
  it; withdrawing is `services.cancel_rsvp`.
- `accept` (hosts, `services.can_manage`) seats the party through the same code path as a
  direct RSVP (`services.take_seats_or_wait` under `lock_row(event)`): going when its seats
  are free, else the end of the waitlist. The member is notified and mailed either way.
- `decline` (hosts) sets "declined" with an optional message; the member is told politely
  (notification and mail) and cannot ask again, but a host may still accept them later.

Turning approval off does not accept pending requests: they stay "requested" until a host
answers them (new RSVPs then go straight in).

Called by the attendee page (`approval_routes`) and the API (`api/event_hosts.py`).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Invalid, NotFound, too_long
from community.events.models import Event, EventStaff, Rsvp, RsvpStatus, StaffRole
from community.events.reminders import mail_details, mail_rsvp_confirmation
from community.events.services import (
    RsvpResult,
    _open_for_rsvp,
    can_manage,
    rsvp_state,
    sync_chat_room,
    take_seats_or_wait,
)
from community.extensions import db
from community.mail.services import queue_mail
from community.notifications.services import notify, notify_many

MAX_DECLINE_MESSAGE = 1_000


def request(member: User, event: Event, row: Rsvp, guests: int, now: datetime) -> RsvpResult:
    """`services.rsvp`'s step for an event that needs approval (the caller holds the event's
    row lock and made `row`): a new request is "requested", joined now, and the hosts are
    told; a pending request only changes its party."""
    is_new = row.status != RsvpStatus.REQUESTED
    row.guests = guests
    if is_new:
        row.status = RsvpStatus.REQUESTED
        row.joined_at = now
        notify_many(
            hosts_of(event),
            "event.request",
            actor_id=member.id,
            target_type="event",
            target_id=event.id,
            title=event.title,
        )
    db.session.flush()
    return rsvp_state(row)


def hosts_of(event: Event) -> list[User]:
    """Who answers requests: the organiser and the co-hosts (active accounts)."""
    cohosts = db.session.scalars(
        select(User)
        .join(EventStaff, EventStaff.user_id == User.id)
        .where(EventStaff.event_id == event.id, EventStaff.role == StaffRole.COHOST)
    )
    found = {event.organiser.id: event.organiser}
    found.update({user.id: user for user in cohosts})
    return [user for user in found.values() if can_manage(user, event)]


def requests(actor: User, event: Event) -> list[Rsvp]:
    """The pending requests of `event`, oldest first, members loaded (hosts only:
    NotFound for everyone else, like the attendee list)."""
    if not can_manage(actor, event):
        raise NotFound(_("We could not find that event."))
    return list(
        db.session.scalars(
            select(Rsvp)
            .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.REQUESTED)
            .options(joinedload(Rsvp.user))
            .order_by(Rsvp.joined_at, Rsvp.id)
        )
    )


def _answerable(actor: User, event: Event, user_id: int, now: datetime) -> Rsvp:
    """The request of `user_id` under the event's row lock (the caller locked it)."""
    _open_for_rsvp(event, now)
    row = db.session.scalar(
        select(Rsvp)
        .where(Rsvp.event_id == event.id, Rsvp.user_id == user_id)
        .options(joinedload(Rsvp.user))
    )
    if row is None or row.status not in (RsvpStatus.REQUESTED, RsvpStatus.DECLINED):
        raise Conflict(_("That member has no request waiting for an answer."), "user_id")
    return row


def accept(
    actor: User, event: Event, user_id: int, *, now: datetime | None = None
) -> tuple[Rsvp, RsvpResult]:
    """A host accepts `user_id`'s request (or a request they declined before). Under
    `lock_row(event)`, through `take_seats_or_wait` as a direct RSVP: going when the seats
    are free, else the end of the waitlist. The member is notified and mailed either way.
    NotFound for non-hosts; Conflict for a cancelled or started event, or a member with no
    request."""
    if not can_manage(actor, event):
        raise NotFound(_("We could not find that event."))
    event = lock_row(event)
    now = now or utcnow()
    row = _answerable(actor, event, user_id, now)
    take_seats_or_wait(event, row, now)
    notify(
        row.user_id,
        "event.request_accepted",
        actor_id=actor.id,
        target_type="event",
        target_id=event.id,
        title=event.title,
    )
    db.session.flush()
    mail_rsvp_confirmation(row.user, event)
    sync_chat_room(event)
    return row, rsvp_state(row)


def decline(
    actor: User, event: Event, user_id: int, message: str = "", *, now: datetime | None = None
) -> Rsvp:
    """A host declines `user_id`'s request with an optional `message`: the RSVP is
    "declined" (the member may not ask again; a host may still accept them), and the
    member is told politely (notification and mail). NotFound for non-hosts; Invalid on
    "message" over MAX_DECLINE_MESSAGE; Conflict for a started event or no request."""
    if not can_manage(actor, event):
        raise NotFound(_("We could not find that event."))
    message = (message or "").strip()
    if len(message) > MAX_DECLINE_MESSAGE:
        raise Invalid(too_long(MAX_DECLINE_MESSAGE), "message")
    event = lock_row(event)
    now = now or utcnow()
    row = _answerable(actor, event, user_id, now)
    if row.status == RsvpStatus.DECLINED:
        return row
    row.status = RsvpStatus.DECLINED
    notify(
        row.user_id,
        "event.request_declined",
        actor_id=actor.id,
        target_type="event",
        target_id=event.id,
        title=event.title,
    )
    details = mail_details(row.user, event)
    queue_mail(
        row.user.email,
        "event_declined",
        _("About your request: %(title)s", title=event.title),
        message=message,
        host=actor.display_name,
        **{**details, "venue": None, "online_url": None},
    )
    db.session.flush()
    return row


def accepted_message(row: Rsvp, state: RsvpResult) -> str:
    """What the host is told after accepting: going, or waitlisted at a position."""
    name = row.user.display_name
    if state.status == RsvpStatus.WAITLISTED:
        return _(
            "Accepted, but the event is full: %(name)s is number %(n)d on the waitlist.",
            name=name,
            n=state.position,
        )
    return _("Accepted: %(name)s is going.", name=name)
