"""The scale-out shape for real, shared by tests/test_scale_out.py,
tests/test_chat_scale_out.py, tests/test_presence_scale_out.py and
tests/test_notifications_scale_out.py: two app processes (`python wsgi.py`) on one PostgreSQL
database (a copy of the seeded demo) and one Redis, and an app in the test process on the
same database and Redis that creates data through the services.

Starting the pair costs several seconds of CPU, so there is one cluster per test session
(registered as a plugin in tests/conftest.py). Both modules are in the `cluster` work unit
of tests/conftest.py's XDIST_GROUPS, so their tests run on one worker, which starts it once. Tests stay apart by making
what they change their own: conversations in the chat tests, and in tests/test_scale_out.py
members of their own (`Cluster.new_member`), since those tests log out and exhaust a login
limit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from community.extensions import db
from tests import factories
from tests.browser.live import LiveServer, seeded_live_server
from tests.chat_live import data_app


@dataclass
class Cluster:
    a: LiveServer
    b: LiveServer
    app: Flask
    """An app in the test process on the servers' database and Redis (its socket command
    listener off: it holds no sockets); its effects are published like any process's."""

    @property
    def servers(self) -> tuple[LiveServer, LiveServer]:
        return (self.a, self.b)

    def new_member(self) -> factories.UserRef:
        """A confirmed member nobody else uses (password `factories.PASSWORD`)."""
        with self.app.app_context():
            return factories.make_user()


@pytest.fixture(scope="session")
def cluster(request, postgres_server, redis_server, tmp_path_factory) -> Iterator[Cluster]:
    """Two app processes on one PostgreSQL database and one Redis, plus the data app."""
    shared = {
        "REDIS_URL": redis_server.url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "CHAT_SEND_LIMIT": "1000 per 10 seconds",  # the chat concurrency test sends in bulk
    }
    first = seeded_live_server(
        request, tmp_path_factory.mktemp("cluster-a"), backend="postgresql", extra_env=shared
    )
    servers = [first]
    try:
        first.start()
        second = LiveServer(
            tmp_path_factory.mktemp("cluster-b"),
            database_url=first.database_url,
            extra_env=shared,
            seeded=True,
        )
        servers.append(second)
        second.start()
        app = data_app(
            first.database_url, REDIS_URL=redis_server.url, SOCKET_COMMAND_LISTENER=False
        )
        yield Cluster(first, second, app)
        with app.app_context():
            db.engine.dispose()
    finally:
        for server in servers:
            server.stop()
