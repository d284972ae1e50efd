"""Notifications: record them (`notify`, which also queues `notification:new` to the
member's own room for after the commit; `notify_many` for a bulk notice to many members),
count the unread ones the member may still see (the bell), catch up after a reconnect
(`since`), page through them (`page_of`, with `group_lines` for the page), and mark them
read (one, several, all; the member's other pages are told, `notifications:read`). The
page, the JSON API and the socket handlers all call these; `kinds.describe_many` words
them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.auth.models import User
from community.core.database import utcnow
from community.core.effects import emit_after_commit
from community.core.errors import NotFound
from community.core.pagination import Page, keyset
from community.extensions import db
from community.mail.services import queue_mails
from community.notifications.kinds import (
    Described,
    describe,
    describe_each,
    kind_of,
    visible_only,
)
from community.notifications.models import Notification

if TYPE_CHECKING:
    from community.notifications.mailing import FeatureMail

# How many unread notifications about one target a page shows at most.
UNREAD_SHOWN = 5

# False inside `recorded_only`: notifications are stored, never mailed or pushed live.
_delivering: ContextVar[bool] = ContextVar("notifications_delivering", default=True)


@contextmanager
def recorded_only() -> Iterator[None]:
    """Within this block `notify` and `notify_many` store notifications without wording
    them for a mail or a live event. Used by `seed-demo`, whose history of comments,
    helpful marks and RSVPs happened before anyone could be online or mailed (wording
    each of its 1,174 notifications for delivery took 11 of its 42 s)."""
    token = _delivering.set(False)
    try:
        yield
    finally:
        _delivering.reset(token)


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
    if not _delivering.get():
        return notification
    from community.notifications.mailing import mail_at_once

    # Worded once, for the mail and the live event alike; None when the member may not
    # see what it is about (then neither goes).
    recipient = db.session.get(User, user_id)
    described = describe(notification, recipient) if recipient is not None else None
    if described is not None:
        mail_at_once(notification, recipient, described, mail)
        _send_live(recipient, described)
    return notification


def notify_many(
    recipients: Sequence[User],
    kind: str,
    *,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    mail: Callable[[User], FeatureMail | None] | None = None,
    **data,
) -> list[Notification]:
    """`notify` for many members at once, about the same thing (flush, no commit): what a
    bulk notice to an event's members uses. The same records, mails and live events as one
    `notify` per member, in a bounded number of statements whatever the number of members:
    their delivery settings in one query, the visibility of the thing for all of them at
    once (`kinds.describe_each`, the rule the notifications page uses), the notifications
    and the mails each inserted as one batch. `mail(member)` gives the feature's own mail
    for a member; it is called only for those who get one. Returns the notifications, in
    the order of `recipients`."""
    from community.notifications.mailing import add_send_checks, mail_at_once
    from community.notifications.preferences import Delivery, members_choosing

    try:
        kind_of(kind)
    except KeyError:
        raise ValueError(f"unregistered notification kind {kind!r}") from None
    members = {member.id: member for member in recipients}
    if not members:
        return []
    # Worded first (not yet in the session), so each row goes in once, `emailed_at` set.
    drafts = [
        Notification(
            user_id=member_id,
            kind=kind,
            actor_id=actor_id,
            target_type=target_type,
            target_id=target_id,
            data=dict(data),
        )
        for member_id in members
    ]
    delivering = _delivering.get()
    at_once = members_choosing(kind, [Delivery.INSTANT], members) if delivering else set()
    described = (
        dict(zip(members, describe_each(drafts, members), strict=True))
        if delivering
        else dict.fromkeys(members)
    )
    mails: list[dict] = []
    for draft in drafts:
        words = described[draft.user_id]
        member = members[draft.user_id]
        if words is not None and member.id in at_once:
            feature_mail = mail(member) if mail is not None else None
            mail_at_once(draft, member, words, feature_mail, delivery=Delivery.INSTANT, into=mails)
    # One INSERT of every row, the notifications back by RETURNING (keyed by member: one
    # each; asking for the rows' order would make SQLite insert them one by one).
    now = utcnow()
    rows = [
        {column: getattr(draft, column) for column in _COLUMNS}
        | {"data": draft.data, "created_at": now, "read_at": None}
        for draft in drafts
    ]
    inserted = db.session.scalars(insert(Notification).returning(Notification), rows).all()
    created = {notification.user_id: notification for notification in inserted}
    add_send_checks(mails, {members[uid].email: n.id for uid, n in created.items()})
    queue_mails(mails)
    for member_id, words in described.items():
        if words is not None:
            _send_live(members[member_id], replace(words, notification=created[member_id]))
    return [created[member_id] for member_id in members]


# What `notify_many` inserts of a drafted notification (the rest has column defaults).
_COLUMNS = ("user_id", "kind", "actor_id", "target_type", "target_id", "emailed_at")


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
    _announce_read(user_id, result.rowcount)
    return result.rowcount


# --- live delivery, the bell, the page and the API ------------------------------------------

# The bell counts at most this many unread notifications (shown as "99+" above it), so the
# count costs one bounded query plus one `describe_many` on every page.
UNREAD_CAP = 99
# How many notifications a catch-up answer or an API page carries at most.
SYNC_PAGE = 50
MAX_PAGE = 100


def payload(described: Described) -> dict:
    """A notification as the socket event `notification:new`, the catch-up answer and the
    JSON API show it."""
    notification = described.notification
    return {
        "id": notification.id,
        "kind": notification.kind,
        "text": described.text,
        "url": described.url,
        "actor_name": described.actor_name,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def _send_live(recipient: User, described: Described) -> None:
    """Queue `notification:new` to the member's own room for after the commit (nothing if
    the transaction rolls back). Called by `notify`."""
    from community.auth.sockets import user_room  # sockets build on the services

    emit_after_commit("notification:new", payload(described), to=user_room(recipient.id))


def unread_count(viewer: User, cap: int = UNREAD_CAP) -> int:
    """How many unread notifications `viewer` may still see, counting at most `cap + 1`
    (the bell shows "99+"): one query for the newest `cap + 1` unread, then `describe_many`
    (a bounded number of queries). Called on every page for the bell and by the catch-up."""
    rows = list(db.session.scalars(unread_select(viewer.id).limit(cap + 1)))
    return len(visible_only(rows, viewer, names=False))


def latest_id(viewer: User) -> int:
    """The id of `viewer`'s newest notification (0 without one): where the page's catch-up
    starts, so a notification created after the page was made is never missed."""
    return (
        db.session.scalar(
            select(func.max(Notification.id)).where(Notification.user_id == viewer.id)
        )
        or 0
    )


@dataclass(frozen=True)
class Since:
    """A catch-up answer: the visible notifications after `after_id`, oldest first,
    `last_id` (ask again from it while `has_more`) and the bell's count now."""

    items: list[Described]
    has_more: bool
    last_id: int
    unread: int


def since(viewer: User, after_id: int, limit: int = SYNC_PAGE) -> Since:
    """`viewer`'s notifications created after `after_id`, oldest first, a page at a time
    (invisible ones skipped but passed, so `last_id` moves on). Called by the socket event
    `notifications:sync` on every connect."""
    rows = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == viewer.id, Notification.id > after_id)
            .order_by(Notification.id)
            .limit(limit + 1)
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = [described for _n, described in visible_only(rows, viewer)]
    last_id = rows[-1].id if rows else after_id
    return Since(items, has_more, last_id, unread_count(viewer))


def page_of(
    viewer: User, cursor: str | None, limit: int, *, unread_only: bool = False
) -> Page[Described]:
    """A page of `viewer`'s notifications, newest first (keyset on the id): those the member
    may no longer see are left out (a page may then hold fewer than `limit`). Raises
    BadCursor. Called by `/notifications` and `GET /api/v1/notifications`."""
    statement = select(Notification).where(Notification.user_id == viewer.id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    page = keyset(statement, [Notification.id.desc()], cursor, max(1, min(limit, MAX_PAGE)))
    items = [described for _n, described in visible_only(page.items, viewer)]
    return Page(items, page.next_cursor, page.prev_cursor)


@dataclass(frozen=True)
class Line:
    """One line of the notifications page: the newest of `count` unread notifications of
    the same kind about the same thing ("3 new comments on your post"), or a single one."""

    described: Described
    count: int
    ids: list[int]

    @property
    def text(self) -> str:
        grouped = self.described.grouped_text
        return (
            grouped(self.count) if self.count > 1 and grouped is not None else self.described.text
        )


def group_lines(items: list[Described]) -> list[Line]:
    """Fold the unread notifications of one page that share a kind and a target into one
    line, at the place of the newest; read ones stay one line each."""
    lines: list[Line] = []
    where: dict[tuple, int] = {}
    for described in items:
        key = described.group_key
        groupable = (
            described.notification.read_at is None and described.grouped_text is not None and key
        )
        if groupable and key in where:
            line = lines[where[key]]
            lines[where[key]] = Line(
                line.described, line.count + 1, [*line.ids, described.notification.id]
            )
            continue
        if groupable:
            where[key] = len(lines)
        lines.append(Line(described, 1, [described.notification.id]))
    return lines


def mark_read_ids(viewer: User, ids: Sequence[int]) -> int:
    """Mark `viewer`'s own notifications among `ids` read (others' ids change nothing):
    one UPDATE, flushed. Returns how many changed. Called by the page and the API."""
    ids = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)][:MAX_PAGE]
    if not ids:
        return 0
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id.in_(ids),
            Notification.user_id == viewer.id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    _announce_read(viewer.id, result.rowcount)
    return result.rowcount


def mark_all_read(viewer: User) -> int:
    """Mark every unread notification of `viewer` read: one UPDATE, flushed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == viewer.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    _announce_read(viewer.id, result.rowcount)
    return result.rowcount


def _announce_read(user_id: int, changed: int) -> None:
    """After the commit, tell the member's open pages (other tabs and devices) that some of
    their notifications were read: `notifications:read {}` to `user:<id>`, so the bell asks
    for its count again and an open /notifications list is fetched again. Nothing when
    nothing changed. Called by the mark-read verbs."""
    if changed:
        from community.auth.sockets import user_room  # sockets build on the services

        emit_after_commit("notifications:read", {}, to=user_room(user_id))


def open_notification(viewer: User, notification_id: int, also: Sequence[int] = ()) -> str:
    """Mark `viewer`'s notification `notification_id` (and the grouped ones in `also`) read
    and return the path of the thing it is about. NotFound for someone else's, a missing
    one, and one about something the member may no longer see (the same answer)."""
    notification = db.session.get(Notification, notification_id)
    described = (
        describe(notification, viewer)
        if notification is not None and notification.user_id == viewer.id
        else None
    )
    if described is None:
        raise NotFound(_("We could not find that notification."))
    mark_read_ids(viewer, [notification_id, *also])
    return described.url
