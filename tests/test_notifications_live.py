"""Notifications reach the bell live: a real server process (`python wsgi.py`, SQLite, Redis as
the Socket.IO message queue) and members' `python-socketio` clients over WebSocket. Data is
made through the real services in the test process, whose after-commit emits travel through
Redis like any process's. Every kind arrives once, after the commit and never after a
rollback; catch-up after a disconnect returns what was missed, a page at a time; nobody
gets or syncs another member's notifications.
"""

from __future__ import annotations

import pytest

from community.auth.models import User
from community.connections import services as connections
from community.extensions import db
from community.notifications.models import Notification
from tests.browser.live import seeded_live_server
from tests.chat_live import MIA, ORGANISER, PRIYA, Chat, data_app, login, people, user
from tests.factories import UserRef, make_user
from tests.notification_cases import CASES, CREATED_KINDS

pytestmark = [pytest.mark.redis]


@pytest.fixture(scope="module")
def live(request, redis_server, tmp_path_factory):
    server = seeded_live_server(
        request,
        tmp_path_factory.mktemp("notifications-live"),
        extra_env={"REDIS_URL": redis_server.url},
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(live, redis_server):
    app = data_app(
        f"sqlite:///{live.database}", REDIS_URL=redis_server.url, SOCKET_COMMAND_LISTENER=False
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def ref(email: str) -> UserRef:
    found = user(email)
    return UserRef(found.id, found.email, found.display_name)


def newest_id(app, email: str) -> int:
    with app.app_context():
        return (
            db.session.scalar(
                db.select(db.func.max(Notification.id)).where(
                    Notification.user_id == user(email).id
                )
            )
            or 0
        )


def request_from_someone_new(member_email: str) -> int:
    """A new member asks `member_email` to connect (the real service), committed: the id of
    the notification it made."""
    other = make_user()
    connections.send_request(db.session.get(User, other.id), user(member_email).id)
    db.session.commit()
    return db.session.scalar(
        db.select(db.func.max(Notification.id)).where(Notification.user_id == user(member_email).id)
    )


def wait_behind_everything_sent(sockets: dict, emails: dict) -> None:
    """Wait until everything committed so far has reached `sockets` (member id -> Chat):
    a new request to each of their members, committed now, goes through the same Redis
    channel and server after whatever earlier commits emitted, so once each socket has its
    own, a late copy or a stray of those would be there too (a fixed sleep proves less on a
    loaded machine, and always costs its full length)."""
    markers = {member_id: request_from_someone_new(emails[member_id]) for member_id in sockets}
    for member_id, sock in sockets.items():
        sock.wait_for(
            "notification:new", lambda data, marker=markers[member_id]: data["id"] == marker
        )


def sync_all(sock, after_id: int, limit: int | None = None) -> tuple[list[dict], int, int]:
    """Everything after `after_id`, page after page as the page's script does; also the
    number of pages and the last unread count."""
    items: list[dict] = []
    pages = 0
    while True:
        data = {"after_id": after_id} | ({"limit": limit} if limit else {})
        answer = sock.call("notifications:sync", data)
        assert answer["ok"], answer
        pages += 1
        items.extend(answer["notifications"])
        after_id = answer["last_id"]
        if not answer["has_more"]:
            return items, pages, answer["unread"]


@pytest.mark.parametrize("kind", sorted(CREATED_KINDS))
def test_every_kind_reaches_the_bell_live_once(live, app, kind):
    with people() as crowd, app.app_context():
        # A new member each time: a demo member may have had today's "post.match" already.
        member, organiser = make_user(display_name="Nia New"), ref(ORGANISER)
        other = make_user(display_name="Oscar Other")
        session = login(live.url, member.email, member.password)
        crowd.sessions.append(session)
        mine = Chat(live.url, session.cookies.get("session")).connect()
        crowd.chats.append(mine)
        sockets = {member.id: mine, organiser.id: crowd.chat(live.url, ORGANISER)}
        case = CASES[kind](member, other, organiser)
        notification_id = case.notification.id
        sock = sockets[case.recipient.id]
        got = sock.wait_for("notification:new", lambda data: data["id"] == notification_id)
        assert got["kind"] == kind
        assert case.text in got["text"] and got["url"].startswith(case.url)
        assert set(got) >= {"id", "kind", "text", "url", "created_at", "read"}
        wait_behind_everything_sent(sockets, {member.id: member.email, organiser.id: ORGANISER})
        arrived = [d for d in sock.received("notification:new") if d["id"] == notification_id]
        assert len(arrived) == 1
        for other_id, other_sock in sockets.items():
            if other_id != case.recipient.id:
                assert notification_id not in {
                    d["id"] for d in other_sock.received("notification:new")
                }


def test_nothing_is_sent_for_a_rolled_back_notification(live, app):
    with people() as crowd, app.app_context():
        sock = crowd.chat(live.url, MIA)
        asker = make_user()
        connections.send_request(db.session.get(User, asker.id), user(MIA).id)
        db.session.flush()
        db.session.rollback()
        kept = request_from_someone_new(MIA)
        # Whatever the rollback had sent would have gone out before `kept`, which was
        # committed after it, on the same Redis channel to the same socket.
        sock.wait_for("notification:new", lambda data: data["id"] == kept)
        assert [d["id"] for d in sock.received("notification:new")] == [kept]


def test_catch_up_after_a_disconnect_returns_the_missed_ones_in_pages(live, app):
    with people() as crowd:
        before = newest_id(app, MIA)
        first = crowd.chat(live.url, MIA)
        items, _pages, unread_before = sync_all(first, before)
        assert items == []
        first.close()
        with app.app_context():
            made = [request_from_someone_new(MIA) for _ in range(7)]
            # The server relays the seven from Redis in its own time: once Priya has a
            # request committed after them, they have all gone out, to nobody listening.
            priya = ref(PRIYA)
            wait_behind_everything_sent({priya.id: crowd.chat(live.url, PRIYA)}, {priya.id: PRIYA})
        again = crowd.chat(live.url, MIA)
        items, pages, unread = sync_all(again, before, limit=3)
        assert [item["id"] for item in items] == made
        assert pages == 3
        assert unread == min(unread_before + 7, 100)
        assert again.received("notification:new") == []  # sent while it slept: sync has them


def test_sync_never_returns_another_members_notifications(live, app):
    with people() as crowd:
        start = newest_id(app, PRIYA)
        with app.app_context():
            request_from_someone_new(PRIYA)
        mia = crowd.chat(live.url, MIA)
        items, _pages, _unread = sync_all(mia, 0)
        with app.app_context():
            mia_id = user(MIA).id
            owners = set(
                db.session.scalars(
                    db.select(Notification.user_id).where(
                        Notification.id.in_([item["id"] for item in items] or [0])
                    )
                )
            )
        assert owners <= {mia_id}
        assert newest_id(app, PRIYA) > start


@pytest.mark.parametrize(
    "payload", [None, [], {"after_id": -1}, {"after_id": "x"}, {"after_id": 0, "limit": 999}]
)
def test_a_malformed_sync_is_refused_with_an_ack(live, app, payload):
    with people() as crowd:
        answer = crowd.chat(live.url, MIA).call("notifications:sync", payload)
        assert answer["ok"] is False and answer["error"]["code"] == "validation_error"
