"""Chat in the scale-out shape for real: two app processes (`python wsgi.py`) on one PostgreSQL
database and one Redis, members' `python-socketio` clients over WebSocket on either. What is
sent through one process reaches sockets on the other; retries stay idempotent across them;
catch-up works whichever process a client returns to; a logout, a block or a removal on one
process reaches sockets held by the other at once; concurrent senders leave no gap.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests

from community.chat import services as chat
from community.extensions import db
from tests.chat_live import LARS, MIA, PRIYA, SOFIA, Chat, people, post_form, user

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def direct(app, a: str, b: str) -> int:
    with app.app_context():
        conversation = chat.start_direct(user(a), user(b).id)
        db.session.commit()
        return conversation.id


def test_healthz_reports_redis_and_the_queue_listener_on_every_process(cluster):
    for server in cluster.servers:
        report = requests.get(f"{server.url}/healthz", timeout=10).json()
        assert report == {
            "status": "ok",
            "database": "ok",
            "redis": "ok",
            "queue_listener": "ok",
        }


def test_a_member_on_one_process_gets_what_is_sent_through_the_other(cluster):
    a, b, app = cluster.a, cluster.b, cluster.app
    conversation_id = direct(app, MIA, PRIYA)
    with people() as crowd:
        mia, priya = crowd.chat(a.url, MIA), crowd.chat(b.url, PRIYA)
        answer = priya.send(conversation_id, "Sent through B")
        assert answer["ok"] and answer["created"]
        got = mia.wait_for("message:new", lambda data: data["id"] == answer["message"]["id"])
        assert got == answer["message"]
        reply = mia.send(conversation_id, "Read on A, answered through A")
        priya.wait_for("message:new", lambda data: data["id"] == reply["message"]["id"])


def test_retries_racing_through_both_processes_store_one_message(cluster):
    a, b, app = cluster.a, cluster.b, cluster.app
    conversation_id = direct(app, MIA, SOFIA)
    with people() as crowd:
        devices = [crowd.chat(a.url, MIA), crowd.chat(b.url, MIA)]
        history, _pages = devices[0].sync_all(conversation_id)  # the demo's messages
        seen = max((message["seq"] for message in history), default=0)
        for attempt in range(3):
            client_id = f"x-{attempt}-{uuid.uuid4().hex[:8]}"
            answers: list[dict] = []
            start = threading.Barrier(2)

            def send(device: Chat, client_id=client_id, start=start, answers=answers) -> None:
                start.wait()
                answers.append(device.send(conversation_id, "Retry me", client_id))

            threads = [threading.Thread(target=send, args=(device,)) for device in devices]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(20)
            assert all(answer["ok"] for answer in answers), answers
            assert sorted(answer["created"] for answer in answers) == [False, True]
            assert len({answer["message"]["id"] for answer in answers}) == 1
        messages, _pages = devices[0].sync_all(conversation_id, seen)
        assert len(messages) == 3


def test_catch_up_on_the_other_process_after_a_disconnect(cluster):
    a, b, app = cluster.a, cluster.b, cluster.app
    conversation_id = direct(app, LARS, SOFIA)
    with people() as crowd:
        lars = crowd.chat(a.url, LARS)
        kept = lars.send(conversation_id, "Keep")["message"]
        doomed = lars.send(conversation_id, "Drop")["message"]
        sofia = crowd.chat(a.url, SOFIA)
        seen = sofia.call("join", {"conversation_id": conversation_id})["last_seq"]
        sofia.close()
        for n in range(120):
            assert lars.send(conversation_id, f"while away {n}")["ok"]
        assert lars.call(
            "message:edit",
            {"conversation_id": conversation_id, "message_id": kept["id"], "body": "Kept!"},
        )["ok"]
        assert lars.call(
            "message:delete", {"conversation_id": conversation_id, "message_id": doomed["id"]}
        )["ok"]
        sofia = crowd.chat(b.url, SOFIA)
        changes, pages = sofia.sync_all(conversation_id, seen)
    assert pages == 2
    assert [m["seq"] for m in changes] == list(range(seen + 1, seen + 123))
    assert [m["body"] for m in changes[:120]] == [f"while away {n}" for n in range(120)]
    assert (changes[120]["id"], changes[120]["body"]) == (kept["id"], "Kept!")
    assert (changes[121]["id"], changes[121]["deleted"]) == (doomed["id"], True)


def test_logout_on_one_process_disconnects_sockets_on_both(cluster):
    a, b = cluster.servers
    with people() as crowd:
        session = crowd.session(b.url, PRIYA, fresh=True)
        on_a = crowd.chat(a.url, PRIYA, session=session)
        on_b = crowd.chat(b.url, PRIYA, session=session)
        bystander = crowd.chat(a.url, SOFIA)
        assert post_form(session, b.url, "/auth/logout").status_code == 302
        crowd.forget(PRIYA)  # the logout ended every session of Priya
        assert on_a.wait_disconnected(5), "the socket on the other process stayed connected"
        assert on_b.wait_disconnected(5)
        assert bystander.connected


def test_a_block_on_one_process_takes_sockets_on_the_other_out_of_the_room(cluster):
    a, b, app = cluster.a, cluster.b, cluster.app
    conversation_id = direct(app, MIA, LARS)
    with app.app_context():
        lars_id = user(LARS).id
    with people() as crowd:
        session = crowd.session(b.url, MIA)
        mia = crowd.chat(b.url, MIA, session=session)
        lars = crowd.chat(a.url, LARS)
        old = mia.send(conversation_id, "Before")["message"]
        lars.wait_for("message:new", lambda data: data["id"] == old["id"])
        assert post_form(session, b.url, f"/members/{lars_id}/block").status_code == 302
        edit = {"conversation_id": conversation_id, "message_id": old["id"], "body": "After"}
        assert mia.call("message:edit", edit)["ok"]  # both left the room: neither hears it
        time.sleep(0.7)
        assert lars.received("message:updated") == mia.received("message:updated") == []
        assert post_form(session, b.url, f"/members/{lars_id}/unblock").status_code == 302
        again = mia.call("message:edit", {**edit, "body": "Friends again"})["message"]
        lars.wait_for("message:updated", lambda data: data["seq"] == again["seq"])


def test_membership_changes_made_anywhere_reach_open_sockets_on_every_process(cluster):
    a, b, app = cluster.a, cluster.b, cluster.app
    with people() as crowd:
        sofia_a, sofia_b = crowd.chat(a.url, SOFIA), crowd.chat(b.url, SOFIA)
        lars = crowd.chat(a.url, LARS)
        with app.app_context():  # a third process (here the test's) starts a conversation
            conversation_id = chat.create_group_conversation(
                user(LARS), "Book swap", [user(SOFIA).id]
            ).id
            db.session.commit()
        first = lars.send(conversation_id, "Welcome to the book swap")["message"]
        for socket in (sofia_a, sofia_b):
            socket.wait_for("message:new", lambda data: data["id"] == first["id"])
        with app.app_context():
            chat.remove_member(user(LARS), conversation_id, user(SOFIA).id)
            db.session.commit()
        # Sent at once after the removal (no waiting for it to travel): commands and events
        # share one queue, so it reaches every process after Sofia's sockets left the room.
        later = lars.send(conversation_id, "Only me now")["message"]
        lars.wait_for("message:new", lambda data: data["id"] == later["id"])
        for socket in (sofia_a, sofia_b):
            assert socket.wait_for("conversation:removed") == {"conversation_id": conversation_id}
        for socket in (sofia_a, sofia_b):
            assert [m["id"] for m in socket.received("message:new")] == [first["id"]]


def test_concurrent_senders_through_both_processes_leave_no_gap(cluster):
    a, b, app = cluster.a, cluster.b, cluster.app
    senders = (MIA, PRIYA, LARS, SOFIA)
    with app.app_context():
        owner, *others = (user(email) for email in senders)
        conversation_id = chat.create_group_conversation(
            owner, "Everyone at once", [o.id for o in others]
        ).id
        db.session.commit()
    per_thread = 10
    with people() as crowd:
        observer = crowd.chat(a.url, MIA)
        sockets = [crowd.chat(server.url, email) for email in senders for server in (a, b)]
        start = threading.Barrier(len(sockets))
        failures: list[dict] = []

        def send(socket: Chat, n: int) -> None:
            start.wait()
            for i in range(per_thread):
                answer = socket.send(conversation_id, f"thread {n} message {i}")
                if not answer["ok"]:
                    failures.append(answer)

        threads = [threading.Thread(target=send, args=(s, n)) for n, s in enumerate(sockets)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert failures == []
        total = per_thread * len(sockets)
        messages, _pages = observer.sync_all(conversation_id, 0)
        seqs = [message["seq"] for message in messages]
        assert seqs == list(range(1, total + 1)), "a gap or a duplicate in the seqs"
        assert len({message["id"] for message in messages}) == total
        for n in range(len(sockets)):  # each sender's messages in the order it sent them
            mine = [m["body"] for m in messages if m["body"].startswith(f"thread {n} ")]
            assert mine == [f"thread {n} message {i}" for i in range(per_thread)]
        deadline = time.monotonic() + 20  # live delivery of everything too, each once
        while len(observer.received("message:new")) < total and time.monotonic() < deadline:
            time.sleep(0.1)
        live = [data["seq"] for data in observer.received("message:new")]
        assert sorted(live) == list(range(1, total + 1))
