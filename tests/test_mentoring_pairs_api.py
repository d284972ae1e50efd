"""Mentoring pairs over the API (`community/api/mentoring_pairs.py`): every endpoint per role
(mentor and mentee of the pair, a mentor of another pair, the programme's coordinator,
another coordinator, an admin, a member, anonymous), privacy (the coordinator's JSON has
counts only, the other side's answers never include the avoid list, the mentee never gets
the mentor's feedback), validation (422 with the field) and the OpenAPI document."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from community.extensions import db
from community.mentoring import pairs
from community.mentoring.models import Pair, PairGoal, PairMeeting, PairStatus, Programme
from tests.mentoring_pairs_world import (
    AVOIDED_NAME,
    ROLES,
    SECRET_TOPIC,
    PairsWorld,
    build_world,
    user,
)
from tests.test_api import OPENAPI_PATH, api_login, error_code
from tests.test_api_events import Anonymous as _Anonymous

TODAY = date.today().isoformat()


class Anonymous(_Anonymous):
    """A client without a token (with PUT too)."""

    def put(self, path, json=None, **kw):
        return self.client.put(path, json=json, **kw)


@pytest.fixture
def world(app) -> PairsWorld:
    with app.app_context():
        return build_world()


@pytest.fixture
def api(app, world):
    clients = {}

    def client(role: str):
        if role not in clients:
            clients[role] = Anonymous(app) if role == "anonymous" else api_login(app, world[role])
        return clients[role]

    return client


def _setup(app, world) -> tuple[int, int]:
    """A goal (by the mentee) and a meeting (by the mentor); a "no" from the mentee."""
    with app.app_context():
        goal = pairs.add_goal(user(world["mentee"]), world.pair_id, "Learn Danish")
        meeting = pairs.log_meeting(
            user(world["mentor"]), world.pair_id, date.today() - timedelta(days=2), SECRET_TOPIC,
            "Secret next step",
        )  # fmt: skip
        pairs.answer_fit(user(world["mentee"]), world.pair_id, "no", "Secret fit note")
        db.session.commit()
        return goal.id, meeting.id


def _calls(world, goal_id: int, meeting_id: int) -> dict:
    p = f"/api/v1/mentoring/pairs/{world.pair_id}"
    return {
        "list": ("get", "/api/v1/mentoring/pairs", None),
        "show": ("get", p, None),
        "fit": ("put", f"{p}/fit", {"answer": "deciding", "note": ""}),
        "goals": ("get", f"{p}/goals", None),
        "add_goal": ("post", f"{p}/goals", {"text": "Find a job"}),
        "edit_goal": ("patch", f"{p}/goals/{goal_id}", {"text": "Learn more Danish"}),
        "review_goal": ("patch", f"{p}/goals/{goal_id}", {"review": "met"}),
        "remove_goal": ("delete", f"{p}/goals/{goal_id}", None),
        "meetings": ("get", f"{p}/meetings", None),
        "log_meeting": ("post", f"{p}/meetings", {"held_on": TODAY, "topics": "CV"}),
        "edit_meeting": ("patch", f"{p}/meetings/{meeting_id}", {"topics": "Changed"}),
        "delete_meeting": ("delete", f"{p}/meetings/{meeting_id}", None),
        "feedback": ("put", f"{p}/feedback", {"rating": 5, "comment": "Great"}),
        "programme_pairs": (
            "get", f"/api/v1/mentoring/programmes/{world.programme_id}/pairs", None,
        ),
        "end": ("post", f"{p}/end", {"reason": "Not a fit"}),
        "nudge": ("post", f"{p}/nudge", None),
    }  # fmt: skip


SIDE = {"mentor": 200, "mentee": 200}
COORDINATOR = {"coordinator": 200, "admin": 200}
EXPECTED = {
    "list": dict.fromkeys(ROLES[:-1], 200),
    "show": SIDE,
    "fit": SIDE,
    "goals": SIDE,
    "add_goal": {"mentor": 201, "mentee": 201},
    "edit_goal": SIDE,
    "review_goal": {"mentor": 409, "mentee": 409},  # reviews open near the end
    "remove_goal": {"mentor": 204, "mentee": 204},
    "meetings": SIDE,
    "log_meeting": {"mentor": 201, "mentee": 201},
    "edit_meeting": {"mentor": 200, "mentee": 403},  # the mentor logged it
    "delete_meeting": {"mentor": 204, "mentee": 403},
    "feedback": {"mentor": 200, "mentee": 403},
    # other members get 403 for the programme's list (the programme is public to members)
    "programme_pairs": {**dict.fromkeys(ROLES[:-1], 403), **COORDINATOR},
    # a pair's own sides know it exists: 403; members outside it: 404 as for a missing one
    "end": {**COORDINATOR, "mentor": 403, "mentee": 403},
    "nudge": {**COORDINATOR, "mentor": 403, "mentee": 403},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", sorted(EXPECTED))
def test_every_endpoint_by_role(app, world, api, role, call):
    goal_id, meeting_id = _setup(app, world)
    method, path, body = _calls(world, goal_id, meeting_id)[call]
    client = api(role)
    response = getattr(client, method)(path, json=body) if body else getattr(client, method)(path)
    expected = 401 if role == "anonymous" else EXPECTED[call].get(role, 404)
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected == 404:
        # The same answer as for a pair that does not exist.
        missing = path.replace(f"/pairs/{world.pair_id}", "/pairs/999999")
        answer = (
            getattr(client, method)(missing, json=body)
            if body
            else getattr(client, method)(missing)
        )
        assert answer.status_code == 404 and response.get_json() == answer.get_json()


def test_my_pairs_and_a_pair_as_each_side(app, world, api):
    _setup(app, world)
    (mine,) = api("mentee").get("/api/v1/mentoring/pairs").get_json()["items"]
    assert mine["id"] == world.pair_id and mine["role"] == "mentee"
    assert mine["other_id"] == world["mentor"].id and mine["status"] == "active"
    assert api("member").get("/api/v1/mentoring/pairs").get_json()["items"] == []
    shown = api("mentee").get(f"/api/v1/mentoring/pairs/{world.pair_id}").get_json()
    assert shown["other"]["display_name"] == "Magnus Mentor" and shown["other"]["profile_visible"]
    assert shown["reasons"] == ["both in supply-chain logistics", "both speak German"]
    assert shown["parts"]["field"] == 30.0 and shown["score"] == 72.5
    assert shown["answers"]["offer"] == "Introductions to consulting firms."
    assert shown["answers"]["languages"] == ["de", "en"]
    assert shown["fit"] == {"mine": {"answer": "no", "note": "Secret fit note"}, "theirs": None}
    assert [m["topics"] for m in shown["meetings"]] == [SECRET_TOPIC]
    assert shown["feedback"] is None
    mentor_view = api("mentor").get(f"/api/v1/mentoring/pairs/{world.pair_id}").get_json()
    assert mentor_view["answers"]["questions"] == [
        {"question": world.question, "answer": "A job offer by June."}
    ]
    assert mentor_view["fit"]["theirs"]["answer"] == "no"
    # Neither side learns whom the other must not be paired with.
    for body in (shown, mentor_view):
        text = json.dumps(body)
        assert "avoid" not in text and str(world["avoided"].id) not in json.dumps(body["answers"])
        assert AVOIDED_NAME not in text


def test_the_coordinators_json_has_counts_never_texts(app, world, api):
    _setup(app, world)
    with app.app_context():
        pairs.give_feedback(user(world["mentor"]), world.pair_id, 3, "Secret feedback comment")
        db.session.commit()
    for role in ("coordinator", "admin"):
        response = api(role).get(f"/api/v1/mentoring/programmes/{world.programme_id}/pairs")
        text = response.get_data(as_text=True)
        for secret in (SECRET_TOPIC, "Secret next step", "Learn Danish", "Secret fit note",
                       "Secret feedback comment"):  # fmt: skip
            assert secret not in text
        rows = {row["id"]: row for row in response.get_json()["items"]}
        row = rows[world.pair_id]
        assert (
            row["meetings"] == 1
            and row["last_meeting"] == (date.today() - timedelta(days=2)).isoformat()
        )
        assert row["fit"] == {"mentor": None, "mentee": "no"}
        assert row["feedback_rating"] == 3 and row["goals"] == 1 and row["stale"] is False
        assert rows[world.other_pair_id]["meetings"] == 0
        assert response.get_json()["average_rating"] == 3.0


def test_validation_answers_422_with_the_field(app, world, api):
    p = f"/api/v1/mentoring/pairs/{world.pair_id}"
    cases = [
        ("put", f"{p}/fit", {"answer": "maybe"}, "answer"),
        ("put", f"{p}/fit", {"answer": "yes", "note": "x" * 501}, "note"),
        ("post", f"{p}/goals", {"text": "x" * 301}, "text"),
        ("post", f"{p}/goals", {"text": "   "}, "text"),
        ("post", f"{p}/meetings", {"held_on": "2999-01-01", "topics": "x"}, "held_on"),
        ("post", f"{p}/meetings", {"held_on": "2000-01-01", "topics": "x"}, "held_on"),
        ("post", f"{p}/meetings", {"held_on": TODAY, "topics": ""}, "topics"),
        ("post", f"{p}/meetings", {"held_on": "someday", "topics": "x"}, "held_on"),
        ("put", f"{p}/feedback", {"rating": 6}, "rating"),
    ]
    for method, path, body, field in cases:
        client = api("mentor")
        response = getattr(client, method)(path, json=body)
        assert response.status_code == 422, (path, body, response.get_json())
        assert field in response.get_json()["error"]["fields"], (path, body)
    assert api("mentor").patch(f"{p}/goals/1", json={}).status_code in (404, 422)
    with app.app_context():
        goal_id = pairs.add_goal(user(world["mentor"]), world.pair_id, "Goal").id
        db.session.commit()
    empty = api("mentor").patch(f"{p}/goals/{goal_id}", json={})
    assert empty.status_code == 422 and error_code(empty) == "validation_error"


def test_goals_meetings_feedback_round_trip(app, world, api):
    p = f"/api/v1/mentoring/pairs/{world.pair_id}"
    for n in range(pairs.MAX_GOALS):
        assert api("mentee").post(f"{p}/goals", json={"text": f"Goal {n}"}).status_code == 201
    ninth = api("mentor").post(f"{p}/goals", json={"text": "Ninth"})
    assert ninth.status_code == 422 and "text" in ninth.get_json()["error"]["fields"]
    listed = api("mentor").get(f"{p}/goals").get_json()
    assert [g["text"] for g in listed["items"]][:2] == ["Goal 0", "Goal 1"]
    assert listed["review_open"] is False
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        programme.ends_on = date.today() + timedelta(days=10)
        db.session.commit()
    first = listed["items"][0]["id"]
    reviewed = api("mentor").patch(f"{p}/goals/{first}", json={"review": "partly"})
    assert reviewed.status_code == 200 and reviewed.get_json()["review"] == "partly"
    old = (date.today() - timedelta(days=9)).isoformat()
    for day, topics in ((old, "Older"), (TODAY, "Newer")):
        assert api("mentee").post(f"{p}/meetings", json={"held_on": day, "topics": topics}).status_code == 201  # fmt: skip
    assert [m["topics"] for m in api("mentor").get(f"{p}/meetings").get_json()["items"]] == [
        "Newer",
        "Older",
    ]
    feedback = api("mentor").put(f"{p}/feedback", json={"rating": 4, "comment": "Keen"})
    assert feedback.get_json() == {"rating": 4, "comment": "Keen"}
    assert api("mentor").put(f"{p}/feedback", json={"rating": 5}).get_json()["rating"] == 5
    assert api("mentor").get(p).get_json()["feedback"] == {"rating": 5, "comment": ""}
    assert api("mentee").get(p).get_json()["feedback"] is None


def test_ending_and_nudging_over_the_api(app, world, api):
    p = f"/api/v1/mentoring/pairs/{world.pair_id}"
    refused = api("coordinator").post(f"{p}/end", json={"reason": "Why not"})
    assert refused.status_code == 409
    assert api("coordinator").post(f"{p}/end", json={"reason": ""}).status_code == 422
    api("mentor").put(f"{p}/fit", json={"answer": "no"})
    ended = api("coordinator").post(f"{p}/end", json={"reason": "Different goals"})
    assert ended.status_code == 200 and ended.get_json()["status"] == "ended"
    with app.app_context():
        assert db.session.get(Pair, world.pair_id).status == PairStatus.ENDED
    assert api("mentee").post(f"{p}/meetings", json={"held_on": TODAY, "topics": "x"}).status_code == 409  # fmt: skip
    other = f"/api/v1/mentoring/pairs/{world.other_pair_id}/nudge"
    assert api("coordinator").post(other).status_code == 200
    again = api("admin").post(other)
    assert again.status_code == 409 and "again from" in again.get_json()["error"]["message"]
    assert api("coordinator").post(f"{p}/nudge").status_code == 409  # ended


def test_topics_stay_out_of_the_coordinators_pair_page_over_the_api(app, world, api):
    """The coordinator cannot read a pair, its goals or its meetings at all."""
    _setup(app, world)
    for suffix in ("", "/goals", "/meetings"):
        response = api("coordinator").get(f"/api/v1/mentoring/pairs/{world.pair_id}{suffix}")
        assert response.status_code == 404
        assert SECRET_TOPIC not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(PairGoal).count() == 1
        assert db.session.query(PairMeeting).count() == 1


def test_every_endpoint_is_in_the_openapi_document(client):
    paths = client.get(OPENAPI_PATH).get_json()["paths"]
    wanted = {
        "/api/v1/mentoring/pairs": {"get"},
        "/api/v1/mentoring/pairs/{pair_id}": {"get"},
        "/api/v1/mentoring/pairs/{pair_id}/fit": {"put"},
        "/api/v1/mentoring/pairs/{pair_id}/goals": {"get", "post"},
        "/api/v1/mentoring/pairs/{pair_id}/goals/{goal_id}": {"patch", "delete"},
        "/api/v1/mentoring/pairs/{pair_id}/meetings": {"get", "post"},
        "/api/v1/mentoring/pairs/{pair_id}/meetings/{meeting_id}": {"patch", "delete"},
        "/api/v1/mentoring/pairs/{pair_id}/feedback": {"put"},
        "/api/v1/mentoring/programmes/{programme_id}/pairs": {"get"},
        "/api/v1/mentoring/pairs/{pair_id}/end": {"post"},
        "/api/v1/mentoring/pairs/{pair_id}/nudge": {"post"},
    }
    for path, methods in wanted.items():
        assert methods <= set(paths[path]), path
