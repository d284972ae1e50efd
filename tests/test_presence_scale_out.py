"""Presence in the scale-out shape (#17): two app processes (`python wsgi.py`) on one
PostgreSQL database and one Redis (the shared cluster of tests/cluster.py), so heartbeats
live in Redis. A heartbeat through process A reaches a watcher on process B and nobody who
may not see the profile; a block made through B empties the member's presence room on A
too. Each test uses members of its own, so the cluster's other tests are unaffected.
"""

from __future__ import annotations

import pytest

from community.connections import services as connections
from community.extensions import db
from community.presence.store import RedisStore
from tests.chat_live import login, people, post_form, user

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def signed_in(crowd, base_url: str, member):
    """`member`'s logged-in HTTP session on `base_url`, closed with the crowd."""
    session = login(base_url, member.email, member.password)
    crowd.sessions.append(session)
    return session


def test_a_heartbeat_on_one_process_reaches_allowed_watchers_on_the_other(cluster):
    a, b, app = cluster.a, cluster.b, cluster.app
    target, watcher, blocker = (cluster.new_member() for _ in range(3))
    with app.app_context():
        connections.block(user(blocker.email), target.id)
        db.session.commit()
        store = RedisStore(app.config["REDIS_URL"], keep=1020)
    with people() as crowd:
        allowed = crowd.chat(b.url, watcher.email, session=signed_in(crowd, b.url, watcher))
        blocked = crowd.chat(b.url, blocker.email, session=signed_in(crowd, b.url, blocker))
        assert allowed.call("presence:watch", {"user_ids": [target.id]})["ok"]
        assert blocked.call("presence:watch", {"user_ids": [target.id]})["statuses"] == {}
        them = crowd.chat(a.url, target.email, session=signed_in(crowd, a.url, target))
        them.client.emit("presence:heartbeat")
        assert allowed.wait_for("presence") == {"user_id": target.id, "status": "online"}
        assert target.id in store.seen([target.id])  # in Redis, where both processes look
        assert blocked.call("presence:watch", {"user_ids": []})["ok"]  # a round trip on B
        assert blocked.received("presence") == []


def test_a_block_through_one_process_empties_the_room_on_the_other(cluster):
    a, b = cluster.a, cluster.b
    target, watcher = cluster.new_member(), cluster.new_member()
    with people() as crowd:
        seen = crowd.chat(a.url, watcher.email, session=signed_in(crowd, a.url, watcher))
        assert seen.call("presence:watch", {"user_ids": [target.id]})["statuses"]
        post_form(signed_in(crowd, b.url, target), b.url, f"/members/{watcher.id}/block")
        assert seen.wait_for("presence:rewatch") == {"user_id": target.id}
        assert seen.call("presence:watch", {"user_ids": [target.id]})["statuses"] == {}
