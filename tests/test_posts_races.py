"""Race-safe "helpful" counts against a real server process (`python wsgi.py`, threads), on
SQLite and on PostgreSQL: the same reaction sent many times at once counts once, several
members at once count exactly, and marks and undos mixed at once leave the count equal to
the rows. Nothing answers 5xx."""

from __future__ import annotations

import pytest
import requests

from tests.browser.live import live_server_on
from tests.test_races import fire, token

MEMBERS = (
    "member@alongside.example",
    "priya@alongside.example",
    "lars@alongside.example",
    "sofia@alongside.example",
    "organiser@alongside.example",
    "moderator@alongside.example",
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    live = live_server_on(request, tmp_path_factory, "posts_race")
    yield live
    live.stop()


def new_post(server, headers) -> int:
    response = requests.post(
        f"{server.url}/api/v1/posts",
        json={"kind": "offer", "title": "Race me", "body": "Counted once each."},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def helpful_count(server, headers, post_id) -> int:
    response = requests.get(f"{server.url}/api/v1/posts/{post_id}", headers=headers, timeout=30)
    return response.json()["helpful_count"]


def test_one_member_twenty_times_at_once_counts_once(server):
    author = token(server, "admin@alongside.example")
    member = token(server, MEMBERS[0])
    post_id = new_post(server, author)

    def mark():
        return requests.post(
            f"{server.url}/api/v1/posts/{post_id}/helpful", headers=member, timeout=30
        )

    statuses = fire([mark] * 20)
    assert statuses == [200] * 20, server.log(40, static=False)
    assert helpful_count(server, author, post_id) == 1


def test_many_members_at_once_and_undos_keep_the_count_exact(server):
    author = token(server, "admin@alongside.example")
    members = [token(server, email) for email in MEMBERS]
    post_id = new_post(server, author)

    def call(method, headers):
        return lambda: requests.request(
            method, f"{server.url}/api/v1/posts/{post_id}/helpful", headers=headers, timeout=30
        )

    statuses = fire([call("POST", headers) for headers in members] * 3)
    assert statuses == [200] * (3 * len(members)), server.log(40, static=False)
    assert helpful_count(server, author, post_id) == len(members)
    # the first three take theirs back while the others mark again, all at once
    calls = [call("DELETE", headers) for headers in members[:3]] * 3
    calls += [call("POST", headers) for headers in members[3:]] * 3
    assert all(status == 200 for status in fire(calls))
    assert helpful_count(server, author, post_id) == len(members) - 3
