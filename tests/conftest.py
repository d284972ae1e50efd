"""Shared fixtures: a real database per test (SQLite file or throwaway PostgreSQL), the app,
its client and CLI runner, an `auth` helper, Socket.IO clients, the mailbox, a query counter,
Redis; the ready-made people and `login` live in tests/people.py (registered below).

Modules set `BACKENDS = ("sqlite", "postgresql")` to run every test on both databases; a test
marked `@pytest.mark.backends("sqlite")` runs on those alone. Schemas come from the real
migrations: built once per worker, then copied per test (SQLite) or emptied after each test
(PostgreSQL, see `PostgresWorkerDatabase`).
"""

from __future__ import annotations

import email
import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_socketio import SocketIOTestClient
from psycopg import sql
from sqlalchemy import event

from community import create_app
from community.extensions import db as _db
from community.extensions import socketio
from config import TestingConfig
from tests import factories
from tests.browser.live import LiveServer, build_demo_sqlite
from tests.servers import PostgresServer, RedisServer
from tests.tools import skip_or_fail
from tests.url_builders import share as share_url_builders

pytest_plugins = ["tests.people", "tests.cluster"]

share_url_builders()  # every test makes an app: compile each rule's URL builders once


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "backends(*names): run this test on these databases, not the module's"
    )
    config.addinivalue_line(
        "markers",
        "demo_data: on SQLite, start from a copy of the demo database (`demo_sqlite`, seeded"
        " by the real `flask seed-demo`) instead of an empty one",
    )


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup` (the Makefile's) shares the tests out by tests/scheduling.py's
    groups; any other --dist keeps xdist's own scheduler."""
    if config.getvalue("dist") == "loadgroup":
        from tests.scheduling import GroupScheduling

        return GroupScheduling(config, log)
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run tests on the databases their module lists in BACKENDS (default: SQLite), or on
    those of their `backends` marker."""
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        backends = marker.args if marker else getattr(metafunc.module, "BACKENDS", ("sqlite",))
        metafunc.parametrize("backend", backends, scope="function")


def build_schema(url: str) -> None:
    """Run every migration against `url` in a short-lived app."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        _db.engine.dispose()


# --- servers -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    skip_or_fail(PostgresServer.missing_reason(), what="PostgreSQL tests")
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """Name of a database migrated to head, cloned for each test."""
    name = "alongside_template"
    build_schema(postgres_server.create_database(name))
    return name


class PostgresWorkerDatabase:
    """This worker's PostgreSQL database, copied from the template once and emptied after
    each test: every table's rows deleted and every sequence restarted, which leaves it as
    a fresh copy would be. A CREATE DATABASE costs about 0.35 s of server CPU (over 700
    tests run on PostgreSQL); emptying costs about 0.03 s. A test that leaves the schema
    off head (a failed downgrade) or the database unusable gets the next test a new copy.
    """

    def __init__(self, server: PostgresServer, template: str) -> None:
        self.server = server
        self.template = template
        self.name = ""
        self.url = ""
        with psycopg.connect(server.conninfo(template)) as conn:
            self.head = conn.execute("SELECT version_num FROM alembic_version").fetchall()

    def create(self) -> str:
        self.name = f"w_{uuid.uuid4().hex[:12]}"
        self.url = self.server.create_database(self.name, template=self.template)
        return self.url

    def drop(self) -> None:
        if self.name:
            self.server.drop_database(self.name)
            self.name = ""

    def reset(self) -> None:
        """Called after each test: empty the database, or replace it if it cannot be."""
        try:
            self._empty()
        except (psycopg.Error, _NotAtHead):
            self.drop()
            self.create()

    def _empty(self) -> None:
        with psycopg.connect(self.server.conninfo(self.name), autocommit=True) as conn:
            # Anything the test left connected (a thread, a second app) lets go first.
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if conn.execute("SELECT version_num FROM alembic_version").fetchall() != self.head:
                raise _NotAtHead
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename <> 'alembic_version'"
                )
            ]
            sequences = [
                row[0]
                for row in conn.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                )
            ]
            with conn.transaction():
                # Without foreign-key triggers, so the order of the deletes does not matter.
                conn.execute("SET LOCAL session_replication_role = replica")
                for table in tables:
                    conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
                for sequence in sequences:
                    conn.execute(
                        sql.SQL("ALTER SEQUENCE {} RESTART").format(sql.Identifier(sequence))
                    )


class _NotAtHead(Exception):
    """The worker database's schema is not the template's."""


@pytest.fixture(scope="session")
def postgres_worker_database(
    postgres_server: PostgresServer, postgres_template: str
) -> Iterator[PostgresWorkerDatabase]:
    database = PostgresWorkerDatabase(postgres_server, postgres_template)
    database.create()
    yield database
    database.drop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    skip_or_fail(RedisServer.missing_reason(), what="Redis tests")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    redis_server.flushall()
    return redis_server.url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "template.db"
    build_schema(f"sqlite:///{path}")
    return path


# --- the demo community for live servers ---------------------------------------------------


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and loaded with the demo by the real `flask db upgrade` and
    `flask seed-demo`, built once per run and copied for each live server
    (`tests.browser.live.seeded_live_server`). The first xdist worker to ask builds it in
    the run's shared temporary directory under a file lock; the others wait and reuse it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's directory, shared by its workers
    done = root / "demo-sqlite"
    with (root / "demo-sqlite.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            building = root / f"demo-sqlite-{uuid.uuid4().hex[:8]}"
            build_demo_sqlite(building)
            building.rename(done)  # only a finished build ever carries the name
    return done / "live.db"


@pytest.fixture(scope="session")
def demo_postgres(postgres_server: PostgresServer, postgres_template: str, tmp_path_factory) -> str:
    """Name of a PostgreSQL database at head (a copy of `postgres_template`) with the demo
    loaded by the real `flask seed-demo`, once per worker; live servers on PostgreSQL get
    copies of it (CREATE DATABASE ... TEMPLATE)."""
    name = "alongside_demo"
    url = postgres_server.create_database(name, template=postgres_template)
    LiveServer(tmp_path_factory.mktemp("demo-postgres"), database_url=url).prepare(migrate=False)
    return name


# --- the app -------------------------------------------------------------------------------


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database at head for this test (with the demo loaded if it is marked
    `demo_data`: a copy of the file the live servers start from, seeded once per run)."""
    if backend == "sqlite":
        demo = request.node.get_closest_marker("demo_data") is not None
        template: Path = request.getfixturevalue("demo_sqlite" if demo else "sqlite_template")
        path = tmp_path / "alongside.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    if request.node.get_closest_marker("demo_data") is not None:
        pytest.fail("demo_data copies the SQLite demo database: mark the test backends('sqlite')")
    database: PostgresWorkerDatabase = request.getfixturevalue("postgres_worker_database")
    yield database.url
    database.reset()


@pytest.fixture
def app_overrides() -> dict:
    """Config overrides for this test's app; override the fixture to change them."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_overrides: dict) -> Iterator[Flask]:
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_DIR": str(tmp_path / "mail"),
        "AVATAR_DIR": str(tmp_path / "avatars"),
        "COVER_DIR": str(tmp_path / "covers"),
        "GROUP_COVER_DIR": str(tmp_path / "group-covers"),
        "WTF_CSRF_ENABLED": True,
        **app_overrides,
    }
    app = create_app(TestingConfig, **settings)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for test code that talks to the database directly.

    Requests made by `client` inside it reuse it (and its `g`), so tests that log in and out
    use `app_context()` blocks of their own instead.
    """
    with app.app_context():
        yield app


@pytest.fixture
def db(ctx: Flask):
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_socket_client(app: Flask, login) -> Iterator[Callable[..., SocketIOTestClient]]:
    """Factory: `make_socket_client(user)` is a Socket.IO test client connected as `user`.

    It connects through the real server with the session cookie of `login(user)`, or of
    `http=` (a test client already logged in as `user`, e.g. to log that session out later).
    The client has joined the user's room and its inbox starts empty. Clients still connected
    at the end of the test are disconnected.
    """
    made: list[SocketIOTestClient] = []

    def connect(user: factories.UserRef, *, http: FlaskClient | None = None):
        client = socketio.test_client(app, flask_test_client=http or login(user))
        assert client.is_connected(), f"the socket of {user.email} was refused"
        client.get_received()  # drop whatever the connection itself sent
        made.append(client)
        return client

    yield connect
    for client in made:
        if client.is_connected():
            client.disconnect()


@pytest.fixture
def socket_client(make_socket_client, member: factories.UserRef) -> SocketIOTestClient:
    """A Socket.IO test client connected as `member` (Mia Member), ready for chat."""
    return make_socket_client(member)


# --- helpers -------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def without_csrf(html: str) -> str:
    """`html` without its CSRF tokens (they carry the second they were made), for comparing
    two pages served at different moments (a hidden page and the missing-page 404)."""
    return CSRF_RE.sub("csrf", html)


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token from the form at `path`, read as a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict, *, form_page: str | None = None, **kw):
    """POST `data` with a valid CSRF token taken from `form_page` (default: `path`)."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token}, **kw)


def post_multipart(client: FlaskClient, path: str, fields: dict, **kw):
    """POST a multipart body built in memory (werkzeug's builder spools big bodies to a
    temporary file it never closes, which `filterwarnings = error` turns into a failure)."""
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart(fields)
    return client.post(
        path, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kw
    )


@dataclass
class AuthActions:
    """Log in and out through the real pages."""

    client: FlaskClient

    def login(self, email: str, password: str = factories.PASSWORD, **kw):
        return post_form(self.client, "/auth/login", {"email": email, "password": password}, **kw)

    def logout(self, **kw):
        return post_form(self.client, "/auth/logout", {}, form_page="/settings", **kw)


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@dataclass
class Mailbox:
    """Delivers the outbox with the real sender and reads the files it wrote."""

    directory: Path
    seen: set[str] = field(default_factory=set)

    app: Flask | None = None

    def deliver(self) -> None:
        from community.mail.services import deliver_due

        assert self.app is not None
        with self.app.app_context():
            deliver_due()

    def messages(self, to: str | None = None) -> list[Message]:
        self.deliver()
        found = []
        for path in sorted(self.directory.glob("*.eml")) if self.directory.exists() else []:
            message = email.message_from_bytes(path.read_bytes())
            if to is None or message["To"] == to:
                found.append(message)
        return found

    def last(self, to: str) -> Message:
        messages = self.messages(to)
        assert messages, f"no mail to {to}"
        return messages[-1]

    @staticmethod
    def body(message: Message) -> str:
        """The plain-text body (the first text/plain part of a mail with attachments)."""
        if message.is_multipart():
            message = next(
                part
                for part in message.walk()
                if part.get_content_type() == "text/plain" and not part.get_filename()
            )
        return message.get_payload(decode=True).decode()

    def link(self, to: str, pattern: str) -> str:
        """The path of the first link in the last mail to `to` whose path matches `pattern`."""
        body = self.body(self.last(to))
        match = re.search(r"https?://[^/\s]+(" + re.escape(pattern) + r"\S*)", body)
        assert match, f"no link matching {pattern!r} in:\n{body}"
        return match.group(1)


@pytest.fixture
def mailbox(app: Flask) -> Mailbox:
    return Mailbox(Path(app.config["MAIL_DIR"]), app=app)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):
    """`with count_queries() as counter:` counts the SQL statements run inside the block."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def record(conn, cursor, statement, parameters, context, executemany):
            counter.statements.append(statement)

        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def make_user(app: Flask):
    """Factory: `make_user(roles=(Role.ADMIN,))` creates a confirmed account via the services."""

    def make(*args, **kwargs) -> factories.UserRef:
        with app.app_context():
            return factories.make_user(*args, **kwargs)

    return make


@pytest.fixture
def other_app(database_url: str, tmp_path: Path) -> Iterator:
    """Factory for apps under another configuration on this test's database:
    `other_app(ProductionConfig, TRUSTED_PROXIES=2)`. Production gets a real-looking
    SECRET_KEY and BASE_URL (https://alongside.example) unless given; engines are disposed."""
    from config import ProductionConfig

    apps: list[Flask] = []

    def build(config_class: type = ProductionConfig, **overrides) -> Flask:
        settings = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_DIR": str(tmp_path / f"mail-{len(apps)}"),
            "AVATAR_DIR": str(tmp_path / "avatars"),
            "COVER_DIR": str(tmp_path / "covers"),
            "GROUP_COVER_DIR": str(tmp_path / "group-covers"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
        if config_class is ProductionConfig:
            settings.update(SECRET_KEY="x" * 48, BASE_URL="https://alongside.example")
        app = create_app(config_class, **{**settings, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            _db.engine.dispose()
