"""Connection requests and blocks. Called by the connection pages and the API.

Every verb checks that the other member exists, is active and is not blocked either way; a
member who cannot be reached looks exactly like one who does not exist (ConnectionError
with code "not_found"), so a block is never revealed.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from community.auth.models import User
from community.auth.roles import UserStatus
from community.connections.models import Block, Connection, ConnectionStatus
from community.connections.relations import find_connection, is_blocked_either_way, pair
from community.core.database import utcnow
from community.extensions import db
from community.notifications.services import notify


class ConnectionError(ValueError):
    """A refused connection action; `code` is "not_found" or "conflict"."""

    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def reachable_member(viewer: User, other_id: int) -> User:
    """The active member `other_id` if `viewer` may interact with them, else not_found."""
    other = db.session.get(User, other_id)
    if (
        other is None
        or other.id == viewer.id
        or other.status != UserStatus.ACTIVE
        or not other.is_confirmed
        or is_blocked_either_way(viewer.id, other.id)
    ):
        raise ConnectionError(_("We could not find that member."), "not_found")
    return other


def send_request(sender: User, other_id: int, message: str = "") -> Connection:
    """Ask `other_id` to connect. If they had already asked `sender`, this accepts instead.

    Raises ConnectionError when already connected or already asked.
    """
    other = reachable_member(sender, other_id)
    connection = find_connection(sender.id, other.id)
    if connection is not None:
        if connection.status == ConnectionStatus.ACCEPTED:
            raise ConnectionError(_("You are already connected."))
        if connection.status == ConnectionStatus.PENDING:
            if connection.requester_id == other.id:
                return accept_request(sender, connection.id)
            raise ConnectionError(_("You have already asked; they have not answered yet."))
        if connection.requester_id == sender.id:
            # Declined: to the requester it stays "asked, not answered", exactly as pending.
            raise ConnectionError(_("You have already asked; they have not answered yet."))
        # They once asked me and I declined; now I ask them: a fresh request.
        connection.requester_id = sender.id
        connection.status = ConnectionStatus.PENDING
        connection.message = message.strip()[:300]
        connection.created_at = utcnow()
        connection.responded_at = None
    else:
        low, high = pair(sender.id, other.id)
        connection = Connection(
            low_id=low, high_id=high, requester_id=sender.id, message=message.strip()[:300]
        )
        db.session.add(connection)
    db.session.flush()
    notify(
        other.id,
        "connection.requested",
        actor_id=sender.id,
        target_type="connection",
        target_id=connection.id,
    )
    return connection


def _incoming(user: User, connection_id: int) -> Connection:
    connection = db.session.get(Connection, connection_id)
    if (
        connection is None
        or user.id not in (connection.low_id, connection.high_id)
        or connection.requester_id == user.id
        or connection.status != ConnectionStatus.PENDING
        or is_blocked_either_way(user.id, connection.requester_id)
    ):
        raise ConnectionError(_("We could not find that request."), "not_found")
    return connection


def accept_request(user: User, connection_id: int) -> Connection:
    """Accept a request addressed to `user`; the requester is notified."""
    connection = _incoming(user, connection_id)
    connection.status = ConnectionStatus.ACCEPTED
    connection.responded_at = utcnow()
    db.session.flush()
    notify(
        connection.requester_id,
        "connection.accepted",
        actor_id=user.id,
        target_type="connection",
        target_id=connection.id,
    )
    return connection


def decline_request(user: User, connection_id: int) -> Connection:
    """Decline quietly: the requester is not told, the request just stays unanswered to them."""
    connection = _incoming(user, connection_id)
    connection.status = ConnectionStatus.DECLINED
    connection.responded_at = utcnow()
    db.session.flush()
    return connection


def withdraw_or_remove(user: User, connection_id: int) -> None:
    """Withdraw my pending request, or end an accepted connection (either side).

    A requester may also withdraw a request that was declined: to them it still looks
    pending, so this tidies their list without revealing the decline.
    """
    connection = db.session.get(Connection, connection_id)
    if connection is None or user.id not in (connection.low_id, connection.high_id):
        raise ConnectionError(_("We could not find that connection."), "not_found")
    if connection.status == ConnectionStatus.PENDING and connection.requester_id != user.id:
        raise ConnectionError(_("Decline the request instead."), "conflict")
    db.session.delete(connection)
    db.session.flush()


def block(blocker: User, other_id: int) -> Block:
    """Block a member: any connection or request between us ends; they cannot find me."""
    other = db.session.get(User, other_id)
    if other is None or other.id == blocker.id:
        raise ConnectionError(_("We could not find that member."), "not_found")
    existing = db.session.scalar(
        select(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == other.id)
    )
    if existing is not None:
        return existing
    low, high = pair(blocker.id, other.id)
    db.session.execute(
        delete(Connection).where(Connection.low_id == low, Connection.high_id == high)
    )
    row = Block(blocker_id=blocker.id, blocked_id=other.id)
    db.session.add(row)
    db.session.flush()
    return row


def unblock(blocker: User, other_id: int) -> bool:
    """Lift my block; False if there was none."""
    result = db.session.execute(
        delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == other_id)
    )
    return bool(result.rowcount)


def my_blocks(user: User) -> list[User]:
    """The members I blocked (the page where I can unblock them)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Block, Block.blocked_id == User.id)
            .where(Block.blocker_id == user.id)
            .order_by(User.display_name)
        )
    )


def _visible_rows(user: User):
    """My connections and requests both ways; a declined request still shows as waiting to
    the one who sent it (never to the one who declined)."""
    return select(Connection).where(
        or_(Connection.low_id == user.id, Connection.high_id == user.id),
        or_(Connection.status != ConnectionStatus.DECLINED, Connection.requester_id == user.id),
    )


def _with_others(user: User, rows: list[Connection]) -> list[tuple[Connection, User]]:
    """Pair each row with the other member (one query); inactive members are left out."""
    other_ids = {row.other_id(user.id) for row in rows}
    if not other_ids:
        return []
    others = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_(other_ids), User.status == UserStatus.ACTIVE)
        )
    }
    return [(row, others[row.other_id(user.id)]) for row in rows if row.other_id(user.id) in others]


def connection_lists(user: User) -> dict[str, list[tuple[Connection, User]]]:
    """My accepted connections, requests to me, and my requests, each with the other member.

    Two queries whatever the numbers. Used by the network page and the member home.
    """
    rows = db.session.scalars(_visible_rows(user).order_by(Connection.created_at.desc())).all()
    lists: dict[str, list[tuple[Connection, User]]] = {
        "connected": [],
        "incoming": [],
        "outgoing": [],
    }
    for row, other in _with_others(user, list(rows)):
        if row.status == ConnectionStatus.ACCEPTED:
            lists["connected"].append((row, other))
        elif row.requester_id == user.id:
            lists["outgoing"].append((row, other))
        else:
            lists["incoming"].append((row, other))
    lists["connected"].sort(key=lambda item: item[1].display_name.casefold())
    return lists


def incoming_request_count(user: User) -> int:
    """How many members are waiting for my answer (the member home shows it). One query."""
    return db.session.scalar(
        select(func.count())
        .select_from(Connection)
        .join(User, User.id == Connection.requester_id)
        .where(
            or_(Connection.low_id == user.id, Connection.high_id == user.id),
            Connection.requester_id != user.id,
            Connection.status == ConnectionStatus.PENDING,
            User.status == UserStatus.ACTIVE,
        )
    )


def connection_page(
    user: User, before_id: int | None, limit: int
) -> tuple[list[tuple[Connection, User]], int | None]:
    """One keyset page of my connections and requests, newest first, for the API.

    Returns the rows with their members and the id to continue before (None at the end).
    """
    statement = _visible_rows(user).order_by(Connection.id.desc()).limit(limit + 1)
    if before_id is not None:
        statement = statement.where(Connection.id < before_id)
    rows = list(db.session.scalars(statement))
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return _with_others(user, rows[:limit]), next_before


def relationship_with(viewer: User, other: User) -> dict:
    """What the profile page needs to show the right button: status, direction, ids."""
    connection = find_connection(viewer.id, other.id)
    blocked_by_me = (
        db.session.scalar(
            select(Block.id).where(Block.blocker_id == viewer.id, Block.blocked_id == other.id)
        )
        is not None
    )
    if connection is None or (
        connection.status == ConnectionStatus.DECLINED and connection.requester_id != viewer.id
    ):
        state = "none"
    elif connection.status == ConnectionStatus.ACCEPTED:
        state = "connected"
    elif connection.status == ConnectionStatus.DECLINED:
        state = "outgoing"  # never reveal a decline to the requester
    else:
        state = "outgoing" if connection.requester_id == viewer.id else "incoming"
    return {"state": state, "connection": connection, "blocked_by_me": blocked_by_me}
