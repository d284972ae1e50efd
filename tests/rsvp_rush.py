"""A crowd RSVPing at once over HTTP to a real server: shared by the concurrency proof
(tests/test_events_concurrency.py) and the events benchmark (bench/events.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

from tests.browser.live import DEMO_PASSWORD, REPO_ROOT, LiveServer

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


def make_members(server: LiveServer, prefix: str, count: int = MEMBERS) -> list[dict[str, str]]:
    """`count` (MEMBERS) new members in the server's database; their Authorization headers."""
    proc = subprocess.run(
        [sys.executable, "-c", _MAKE_MEMBERS, str(count), prefix],
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


def new_event(
    server: LiveServer, host: dict[str, str], guests_allowed: int, **extra: object
) -> int:
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
        **extra,
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
