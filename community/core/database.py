"""Database helpers shared by every feature: SQLite set-up, UTC timestamps, and race-safe
writes (`lock_row`, `get_or_create`, `touch`).

Race-safe writes, on both databases:

- A counter or a seat changes under `lock_row(obj)`, in the same transaction as the check
  that allows it: `SELECT ... FOR UPDATE` on PostgreSQL. SQLite has one writer at a time; a
  transaction begins at its first write with the write lock (`BEGIN IMMEDIATE`), which it
  keeps to the end, and `lock_row` makes it take that lock at once.
- An insert that two requests can make at once relies on a unique constraint and
  `get_or_create`, which survives the loser in a savepoint.

SQLite writers of one process queue on a process-wide mutex per database file before they
ask for the write lock, and the next one goes the moment the holder commits or rolls back.
Without it they would all wait in SQLite's busy handler, which polls in sleeps of up to
100 ms (and, under gevent, sleeps the whole process). The busy timeout stays for writers in
other processes (a CLI command, a second server).
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, event, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator

M = TypeVar("M")
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

    @property
    def python_type(self) -> type:
        # Keyset cursors read a timestamp back as an aware datetime by this type.
        return datetime

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


def json_rows(dialect: str, name: str, fields: tuple[tuple[str, Any], ...]):
    """A table named `name` of the rows in the bound parameter `:<name>`, a JSON list of
    objects with the keys `fields` ((name, SQL type) pairs): `json_each` on SQLite,
    `jsonb_to_recordset` on PostgreSQL. One statement then serves any number of rows, so
    it is built and compiled once (`json.dumps` the rows for the parameter). Used by the
    chat send pipeline's batch statements."""
    from sqlalchemy import String, bindparam, cast, column, func, type_coerce
    from sqlalchemy.dialects.postgresql import JSONB

    rows = bindparam(name, type_=String)
    if dialect == "sqlite":
        each = func.json_each(rows).table_valued("value").alias(f"{name}_each")
        return select(
            *(
                type_coerce(func.json_extract(each.c.value, f"$.{key}"), kind).label(key)
                for key, kind in fields
            )
        ).subquery(name)
    return (
        func.jsonb_to_recordset(cast(rows, JSONB))
        .table_valued(*(column(key, kind) for key, kind in fields))
        .render_derived(name, with_types=True)
    )


def like_pattern(text: str) -> str:
    """`%text%` for LIKE with the wildcards in `text` escaped (use with escape="\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


# How long a writer waits for its process's write mutex before asking SQLite anyway (the
# busy timeout then applies, as it would without the mutex): a thread that opens a second
# writing connection while it holds the first one waits this long, then fails as before.
WRITE_MUTEX_WAIT = 10.0
_mutexes: dict[str, threading.Lock] = {}
_mutexes_guard = threading.Lock()


def _write_mutex(path: str) -> threading.Lock:
    """The process's write mutex of the SQLite file at `path`."""
    with _mutexes_guard:
        return _mutexes.setdefault(path, threading.Lock())


class SQLiteConnection(sqlite3.Connection):
    """A SQLite connection that gives its process's write mutex back when its transaction
    ends (commit, rollback or close), whoever ends it: SQLAlchemy, the pool's reset, a test."""

    mutex_path: str = ""  # the database file; "" (in memory): no mutex
    write_mutex: threading.Lock | None = None  # held from BEGIN IMMEDIATE to the end

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_write_mutex()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_write_mutex()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_write_mutex()

    def take_write_mutex(self) -> None:
        """Wait for this file's write mutex (called just before BEGIN IMMEDIATE)."""
        if not self.mutex_path or self.write_mutex is not None:
            return
        mutex = _write_mutex(self.mutex_path)
        if mutex.acquire(timeout=WRITE_MUTEX_WAIT):
            self.write_mutex = mutex

    def release_write_mutex(self) -> None:
        mutex, self.write_mutex = self.write_mutex, None
        if mutex is not None:
            mutex.release()


@event.listens_for(Engine, "do_connect")
def _sqlite_connection_class(dialect, connection_record, cargs, cparams) -> None:
    """Open SQLite connections as `SQLiteConnection` (the write mutex)."""
    if dialect.name == "sqlite" and dialect.driver == "pysqlite":
        cparams.setdefault("factory", SQLiteConnection)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Open every SQLite connection with WAL, enforced foreign keys and a busy timeout.

    The driver's own transaction handling is switched off (`isolation_level = None`) and
    `_sqlite_write_lock` below says BEGIN itself: SAVEPOINTs then work, and a transaction
    takes the write lock when it starts (after the SQLAlchemy "pysqlite" recipe).
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    if isinstance(dbapi_connection, SQLiteConnection):
        files = {name: path for _seq, name, path in cursor.execute("PRAGMA database_list")}
        dbapi_connection.mutex_path = files.get("main") or ""
    cursor.close()


def end_read_only_transaction(exc: BaseException | None = None) -> None:
    """PostgreSQL: end a transaction that wrote nothing with COMMIT instead of the ROLLBACK
    that removing the session would send. The app factory registers it as a teardown, so it
    runs at the end of every request and socket event, just before Flask-SQLAlchemy removes
    the session; benchmarks call it where a request would end.

    Why: psycopg forgets every prepared statement of a connection at each ROLLBACK (in
    case it undid a schema change they depend on), so with a rollback closing every request
    no statement was ever prepared across requests, and each was parsed and planned again:
    a search at 100,000 documents took 3.3 ms prepared and 5.5 to 6.5 ms once a rollback
    had ended the transaction before it. A COMMIT of a transaction PostgreSQL gave no
    transaction id (it wrote nothing and locked no row) changes exactly as much as a
    rollback: nothing.

    Leaves the transaction to the rollback after an exception, with changes not yet
    flushed, with effects queued, in a savepoint, when the transaction failed, and when
    PostgreSQL gave it an id.
    """
    if exc is not None:
        return
    session = _session()()
    if not session.in_transaction() or session.in_nested_transaction():
        return
    if session.get_bind().dialect.name != "postgresql":
        return
    if session.new or session.dirty or session.deleted:
        return
    from community.core.effects import pending_effects

    if pending_effects(session):
        return
    connection = session.connection()
    from psycopg.pq import TransactionStatus

    driver = connection.connection.dbapi_connection
    if driver is None or driver.info.transaction_status != TransactionStatus.INTRANS:
        return
    if connection.exec_driver_sql("SELECT txid_current_if_assigned()").scalar() is None:
        # Nothing changed, so nothing to expire: objects the caller still holds (a test's,
        # or a socket handler's after its request) keep what they loaded, as they would
        # after the rollback.
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire


# --- race-safe writes ----------------------------------------------------------------------

_READS = ("SELECT", "PRAGMA", "WITH", "EXPLAIN")


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_write_lock(connection, cursor, statement, parameters, context, executemany) -> None:
    """SQLite: begin the transaction at its first write, with the write lock (IMMEDIATE).

    Reads before it run on their own, as SQLite's driver always did, so no transaction holds
    an old snapshot it would have to upgrade (which fails at once with "database is locked"
    when another writer committed in between). From its first write (or savepoint) on, a
    transaction holds the one write lock, so its reads and checks stay true until it ends;
    a second writer waits at its BEGIN for up to the busy timeout.
    """
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None or dbapi_connection.in_transaction:
        return
    if not connection.in_transaction() or statement.lstrip()[:7].upper().startswith(_READS):
        return
    if isinstance(dbapi_connection, SQLiteConnection):
        dbapi_connection.take_write_mutex()
    try:
        cursor.execute("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(dbapi_connection, SQLiteConnection):
            dbapi_connection.release_write_mutex()
        raise


def _session():
    from community.extensions import db

    return db.session


def lock_row(obj: M) -> M:
    """Lock `obj`'s row until the transaction ends and return it freshly loaded.

    Called by services before they change a counter or check-then-change a row (seats,
    sequence numbers, a connection's state). PostgreSQL: SELECT ... FOR UPDATE, so a
    concurrent transaction waits here and then sees our committed values. SQLite: a no-op
    UPDATE of the row makes the transaction take the database's write lock now (if it does
    not hold it yet), and the row is read again under it. The no-op sets a column that no
    foreign key points at, so SQLite checks no child table. Raises NotFound when the row
    was deleted meanwhile (a withdrawn request, a removed member).
    """
    from community.core.errors import NotFound

    session = _session()
    state = inspect(obj)
    mapper = state.mapper
    primary_key = mapper.primary_key[0]
    key = state.identity[0]
    if session.get_bind().dialect.name == "sqlite":
        table = mapper.local_table
        spare = next(column for column in table.columns if not column.primary_key)
        result = session.execute(
            update(table).where(primary_key == key).values({spare.name: spare})
        )
        if result.rowcount != 1:
            raise NotFound(_gone())
        session.refresh(obj)
        return obj
    row = session.execute(
        select(mapper.class_)
        .where(primary_key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(_gone())
    return row


def _gone() -> str:
    from flask_babel import gettext

    return gettext("This was changed or removed a moment ago. Reload the page and try again.")


def get_or_create(
    model: type[M], defaults: dict[str, Any] | None = None, **keys: Any
) -> tuple[M, bool]:
    """The row of `model` matching `keys` (a unique key), created with `defaults` if missing.

    Returns (row, created). Two callers racing to create the same row both succeed: the
    insert runs in a savepoint, and the loser of the unique constraint reads the winner's
    row. Called by services for tags, connection requests and anything keyed uniquely.
    """
    session = _session()
    statement = select(model).filter_by(**keys)
    found = session.scalar(statement)
    if found is not None:
        return found, False
    row = model(**keys, **(defaults or {}))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = session.scalar(statement)
        if found is None:
            raise  # another constraint failed: the caller's data is wrong, not a race
        return found, False
    return row, True


def touch(statement) -> None:
    """Run a bookkeeping UPDATE (a session's last-seen time, a token's last use) that must
    never commit the request's half-done work: in a short transaction of its own, or, when
    the request already holds SQLite's write lock, in the request's own transaction (a
    second connection would wait for that lock). Called by the session and token loaders."""
    session = _session()()  # the request's Session itself, behind the scoped proxy
    if session.get_bind().dialect.name == "sqlite" and session.in_transaction():
        dbapi_connection = session.connection().connection.dbapi_connection
        if dbapi_connection is not None and dbapi_connection.in_transaction:
            session.execute(statement)
            return
    with session.get_bind().begin() as connection:
        connection.execute(statement)
