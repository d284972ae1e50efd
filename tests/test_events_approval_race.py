"""Approval under concurrency (#18), against a real server process on SQLite and on
PostgreSQL: 100 members ask to come to an event of 20 seats that needs approval, then a
host accepts all 100 requests at once over HTTP.

Accepting takes seats through the same path as a direct RSVP (`take_seats_or_wait` under
`lock_row(event)`), so exactly 20 go, the other 80 are waitlisted in the order their accepts
got the lock (each answer's position is the final one), nothing answers 5xx and
`seats_taken` is 20. The wall time and accepts per second are printed (`-s`).
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.browser.live import live_server_on
from tests.rsvp_rush import make_members, new_event, organiser, rush

ASKERS = 100
SEATS = 20


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    live = live_server_on(request, tmp_path_factory, "approval_race")
    yield live
    live.stop()


def accept_all(server, host, event_id: int, user_ids: list[int]):
    """Every request accepted at once (one thread each); the answers and the wall time."""

    def one(user_id: int):
        url = f"{server.url}/api/v1/events/{event_id}/requests/{user_id}/accept"
        try:
            response = requests.post(url, headers=host, timeout=600)
        except requests.RequestException as error:
            return (599, {"error": repr(error)}, user_id)
        return (response.status_code, response.json() if response.content else {}, user_id)

    with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
        started = time.perf_counter()
        answers = list(pool.map(one, user_ids))
        elapsed = time.perf_counter() - started
    return answers, elapsed


def test_a_hundred_accepts_at_once_fill_twenty_seats_exactly(server):
    host = organiser(server)
    members = make_members(server, f"ask{uuid.uuid4().hex[:6]}", ASKERS)
    event_id = new_event(server, host, 0, capacity=SEATS, requires_approval=True)

    asked, ask_time = rush(server, event_id, [(headers, 0) for headers in members])
    assert {status for status, _b, _g in asked} == {201}, server.log(40, static=False)
    assert {body["status"] for _s, body, _g in asked} == {"requested"}
    pending = requests.get(
        f"{server.url}/api/v1/events/{event_id}/requests", headers=host, timeout=30
    ).json()["items"]
    assert len(pending) == ASKERS
    seats = requests.get(f"{server.url}/api/v1/events/{event_id}", headers=host, timeout=30)
    assert seats.json()["seats_taken"] == 0  # requests hold no seat

    answers, elapsed = accept_all(server, host, event_id, [row["user_id"] for row in pending])
    errors = sum(1 for status, _b, _u in answers if status >= 500)
    going = [user for _s, body, user in answers if body.get("status") == "going"]
    waiting = {user: body["position"] for _s, body, user in answers if body.get("position")}
    print(
        f"\n[{server.backend}] {ASKERS} requests at once: {ask_time:.2f} s; "
        f"{ASKERS} accepts at once for {SEATS} seats: {len(going)} going, {len(waiting)} "
        f"waitlisted, {errors} errors (5xx); {elapsed:.2f} s wall, "
        f"{ASKERS / elapsed:.1f} accepts/s"
    )
    assert {status for status, _b, _u in answers} == {200}, server.log(40, static=False)
    assert len(going) == SEATS
    assert sorted(waiting.values()) == list(range(1, ASKERS - SEATS + 1))

    event = requests.get(f"{server.url}/api/v1/events/{event_id}", headers=host, timeout=30)
    assert event.json()["seats_taken"] == SEATS and event.json()["seats_left"] == 0
    listed = requests.get(
        f"{server.url}/api/v1/events/{event_id}/attendees", headers=host, timeout=30
    ).json()["items"]
    assert sorted(row["user_id"] for row in listed if row["status"] == "going") == sorted(going)
    # The waitlist is in the order the accepts got the lock: each answer's position holds.
    final = {row["user_id"]: row["position"] for row in listed if row["status"] == "waitlisted"}
    assert final == waiting
