"""Writing and reading the audit log.

`record` is called by a service inside the transaction of the change it records, so the
entry and the change commit or roll back together. `entries_for` is read by the pages
that show a thing's history to those allowed to see it (the caller checks).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.audit.models import AuditEntry
from community.auth.models import User
from community.extensions import db


def record(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int,
    *,
    subject: User | None = None,
    **detail: object,
) -> AuditEntry:
    """Add an entry: `actor` did `action` to (`target_type`, `target_id`), concerning
    `subject`. Their display names are copied into `detail` (as `actor_name`,
    `subject_name`) with the other keyword arguments, which must be JSON values."""
    if actor is not None:
        detail.setdefault("actor_name", actor.display_name)
    if subject is not None:
        detail.setdefault("subject_name", subject.display_name)
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        subject_id=subject.id if subject is not None else None,
        detail=detail,
    )
    db.session.add(entry)
    return entry


def entries_for(target_type: str, target_id: int, *, limit: int = 50) -> list[AuditEntry]:
    """The newest `limit` entries about one thing, newest first, actors and subjects
    loaded."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == target_type, AuditEntry.target_id == target_id)
            .options(selectinload(AuditEntry.actor), selectinload(AuditEntry.subject))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
