"""Connection requests and blocks. Called by the connection pages and the API.

Every verb checks that the other member exists, is active and is not blocked either way; a
member who cannot be reached looks exactly like one who does not exist (NotFound), so a
block is never revealed. A request that was declined still looks pending to the one who
sent it (`as_seen_by` is that rule, once).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import case, delete, func, or_, select

from community.auth.models import User
from community.auth.roles import UserStatus
from community.connections.models import Block, Connection, ConnectionStatus
from community.connections.relations import find_connection, is_blocked_either_way, pair
from community.core.database import casefold, get_or_create, lock_row, utcnow
from community.core.errors import Conflict, NotFound
from community.core.pagination import Page, keyset
from community.extensions import db
from community.notifications.services import notify

MAX_REQUEST_MESSAGE = 300


@dataclass(frozen=True)
class SeenState:
    """A connection as one of its two members sees it."""

    status: str  # "accepted" or "pending"
    direction: str  # "mutual", "incoming" (they asked me) or "outgoing" (I asked)


def as_seen_by(viewer_id: int, connection: Connection | None) -> SeenState | None:
    """How `connection` looks to `viewer_id`; None when it does not exist for them.

    The one place the decline rule lives: to the member who asked, a declined request stays
    "pending, outgoing" (they are never told); to the member who declined, it is gone.
    Used by the profile button, the network page and the API.
    """
    if connection is None:
        return None
    if connection.status == ConnectionStatus.ACCEPTED:
        return SeenState(ConnectionStatus.ACCEPTED.value, "mutual")
    asked = connection.requester_id == viewer_id
    if connection.status == ConnectionStatus.DECLINED and not asked:
        return None
    return SeenState(ConnectionStatus.PENDING.value, "outgoing" if asked else "incoming")


def _lock_pair(member: User, other_id: int) -> None:
    """Lock both members' rows in id order, so a request and a block between the same two
    people never interleave (one waits for the other, then sees what it did)."""
    other = db.session.get(User, other_id)
    if other is None or other.id == member.id:
        return
    for person in sorted((member, other), key=lambda user: user.id):
        lock_row(person)


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
        raise NotFound(_("We could not find that member."))
    return other


def send_request(sender: User, other_id: int, message: str = "") -> Connection:
    """Ask `other_id` to connect. If they had already asked `sender`, this accepts instead.

    Raises NotFound for a member `sender` cannot reach, Conflict when already connected or
    already asked. Safe when both click at once, or one blocks while the other asks: the two
    members' rows are locked first, the pair's row is made by `get_or_create` and then
    changed under its row lock.
    """
    _lock_pair(sender, other_id)
    other = reachable_member(sender, other_id)
    message = message.strip()[:MAX_REQUEST_MESSAGE]
    low, high = pair(sender.id, other.id)
    connection, created = get_or_create(
        Connection,
        low_id=low,
        high_id=high,
        defaults={"requester_id": sender.id, "message": message},
    )
    if not created:
        connection = lock_row(connection)
        seen = as_seen_by(sender.id, connection)
        if seen is not None and seen.direction == "mutual":
            raise Conflict(_("You are already connected."))
        if seen is not None and seen.direction == "incoming":
            return accept_request(sender, connection.id)
        if seen is not None:
            raise Conflict(_("You have already asked; they have not answered yet."))
        # They once asked me and I declined; now I ask them: a fresh request.
        connection.requester_id = sender.id
        connection.status = ConnectionStatus.PENDING
        connection.message = message
        connection.created_at = utcnow()
        connection.responded_at = None
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
        raise NotFound(_("We could not find that request."))
    return connection


def _answer(user: User, connection_id: int, status: ConnectionStatus) -> Connection:
    """Answer a request to `user` under its row lock, so two answers never both count."""
    connection = lock_row(_incoming(user, connection_id))
    if connection.status != ConnectionStatus.PENDING:
        raise Conflict(_("This request has already been answered."))
    connection.status = status
    connection.responded_at = utcnow()
    db.session.flush()
    return connection


def accept_request(user: User, connection_id: int) -> Connection:
    """Accept a request addressed to `user`; the requester is notified."""
    connection = _answer(user, connection_id, ConnectionStatus.ACCEPTED)
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
    return _answer(user, connection_id, ConnectionStatus.DECLINED)


def withdraw_or_remove(user: User, connection_id: int) -> None:
    """Withdraw my pending request, or end an accepted connection (either side).

    A requester may also withdraw a request that was declined: to them it still looks
    pending, so this tidies their list without revealing the decline.
    """
    connection = db.session.get(Connection, connection_id)
    if connection is None or user.id not in (connection.low_id, connection.high_id):
        raise NotFound(_("We could not find that connection."))
    if connection.status == ConnectionStatus.PENDING and connection.requester_id != user.id:
        raise Conflict(_("Decline the request instead."))
    db.session.delete(connection)
    db.session.flush()
    _presence_viewers_changed(connection.low_id, connection.high_id)


def block(blocker: User, other_id: int) -> Block:
    """Block a member: any connection or request between us ends; they cannot find me.
    Takes the same pair lock as `send_request`, so no request slips in beside the block."""
    _lock_pair(blocker, other_id)
    other = db.session.get(User, other_id)
    if other is None or other.id == blocker.id:
        raise NotFound(_("We could not find that member."))
    low, high = pair(blocker.id, other.id)
    db.session.execute(
        delete(Connection).where(Connection.low_id == low, Connection.high_id == high)
    )
    row, created = get_or_create(Block, blocker_id=blocker.id, blocked_id=other.id)
    if created:
        _chat_block_changed(blocker.id, other.id)
        _presence_viewers_changed(blocker.id, other.id)
    return row


def _chat_block_changed(a: int, b: int) -> None:
    """Tell chat (which builds on connections) that a block between `a` and `b` changed:
    their direct conversation's sockets leave or rejoin its room after the commit."""
    from community.chat.services import block_changed

    block_changed(a, b)


def _presence_viewers_changed(*user_ids: int) -> None:
    """Tell presence (which builds on profiles and connections) that who may see these
    members may have shrunk: their live presence followers are checked again."""
    from community.presence.services import viewers_changed

    viewers_changed(*user_ids)


def unblock(blocker: User, other_id: int) -> bool:
    """Lift my block; False if there was none."""
    result = db.session.execute(
        delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == other_id)
    )
    if result.rowcount:
        _chat_block_changed(blocker.id, other_id)
    return bool(result.rowcount)


def my_blocks(user: User, cursor: str | None = None, limit: int = 100) -> Page:
    """The members I blocked, newest block first, a keyset page at a time: items are
    (member, Sight) pairs, the name shown only where I could see it (`block_sights`).
    Used by the network page and `GET /api/v1/blocks`. Raises BadCursor."""
    page = keyset(
        select(User, Block.id)
        .join(Block, Block.blocked_id == User.id)
        .where(Block.blocker_id == user.id),
        [Block.id.desc()],
        cursor,
        limit,
        key=lambda row: (row.id,),
        scalars=False,
    )
    members = [row.User for row in page.items]
    shown = block_sights(user, members)
    page.items = [(member, shown[member.id]) for member in members]
    return page


def _visible_rows(user: User):
    """My connections and requests both ways, as `as_seen_by` shows them, in SQL: a declined
    request stays visible to the one who sent it (never to the one who declined)."""
    return select(Connection).where(
        or_(Connection.low_id == user.id, Connection.high_id == user.id),
        or_(Connection.status != ConnectionStatus.DECLINED, Connection.requester_id == user.id),
    )


def _other_member(user: User):
    """SQL for the other member's id in one of `user`'s connection rows."""
    return case((Connection.low_id == user.id, Connection.high_id), else_=Connection.low_id)


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


class Sight(StrEnum):
    """How much of another member an answer may show the viewer (#13.3)."""

    FULL = "full"  # what their profile's visibility lets the viewer see
    NAME = "name"  # only their name: they reached out to the viewer (a request to me)
    NONE = "none"  # nothing but that a member is there


def sights(viewer: User, rows: list[tuple[Connection, User]]) -> dict[int, Sight]:
    """What the viewer may see of each other member in their connection rows: the profile if
    its visibility allows, the name of someone who asked them, nothing otherwise (a
    connections-only member they asked, for one). Three queries whatever the number."""
    from community.profiles.directory import visible_ids  # profiles builds on connections

    visible = visible_ids(viewer, {other.id for _row, other in rows})
    result = {}
    for row, other in rows:
        seen = as_seen_by(viewer.id, row)
        if other.id in visible:
            result[other.id] = Sight.FULL
        elif seen is not None and seen.direction in ("incoming", "mutual"):
            result[other.id] = Sight.NAME
        else:
            result[other.id] = Sight.NONE
    return result


def block_sights(viewer: User, blocked: list[User]) -> dict[int, Sight]:
    """What the viewer may see of members they blocked: the name of those whose profile they
    could see before blocking them; nothing of the others (hidden, suspended, unconfirmed),
    so blocking by id never reveals a name."""
    from community.profiles.directory import visible_ids  # profiles builds on connections

    visible = visible_ids(viewer, {member.id for member in blocked}, despite_my_block=True)
    return {member.id: Sight.NAME if member.id in visible else Sight.NONE for member in blocked}


NETWORK_PAGE = 48
REQUESTS_SHOWN = 50


@dataclass
class Network:
    """What the network page shows: my connections a page at a time (by name), and the
    newest requests each way (at most REQUESTS_SHOWN of each, with the totals)."""

    connected: Page
    connected_total: int
    incoming: list[tuple[Connection, User]]
    outgoing: list[tuple[Connection, User]]
    sight: dict[int, Sight]


def network(user: User, cursor: str | None = None, limit: int = NETWORK_PAGE) -> Network:
    """My network page: eight queries whatever its size. Raises BadCursor for a bad cursor.

    Requests to me are the pending ones; mine include those declined (`as_seen_by`)."""
    other_id = _other_member(user)
    sort_name = casefold(User.display_name)
    mine = or_(Connection.low_id == user.id, Connection.high_id == user.id)
    connected = keyset(
        select(Connection, User, sort_name.label("sort_name"))
        .join(User, User.id == other_id)
        .where(mine, Connection.status == ConnectionStatus.ACCEPTED)
        .where(User.status == UserStatus.ACTIVE),
        [sort_name.asc(), User.id.asc()],
        cursor,
        limit,
        key=lambda row: (row.sort_name, row.User.id),
        scalars=False,
    )
    connected.items = [(row.Connection, row.User) for row in connected.items]
    total = db.session.scalar(
        select(func.count())
        .select_from(Connection)
        .join(User, User.id == other_id)
        .where(mine, Connection.status == ConnectionStatus.ACCEPTED)
        .where(User.status == UserStatus.ACTIVE)
    )
    incoming = _requests(user, Connection.requester_id != user.id, other_id)
    outgoing = _requests(user, Connection.requester_id == user.id, other_id)
    shown = sights(user, [*connected.items, *incoming, *outgoing])
    return Network(connected, total, incoming, outgoing, shown)


def _requests(user: User, direction, other_id) -> list[tuple[Connection, User]]:
    """The newest open requests one way (a declined one stays open to its sender)."""
    rows = db.session.execute(
        _visible_rows(user)
        .add_columns(User)
        .join(User, User.id == other_id)
        .where(direction, Connection.status != ConnectionStatus.ACCEPTED)
        .where(User.status == UserStatus.ACTIVE)
        .order_by(Connection.created_at.desc(), Connection.id.desc())
        .limit(REQUESTS_SHOWN)
    ).all()
    return [(row, other) for row, other in rows]


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


def connection_page(user: User, cursor: str | None, limit: int) -> Page:
    """One keyset page of my connections and requests, newest first (the API's list).

    Items are (connection, other member) pairs. Raises BadCursor for a bad cursor.
    """
    page = keyset(_visible_rows(user), [Connection.id.desc()], cursor, limit)
    page.items = _with_others(user, page.items)
    return page


def relationship_with(viewer: User, other: User) -> dict:
    """What the profile page needs to show the right button: status, direction, ids."""
    connection = find_connection(viewer.id, other.id)
    blocked_by_me = (
        db.session.scalar(
            select(Block.id).where(Block.blocker_id == viewer.id, Block.blocked_id == other.id)
        )
        is not None
    )
    seen = as_seen_by(viewer.id, connection)
    states = {None: "none", "mutual": "connected", "incoming": "incoming", "outgoing": "outgoing"}
    state = states[seen.direction if seen else None]
    return {"state": state, "connection": connection, "blocked_by_me": blocked_by_me}


# Registers this feature's notification kinds (the registry is complete once services load).
from community.connections import notifications as _notifications  # noqa: E402,F401
