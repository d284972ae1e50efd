"""The chat socket contract against a real server process (`python wsgi.py` on SQLite) and real
`python-socketio` clients over WebSocket: delivery with acks, idempotent retries (racing
too), catch-up after a disconnect, access, rates, and logout, blocks and membership changes
reaching open sockets at once.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import socketio
from sqlalchemy import func, select

from community.auth.roles import UserStatus
from community.auth.sessions import revoke_all_sessions
from community.chat import services as chat
from community.chat.models import Message
from community.extensions import db
from community.groups import services as groups
from tests.browser.live import seeded_live_server
from tests.chat_live import (
    COORDINATOR,
    LARS,
    MIA,
    MODERATOR,
    ORGANISER,
    PRIYA,
    SOFIA,
    Chat,
    data_app,
    people,
    post_form,
    user,
)


@pytest.fixture(scope="module")
def live(request, tmp_path_factory):
    server = seeded_live_server(request, tmp_path_factory.mktemp("chat-sockets"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(live):
    app = data_app(f"sqlite:///{live.database}")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def moderator(live):
    """One socket for the payload checks (each parameter a new event on it)."""
    with people() as crowd:
        yield crowd.chat(live.url, MODERATOR)


def direct(app, a: str, b: str) -> int:
    with app.app_context():
        conversation = chat.start_direct(user(a), user(b).id)
        db.session.commit()
        return conversation.id


def stored(app, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Message).filter_by(**where))


def test_a_message_reaches_the_other_member_and_the_ack_carries_its_seq(live, app):
    conversation_id = direct(app, MIA, PRIYA)
    with people() as crowd:
        mia, priya = crowd.chat(live.url, MIA), crowd.chat(live.url, PRIYA)
        before = mia.call("join", {"conversation_id": conversation_id})
        assert before["ok"]
        answer = mia.send(conversation_id, "Which school has places? <b>", "c-1")
        assert answer["ok"] and answer["created"]
        message = answer["message"]
        assert message["seq"] == before["last_seq"] + 1
        assert message["body"] == "Which school has places? <b>"
        assert message["client_id"] == "c-1"
        got = priya.wait_for("message:new", lambda data: data["id"] == message["id"])
        assert got == message
        read = priya.call("read", {"conversation_id": conversation_id, "seq": message["seq"]})
        assert read == {"ok": True, "seq": message["seq"]}
        seen = mia.wait_for("read", lambda data: data["user_id"] != message["sender_id"])
        assert seen["seq"] == message["seq"]


def test_a_retry_with_the_same_client_id_stores_one_message(live, app):
    conversation_id = direct(app, MIA, PRIYA)
    client_id = uuid.uuid4().hex
    with people() as crowd:
        mia = crowd.chat(live.url, MIA)
        first = mia.send(conversation_id, "See you at nine", client_id)
        again = mia.send(conversation_id, "See you at nine", client_id)
        assert first["created"] and not again["created"]
        assert again["message"] == first["message"]
        other = mia.send(conversation_id, "See you at ten", client_id)
        assert other["ok"] is False
        assert other["error"]["code"] == "conflict"
        assert other["error"]["field"] == "client_id"
    assert stored(app, client_id=client_id) == 1


def test_two_retries_racing_from_two_devices_store_one_message(live, app):
    conversation_id = direct(app, MIA, PRIYA)
    with people() as crowd:
        devices = [crowd.chat(live.url, MIA) for _ in range(2)]
        for attempt in range(3):
            client_id = f"race-{attempt}-{uuid.uuid4().hex[:8]}"
            answers: list[dict] = []
            start = threading.Barrier(len(devices))

            def send(device: Chat, client_id=client_id, start=start, answers=answers) -> None:
                start.wait()
                answers.append(device.send(conversation_id, "On my way", client_id))

            threads = [threading.Thread(target=send, args=(device,)) for device in devices]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(20)
            assert all(answer["ok"] for answer in answers), answers
            assert sorted(answer["created"] for answer in answers) == [False, True]
            assert len({answer["message"]["id"] for answer in answers}) == 1
            assert stored(app, client_id=client_id) == 1


def test_catch_up_after_a_disconnect_returns_every_change_once_in_order(live, app):
    conversation_id = direct(app, SOFIA, PRIYA)
    with people() as crowd:
        sofia = crowd.chat(live.url, SOFIA)
        kept = sofia.send(conversation_id, "Keep this one")["message"]
        doomed = sofia.send(conversation_id, "Delete this one")["message"]
        priya = crowd.chat(live.url, PRIYA)
        last_seen = priya.call("join", {"conversation_id": conversation_id})["last_seq"]
        priya.close()
        with app.app_context():  # meanwhile: 200 messages, an edit and a delete
            sofia_now = user(SOFIA)
            for n in range(200):
                chat.send_message(sofia_now, conversation_id, f"missed {n}", f"m-{uuid.uuid4()}")
                if n % 50 == 49:
                    db.session.commit()
            chat.edit_message(sofia_now, conversation_id, kept["id"], "Kept, and edited")
            db.session.commit()
            chat.delete_message(sofia_now, conversation_id, doomed["id"])
            db.session.commit()
        priya = crowd.chat(live.url, PRIYA)
        changes, pages = priya.sync_all(conversation_id, last_seen)
    assert pages == 3  # 202 changes, 100 a page, has_more on the first two
    seqs = [message["seq"] for message in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) == 202
    assert seqs == list(range(last_seen + 1, last_seen + 203))
    assert len({message["id"] for message in changes}) == 202
    assert [m["body"] for m in changes[:200]] == [f"missed {n}" for n in range(200)]
    edited, deleted = changes[200], changes[201]
    assert (edited["id"], edited["body"], edited["edited_at"] is not None) == (
        kept["id"],
        "Kept, and edited",
        True,
    )
    assert (deleted["id"], deleted["deleted"], deleted["body"]) == (doomed["id"], True, "")


def test_anonymous_and_foreign_origin_sockets_are_refused(live):
    with people() as crowd:
        anonymous = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            anonymous.connect(live.url, transports=["websocket"], wait_timeout=5)
        cookie = crowd.session(live.url, MIA).cookies.get("session")
        foreign = Chat(live.url, cookie, origin="https://evil.example")
        with pytest.raises(socketio.exceptions.ConnectionError):
            foreign.connect()
        foreign.close()
        assert Chat(live.url, cookie).connect().connected  # the same cookie from our origin


def test_a_non_member_cannot_join_sync_send_or_hear(live, app):
    conversation_id = direct(app, MIA, PRIYA)
    with people() as crowd:
        mia, lars = crowd.chat(live.url, MIA), crowd.chat(live.url, LARS)
        calls = {
            "join": {"conversation_id": conversation_id},
            "sync": {"conversation_id": conversation_id, "after_seq": 0},
            "read": {"conversation_id": conversation_id, "seq": 1},
            "message:send": {"conversation_id": conversation_id, "body": "hi", "client_id": "x1"},
        }
        for event, data in calls.items():
            answer = lars.call(event, data)
            assert answer["ok"] is False and answer["error"]["code"] == "not_found", event
        lars.client.emit("typing", {"conversation_id": conversation_id})
        sent = mia.send(conversation_id, "Only for Priya")["message"]
        mia.wait_for("message:new", lambda data: data["id"] == sent["id"])
        time.sleep(0.5)
        assert lars.received("message:new") == []
        assert mia.received("typing") == []
    assert stored(app, client_id="x1") == 0


@pytest.mark.parametrize(
    ("event", "data", "field"),
    [
        ("message:send", ["not", "an", "object"], None),
        (
            "message:send",
            {"conversation_id": "1", "body": "x", "client_id": "a"},
            "conversation_id",
        ),
        (
            "message:send",
            {"conversation_id": True, "body": "x", "client_id": "a"},
            "conversation_id",
        ),
        ("message:send", {"conversation_id": 1, "body": 5, "client_id": "a"}, "body"),
        ("message:send", {"conversation_id": 1, "body": "x" * 20000, "client_id": "a"}, "body"),
        ("message:send", {"conversation_id": 1, "body": "x", "client_id": "bad id!"}, "client_id"),
        ("sync", {"conversation_id": 1, "after_seq": -1}, "after_seq"),
        ("sync", {"conversation_id": 2**31, "after_seq": 0}, "conversation_id"),
        ("message:edit", {"conversation_id": 1, "message_id": 2**40, "body": "x"}, "message_id"),
        ("read", {"conversation_id": 1, "seq": "many"}, "seq"),
        ("message:react", {"conversation_id": 1, "message_id": 1, "emoji": "💩"}, "emoji"),
    ],
)
def test_bad_payloads_get_a_validation_error_not_a_disconnect(moderator, event, data, field):
    answer = moderator.call(event, data)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "validation_error"
    assert answer["error"]["field"] == field
    assert moderator.connected


def test_sending_too_fast_is_refused_with_rate_limited_and_the_socket_stays(live, app):
    conversation_id = direct(app, COORDINATOR, PRIYA)
    with people() as crowd:
        coordinator = crowd.chat(live.url, COORDINATOR)
        answers = [coordinator.send(conversation_id, f"flood {n}") for n in range(21)]
        assert all(answer["ok"] for answer in answers[:20])
        assert answers[20]["ok"] is False
        assert answers[20]["error"]["code"] == "rate_limited"
        assert coordinator.wait_for("error")["code"] == "rate_limited"
        assert coordinator.connected
        # Another device of the same member shares the budget.
        assert crowd.chat(live.url, COORDINATOR).send(conversation_id, "more")["ok"] is False
    assert stored(app, conversation_id=conversation_id) == 20


def test_logout_disconnects_the_members_open_sockets_at_once(live, app):
    conversation_id = direct(app, LARS, PRIYA)
    with people() as crowd:
        session = crowd.session(live.url, LARS, fresh=True)
        lars = crowd.chat(live.url, LARS, session=session)
        other_device = crowd.chat(live.url, LARS)
        priya = crowd.chat(live.url, PRIYA)
        assert post_form(session, live.url, "/auth/logout").status_code == 302
        crowd.forget(LARS)  # the logout ended every session of Lars
        assert lars.wait_disconnected(5) and other_device.wait_disconnected(5)
        assert priya.connected
        stale = Chat(live.url, session.cookies.get("session") or lars.cookie)
        with pytest.raises(socketio.exceptions.ConnectionError):
            stale.connect()
        stale.close()
        assert priya.send(conversation_id, "still here")["ok"]


def test_a_block_takes_the_pair_out_of_their_room_and_unblocking_brings_them_back(live, app):
    conversation_id = direct(app, SOFIA, LARS)
    with app.app_context():
        lars_id = user(LARS).id
    with people() as crowd:
        session = crowd.session(live.url, SOFIA)
        sofia = crowd.chat(live.url, SOFIA, session=session)
        lars = crowd.chat(live.url, LARS)
        old = sofia.send(conversation_id, "Before the block")["message"]
        lars.wait_for("message:new", lambda data: data["id"] == old["id"])
        assert post_form(session, live.url, f"/members/{lars_id}/block").status_code == 302
        refused = lars.send(conversation_id, "after the block")
        assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
        assert lars.call("join", {"conversation_id": conversation_id})["error"]["code"] == (
            "forbidden"
        )
        # What still changes in the conversation (an edit of an old message) reaches neither.
        edited = sofia.call(
            "message:edit",
            {"conversation_id": conversation_id, "message_id": old["id"], "body": "Edited"},
        )
        assert edited["ok"]
        lars.client.emit("typing", {"conversation_id": conversation_id})
        time.sleep(0.7)
        assert lars.received("message:updated") == []
        assert sofia.received("typing") == []
        assert post_form(session, live.url, f"/members/{lars_id}/unblock").status_code == 302
        again = sofia.call(
            "message:edit",
            {"conversation_id": conversation_id, "message_id": old["id"], "body": "Again"},
        )
        assert lars.wait_for("message:updated", lambda data: data["seq"] == again["message"]["seq"])


def test_joining_a_group_puts_open_sockets_in_its_room_and_leaving_takes_them_out(live, app):
    with app.app_context():
        group = groups.create_group(
            user(ORGANISER),
            groups.GroupData(name=f"Walkers {uuid.uuid4().hex[:6]}", description=""),
        )
        db.session.commit()
        slug = group.slug
        room_id = chat.room_of("group_id", group.id).id
    with people() as crowd:
        session = crowd.session(live.url, LARS)
        lars = crowd.chat(live.url, LARS, session=session)
        organiser = crowd.chat(live.url, ORGANISER)
        assert post_form(session, live.url, f"/groups/{slug}/join").status_code == 302
        sent = organiser.send(room_id, "Welcome, Lars!")["message"]
        assert lars.wait_for("message:new", lambda data: data["id"] == sent["id"])
        assert post_form(session, live.url, f"/groups/{slug}/leave").status_code == 302
        assert lars.wait_for("conversation:removed") == {"conversation_id": room_id}
        after = organiser.send(room_id, "Bye")["message"]
        organiser.wait_for("message:new", lambda data: data["id"] == after["id"])
        time.sleep(0.5)
        assert [m["id"] for m in lars.received("message:new")] == [sent["id"]]
        assert lars.call("sync", {"conversation_id": room_id, "after_seq": 0})["ok"] is False


def test_typing_is_relayed_to_the_others_at_most_once_per_interval(live, app):
    conversation_id = direct(app, MIA, SOFIA)
    with people() as crowd:
        mia, sofia = crowd.chat(live.url, MIA), crowd.chat(live.url, SOFIA)
        for _ in range(3):
            mia.client.emit("typing", {"conversation_id": conversation_id})
        got = sofia.wait_for("typing")
        assert got["conversation_id"] == conversation_id and got["name"] == "Mia Member"
        time.sleep(0.5)
        assert len(sofia.received("typing")) == 1
        assert mia.received("typing") == []


def test_a_socket_whose_session_ended_unseen_is_refused_at_its_next_event(live, app):
    """A logout whose disconnect never reached this socket (here: made by another process
    without a message queue) still ends it: every handler re-checks the session row."""
    conversation_id = direct(app, ORGANISER, PRIYA)
    with people() as crowd:
        organiser = crowd.chat(live.url, ORGANISER)
        assert organiser.send(conversation_id, "Is it still on?")["ok"]
        with app.app_context():
            revoke_all_sessions(user(ORGANISER))
            db.session.commit()
        crowd.forget(ORGANISER)
        organiser.client.emit(
            "message:send", {"conversation_id": conversation_id, "body": "Hi?", "client_id": "z"}
        )
        assert organiser.wait_for("error")["code"] == "unauthorized"
        assert organiser.wait_disconnected(5)
    assert stored(app, conversation_id=conversation_id) == 1


def test_a_suspended_members_open_socket_can_do_nothing_more(live, app):
    conversation_id = direct(app, COORDINATOR, LARS)
    with people() as crowd:
        coordinator = crowd.chat(live.url, COORDINATOR)
        with app.app_context():
            user(COORDINATOR).status = UserStatus.SUSPENDED
            db.session.commit()
        try:
            coordinator.client.emit("sync", {"conversation_id": conversation_id, "after_seq": 0})
            assert coordinator.wait_for("error")["code"] == "unauthorized"
            assert coordinator.wait_disconnected(5)
        finally:
            with app.app_context():
                user(COORDINATOR).status = UserStatus.ACTIVE
                db.session.commit()
