"""Presence over WebSocket against a real server process (`python wsgi.py` on SQLite, the demo
data) with real `python-socketio` clients (#17): a heartbeat reaches the members allowed to see
the profile as `presence {user_id, status: "online"}` and never the others; a block made while
watching takes the blocked member's socket out of the room on the server.
"""

from __future__ import annotations

import pytest

from community.connections import services as connections
from community.extensions import db
from community.presence import services as presence
from community.profiles.services import ProfileData, update_profile
from tests.browser.live import seeded_live_server
from tests.chat_live import LARS, MIA, PRIYA, SOFIA, data_app, people, post_form, user


@pytest.fixture(scope="module")
def live(request, tmp_path_factory):
    server = seeded_live_server(request, tmp_path_factory.mktemp("presence-live"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(live):
    app = data_app(f"sqlite:///{live.database}")
    with app.app_context():
        # Mia's profile for members; Lars has blocked her; nobody hides.
        update_profile(user(MIA), ProfileData(visibility="members"))
        connections.block(user(LARS), user(MIA).id)
        for email in (MIA, PRIYA, LARS, SOFIA):
            presence.set_hidden(user(email), False)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_heartbeat_reaches_allowed_watchers_only(live, app):
    with app.app_context():
        mia_id = user(MIA).id
    with people() as crowd:
        priya, lars = crowd.chat(live.url, PRIYA), crowd.chat(live.url, LARS)
        assert priya.call("presence:watch", {"user_ids": [mia_id]}) == {
            "ok": True,
            "statuses": {str(mia_id): "offline"},
        }
        assert lars.call("presence:watch", {"user_ids": [mia_id]}) == {"ok": True, "statuses": {}}
        mia = crowd.chat(live.url, MIA)
        mia.client.emit("presence:heartbeat")
        assert priya.wait_for("presence") == {"user_id": mia_id, "status": "online"}
        # The event and anything after it has had time to reach Lars too: it did not.
        assert priya.call("presence:watch", {"user_ids": [mia_id]})["statuses"] == {
            str(mia_id): "online"
        }
        assert lars.call("presence:watch", {"user_ids": []}) == {"ok": True, "statuses": {}}
        assert lars.received("presence") == []

        # Sofía watches, then Mia blocks her (through the page, so on the server): the
        # server takes Sofía's socket out of Mia's room and tells it to ask again.
        sofia = crowd.chat(live.url, SOFIA)
        assert sofia.call("presence:watch", {"user_ids": [mia_id]})["statuses"]
        post_form(crowd.session(live.url, MIA), live.url, f"/members/{user_id(app, SOFIA)}/block")
        assert sofia.wait_for("presence:rewatch") == {"user_id": mia_id}
        assert sofia.call("presence:watch", {"user_ids": [mia_id]})["statuses"] == {}


def user_id(app, email: str) -> int:
    with app.app_context():
        return user(email).id


def test_heartbeats_of_a_hidden_member_reach_nobody(live, app):
    with app.app_context():
        mia_id = user(MIA).id
        presence.set_hidden(user(MIA), True)
        db.session.commit()
    try:
        with people() as crowd:
            priya = crowd.chat(live.url, PRIYA)
            assert priya.call("presence:watch", {"user_ids": [mia_id]})["statuses"] == {}
            mia = crowd.chat(live.url, MIA)
            mia.client.emit("presence:heartbeat")
            with pytest.raises(AssertionError, match="no presence"):
                priya.wait_for("presence", timeout=1.5)
    finally:
        with app.app_context():
            presence.set_hidden(user(MIA), False)
            db.session.commit()
