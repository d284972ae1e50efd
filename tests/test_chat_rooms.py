"""Who is in which conversation's Socket.IO room, and how membership changes move open sockets:
the real Flask-SocketIO server with its test clients, one process, no Redis (so the socket
commands of `community.core.control` run at once in this process). The same commands across
two processes are in tests/test_chat_scale_out.py.
"""

from __future__ import annotations

import time

import pytest
from flask_socketio import SocketIO

from community.auth.models import User
from community.chat import services as chat
from community.chat.services import conversation_room
from community.connections import services as connections
from community.core import control
from community.core.errors import Forbidden, NotFound
from community.extensions import db, socketio
from config import TestingConfig


def user(ref) -> User:
    return db.session.get(User, ref.id)


def direct(a, b) -> int:
    conversation = chat.start_direct(user(a), b.id)
    db.session.commit()
    return conversation.id


def heard(client, conversation_id: int) -> bool:
    """Whether `client` gets what is emitted to the conversation's room now."""
    client.get_received()
    socketio.emit(
        "probe", {"conversation_id": conversation_id}, to=conversation_room(conversation_id)
    )
    return any(event["name"] == "probe" for event in client.get_received())


def test_connecting_joins_every_conversation_but_a_blocked_direct_one(
    app, member, make_user, make_socket_client
):
    friend, blocked_one, other = make_user(), make_user(), make_user()
    with app.app_context():
        with_friend = direct(member, friend)
        with_blocked = direct(member, blocked_one)
        group = chat.create_group_conversation(user(other), "Walks", [member.id]).id
        db.session.commit()
        elsewhere = direct(friend, other)
        connections.block(user(blocked_one), member.id)
        db.session.commit()
        assert chat.live_conversation_ids(member.id) == sorted([with_friend, group])
    client = make_socket_client(member)
    assert heard(client, with_friend) and heard(client, group)
    assert not heard(client, with_blocked)
    assert not heard(client, elsewhere)


def test_the_live_room_is_refused_to_strangers_and_across_a_block(ctx, member, make_user):
    friend, stranger = make_user(), make_user()
    cid = direct(member, friend)
    assert chat.live_room(user(member), cid).id == cid
    with pytest.raises(NotFound):
        chat.live_room(user(stranger), cid)
    connections.block(user(member), friend.id)
    db.session.commit()
    for who in (member, friend):
        with pytest.raises(Forbidden):
            chat.live_room(user(who), cid)


def test_a_block_takes_both_out_of_the_room_and_unblocking_brings_them_back(
    app, member, make_user, make_socket_client
):
    friend = make_user()
    with app.app_context():
        cid = direct(member, friend)
    mine, theirs = make_socket_client(member), make_socket_client(friend)
    assert heard(mine, cid) and heard(theirs, cid)
    with app.app_context():
        connections.block(user(friend), member.id)
        assert heard(mine, cid), "nothing moves before the commit"
        db.session.commit()
    assert not heard(mine, cid) and not heard(theirs, cid)
    assert not any(e["name"] == "conversation:removed" for e in mine.get_received())
    with app.app_context():
        connections.unblock(user(friend), member.id)
        db.session.commit()
    assert heard(mine, cid) and heard(theirs, cid)


def test_unblocking_one_way_keeps_them_out_while_the_other_block_stands(
    app, member, make_user, make_socket_client
):
    friend = make_user()
    with app.app_context():
        cid = direct(member, friend)
    mine = make_socket_client(member)
    with app.app_context():
        connections.block(user(friend), member.id)
        connections.block(user(member), friend.id)
        db.session.commit()
        connections.unblock(user(friend), member.id)
        db.session.commit()
    assert not heard(mine, cid)


def test_added_members_hear_at_once_and_removed_ones_are_told_and_hear_no_more(
    app, member, make_user, make_socket_client
):
    owner, first = make_user(), make_user()
    with app.app_context():
        cid = chat.create_group_conversation(user(owner), "Walks", [first.id]).id
        db.session.commit()
    client = make_socket_client(member)
    assert not heard(client, cid)
    with app.app_context():
        chat.add_members(user(owner), cid, [member.id])
        db.session.rollback()  # a rolled-back add moves nobody
    assert not heard(client, cid)
    with app.app_context():
        chat.add_members(user(owner), cid, [member.id])
        db.session.commit()
    assert heard(client, cid)
    with app.app_context():
        chat.remove_member(user(owner), cid, member.id)
        db.session.commit()
    removed = {"name": "conversation:removed", "args": [{"conversation_id": cid}], "namespace": "/"}
    assert removed in client.get_received()
    assert not heard(client, cid)


def test_a_new_direct_conversation_puts_both_members_open_sockets_in_its_room(
    app, member, make_user, make_socket_client
):
    friend = make_user()
    mine, theirs = make_socket_client(member), make_socket_client(friend)
    with app.app_context():
        cid = direct(friend, member)
    assert heard(mine, cid) and heard(theirs, cid)


@pytest.mark.parametrize(
    "command",
    [
        None,
        "disconnect",
        {"command": "explode", "args": {}},
        {"command": "disconnect", "args": []},
        {"command": "disconnect", "args": {"room": "user:1", "extra": 1}},
    ],
)
def test_unknown_or_malformed_socket_commands_are_ignored(ctx, command):
    assert control.run(command) is False


def test_a_socket_command_without_redis_acts_in_this_process_at_once(
    app, member, make_user, make_socket_client
):
    client, bystander = make_socket_client(member), make_socket_client(make_user())
    with app.app_context():
        control.disconnect(f"user:{member.id}")
    assert not client.is_connected()
    assert bystander.is_connected()


def test_healthz_names_redis_and_the_queue_listener_when_down(other_app):
    app = other_app(TestingConfig)
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "unreachable",
        "queue_listener": "down",
    }


@pytest.mark.redis
def test_socket_commands_from_another_process_arrive_through_the_queue(other_app, redis_url):
    app = other_app(TestingConfig, REDIS_URL=redis_url)
    assert isinstance(socketio.server.manager, control.QueueManager)
    assert control.queue_status() == "ok"
    assert app.test_client().get("/healthz").get_json()["redis"] == "ok"
    ran: list[str] = []
    control.COMMANDS["test-echo"] = lambda text: ran.append(text)
    elsewhere = SocketIO(message_queue=redis_url)  # another process's publisher
    try:
        command = {"command": "test-echo", "args": {"text": "through Redis"}}
        deadline = time.monotonic() + 10
        while not ran and time.monotonic() < deadline:  # until the listener has subscribed
            elsewhere.emit(control.COMMAND_EVENT, command, to=control.COMMAND_ROOM)
            time.sleep(0.2)
        assert ran[:1] == ["through Redis"]
        with app.app_context():  # and here, at once, when sent from this process
            ran.clear()
            control.send("test-echo", text="here")
            assert ran[0] == "here"
    finally:
        control.COMMANDS.pop("test-echo", None)
        elsewhere.server.manager.redis.close()
