"""Database helpers shared by every feature: SQLite pragmas, UTC timestamps, the id range."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

# Every id column is a 32-bit INTEGER on PostgreSQL: URLs, API bodies and cursors refuse ids
# outside 1..MAX_ID before a query sees them (PostgreSQL would fail, SQLite overflow at 2**63).
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    """The current time as an aware UTC datetime; every stored timestamp uses it."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware datetime.

    SQLite keeps no zone; PostgreSQL uses `timestamptz`. Naive values are refused on write.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def casefold(column):
    """A case-insensitive form of `column` for searching, Unicode-aware on both databases:
    PostgreSQL's lower() folds all of Unicode; SQLite's folds only ASCII, so SQLite
    connections get a `casefold` function (registered below)."""
    from sqlalchemy import func

    from community.extensions import db

    return func.casefold(column) if db.engine.dialect.name == "sqlite" else func.lower(column)


def like_pattern(text: str) -> str:
    """`%text%` for LIKE with the wildcards in `text` escaped (use with escape="\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Open every SQLite connection with WAL, enforced foreign keys and a busy timeout."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
