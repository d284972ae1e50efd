"""Create notification records, read the unread ones about a target and mark them read;
the notifications page and live delivery over Socket.IO come with their own issue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Select, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.core.database import utcnow
from community.extensions import db
from community.notifications.models import Notification

if TYPE_CHECKING:
    from community.notifications.mailing import FeatureMail

# How many unread notifications about one target a page shows at most.
UNREAD_SHOWN = 5


def notify(
    user_id: int,
    kind: str,
    *,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    mail: FeatureMail | None = None,
    **data,
) -> Notification:
    """Record a notification for `user_id` (flush, no commit). Called by feature services.
    `kind` must be registered (`community.notifications.kinds`): ValueError otherwise, so
    every kind the app creates can be worded, chosen in the settings and delivered.

    When the member has this kind on "Email at once", its email is queued in the same
    transaction (`mailing.mail_at_once`): the feature's own `mail` if it gives one, else
    the plain one with the kind's text and link."""
    from community.notifications.kinds import kind_of  # the features register their kinds

    try:
        kind_of(kind)
    except KeyError:
        raise ValueError(f"unregistered notification kind {kind!r}") from None
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
    from community.notifications.mailing import mail_at_once

    mail_at_once(notification, mail)
    return notification


def unread_select(user_id: int, target_type: str | None = None) -> Select:
    """The statement for `user_id`'s unread notifications (about `target_type` targets when
    given), newest first. Features join it with their own tables to leave out targets the
    member may no longer see (the events home list does), and the notifications page can
    page through it."""
    statement = select(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if target_type is not None:
        statement = statement.where(Notification.target_type == target_type)
    return statement.order_by(Notification.id.desc())


def unread_for_target(
    user_id: int, target_type: str, target_id: int, limit: int = UNREAD_SHOWN
) -> list[Notification]:
    """`user_id`'s unread notifications about one target (an event, ...), newest first, at
    most `limit` of them: one query. Called by the page of that target (the event page shows
    them as a notice, then marks them read with `mark_read`)."""
    statement = unread_select(user_id, target_type).where(Notification.target_id == target_id)
    return list(db.session.scalars(statement.limit(limit)))


def mark_read(user_id: int, notifications: Sequence[Notification]) -> int:
    """Mark `notifications` read, only those that belong to `user_id` and are still unread:
    one UPDATE, flushed, no commit (the caller commits). Returns how many changed. Safe when
    two requests mark the same ones at once: the second finds them read."""
    ids = [notification.id for notification in notifications]
    if not ids:
        return 0
    now = utcnow()
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id.in_(ids),
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    for notification in notifications:
        if notification.user_id == user_id and notification.read_at is None:
            # The shown objects match the database without a reload.
            set_committed_value(notification, "read_at", now)
    return result.rowcount
