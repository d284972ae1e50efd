"""Socket commands leave on the queue of the app that sends them (`core.control.send`).

Flask-SocketIO keeps one server per extension object, so the last app built in a process
replaces it. A command sent from an app with Redis (a CLI command, a test's data app)
must still be published on that app's queue for the web processes, even after another
app without Redis was built in the same process.
"""

from __future__ import annotations

import json
import time

import pytest
import redis

from community import create_app
from community.core import control
from config import TestingConfig

pytestmark = pytest.mark.redis


def test_a_command_goes_out_on_its_own_apps_queue_after_another_app_was_built(redis_url, tmp_path):
    with_queue = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a.db'}",
        REDIS_URL=redis_url,
        SOCKET_COMMAND_LISTENER=False,
    )
    create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'b.db'}")
    listener = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    listener.subscribe("flask-socketio")
    try:
        with with_queue.app_context():
            control.join("user:7", "conversation:9")
        deadline = time.monotonic() + 5
        message = None
        while message is None and time.monotonic() < deadline:
            message = listener.get_message(timeout=0.5)
        assert message is not None, "the command was not published on Redis"
        published = json.loads(message["data"])
        assert published["event"] == control.COMMAND_EVENT
        assert published["data"] == {
            "command": "join",
            "args": {"who": "user:7", "room": "conversation:9"},
        } or published["data"] == [
            {"command": "join", "args": {"who": "user:7", "room": "conversation:9"}}
        ]
    finally:
        listener.close()
