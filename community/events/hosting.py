"""Hosts' tools on the attendee list: message going and/or waitlisted members, and export
the list as a CSV file that is safe to open in a spreadsheet. (Removing an attendee is
`services.remove_attendee`: it moves seats.)

Called by the attendee page. Only an event's hosts (`services.can_manage`); everyone else is
answered NotFound, like a missing event, so who is coming never leaks.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from community.auth.models import User
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Invalid, NotFound, too_long
from community.events.models import AttendeeAudience, Event, EventMessage, RsvpStatus
from community.events.notices import listed_members
from community.events.reminders import mail_details
from community.events.services import attendees, can_manage
from community.extensions import db
from community.notifications.mailing import FeatureMail
from community.notifications.services import notify_many

MAX_SUBJECT = 120
MAX_BODY = 5_000

_AUDIENCE_STATUSES = {
    AttendeeAudience.GOING: {RsvpStatus.GOING},
    AttendeeAudience.WAITLISTED: {RsvpStatus.WAITLISTED},
    AttendeeAudience.BOTH: {RsvpStatus.GOING, RsvpStatus.WAITLISTED},
}


def message_attendees(
    host: User,
    event: Event,
    audience: str,
    subject: str,
    body: str,
    *,
    now: datetime | None = None,
) -> EventMessage:
    """Send `subject` and `body` from `host` to `event`'s going, waitlisted or both
    (`audience`) members: one notification ("event.message") and one outbox mail each.
    Only hosts (NotFound otherwise). Refuses an empty or over-long subject or body and an
    unknown audience or one with nobody in it (Invalid naming the field), and more than EVENT_MESSAGES_PER_HOUR
    messages for one event in an hour (Conflict), counted under the event's row lock so two
    hosts sending at once cannot pass the limit together. Records an `EventMessage`."""
    now = now or utcnow()
    if not can_manage(host, event):
        raise NotFound(_("We could not find that event."))
    if audience not in set(AttendeeAudience):
        raise Invalid(_("Choose who the message is for."), "audience")
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    if not subject:
        raise Invalid(_("Give the message a subject."), "subject")
    if len(subject) > MAX_SUBJECT:
        raise Invalid(too_long(MAX_SUBJECT), "subject")
    if not body:
        raise Invalid(_("Write the message."), "body")
    if len(body) > MAX_BODY:
        raise Invalid(too_long(MAX_BODY), "body")
    event = lock_row(event)
    limit = current_app.config["EVENT_MESSAGES_PER_HOUR"]
    sent = db.session.scalar(
        select(func.count())
        .select_from(EventMessage)
        .where(
            EventMessage.event_id == event.id, EventMessage.created_at > now - timedelta(hours=1)
        )
    )
    if sent >= limit:
        raise Conflict(
            _(
                "This event's members have had %(n)d messages in the last hour. "
                "Please wait a while before you send another.",
                n=sent,
            ),
            "body",
        )
    statuses = _AUDIENCE_STATUSES[AttendeeAudience(audience)]
    recipients = [
        (rsvp, member) for rsvp, member in listed_members(event) if rsvp.status in statuses
    ]
    if not recipients:
        raise Invalid(
            _("Nobody is in that group yet, so there is no one to send it to."), "audience"
        )
    record = EventMessage(
        event_id=event.id,
        sender_id=host.id,
        audience=audience,
        subject=subject,
        body=body,
        recipients=len(recipients),
        created_at=now,
    )
    db.session.add(record)
    rsvps = {member.id: rsvp for rsvp, member in recipients}

    def mail(member: User) -> FeatureMail:
        return FeatureMail(
            "event_message",
            f"{event.title}: {subject}",
            {
                "host": host.display_name,
                "audience": audience,
                "message_subject": subject,
                "message_body": body,
                **mail_details(member, event, rsvps[member.id]),
            },
        )

    # One batch for everyone (`notify_many`): settings, visibility, records, mails.
    notify_many(
        [member for _rsvp, member in recipients],
        "event.message",
        actor_id=host.id,
        target_type="event",
        target_id=event.id,
        mail=mail,
        title=event.title,
        subject=subject,
    )
    db.session.flush()
    return record


# --- the CSV export ------------------------------------------------------------------------

# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """`value` as a CSV cell a spreadsheet shows as text: a leading =, +, -, @, tab or
    carriage return gets a ' in front (OWASP's advice), so it is never run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


CSV_COLUMNS = ("name", "email", "status", "seats", "guests", "joined_at", "position")


def attendees_csv(event: Event) -> str:
    """The going, then waitlisted parties of `event` in join order as CSV: name, email,
    status, seats, guests, when they joined (in the event's time zone) and their waitlist
    position, then one column per question with the answers (`questions.answer_columns`).
    Every cell through `safe_cell`. The caller has checked the viewer is a host."""
    from community.events.questions import answer_columns  # builds on services

    zone = ZoneInfo(event.timezone)
    out = io.StringIO()
    writer = csv.writer(out)
    titles, answers_of = answer_columns(event)
    writer.writerow([*CSV_COLUMNS, *(safe_cell(title) for title in titles)])
    waiting = 0
    for row in attendees(event):
        position = ""
        if row.status == RsvpStatus.WAITLISTED:
            waiting += 1
            position = waiting
        joined = row.joined_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        cells = (
            row.user.display_name,
            row.user.email,
            row.status,
            row.seats,
            row.guests,
            f"{joined} ({event.timezone})",
            position,
            *answers_of(row),
        )
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


# Letters NFKD does not take apart into a base letter and an accent.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th"})


def csv_filename(event: Event) -> str:
    """ "attendees-networking-breakfast.csv": the title folded to ASCII letters, digits
    and dashes (safe in a Content-Disposition header)."""
    folded = event.title.casefold().translate(_FOLD)
    ascii_title = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"attendees-{slug or event.id}.csv"
