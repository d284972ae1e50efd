"""Notifications in the scale-out shape (#17): two app processes on one PostgreSQL database
and one Redis (the shared cluster of tests/cluster.py). A connection request sent through
process A reaches the member's bell on process B live, once, and only theirs; a member whose
socket was away catches up on B with what was made through A meanwhile. Members of their
own, so the cluster's other tests are unaffected.
"""

from __future__ import annotations

import time

import pytest

from tests.chat_live import Chat, login, people, post_form

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def socket_of(crowd, base_url: str, member) -> Chat:
    session = login(base_url, member.email, member.password)
    crowd.sessions.append(session)
    sock = Chat(base_url, session.cookies.get("session")).connect()
    crowd.chats.append(sock)
    return sock


def ask(crowd, base_url: str, asker, member) -> None:
    """`asker` asks `member` to connect through the page form on `base_url`."""
    session = login(base_url, asker.email, asker.password)
    crowd.sessions.append(session)
    answer = post_form(session, base_url, f"/members/{member.id}/connect")
    assert answer.status_code in (302, 303), answer.status_code


def test_a_notification_made_through_one_process_reaches_the_bell_on_the_other(cluster):
    a, b = cluster.a, cluster.b
    member, asker, bystander = (cluster.new_member() for _ in range(3))
    with people() as crowd:
        bell = socket_of(crowd, b.url, member)
        elsewhere = socket_of(crowd, a.url, bystander)
        ask(crowd, a.url, asker, member)
        got = bell.wait_for("notification:new", lambda data: data["kind"] == "connection.requested")
        assert got["read"] is False and got["url"]
        time.sleep(0.3)  # anything doubled would have arrived by now
        assert len(bell.received("notification:new")) == 1
        assert elsewhere.received("notification:new") == []


def test_catch_up_on_one_process_returns_what_was_made_through_the_other(cluster):
    a, b = cluster.a, cluster.b
    member = cluster.new_member()
    askers = [cluster.new_member() for _ in range(3)]
    with people() as crowd:
        first = socket_of(crowd, b.url, member)
        answer = first.call("notifications:sync", {"after_id": 0})
        assert answer["ok"] and answer["notifications"] == []
        first.close()
        for asker in askers:  # while the member's phone sleeps
            ask(crowd, a.url, asker, member)
        again = socket_of(crowd, b.url, member)
        answer = again.call("notifications:sync", {"after_id": 0})
        assert answer["ok"] and not answer["has_more"]
        assert [n["kind"] for n in answer["notifications"]] == ["connection.requested"] * 3
        assert answer["unread"] == 3
