"""The hosts' API of #18: RSVP on an event that needs approval answers "requested",
requests are listed, accepted and declined by hosts only, questions are read by anyone who
may see the event and set by hosts, answers travel in the RSVP body and come back only on
hosts' endpoints. A permission matrix of every role over every endpoint; a door helper
never gets answers, emails or contact details. Data is made through the API and services."""

from __future__ import annotations

import json

import pytest

from community.auth.models import User
from community.events import staff
from community.events.models import Event, StaffRole
from community.extensions import db
from tests.test_api import OPENAPI_PATH, api_login
from tests.test_api_events import event_body

ROLES = ["organiser", "cohost", "door_helper", "going", "other_member", "anonymous", "moderator"]
HOSTS = {"organiser", "cohost", "moderator"}
SECRET = "Severe-peanut-allergy"


@pytest.fixture
def world(app, make_user, organiser, moderator):
    """An approval event with two questions, a co-host and a door helper; one member
    going (accepted) and one request waiting, both with answers."""
    people = {
        "organiser": organiser,
        "cohost": make_user(display_name="Cora Cohost"),
        "door_helper": make_user(display_name="Dora Door"),
        "going": make_user(display_name="Gus Going"),
        "other_member": make_user(display_name="Otto Other"),
        "asker": make_user(display_name="Rita Request"),
        "moderator": moderator,
    }
    host = api_login(app, organiser)
    created = host.post("/api/v1/events", json=event_body(requires_approval=True, capacity=5))
    assert created.status_code == 201, created.get_json()
    event_id = created.get_json()["id"]
    assert created.get_json()["requires_approval"] is True
    put = host.client.put(
        f"/api/v1/events/{event_id}/questions",
        json={
            "questions": [
                {"kind": "text", "prompt": "Dietary needs"},
                {"kind": "yes_no", "prompt": "Bringing children?", "required": True},
            ]
        },
        headers=host.headers,
    )
    assert put.status_code == 200, put.get_json()
    diet, kids = (q["id"] for q in put.get_json()["questions"])
    with app.app_context():
        owner = db.session.get(User, organiser.id)
        event = db.session.get(Event, event_id)
        staff.set_staff(owner, event, people["cohost"].id, StaffRole.COHOST)
        staff.set_staff(owner, event, people["door_helper"].id, StaffRole.DOOR_HELPER)
        db.session.commit()
    for name in ("going", "asker"):
        answer = api_login(app, people[name]).post(
            f"/api/v1/events/{event_id}/rsvp",
            json={"guests": 0, "answers": {str(diet): SECRET, str(kids): "no"}},
        )
        assert answer.status_code == 201, answer.get_json()
        assert answer.get_json()["status"] == "requested"
    accepted = host.post(f"/api/v1/events/{event_id}/requests/{people['going'].id}/accept")
    assert accepted.get_json() == {"status": "going", "position": None, "seats": 1}
    return people, event_id, diet, kids


def client_of(app, people, role):
    if role == "anonymous":
        return None
    return api_login(app, people[role])


@pytest.mark.parametrize("role", ROLES)
def test_hosts_endpoints_per_role(app, world, role):
    people, event_id, diet, _kids = world
    api = client_of(app, people, role)
    base = f"/api/v1/events/{event_id}"
    asker = people["asker"].id
    if api is None:
        anonymous = app.test_client()
        for path in ("/requests", "/questions", "/attendees"):
            assert anonymous.get(base + path).status_code == 401
        assert anonymous.post(f"{base}/requests/{asker}/accept").status_code == 401
        return
    requests_list = api.get(f"{base}/requests")
    attendees = api.get(f"{base}/attendees")
    questions = api.get(f"{base}/questions")
    put = api.client.put(
        f"{base}/questions",
        json={"questions": [{"kind": "text", "prompt": "Dietary needs", "id": diet}]},
        headers=api.headers,
    )
    decline = api.post(f"{base}/requests/{asker}/decline", json={"message": "Sorry!"})
    answers = [requests_list, attendees, questions, put, decline]
    seen = "".join(json.dumps(r.get_json()) for r in answers)
    assert questions.status_code == 200  # anyone who may see the event reads them
    assert [q["prompt"] for q in questions.get_json()["questions"]] == [
        "Dietary needs",
        "Bringing children?",
    ]
    if role in HOSTS:
        assert requests_list.status_code == 200
        (item,) = requests_list.get_json()["items"]
        assert item["user_id"] == asker and item["answers"][str(diet)] == SECRET
        assert attendees.status_code == 200
        (going,) = attendees.get_json()["items"]
        assert going["answers"][str(diet)] == SECRET
        assert put.status_code == 200
        assert decline.get_json() == {"status": "declined"}
    else:
        assert requests_list.status_code == attendees.status_code == 404
        assert decline.status_code == 404
        assert put.status_code == 403  # they may read the questions, not set them
        for secret in (SECRET, people["asker"].email, people["going"].email):
            assert secret not in seen


def test_accept_on_a_full_event_waitlists_and_decline_is_final(app, world):
    people, event_id, _diet, kids = world
    host = api_login(app, people["cohost"])
    base = f"/api/v1/events/{event_id}"
    assert host.client.patch(
        base, json={"capacity": 1}, headers=host.headers
    ).status_code == 200  # fmt: skip
    accepted = host.post(f"{base}/requests/{people['asker'].id}/accept")
    assert accepted.get_json() == {"status": "waitlisted", "position": 1, "seats": 1}
    again = host.post(f"{base}/requests/{people['asker'].id}/accept")
    assert again.status_code == 409

    other = api_login(app, people["other_member"])
    missing = other.post(f"{base}/rsvp", json={"guests": 0})
    assert missing.status_code == 422 and f"answer-{kids}" in json.dumps(missing.get_json())
    bad = other.post(f"{base}/rsvp", json={"answers": {"99999": "x", str(kids): "no"}})
    assert bad.status_code == 422
    asked = other.post(f"{base}/rsvp", json={"answers": {str(kids): "yes"}})
    assert asked.status_code == 201 and asked.get_json()["status"] == "requested"
    declined = host.post(f"{base}/requests/{people['other_member'].id}/decline", json={})
    assert declined.status_code == 200
    refused = other.post(f"{base}/rsvp", json={"answers": {str(kids): "yes"}})
    assert refused.status_code == 409
    mine = other.get(base).get_json()["my_rsvp"]
    assert mine["status"] == "declined"


def test_question_kind_cannot_change_once_answered(app, world):
    people, event_id, _diet, kids = world
    host = api_login(app, people["organiser"])
    response = host.client.put(
        f"/api/v1/events/{event_id}/questions",
        json={"questions": [{"id": kids, "kind": "text", "prompt": "Children?"}]},
        headers=host.headers,
    )
    assert response.status_code == 409
    too_many = host.client.put(
        f"/api/v1/events/{event_id}/questions",
        json={"questions": [{"kind": "text", "prompt": f"Q{n}"} for n in range(4)]},
        headers=host.headers,
    )
    assert too_many.status_code == 422


def test_new_endpoints_are_in_the_openapi_document(app):
    document = app.test_client().get(OPENAPI_PATH).get_json()
    paths = document["paths"]
    for path in (
        "/api/v1/events/{event_id}/requests",
        "/api/v1/events/{event_id}/requests/{user_id}/accept",
        "/api/v1/events/{event_id}/requests/{user_id}/decline",
        "/api/v1/events/{event_id}/questions",
    ):
        assert path in paths, path
    assert "put" in paths["/api/v1/events/{event_id}/questions"]
