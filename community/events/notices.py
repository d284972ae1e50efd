"""What an event's members are told when it changes: change notices (time, place, status),
free seats inside the promotion cut-off, and a host removing them.

Change notices are debounced. `record_change` (called by `services.update_event`, under the
event's row lock) adds what changed to `Event.notice_changes` and, for the first change since
the last notice, sets `Event.notice_due_at` EVENT_CHANGE_NOTICE_DELAY_SECONDS ahead; further
edits before then join that notice, so several quick edits make one. (The due time is not
pushed on by later edits: an organiser editing for an hour still gets members told.) `send_due_notices` sends the
due ones; it runs from `flask --app wsgi send-reminders` (cron, every few minutes, possibly in
several places at once). Each event's notice is claimed under `lock_row(event)`: the runner
that gets the lock sends it and clears the columns in the same transaction, a second runner
waits for the lock and then finds nothing due, so nobody is told twice. A cancellation is
told at once (`record_change(..., at_once=True)` in `services.cancel_event`).

Every notice is one notification record and one outbox mail per going or waitlisted member,
describing the event as it is now; the place goes through `services.place_for`, so a
private address and the online link reach only members who are going (and hosts).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from community.auth.models import User
from community.auth.roles import UserStatus
from community.core.database import lock_row, utcnow
from community.events import services
from community.events.models import Event, EventStatus, Rsvp, RsvpStatus
from community.events.reminders import mail_details
from community.extensions import db
from community.notifications.mailing import FeatureMail
from community.notifications.services import notify, notify_many

# What a notice can be about, in the order a mail lists them.
CHANGE_KINDS = ("time", "place", "status")


def _changes(event: Event) -> list[str]:
    recorded = set(filter(None, event.notice_changes.split(",")))
    return [kind for kind in CHANGE_KINDS if kind in recorded]


def record_change(event: Event, changes: set[str], now: datetime, *, at_once: bool = False) -> None:
    """Note that `changes` ("time", "place", "status") happened to `event` (the caller holds
    its row lock and flushes). The notice goes EVENT_CHANGE_NOTICE_DELAY_SECONDS after the
    first change since the last notice, or, `at_once` (a cancellation), now, in the
    caller's transaction."""
    event.notice_changes = ",".join(
        kind for kind in CHANGE_KINDS if kind in changes or kind in _changes(event)
    )
    if at_once:
        _send_notice(event)
        return
    if event.notice_due_at is None:
        delay = timedelta(seconds=current_app.config["EVENT_CHANGE_NOTICE_DELAY_SECONDS"])
        event.notice_due_at = now + delay


def send_due_notices(*, now: datetime | None = None) -> int:
    """Send every change notice that is due (flush, no commit: the command commits).
    Returns how many members this run told. Safe to run in several places at once."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Event.id).where(Event.notice_due_at <= now).order_by(Event.notice_due_at, Event.id)
    ).all()
    told = 0
    for event_id in due:
        event = db.session.get(Event, event_id)
        if event is None:
            continue
        event = lock_row(event)  # claim: a concurrent runner waits here, then finds it sent
        if event.notice_due_at is None or event.notice_due_at > now:
            continue
        told += _send_notice(event)
    db.session.flush()
    return told


def listed_members(event: Event) -> list[tuple[Rsvp, User]]:
    """Going and waitlisted members of `event` whose accounts are active, in join order."""
    rows = db.session.execute(
        select(Rsvp, User)
        .join(User, User.id == Rsvp.user_id)
        .where(
            Rsvp.event_id == event.id,
            Rsvp.status.in_((RsvpStatus.GOING, RsvpStatus.WAITLISTED)),
            User.status == UserStatus.ACTIVE,
        )
        .order_by(Rsvp.joined_at, Rsvp.id)
    ).all()
    # Their notices show the place as each may see it (`place_for`, which asks
    # `can_manage`): every member's staff roles in one query.
    services.load_staff_roles(member.id for _rsvp, member in rows)
    return [(rsvp, member) for rsvp, member in rows]


def _send_notice(event: Event) -> int:
    """Tell `event`'s going and waitlisted members what changed and clear the pending
    notice (the caller holds the row lock). Returns how many were told."""
    changes = _changes(event)
    event.notice_changes = ""
    event.notice_due_at = None
    if not changes:
        return 0
    cancelled = event.status == EventStatus.CANCELLED
    if cancelled:
        subject = _("Cancelled: %(title)s", title=event.title)
    else:
        subject = _("Changed: %(title)s", title=event.title)
    listed = listed_members(event)
    rsvps = {member.id: rsvp for rsvp, member in listed}

    def mail(member: User) -> FeatureMail:
        rsvp = rsvps[member.id]
        return FeatureMail(
            "event_changed",
            subject,
            {
                "cancelled": cancelled,
                "changes": changes,
                "going": rsvp.status == RsvpStatus.GOING,
                **mail_details(member, event, rsvp),
            },
        )

    # One batch for everyone (settings, visibility, records, mails, live events).
    notify_many(
        [member for _rsvp, member in listed],
        "event.cancelled" if cancelled else "event.changed",
        target_type="event",
        target_id=event.id,
        mail=mail,
        title=event.title,
        changes=changes,
    )
    return len(listed)


def announce_free_seats(event: Event, waitlist: list[Rsvp]) -> int:
    """Tell every waitlisted party in `waitlist` that fits in the free seats of `event` that
    it may claim them ("event.seat_free", a notification and a mail). Called by the services
    when seats free up inside the promotion cut-off (under the event's row lock), once per
    freeing. Returns how many were told."""
    free = event.seats_free
    if free is None or free <= 0:
        return 0
    told = 0
    for rsvp in waitlist:
        if rsvp.seats > free or rsvp.user.status != UserStatus.ACTIVE:
            continue
        notify(
            rsvp.user_id,
            "event.seat_free",
            target_type="event",
            target_id=event.id,
            mail=FeatureMail(
                "event_seat_free",
                _("A seat is free: %(title)s", title=event.title),
                {"seats": free, **mail_details(rsvp.user, event, rsvp)},
            ),
            title=event.title,
            seats=free,
        )
        told += 1
    return told


def tell_removed(member: User, event: Event, message: str, host: User) -> None:
    """Tell `member` that a host removed them from `event`, with the host's `message` (may
    be empty). Called by `services.remove_attendee`."""
    details = mail_details(member, event)
    notify(
        member.id,
        "event.removed",
        actor_id=host.id,
        target_type="event",
        target_id=event.id,
        mail=FeatureMail(
            "event_removed",
            _("You are no longer on the list: %(title)s", title=event.title),
            {
                "message": message,
                "host": host.display_name,
                **{**details, "venue": None, "online_url": None},
            },
        ),
        title=event.title,
        message=message,
    )
