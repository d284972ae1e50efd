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

import json
import random
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.browser.live import DEMO_PASSWORD, REPO_ROOT, LiveServer, live_server_on

ORGANISER = "organiser@alongside.example"
MEMBERS = 200
CAPACITY = 50

# Run by the helper process: create MEMBERS confirmed accounts and print a token for each.
_MAKE_MEMBERS = """
import json, sys
from community import create_app
from community.auth.api_tokens import issue_token
from community.auth.services import create_account
from community.extensions import db

app = create_app()
app.config.update(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST_KIB=8, ARGON2_PARALLELISM=1)
count, prefix = int(sys.argv[1]), sys.argv[2]
tokens = []
with app.app_context():
    for n in range(count):
        user = create_account(
            f"{prefix}{n}@example.org", f"Rush {prefix} {n}", "a long rush password 77",
            confirmed=True,
        )
        db.session.flush()
        tokens.append(issue_token(user, "concurrency test"))
    db.session.commit()
print(json.dumps(tokens))
"""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    live = live_server_on(request, tmp_path_factory, "rsvp_rush")
    yield live
    live.stop()


def make_members(server: LiveServer, prefix: str) -> list[dict[str, str]]:
    """MEMBERS new members in the server's database; their Authorization headers."""
    proc = subprocess.run(
        [sys.executable, "-c", _MAKE_MEMBERS, str(MEMBERS), prefix],
        cwd=REPO_ROOT,
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    tokens = json.loads(proc.stdout.strip().splitlines()[-1])
    return [{"Authorization": f"Bearer {token}"} for token in tokens]


def organiser(server: LiveServer) -> dict[str, str]:
    response = requests.post(
        f"{server.url}/api/v1/tokens",
        json={"email": ORGANISER, "password": DEMO_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def new_event(server: LiveServer, host: dict[str, str], guests_allowed: int) -> int:
    starts = (datetime.now(UTC) + timedelta(days=14)).replace(microsecond=0)
    body = {
        "title": f"Rush hour {uuid.uuid4().hex[:6]}",
        "category": "networking",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "timezone": "Europe/Copenhagen",
        "venue": "Nyhavn 17, Copenhagen",
        "capacity": CAPACITY,
        "guests_allowed": guests_allowed,
    }
    response = requests.post(f"{server.url}/api/v1/events", json=body, headers=host, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def rush(server: LiveServer, event_id: int, parties: list[tuple[dict[str, str], int]]):
    """Every party RSVPs at once (one thread each); the answers and the wall time."""
    url = f"{server.url}/api/v1/events/{event_id}/rsvp"

    def one(party):
        headers, guests = party
        try:
            response = requests.post(url, json={"guests": guests}, headers=headers, timeout=600)
        except requests.RequestException as error:  # counted as an error below
            return (599, {"error": repr(error)}, guests)
        body = response.json() if response.content else {}
        return (response.status_code, body, guests)

    with ThreadPoolExecutor(max_workers=len(parties)) as pool:
        started = time.perf_counter()
        answers = list(pool.map(one, parties))
        elapsed = time.perf_counter() - started
    return answers, elapsed


def report(server: LiveServer, label: str, answers, elapsed: float) -> None:
    going = sum(1 for status, body, _g in answers if body.get("status") == "going")
    waiting = sum(1 for status, body, _g in answers if body.get("status") == "waitlisted")
    errors = sum(1 for status, _b, _g in answers if status >= 500)
    print(
        f"\n[{server.backend}] {label}: {len(answers)} RSVPs at once: {going} going, "
        f"{waiting} waitlisted, {errors} errors (5xx); {elapsed:.2f} s wall, "
        f"{len(answers) / elapsed:.1f} RSVPs/s"
    )


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
