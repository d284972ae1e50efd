"""Create notification records; the live delivery over Socket.IO comes with its own issue."""

from __future__ import annotations

from community.extensions import db
from community.notifications.models import Notification


def notify(
    user_id: int,
    kind: str,
    *,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    **data,
) -> Notification:
    """Record a notification for `user_id` (flush, no commit). Called by feature services."""
    notification = Notification(
        user_id=user_id,
        kind=kind,
        actor_id=actor_id,
        target_type=target_type,
        target_id=target_id,
        data=data,
    )
    db.session.add(notification)
    db.session.flush()
    return notification
