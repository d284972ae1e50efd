"""Presence (#17): online → away → offline by moving time, throttled writes, who may see it,
hiding it, the sweep, and the live `presence` event (through the real Socket.IO server with
Flask-SocketIO's client; tests/test_presence_live.py does it over WebSocket against a served
process). Every rule runs on both stores: the database and Redis (the real redis-server).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.connections import services as connections
from community.core.effects import pending_effects
from community.extensions import db
from community.presence import _Sweeper, services
from community.presence.models import MemberPresence
from community.presence.services import AWAY, OFFLINE, ONLINE
from community.presence.store import DatabaseStore, RedisStore
from community.profiles.services import ProfileData, update_profile

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture(params=["database", "redis"])
def store(request, app):
    """Each store, in the test's app context."""
    if request.param == "database":
        return DatabaseStore()
    url = request.getfixturevalue("redis_url")
    return RedisStore(url, keep=1020)


def user(ref) -> User:
    return db.session.get(User, ref.id)


def set_visibility(ref, visibility: str) -> None:
    update_profile(user(ref), ProfileData(visibility=visibility))
    db.session.commit()


def connect_pair(a, b) -> None:
    request = connections.send_request(user(a), b.id)
    db.session.commit()
    connections.accept_request(user(b), request.id)
    db.session.commit()


def beat(ref, seconds: float, store) -> bool:
    written = services.heartbeat(user(ref), now=at(seconds), store=store)
    db.session.commit()
    return written


# --- states by moving time --------------------------------------------------------------------


def test_online_then_away_then_offline_as_time_moves(db, store, member, make_user):
    viewer = make_user()
    assert services.statuses(user(viewer), [member.id], now=at(0), store=store) == {
        member.id: OFFLINE
    }
    assert beat(member, 0, store)
    expected = [(0, ONLINE), (69.9, ONLINE), (70, AWAY), (899.9, AWAY), (900, OFFLINE)]
    for seconds, status in expected:
        answer = services.statuses(user(viewer), [member.id], now=at(seconds), store=store)
        assert answer == {member.id: status}, seconds
    # A heartbeat brings them back online at once.
    assert beat(member, 1000, store)
    assert services.statuses(user(viewer), [member.id], now=at(1000), store=store) == {
        member.id: ONLINE
    }


def test_heartbeats_inside_the_window_write_once(db, store, member, make_user):
    viewer = make_user()
    written = [beat(member, seconds, store) for seconds in (0, 5, 10, 24.9, 25, 30, 49.9, 50)]
    assert written == [True, False, False, False, True, False, False, True]
    assert store.seen([member.id]) == {member.id: at(50)}
    # Throttled heartbeats still count as presence: the stored time is at most 25 s old.
    assert services.statuses(user(viewer), [member.id], now=at(50 + 69), store=store) == {
        member.id: ONLINE
    }


def test_only_a_return_to_online_is_announced(db, store, member):
    services.heartbeat(user(member), now=at(0), store=store)
    assert pending_effects() == 1  # offline → online
    db.session.commit()
    services.heartbeat(user(member), now=at(30), store=store)
    assert pending_effects() == 0  # online → online: written, not announced
    db.session.commit()
    services.heartbeat(user(member), now=at(200), store=store)
    assert pending_effects() == 1  # away → online
    db.session.rollback()


def test_the_database_store_writes_one_update_per_written_heartbeat(db, member, count_queries):
    store = DatabaseStore()
    beat(member, 0, store)
    with count_queries() as queries:
        beat(member, 10, store)  # throttled
        beat(member, 30, store)  # written
    updates = [q for q in queries.statements if q.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1  # the written one; the throttled one writes nothing
    assert db.session.scalar(select(MemberPresence.seen_at)) == at(30)


def test_both_stores_give_the_same_answers(db, member, make_user, redis_url):
    others = [make_user() for _ in range(3)]
    viewer = make_user()
    script = [(member, 0), (others[0], 10), (member, 20), (others[1], 40), (member, 60)]
    script += [(others[0], 100), (others[2], 880)]
    answers = []
    for store in (DatabaseStore(), RedisStore(redis_url, keep=1020)):
        db.session.execute(MemberPresence.__table__.delete())
        db.session.commit()
        written = [beat(ref, seconds, store) for ref, seconds in script]
        ids = [member.id] + [ref.id for ref in others]
        views = [
            services.statuses(user(viewer), ids, now=at(seconds), store=store)
            for seconds in (0, 50, 75, 130, 170, 900, 960, 1000)
        ]
        sweeps = [
            services.sweep(at(since), at(since + 15), store=store) for since in range(0, 1800, 15)
        ]
        db.session.rollback()
        answers.append((written, views, sweeps))
    assert answers[0] == answers[1]
    assert any(sweep[AWAY] for sweep in answers[0][2])
    assert any(sweep[OFFLINE] for sweep in answers[0][2])


def test_the_sweep_announces_away_and_offline_once(db, store, member, make_user):
    hider = make_user()
    beat(member, 0, store)
    beat(hider, 0, store)
    services.set_hidden(user(hider), True, store=store)
    db.session.commit()
    windows = [(since, since + 15) for since in range(0, 1005, 15)]
    announced = {}
    for since, until in windows:
        crossed = services.sweep(at(since), at(until), store=store)
        for status, ids in crossed.items():
            for user_id in ids:
                announced.setdefault((user_id, status), []).append(since)
        db.session.rollback()
    # Away in the window holding 70 s, offline in the one holding 900 s; the hider never.
    assert announced == {(member.id, AWAY): [60], (member.id, OFFLINE): [885]}


def test_the_sweep_loop_sweeps_each_window_once(app, db, member, redis_url):
    app.config["PRESENCE_REDIS_URL"] = redis_url
    beat(member, 0, services.current_store())
    one, two = _Sweeper(app), _Sweeper(app)  # two processes
    announced = [one.step(now=at(76)), two.step(now=at(76))]  # window (60, 75] claimed once
    assert sorted(announced) == [0, 1]
    assert one.step(now=at(80)) == 0 and two.step(now=at(95)) == 0


# --- who sees it ------------------------------------------------------------------------------

VIEWERS = ["connected", "stranger", "blocked by owner", "blocker of owner", "viewer hides"]
CASES = [
    # (profile visibility, owner hides, viewer, shown?)
    *[("public", False, viewer, viewer in {"connected", "stranger"}) for viewer in VIEWERS],
    *[("members", False, viewer, viewer in {"connected", "stranger"}) for viewer in VIEWERS],
    *[("connections", False, viewer, viewer == "connected") for viewer in VIEWERS],
    *[("public", True, viewer, False) for viewer in VIEWERS],
]


@pytest.mark.parametrize(("visibility", "owner_hides", "viewer_kind", "shown"), CASES)
def test_presence_is_shown_only_where_the_profile_is(
    db, make_user, visibility, owner_hides, viewer_kind, shown
):
    owner, viewer = make_user(), make_user()
    set_visibility(owner, visibility)
    if viewer_kind in {"connected", "viewer hides"}:
        connect_pair(owner, viewer)
    if viewer_kind == "blocked by owner":
        connections.block(user(owner), viewer.id)
    if viewer_kind == "blocker of owner":
        connections.block(user(viewer), owner.id)
    if viewer_kind == "viewer hides":
        services.set_hidden(user(viewer), True)
    if owner_hides:
        services.set_hidden(user(owner), True)
    db.session.commit()
    services.heartbeat(user(owner), now=at(0))
    db.session.commit()
    answer = services.statuses(user(viewer), [owner.id], now=at(1))
    assert answer == ({owner.id: ONLINE} if shown else {})


def test_hiding_forgets_the_last_heartbeat_and_stops_writing(db, store, member, make_user):
    viewer = make_user()
    beat(member, 0, store)
    services.set_hidden(user(member), True, store=store)
    db.session.commit()
    assert store.seen([member.id]) == {}
    assert not beat(member, 60, store)
    assert services.statuses(user(viewer), [member.id], now=at(61), store=store) == {}
    services.set_hidden(user(member), False)
    db.session.commit()
    assert beat(member, 120, store)
    assert services.statuses(user(viewer), [member.id], now=at(121), store=store) == {
        member.id: ONLINE
    }


# --- live: the `presence` event reaches allowed viewers only ----------------------------------


@pytest.fixture
def app_overrides() -> dict:
    return {"PRESENCE_SOCKET_SECONDS": 0}


def presence_events(client) -> list[dict]:
    return [e["args"][0] for e in client.get_received() if e["name"] == "presence"]


def received(client, name: str) -> list:
    return [e["args"][0] for e in client.get_received() if e["name"] == name]


def test_the_live_event_reaches_allowed_viewers_and_never_others(
    app, make_user, make_socket_client
):
    owner, friend, stranger, blocked = (make_user() for _ in range(4))
    with app.app_context():
        set_visibility(owner, "connections")
        connect_pair(owner, friend)
        connections.block(user(owner), blocked.id)
        db.session.commit()
    sockets = {ref: make_socket_client(ref) for ref in (friend, stranger, blocked)}
    for ref, client in sockets.items():
        answer = client.emit("presence:watch", {"user_ids": [owner.id]}, callback=True)
        assert answer["ok"], answer
        expected = {str(owner.id): OFFLINE} if ref is friend else {}
        assert answer["statuses"] == expected
    owner_socket = make_socket_client(owner)
    owner_socket.emit("presence:heartbeat")
    assert presence_events(sockets[friend]) == [{"user_id": owner.id, "status": ONLINE}]
    assert presence_events(sockets[stranger]) == []
    assert presence_events(sockets[blocked]) == []
    assert presence_events(owner_socket) == []  # nobody watches themselves
    # A second heartbeat while online announces nothing.
    owner_socket.emit("presence:heartbeat")
    assert presence_events(sockets[friend]) == []


def test_a_block_after_watching_stops_the_events(app, make_user, make_socket_client):
    owner, viewer = make_user(), make_user()
    watcher = make_socket_client(viewer)
    assert watcher.emit("presence:watch", {"user_ids": [owner.id]}, callback=True)["statuses"]
    with app.app_context():
        connections.block(user(viewer), owner.id)  # either side: here the viewer blocks
        db.session.commit()
    assert received(watcher, "presence:rewatch") == [{"user_id": owner.id}]
    make_socket_client(owner).emit("presence:heartbeat")
    assert presence_events(watcher) == []
    answer = watcher.emit("presence:watch", {"user_ids": [owner.id]}, callback=True)
    assert answer == {"ok": True, "statuses": {}}


def test_a_stricter_profile_after_watching_stops_the_events(app, make_user, make_socket_client):
    owner, viewer = make_user(), make_user()
    watcher = make_socket_client(viewer)
    assert watcher.emit("presence:watch", {"user_ids": [owner.id]}, callback=True)["statuses"]
    with app.app_context():
        set_visibility(owner, "connections")
    assert received(watcher, "presence:rewatch") == [{"user_id": owner.id}]
    make_socket_client(owner).emit("presence:heartbeat")
    assert presence_events(watcher) == []


def test_hiding_sends_nothing_to_anyone(app, make_user, make_socket_client):
    owner, viewer = make_user(), make_user()
    watcher = make_socket_client(viewer)
    watcher.emit("presence:watch", {"user_ids": [owner.id]}, callback=True)
    owner_socket = make_socket_client(owner)
    owner_socket.emit("presence:heartbeat")
    assert presence_events(watcher) == [{"user_id": owner.id, "status": ONLINE}]
    with app.app_context():
        services.set_hidden(user(owner), True)
        db.session.commit()
    assert received(watcher, "presence:rewatch") == [{"user_id": owner.id}]
    assert watcher.emit("presence:watch", {"user_ids": [owner.id]}, callback=True)["statuses"] == {}
    owner_socket.emit("presence:heartbeat")
    with app.app_context():
        assert services.sweep(at(-(10**6)), datetime.now(UTC) + timedelta(hours=1)) == {
            AWAY: [],
            OFFLINE: [],
        }
        db.session.commit()
    assert presence_events(watcher) == []


def test_the_sweep_event_reaches_watchers(app, make_user, make_socket_client):
    owner, viewer = make_user(), make_user()
    watcher = make_socket_client(viewer)
    watcher.emit("presence:watch", {"user_ids": [owner.id]}, callback=True)
    with app.app_context():
        beat(owner, 0, services.current_store())
        assert watcher.get_received()  # online
        services.sweep(at(60), at(75))
        db.session.commit()
    assert presence_events(watcher) == [{"user_id": owner.id, "status": AWAY}]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {},
        {"user_ids": "1"},
        {"user_ids": [True]},
        {"user_ids": [0]},
        {"user_ids": list(range(1, 102))},
        {"user_ids": [2**40]},
    ],
)
def test_watch_refuses_bad_payloads(make_socket_client, member, payload):
    answer = make_socket_client(member).emit("presence:watch", payload, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "invalid"


def test_heartbeats_from_one_socket_are_dropped_within_the_gap(app, member, make_socket_client):
    app.config["PRESENCE_SOCKET_SECONDS"] = 60
    client = make_socket_client(member)
    client.emit("presence:heartbeat")
    with app.app_context():
        services.set_hidden(user(member), False)  # makes the row if the beat did not
        db.session.execute(MemberPresence.__table__.update().values(seen_at=at(0)))
        db.session.commit()
    client.emit("presence:heartbeat")  # dropped by the socket, so the old time stays
    with app.app_context():
        assert db.session.scalar(select(MemberPresence.seen_at)) == at(0)


def test_an_ended_connection_after_watching_stops_the_events(app, make_user, make_socket_client):
    owner, friend = make_user(), make_user()
    with app.app_context():
        set_visibility(owner, "connections")
        connect_pair(owner, friend)
    watcher = make_socket_client(friend)
    assert watcher.emit("presence:watch", {"user_ids": [owner.id]}, callback=True)["statuses"]
    with app.app_context():
        connection = connections.network(user(owner)).connected.items[0][0]
        connections.withdraw_or_remove(user(owner), connection.id)
        db.session.commit()
    assert received(watcher, "presence:rewatch") == [{"user_id": owner.id}]
    make_socket_client(owner).emit("presence:heartbeat")
    assert presence_events(watcher) == []
