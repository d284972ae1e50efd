"""Queue mail in the caller's transaction; deliver what is due, safely from several places.

`queue_mail` is called by the feature services (registration, reset ...). `deliver_due` is
called by the in-process sender thread and by `flask send-mail`; two of them running at
once never send the same row twice, because each row is claimed with a conditional UPDATE.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import render_template
from sqlalchemy import or_, select, update

from community.core.database import utcnow
from community.core.effects import on_commit
from community.extensions import db
from community.mail.models import OutboxMail
from community.mail.sender import wake_sender
from community.mail.transport import Attachment, build_message, deliver

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 120


def queue_mail(
    recipient: str,
    kind: str,
    subject: str,
    *,
    attachments: list[Attachment] | None = None,
    headers: dict[str, str] | None = None,
    **context,
) -> OutboxMail:
    """Add a mail rendered from `templates/mail/<kind>.txt` to the outbox (flush, no commit),
    with `attachments` (text files such as an event's .ics) sent as MIME attachments and
    `headers` (List-Unsubscribe ...) added to the message.

    It is sent only if the caller's transaction commits; the in-process sender is woken
    after that commit (`core.effects.on_commit`).
    """
    body = render_template(f"mail/{kind}.txt", **context)
    mail = OutboxMail(
        recipient=recipient,
        subject=subject,
        body=body,
        kind=kind,
        attachments=[attachment.as_json() for attachment in attachments] if attachments else None,
        headers=dict(headers) if headers else None,
    )
    db.session.add(mail)
    db.session.flush()
    on_commit(wake_sender)
    return mail


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


def deliver_due(limit: int = 50) -> dict[str, int]:
    """Send the mails that are due; returns counts of sent, retried and given-up mails."""
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
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for mail_id in due_ids:
        if not _claim(mail_id):
            continue
        mail = db.session.get(OutboxMail, mail_id)
        assert mail is not None
        mail.attempts += 1
        try:
            files = [Attachment.from_json(item) for item in mail.attachments or ()]
            message = build_message(
                mail.recipient, mail.subject, mail.body, files, headers=mail.headers
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
