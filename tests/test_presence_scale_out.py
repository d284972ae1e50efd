"""Presence in the scale-out shape (#17): two app processes (`python wsgi.py`) on one PostgreSQL
database and one Redis, so heartbeats live in Redis. A heartbeat through process A reaches a
watcher on process B and nobody who may not see the profile; a block made through B empties the
member's presence room on A too.

Kept small and separate (one cluster, two tests): the cluster fixture is the same shape as
tests/test_chat_scale_out.py's and should join it when the cluster fixtures are shared.
"""

from __future__ import annotations

import secrets
import uuid

import pytest

from community.connections import services as connections
from community.extensions import db
from community.presence.store import RedisStore
from tests.browser.live import LiveServer
from tests.chat_live import LARS, MIA, PRIYA, SOFIA, data_app, people, post_form, user

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def cluster(postgres_server, redis_server, tmp_path_factory):
    database_url = postgres_server.create_database(f"presence_{uuid.uuid4().hex[:8]}")
    shared = {"REDIS_URL": redis_server.url, "SECRET_KEY": secrets.token_urlsafe(32)}
    servers = []
    try:
        for name in ("a", "b"):
            server = LiveServer(
                tmp_path_factory.mktemp(f"presence-{name}"),
                database_url=database_url,
                extra_env=shared,
            )
            servers.append(server.start())
        app = data_app(database_url, REDIS_URL=redis_server.url, SOCKET_COMMAND_LISTENER=False)
        with app.app_context():
            connections.block(user(LARS), user(MIA).id)
            db.session.commit()
        yield (*servers, app)
        with app.app_context():
            db.engine.dispose()
    finally:
        for server in servers:
            server.stop()


def test_a_heartbeat_on_one_process_reaches_allowed_watchers_on_the_other(cluster):
    a, b, app = cluster
    with app.app_context():
        mia_id = user(MIA).id
        store = RedisStore(app.config["REDIS_URL"], keep=1020)
    with people() as crowd:
        priya, lars = crowd.chat(b.url, PRIYA), crowd.chat(b.url, LARS)
        assert priya.call("presence:watch", {"user_ids": [mia_id]})["ok"]
        assert lars.call("presence:watch", {"user_ids": [mia_id]})["statuses"] == {}
        crowd.chat(a.url, MIA).client.emit("presence:heartbeat")
        assert priya.wait_for("presence") == {"user_id": mia_id, "status": "online"}
        assert mia_id in store.seen([mia_id])  # in Redis, where both processes look
        assert lars.call("presence:watch", {"user_ids": []})["ok"]  # a round trip on B
        assert lars.received("presence") == []


def test_a_block_through_one_process_empties_the_room_on_the_other(cluster):
    a, b, app = cluster
    with app.app_context():
        mia_id, sofia_id = user(MIA).id, user(SOFIA).id
    with people() as crowd:
        sofia = crowd.chat(a.url, SOFIA)
        assert sofia.call("presence:watch", {"user_ids": [mia_id]})["statuses"]
        post_form(crowd.session(b.url, MIA), b.url, f"/members/{sofia_id}/block")
        assert sofia.wait_for("presence:rewatch") == {"user_id": mia_id}
        assert sofia.call("presence:watch", {"user_ids": [mia_id]})["statuses"] == {}
