"""Where heartbeats are kept, so that every app process sees them: one interface, two stores.

- `DatabaseStore` (the default): the `member_presence.seen_at` column, one guarded UPDATE per
  written heartbeat, in the caller's transaction.
- `RedisStore` (when PRESENCE_REDIS_URL or REDIS_URL is set): a key per member with an
  expiry (`presence:seen:<id>`, gone once the member has been offline for a while) and a
  sorted set of the same times for the sweep that announces "away" and "offline".

Both take the time as an argument (`now`) and never read a clock, so tests move time.
`touch` writes at most once per `every` seconds per member: a heartbeat inside the window
changes nothing (and the answer says so).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import or_, select, update

from community.core.database import get_or_create
from community.extensions import db
from community.presence.models import MemberPresence


@dataclass(frozen=True)
class Touch:
    """What a heartbeat did: `written` False when it fell inside the throttle window;
    `previous` the heartbeat time stored before (None: none, or it had expired)."""

    written: bool
    previous: datetime | None


class PresenceStore(Protocol):
    def touch(self, user_id: int, now: datetime, every: float) -> Touch: ...

    def seen(self, user_ids: Iterable[int]) -> dict[int, datetime]: ...

    def seen_between(self, after: datetime, until: datetime) -> list[int]: ...

    def forget(self, user_id: int) -> None: ...

    def trim(self, before: datetime) -> None: ...

    def claim_sweep(self, end: datetime) -> bool:
        """Whether this process sweeps the window ending at `end` (`presence._Sweeper`)."""
        ...


class DatabaseStore:
    """Heartbeats in `member_presence.seen_at` (flushed in the caller's transaction)."""

    def touch(self, user_id: int, now: datetime, every: float) -> Touch:
        row, _created = get_or_create(MemberPresence, user_id=user_id)
        previous = row.seen_at
        if previous is not None and previous > now - timedelta(seconds=every):
            return Touch(False, previous)  # throttled: no write (on SQLite, no write lock)
        # Guarded: of two heartbeats racing (two tabs, two processes) one UPDATE matches.
        result = db.session.execute(
            update(MemberPresence)
            .where(
                MemberPresence.user_id == user_id,
                or_(
                    MemberPresence.seen_at.is_(None),
                    MemberPresence.seen_at <= now - timedelta(seconds=every),
                ),
            )
            .values(seen_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            db.session.expire(row, ["seen_at"])
        return Touch(bool(result.rowcount), previous)

    def seen(self, user_ids: Iterable[int]) -> dict[int, datetime]:
        ids = set(user_ids)
        if not ids:
            return {}
        rows = db.session.execute(
            select(MemberPresence.user_id, MemberPresence.seen_at).where(
                MemberPresence.user_id.in_(ids), MemberPresence.seen_at.is_not(None)
            )
        )
        return {user_id: seen_at for user_id, seen_at in rows}

    def seen_between(self, after: datetime, until: datetime) -> list[int]:
        return list(
            db.session.scalars(
                select(MemberPresence.user_id).where(
                    MemberPresence.seen_at > after, MemberPresence.seen_at <= until
                )
            )
        )

    def forget(self, user_id: int) -> None:
        db.session.execute(
            update(MemberPresence)
            .where(MemberPresence.user_id == user_id)
            .values(seen_at=None)
            .execution_options(synchronize_session=False)
        )

    def trim(self, before: datetime) -> None:
        """Nothing to do: a row per member stays (it also holds the setting)."""

    def claim_sweep(self, end: datetime) -> bool:
        return True  # without Redis there is one process, and it sweeps every window


# Set the key unless it holds a time less than ARGV[2] seconds old; keep the time in the
# sorted set too. Atomic, so two processes never both write inside one window.
_TOUCH = """
local previous = redis.call('GET', KEYS[1])
if previous and tonumber(ARGV[1]) - tonumber(previous) < tonumber(ARGV[2]) then
  return {0, previous}
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[4])
return {1, previous or ''}
"""

_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def redis_client(url: str):
    """One client (connection pool) per URL for the process."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            import redis

            client = redis.Redis.from_url(url, decode_responses=True)
            _clients[url] = client
        return client


def _stamp(moment: datetime) -> float:
    return moment.timestamp()


def _moment(stamp: str | float) -> datetime:
    return datetime.fromtimestamp(float(stamp), UTC)


class RedisStore:
    """Heartbeats in Redis: `<prefix>seen:<id>` (expires `keep` seconds after the last write)
    and the sorted set `<prefix>seen` (trimmed by the sweep)."""

    def __init__(self, url: str, *, keep: int, prefix: str = "presence:") -> None:
        self.client = redis_client(url)
        self.keep = keep
        self.prefix = prefix
        self.zset = f"{prefix}seen"
        self._touch = self.client.register_script(_TOUCH)

    def _key(self, user_id: int) -> str:
        return f"{self.prefix}seen:{user_id}"

    def touch(self, user_id: int, now: datetime, every: float) -> Touch:
        written, previous = self._touch(
            keys=[self._key(user_id), self.zset],
            args=[repr(_stamp(now)), every, self.keep, user_id],
        )
        return Touch(bool(written), _moment(previous) if previous else None)

    def seen(self, user_ids: Iterable[int]) -> dict[int, datetime]:
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        values = self.client.mget([self._key(user_id) for user_id in ids])
        return {user_id: _moment(v) for user_id, v in zip(ids, values, strict=True) if v}

    def seen_between(self, after: datetime, until: datetime) -> list[int]:
        members = self.client.zrangebyscore(self.zset, f"({_stamp(after)!r}", _stamp(until))
        return [int(member) for member in members]

    def forget(self, user_id: int) -> None:
        pipe = self.client.pipeline()
        pipe.delete(self._key(user_id))
        pipe.zrem(self.zset, user_id)
        pipe.execute()

    def trim(self, before: datetime) -> None:
        self.client.zremrangebyscore(self.zset, "-inf", f"({_stamp(before)!r}")

    def claim_sweep(self, end: datetime) -> bool:
        """Once across processes (SET NX): each change is announced once."""
        key = f"{self.prefix}sweep:{end.timestamp():.0f}"
        return bool(self.client.set(key, "1", nx=True, ex=3600))


def current_store() -> PresenceStore:
    """The app's store: Redis when PRESENCE_REDIS_URL (default: REDIS_URL) is set, else the
    database."""
    config = current_app.config
    url = config.get("PRESENCE_REDIS_URL", config.get("REDIS_URL"))
    if url:
        keep = int(config["PRESENCE_OFFLINE_SECONDS"]) + 120
        return RedisStore(url, keep=keep)
    return DatabaseStore()
