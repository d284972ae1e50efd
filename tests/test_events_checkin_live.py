"""Two doors, live (#18): two door helpers' real `python-socketio` clients on a real server
(`python wsgi.py` on SQLite, the demo data) watch an event's check-in; one checks a member in
over HTTP (the check-in page's form) and the other hears `checkin:changed` within a second;
a helper taken off the staff is refused at the next `checkin:watch` and hears nothing more.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import delete

from community.core.database import utcnow
from community.events import services as events
from community.events.models import EventStaff, StaffRole
from community.extensions import db
from tests.browser.live import DEMO_PASSWORD, seeded_live_server
from tests.chat_live import LARS, MIA, PRIYA, SOFIA, data_app, people, post_form, user

ORGANISER = "organiser@alongside.example"


@pytest.fixture(scope="module")
def live(request, tmp_path_factory):
    server = seeded_live_server(request, tmp_path_factory.mktemp("checkin-live"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(live):
    app = data_app(f"sqlite:///{live.database}")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def door(app):
    """An event starting in half an hour: Mia and Sofía going, Priya and Lars at the door."""
    with app.app_context():
        starts = (utcnow() + timedelta(minutes=30)).replace(microsecond=0)
        event = events.create_event(
            user(ORGANISER),
            events.EventData(
                title="Two doors",
                category="social",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                timezone="Europe/Copenhagen",
                venue="Nyhavn 17, Copenhagen",
            ),
        )
        for email in (MIA, SOFIA):
            events.rsvp(user(email), event, 0, confirm_by_mail=False)
        for email in (PRIYA, LARS):
            db.session.add(
                EventStaff(event_id=event.id, user_id=user(email).id, role=StaffRole.DOOR_HELPER)
            )
        db.session.commit()
        return event.id, user(MIA).id, user(SOFIA).id, user(LARS).id


def test_two_doors_see_each_others_checkins_within_a_second(live, app, door):
    event_id, mia, sofia, lars_id = door
    with people() as crowd:
        priya, lars = crowd.chat(live.url, PRIYA), crowd.chat(live.url, LARS)
        for helper in (priya, lars):
            answer = helper.call("checkin:watch", {"event_id": event_id})
            assert answer == {"ok": True, "counts": {"checked_in": 0, "expected": 2}}
        sent = time.monotonic()
        response = post_form(
            crowd.session(live.url, PRIYA), live.url, f"/events/{event_id}/checkin/{mia}/0"
        )
        assert response.status_code == 302
        heard = lars.wait_for(
            "checkin:changed", lambda data: data["event_id"] == event_id, timeout=1.0
        )
        assert time.monotonic() - sent < 1.0
        assert heard["party"]["name"] == "Mia Member"
        assert heard["party"]["people"][0]["checked_in_by"] == "Priya Raman"
        assert heard["counts"] == {"checked_in": 1, "expected": 2}
        assert "@" not in repr(heard)  # names only: no addresses

        # Lars is taken off the staff: his next watch is refused and takes him out.
        with app.app_context():
            db.session.execute(
                delete(EventStaff).where(
                    EventStaff.event_id == event_id, EventStaff.user_id == lars_id
                )
            )
            db.session.commit()
        refused = lars.call("checkin:watch", {"event_id": event_id})
        assert refused["ok"] is False and refused["error"]["code"] == "not_found"
        before = len(lars.received("checkin:changed"))
        post_form(crowd.session(live.url, PRIYA), live.url, f"/events/{event_id}/checkin/{sofia}/0")
        priya.wait_for(
            "checkin:changed", lambda data: data["party"]["user_id"] == sofia, timeout=5.0
        )
        time.sleep(0.5)  # anything sent to the room has reached Lars too by now
        assert len(lars.received("checkin:changed")) == before


@pytest.mark.parametrize("way", ["page", "api"])
def test_a_removed_helper_leaves_the_room_at_once(live, app, door, way):
    """The organiser takes Lars off the staff (the staff page's form, or DELETE on the
    API): without another `checkin:watch`, Lars hears no more check-ins; Priya still does."""
    event_id, mia, sofia, lars_id = door
    with people() as crowd:
        priya, lars = crowd.chat(live.url, PRIYA), crowd.chat(live.url, LARS)
        for helper in (priya, lars):
            assert helper.call("checkin:watch", {"event_id": event_id})["ok"] is True
        organiser = crowd.session(live.url, ORGANISER)
        if way == "page":
            removed = post_form(organiser, live.url, f"/events/{event_id}/staff/{lars_id}/remove")
            assert removed.status_code == 302
        else:
            token = organiser.post(
                f"{live.url}/api/v1/tokens",
                json={"email": ORGANISER, "password": DEMO_PASSWORD},
                timeout=10,
            ).json()["token"]
            removed = organiser.delete(
                f"{live.url}/api/v1/events/{event_id}/staff/{lars_id}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            assert removed.status_code == 204
        for member in (mia, sofia):
            post_form(
                crowd.session(live.url, PRIYA), live.url, f"/events/{event_id}/checkin/{member}/0"
            )
            priya.wait_for(
                "checkin:changed", lambda data, m=member: data["party"]["user_id"] == m, timeout=5.0
            )
        time.sleep(0.5)  # anything sent to the room has reached Lars too by now
        assert lars.received("checkin:changed") == []
        assert lars.connected  # still connected: only the room was left
