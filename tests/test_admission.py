"""Admission control and the database pool: a busy moment queues at the door and, past the
wait, answers 503 with Retry-After in the house format; it never surfaces as a 500.

The 200-RSVP proof against a real server is in test_events_concurrency.py; these pin the
middleware's own rules with a small WSGI app, and the pool's sizing and 503 with the app.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.test import Client

from community import create_app
from community.core.admission import Admission
from community.extensions import db
from config import TestingConfig


class Gate:
    """A WSGI app whose requests to /slow wait until the test opens the gate."""

    def __init__(self) -> None:
        self.inside = threading.Semaphore(0)
        self.open = threading.Event()

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"].endswith("/slow"):
            self.inside.release()
            assert self.open.wait(10)
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("boom")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def call(app, path: str):
    """One request through `app`, body read and closed as a server does."""
    client = Client(app)
    response = client.get(path)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def gate():
    gate = Gate()
    yield gate
    gate.open.set()


def test_requests_past_the_slots_wait_and_then_get_a_503_in_the_house_format(gate):
    app = Admission(gate, slots=1, wait_seconds=0.2)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(call, app, "/slow")
        assert gate.inside.acquire(timeout=5)

        api = call(app, "/api/v1/events")
        page = call(app, "/events")

        gate.open.set()
        assert slow.result(timeout=5).status_code == 200

    assert api.status_code == 503
    assert api.headers["Retry-After"] == "5"
    assert api.json == {"error": {"code": "busy", "message": api.json["error"]["message"]}}
    assert "try again" in api.json["error"]["message"]
    assert page.status_code == 503
    assert page.mimetype == "text/html"
    assert "try again" in page.get_data(as_text=True)


def test_a_waiting_request_runs_when_a_slot_comes_free(gate):
    app = Admission(gate, slots=1, wait_seconds=5)
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(call, app, "/slow")
        assert gate.inside.acquire(timeout=5)
        waiting = pool.submit(call, app, "/next")
        assert not waiting.done()
        gate.open.set()
        assert slow.result(timeout=5).status_code == 200
        assert waiting.result(timeout=5).status_code == 200


def test_slots_come_back_after_errors_and_after_bodies_are_read(gate):
    app = Admission(gate, slots=1, wait_seconds=0.2)
    with pytest.raises(RuntimeError):
        Client(app).get("/boom")
    for _ in range(3):  # read to the end without close, as some callers do
        assert Client(app).get("/fine").get_data() == b"ok"
    assert call(app, "/fine").status_code == 200


def test_socket_io_traffic_does_not_take_a_slot(gate):
    app = Admission(gate, slots=1, wait_seconds=0.2)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(call, app, "/slow")
        assert gate.inside.acquire(timeout=5)
        assert call(app, "/socket.io/").status_code == 200
        gate.open.set()
        slow.result(timeout=5)


def test_the_pool_keeps_a_connection_for_every_slot_plus_spares(tmp_path):
    """Spares stay in the pool (no overflow connection opened and closed per burst); a
    SQLite file's connections are not pinged at checkout (they cannot go stale)."""
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'pool.db'}",
        MAX_CONCURRENT_REQUESTS=6,
        DATABASE_SPARE_CONNECTIONS=3,
    )
    with app.app_context():
        assert db.engine.pool.size() == 9
        assert db.engine.pool._max_overflow == 0
        db.engine.dispose()
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    assert TestingConfig.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is True  # PostgreSQL
    assert "pool_size" not in TestingConfig.SQLALCHEMY_ENGINE_OPTIONS  # not shared state


@pytest.fixture
def app_overrides():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}}


def test_no_free_database_connection_answers_503_not_500(app):
    client = app.test_client()
    with app.app_context(), db.engine.connect():  # holds the pool's only connection
        api = client.get("/api/v1/events", headers={"Authorization": "Bearer some-token"})
        page = client.get("/calendar/some-secret.ics")
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "5"
    assert api.json["error"]["code"] == "busy"
    assert page.status_code == 503
    assert "busy" in page.get_data(as_text=True)
