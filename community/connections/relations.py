"""Who is connected to whom and who blocked whom: the facts every visibility check needs.

Read-only helpers used by profiles, the directory, suggestions and the API.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from community.connections.models import Block, Connection, ConnectionStatus
from community.extensions import db


def pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def find_connection(a: int, b: int) -> Connection | None:
    low, high = pair(a, b)
    return db.session.scalar(
        select(Connection).where(Connection.low_id == low, Connection.high_id == high)
    )


def are_connected(a: int, b: int) -> bool:
    connection = find_connection(a, b)
    return connection is not None and connection.status == ConnectionStatus.ACCEPTED


def is_blocked_either_way(a: int, b: int) -> bool:
    return (
        db.session.scalar(
            select(Block.id).where(
                or_(
                    and_(Block.blocker_id == a, Block.blocked_id == b),
                    and_(Block.blocker_id == b, Block.blocked_id == a),
                )
            )
        )
        is not None
    )


def blocked_ids_select(user_id: int):
    """A SELECT of everyone `user_id` blocked or was blocked by (hidden both ways)."""
    return (
        select(Block.blocked_id)
        .where(Block.blocker_id == user_id)
        .union(select(Block.blocker_id).where(Block.blocked_id == user_id))
    )


def blocked_ids_of_many(user_ids: list[int]) -> dict[int, set[int]]:
    """For each of `user_ids`, everyone they blocked or were blocked by (the sets of
    `blocked_ids_select`), in one query. For bulk notices (`describe_each`)."""
    ids = set(user_ids)
    found: dict[int, set[int]] = {user_id: set() for user_id in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(Block.blocker_id, Block.blocked_id).where(
            or_(Block.blocker_id.in_(ids), Block.blocked_id.in_(ids))
        )
    )
    for blocker_id, blocked_id in rows:
        if blocker_id in found:
            found[blocker_id].add(blocked_id)
        if blocked_id in found:
            found[blocked_id].add(blocker_id)
    return found


def connected_ids_select(user_id: int):
    """A SELECT of everyone `user_id` is connected with (accepted either way): the SQL twin
    of `related_ids`' first set, for statements that check many rows at once (search)."""
    accepted = Connection.status == ConnectionStatus.ACCEPTED
    return (
        select(Connection.high_id)
        .where(Connection.low_id == user_id, accepted)
        .union(select(Connection.low_id).where(Connection.high_id == user_id, accepted))
    )


def related_ids(user_id: int) -> tuple[set[int], set[int], set[int]]:
    """(connected, pending either way, blocked either way) ids for `user_id`: two queries."""
    rows = db.session.execute(
        select(Connection.low_id, Connection.high_id, Connection.status).where(
            or_(Connection.low_id == user_id, Connection.high_id == user_id),
            Connection.status != ConnectionStatus.DECLINED,
        )
    ).all()
    connected, pending = set(), set()
    for low, high, status in rows:
        other = high if low == user_id else low
        (connected if status == ConnectionStatus.ACCEPTED else pending).add(other)
    blocked = set(db.session.scalars(blocked_ids_select(user_id)))
    return connected, pending, blocked
