"""Queue mail in the caller's transaction; deliver what is due, safely from several places.

`queue_mail` is called by the feature services (registration, reset ...). `deliver_due` is
called by the in-process sender thread and by `flask send-mail`; two of them running at
once never send the same row twice, because each row is claimed with a conditional UPDATE.

A mail about something that may stop being the recipient's business before it goes (a
notification about a post deleted meanwhile) is queued with `check=(name, ref)`: just
before sending, `deliver_due` asks the check a feature registered under `name`
(`register_send_check`) and withdraws the mail (never sent, never retried) when it says no.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import render_template
from sqlalchemy import insert, or_, select, update

from community.core.database import utcnow
from community.core.effects import on_commit
from community.extensions import db
from community.mail.models import OutboxMail
from community.mail.sender import wake_sender
from community.mail.transport import Attachment, build_message, deliver

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 120
# Where a mail's send check is kept in its `headers` (never sent as a header).
CHECK_KEY = "_check"
WITHDRAWN = "Withdrawn: "

_send_checks: dict[str, Callable[[object], bool]] = {}


def register_send_check(name: str, still_wanted: Callable[[object], bool]) -> None:
    """`still_wanted(ref)` says, when a mail queued with `check=(name, ref)` is about to be
    sent, whether it should still go. Registered once, at import, by the feature."""
    _send_checks[name] = still_wanted


def queue_mail(
    recipient: str,
    kind: str,
    subject: str,
    *,
    attachments: list[Attachment] | None = None,
    headers: dict[str, str] | None = None,
    into: list[dict] | None = None,
    check: tuple[str, object] | None = None,
    **context,
) -> OutboxMail | None:
    """Add a mail rendered from `templates/mail/<kind>.txt` to the outbox (flush, no commit),
    with `attachments` (text files such as an event's .ics) sent as MIME attachments and
    `headers` (List-Unsubscribe ...) added to the message.

    It is sent only if the caller's transaction commits; the in-process sender is woken
    after that commit (`core.effects.on_commit`).

    With `into`, the mail's row is appended to that list instead (returns None), for
    `queue_mails` to insert many in one statement (a bulk notice). `check` (name, ref): the
    registered send check asked just before sending (see the module).
    """
    body = render_template(f"mail/{kind}.txt", **context)
    row = {
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "kind": kind,
        "attachments": [item.as_json() for item in attachments] if attachments else None,
        "headers": dict(headers) if headers else None,
    }
    if check is not None:
        row["headers"] = {**(row["headers"] or {}), CHECK_KEY: list(check)}
    if into is not None:
        into.append(row)
        return None
    mail = OutboxMail(**row)
    db.session.add(mail)
    db.session.flush()
    on_commit(wake_sender)
    return mail


def queue_mails(rows: list[dict]) -> None:
    """Add the mails gathered by `queue_mail(..., into=rows)` to the outbox in one INSERT
    (flush, no commit); like `queue_mail`, sent only if the transaction commits."""
    if not rows:
        return
    db.session.execute(insert(OutboxMail), rows)
    on_commit(wake_sender)


def sent_since(recipient: str, kind: str, since: datetime) -> list[datetime]:
    """When mails of `kind` were queued for `recipient` after `since`, newest first: how
    services keep a mail that anyone can trigger (a confirmation link) to a trickle."""
    return list(
        db.session.scalars(
            select(OutboxMail.created_at)
            .where(
                OutboxMail.recipient == recipient,
                OutboxMail.kind == kind,
                OutboxMail.created_at > since,
            )
            .order_by(OutboxMail.created_at.desc())
        )
    )


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts`: 30 s, 1 min, 2 min ... capped at 1 hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _claim(mail_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.sent_at.is_(None),
            OutboxMail.failed_at.is_(None),
            or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until < now),
        )
        .values(locked_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    db.session.commit()
    return result.rowcount == 1


def _still_wanted(check: object) -> bool:
    """What the registered send check says of `check` ([name, ref]); a check nobody
    registered lets the mail go. A check that raises fails this attempt (retried later,
    like a transport failure): nothing goes unchecked."""
    if not isinstance(check, list) or len(check) != 2 or check[0] not in _send_checks:
        return True
    return bool(_send_checks[check[0]](check[1]))


def deliver_due(limit: int = 50) -> dict[str, int]:
    """Send the mails that are due; returns counts of sent, retried, given-up and withdrawn
    mails (a send check said no: see the module)."""
    now = utcnow()
    due_ids = db.session.scalars(
        select(OutboxMail.id)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.failed_at.is_(None),
            OutboxMail.next_attempt_at <= now,
            or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until < now),
        )
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    db.session.commit()
    counts = {"sent": 0, "retry": 0, "failed": 0, "withdrawn": 0}
    for mail_id in due_ids:
        if not _claim(mail_id):
            continue
        mail = db.session.get(OutboxMail, mail_id)
        assert mail is not None
        headers = dict(mail.headers or {})
        check = headers.pop(CHECK_KEY, None)
        mail.attempts += 1
        try:
            if check is not None and not _still_wanted(check):
                mail.failed_at = utcnow()
                mail.last_error = f"{WITHDRAWN}{check[0]} {check[1]} is no longer the recipient's"
                mail.locked_until = None
                db.session.commit()
                counts["withdrawn"] += 1
                continue
            files = [Attachment.from_json(item) for item in mail.attachments or ()]
            message = build_message(
                mail.recipient, mail.subject, mail.body, files, headers=headers or None
            )
            deliver(message, name=f"{mail.id:06d}-{mail.kind}")
        except Exception as exc:  # any transport failure is recorded and retried
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if mail.attempts >= MAX_ATTEMPTS:
                mail.failed_at = utcnow()
                counts["failed"] += 1
                log.error("Giving up on mail %s to %s: %s", mail.id, mail.recipient, exc)
            else:
                mail.next_attempt_at = utcnow() + backoff(mail.attempts)
                counts["retry"] += 1
                log.warning("Mail %s failed (attempt %s): %s", mail.id, mail.attempts, exc)
        else:
            mail.sent_at = utcnow()
            mail.last_error = None
            counts["sent"] += 1
        mail.locked_until = None
        db.session.commit()
    return counts
