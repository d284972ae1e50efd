"""Presence over WebSocket against a real server process (`python wsgi.py` on SQLite, the demo
data) with real `python-socketio` clients (#17): a heartbeat reaches the members allowed to see
the profile as `presence {user_id, status: "online"}` and never the others; a block made while
watching takes the blocked member's socket out of the room on the server.
"""

from __future__ import annotations

import time

import pytest
import requests

from community.connections import services as connections
from community.extensions import db
from community.presence import services as presence
from community.profiles.services import ProfileData, update_profile
from tests.browser.live import DEMO_PASSWORD, seeded_live_server
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


def _show_presence(live, crowd, how: str, show: bool, email: str = MIA) -> None:
    """Mia (or `email`) turns "hide my presence" off (show) or on, on the server, as she
    would: through the profile editor's form or PATCH /api/v1/me."""
    if how == "page":
        form = {"display_name": "Mia Member", "visibility": "members"}
        if show:
            form["show_presence"] = "y"
        response = post_form(crowd.session(live.url, MIA), live.url, "/settings/profile", form)
        assert response.status_code == 302
    else:
        token = requests.post(
            f"{live.url}/api/v1/tokens",
            json={"email": email, "password": DEMO_PASSWORD},
            timeout=10,
        ).json()["token"]
        response = requests.patch(
            f"{live.url}/api/v1/me",
            json={"hide_presence": not show},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 200 and response.json()["hide_presence"] is (not show)


@pytest.mark.parametrize("how", ["page", "api"])
def test_hiding_and_showing_presence_again_reach_watchers_live(live, app, how):
    """Both directions live, each as presence.js reacts: hiding takes Priya out of Mia's room
    (her badge goes); showing it again tells Priya to ask again (she gets the status at
    once) and tells Mia's own open page to watch again and beat, which is not throttled
    away although that page beat while hidden a moment ago. Lars (blocked) hears nothing."""
    with app.app_context():
        mia_id = user(MIA).id
    online = {"user_id": mia_id, "status": "online"}
    try:
        with people() as crowd:
            priya, lars = crowd.chat(live.url, PRIYA), crowd.chat(live.url, LARS)
            # Mia is online from one page; the page `mia` stays open (it beats later).
            crowd.chat(live.url, MIA).client.emit("presence:heartbeat")
            mia = crowd.chat(live.url, MIA)
            watched = priya.call("presence:watch", {"user_ids": [mia_id]})["statuses"]
            if watched != {str(mia_id): "online"}:
                assert priya.wait_for("presence") == online
            assert lars.call("presence:watch", {"user_ids": [mia_id]})["statuses"] == {}

            _show_presence(live, crowd, how, show=False)
            assert priya.wait_for("presence:rewatch") == {"user_id": mia_id}
            assert priya.call("presence:watch", {"user_ids": [mia_id]})["statuses"] == {}
            heard = len(priya.received("presence"))
            mia.client.emit("presence:heartbeat")  # refused while hidden
            time.sleep(1)
            assert len(priya.received("presence")) == heard

            _show_presence(live, crowd, how, show=True)
            # Priya was waiting for Mia: told to ask again, she does.
            priya.wait_for(
                "presence:rewatch", lambda _d: len(priya.received("presence:rewatch")) == 2
            )
            assert priya.received("presence:rewatch")[-1] == {"user_id": mia_id}
            assert priya.call("presence:watch", {"user_ids": [mia_id]})["statuses"] == {
                str(mia_id): "offline"  # hiding forgot her last heartbeat
            }
            # Mia's open page is told to watch again and beat: Priya sees her online at once.
            assert mia.wait_for("presence:rewatch") == {"user_id": None}
            mia.client.emit("presence:heartbeat")
            priya.wait_for("presence", lambda _d: len(priya.received("presence")) == heard + 1)
            assert priya.received("presence")[-1] == online
            assert lars.received("presence") == [] and lars.received("presence:rewatch") == []
    finally:
        with app.app_context():
            presence.set_hidden(user(MIA), False)
            db.session.commit()


def test_a_watcher_who_hides_leaves_every_presence_room_at_once(live, app):
    """Reciprocity, live: Priya follows Mia; Priya hides hers (through the API, so on the
    server): her socket leaves Mia's room and is told to ask again (she gets nothing), so a
    later change of Mia's reaches her no more."""
    with app.app_context():
        mia_id = user(MIA).id
    try:
        with people() as crowd:
            priya = crowd.chat(live.url, PRIYA)
            assert priya.call("presence:watch", {"user_ids": [mia_id]})["statuses"]
            _show_presence(live, crowd, "api", show=False, email=PRIYA)
            assert priya.wait_for("presence:rewatch") == {"user_id": None}
            assert priya.call("presence:watch", {"user_ids": [mia_id]})["statuses"] == {}
            # Mia hides: her room's sockets are told; Priya's is not among them any more.
            _show_presence(live, crowd, "api", show=False)
            time.sleep(1)
            assert priya.received("presence:rewatch") == [{"user_id": None}]
    finally:
        with app.app_context():
            for email in (MIA, PRIYA):
                presence.set_hidden(user(email), False)
            db.session.commit()
