"""The issue's concurrency proof, against a real server process (`python wsgi.py`, threads) on
SQLite and on PostgreSQL: 200 members RSVP at once to an event of 50 seats, over HTTP.

Exactly 50 go and 150 wait, nothing answers 5xx, and `seats_taken` is 50; with random
party sizes the seats taken never pass the capacity and equal the going parties' seats.
The wall time and RSVPs per second are printed (run with `-s` to see them).

The 200 members are created in the server's database by a short helper process with the
server's own settings (the account services and `issue_token`), as 200 logins through
POST /api/v1/tokens would meet its rate limit; the organiser logs in through the API.

The server is the one `make run` starts, with its admission control (at most
MAX_CONCURRENT_REQUESTS requests inside the app, the rest waiting at the door): without it,
200 threads each held a database connection while queued on the event's row lock, the pool
ran dry after 30 s and the last requests failed with 500s (never with a wrong seat count).
"""

from __future__ import annotations

import random
import uuid

import pytest
import requests

from tests.browser.live import live_server_on
from tests.rsvp_rush import CAPACITY, MEMBERS, make_members, new_event, organiser, report, rush


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    live = live_server_on(request, tmp_path_factory, "rsvp_rush")
    yield live
    live.stop()


def test_two_hundred_rsvps_at_once_fill_fifty_seats_exactly(server):
    host = organiser(server)
    members = make_members(server, f"solo{uuid.uuid4().hex[:6]}")
    event_id = new_event(server, host, guests_allowed=0)

    answers, elapsed = rush(server, event_id, [(headers, 0) for headers in members])
    report(server, "single seats", answers, elapsed)

    statuses = sorted({status for status, _b, _g in answers})
    assert statuses == [201], (statuses, server.log(40, static=False))
    results = [body["status"] for _s, body, _g in answers]
    assert results.count("going") == CAPACITY
    assert results.count("waitlisted") == MEMBERS - CAPACITY
    positions = sorted(body["position"] for _s, body, _g in answers if body["position"])
    assert positions == list(range(1, MEMBERS - CAPACITY + 1))
    event = requests.get(f"{server.url}/api/v1/events/{event_id}", headers=host, timeout=30)
    assert event.json()["seats_taken"] == CAPACITY
    assert event.json()["seats_left"] == 0


def test_random_party_sizes_at_once_never_overbook(server):
    host = organiser(server)
    members = make_members(server, f"party{uuid.uuid4().hex[:6]}")
    event_id = new_event(server, host, guests_allowed=3)
    chance = random.Random(14)
    parties = [(headers, chance.randint(0, 3)) for headers in members]

    answers, elapsed = rush(server, event_id, parties)
    report(server, "parties of 1-4", answers, elapsed)

    assert all(status == 201 for status, _b, _g in answers), server.log(40, static=False)
    going_seats = sum(1 + guests for _s, body, guests in answers if body["status"] == "going")
    assert going_seats <= CAPACITY
    for _s, body, guests in answers:
        assert body["seats"] == 1 + guests

    event = requests.get(f"{server.url}/api/v1/events/{event_id}", headers=host, timeout=30)
    attendees = requests.get(
        f"{server.url}/api/v1/events/{event_id}/attendees", headers=host, timeout=30
    ).json()["items"]
    going = [row for row in attendees if row["status"] == "going"]
    seats_taken = event.json()["seats_taken"]
    assert seats_taken <= CAPACITY
    assert seats_taken == sum(row["seats"] for row in going) == going_seats
    assert len(attendees) == MEMBERS
    # First fit: once the event is full enough, no waiting party would have fitted.
    smallest_waiting = min(
        (row["seats"] for row in attendees if row["status"] == "waitlisted"), default=None
    )
    if smallest_waiting is not None:
        assert seats_taken + smallest_waiting > CAPACITY
