"""Race-safe writes against a real server process (`python wsgi.py`, threads), on SQLite and on
PostgreSQL: the same request fired many times at once stores one row and never answers 5xx.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.browser.live import DEMO_PASSWORD, LiveServer, live_server_on

ASKER = "priya@alongside.example"
ASKED = "sofia@alongside.example"  # another city: not connected in the demo data


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    live = live_server_on(request, tmp_path_factory, "race")
    yield live
    live.stop()


def token(server: LiveServer, email: str) -> dict[str, str]:
    response = requests.post(
        f"{server.url}/api/v1/tokens",
        json={"email": email, "password": DEMO_PASSWORD},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def member_id(server: LiveServer, headers: dict[str, str]) -> int:
    return requests.get(f"{server.url}/api/v1/me", headers=headers, timeout=10).json()["id"]


def connections_with(server: LiveServer, headers: dict[str, str], other_id: int) -> list[dict]:
    items = requests.get(
        f"{server.url}/api/v1/connections", headers=headers, params={"limit": 100}, timeout=10
    ).json()["items"]
    return [item for item in items if item["member"]["id"] == other_id]


def fire(calls) -> list[int]:
    """Run the calls at once on 20 threads; the statuses they got."""
    with ThreadPoolExecutor(max_workers=20) as pool:
        return [response.status_code for response in pool.map(lambda call: call(), calls)]


def test_the_same_connection_request_twenty_times_at_once_stores_one(server):
    asker, asked = token(server, ASKER), token(server, ASKED)
    asked_id = member_id(server, asked)
    assert connections_with(server, asker, asked_id) == []

    def ask():
        return requests.post(
            f"{server.url}/api/v1/connections",
            json={"user_id": asked_id, "message": "Coffee?"},
            headers=asker,
            timeout=30,
        )

    statuses = fire([ask] * 20)
    assert sorted(statuses) == [201] + [409] * 19, server.log(40, static=False)
    stored = connections_with(server, asker, asked_id)
    assert [(c["status"], c["direction"]) for c in stored] == [("pending", "outgoing")]


def test_two_members_asking_each_other_at_once_end_up_connected(server):
    first, second = (
        token(server, "lars@alongside.example"),
        token(server, "member@alongside.example"),
    )
    first_id, second_id = member_id(server, first), member_id(server, second)
    assert connections_with(server, first, second_id) == []  # different demo cities

    def ask(headers, other_id):
        return lambda: requests.post(
            f"{server.url}/api/v1/connections",
            json={"user_id": other_id},
            headers=headers,
            timeout=30,
        )

    statuses = fire([ask(first, second_id), ask(second, first_id)] * 10)
    assert all(status < 500 for status in statuses), statuses
    assert statuses.count(201) >= 1
    seen = connections_with(server, first, second_id)
    assert [(c["status"], c["direction"]) for c in seen] == [("accepted", "mutual")]
