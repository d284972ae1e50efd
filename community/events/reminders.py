"""Reminders and the RSVP confirmation mail.

`send_reminders` is run by `flask send-reminders` from cron every few minutes, possibly in
several places at once. Members going to a scheduled event get a notification and a mail
a day before (when the start is between one hour and a day away) and an hour before (when
it is less than an hour away). Each (event, member, kind) is claimed by inserting an
`EventReminder` row with `get_or_create`: the unique key lets exactly one runner win, and
the loser skips, so nobody is reminded twice. A member who RSVPs less than an hour before
gets only the hour reminder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from community.auth.models import User
from community.auth.roles import UserStatus
from community.core.database import get_or_create, utcnow
from community.events.calendar import event_ics, event_ics_url, event_page_url
from community.events.display import event_time
from community.events.models import (
    Event,
    EventReminder,
    EventStatus,
    ReminderKind,
    Rsvp,
    RsvpStatus,
)
from community.events.services import place_for
from community.extensions import db
from community.mail.services import queue_mail
from community.mail.transport import Attachment
from community.notifications.mailing import FeatureMail
from community.notifications.services import notify

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def _when(event: Event, member: User) -> str:
    """The event's start and end for `member`, by the one display rule
    (`display.event_time`): in the venue's zone for an in-person event, with the member's
    own time in brackets when it differs, or in the member's zone for an online one."""
    shown = event_time(event, member.timezone)
    zone = ZoneInfo(shown.zone)
    starts = event.starts_at.astimezone(zone)
    ends = event.ends_at.astimezone(zone)
    end_format = "%H:%M" if ends.date() == starts.date() else "%A %d %B %Y, %H:%M"
    text = f"{starts:%A %d %B %Y, %H:%M} to {ends.strftime(end_format)} ({shown.zone} time)"
    return f"{text} ({shown.own})" if shown.own else text


def mail_details(member: User, event: Event, rsvp: Rsvp | None = None) -> dict:
    """What a mail about `event` may tell `member`; the place through `place_for`. Used by
    the reminders, the RSVP confirmation and the notices (`events.notices`)."""
    place = place_for(member, event, rsvp)
    return {
        "name": member.display_name,
        "title": event.title,
        "when": _when(event, member),
        "venue": place.venue,
        "online": place.online,
        "online_url": place.online_url,
        "event_url": event_page_url(event),
        "ics_url": event_ics_url(event),
    }


def mail_rsvp_confirmation(member: User, event: Event) -> None:
    """Queue the mail that confirms `member`'s RSVP to `event`, with its time, place (as
    they may see it), their party and the link to the event's `.ics`, and the `.ics` itself
    attached (`text/calendar; method=PUBLISH`, the place as the member may see it: a private
    address or online link only when they are going) (flush, no commit). Called by the RSVP
    paths after a successful RSVP."""
    rsvp = db.session.scalar(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == member.id)
    )
    if rsvp is None or rsvp.status == RsvpStatus.CANCELLED:
        return
    queue_mail(
        member.email,
        "event_rsvp",
        _("You are going: %(title)s", title=event.title)
        if rsvp.status == RsvpStatus.GOING
        else _("You are on the waitlist: %(title)s", title=event.title),
        attachments=[
            Attachment(
                filename=f"event-{event.id}.ics",
                content_type="text/calendar; method=PUBLISH",
                content=event_ics(member, event).decode(),
            )
        ],
        going=rsvp.status == RsvpStatus.GOING,
        guests=rsvp.guests,
        **mail_details(member, event, rsvp),
    )


def _kind_for(event: Event, now: datetime) -> ReminderKind | None:
    until = event.starts_at - now
    if timedelta(0) < until <= HOUR:
        return ReminderKind.HOUR
    if HOUR < until <= DAY:
        return ReminderKind.DAY
    return None


def send_reminders(*, now: datetime | None = None) -> int:
    """Remind going members of scheduled events starting within a day (flush, no commit:
    the command commits). Returns how many reminders this run sent."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Event, Rsvp, User)
        .join(Rsvp, Rsvp.event_id == Event.id)
        .join(User, User.id == Rsvp.user_id)
        .where(
            Event.status == EventStatus.SCHEDULED,
            Event.starts_at > now,
            Event.starts_at <= now + DAY,
            Rsvp.status == RsvpStatus.GOING,
            User.status == UserStatus.ACTIVE,
        )
        .order_by(Event.starts_at, Event.id, Rsvp.id)
    ).all()
    sent = 0
    for event, rsvp, member in rows:
        kind = _kind_for(event, now)
        if kind is None:
            continue
        _claim, claimed = get_or_create(
            EventReminder, event_id=event.id, user_id=member.id, kind=kind
        )
        if not claimed:
            continue
        notify(
            member.id,
            "event.reminder",
            target_type="event",
            target_id=event.id,
            mail=FeatureMail(
                "event_reminder",
                _("Tomorrow: %(title)s", title=event.title)
                if kind == ReminderKind.DAY
                else _("Soon: %(title)s", title=event.title),
                {"soon": kind == ReminderKind.HOUR, **mail_details(member, event, rsvp)},
            ),
            when=kind.value,
            title=event.title,
        )
        sent += 1
    return sent
