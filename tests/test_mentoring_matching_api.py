"""The proposals API (`community/api/mentoring_matching.py`): run, read and confirm, for every
role; the answer's shape; 404, 409 and 422 (a refused pin says why); the OpenAPI document."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.mentoring.models import Pair, Programme, Proposal
from tests.mentoring_match_world import ROLES, apply, build_world
from tests.test_api import api_login

COORDINATING = {"coordinator", "admin"}


@pytest.fixture
def world(app, make_user, coordinator):
    return build_world(app, make_user, coordinator)


def as_role(app, world, role):
    ref = world.people[role]
    if ref is None:
        return app.test_client()
    return api_login(app, ref)


def run(app, world, **body):
    api = api_login(app, world.people["coordinator"])
    response = api.post(f"/api/v1/mentoring/programmes/{world.programme_id}/proposals", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("role", ROLES)
def test_running_matching(app, world, role):
    api = as_role(app, world, role)
    response = api.post(f"/api/v1/mentoring/programmes/{world.programme_id}/proposals", json={})
    expected = {"anonymous": 401}.get(role, 201 if role in COORDINATING else 403)
    assert response.status_code == expected, response.get_json()
    if expected == 201:
        body = response.get_json()
        carl, mona = world.people["mentor"], world.people["mentee"]
        (pair,) = body["pairs"]
        assert (pair["mentor_id"], pair["mentee_id"]) == (carl.id, mona.id)
        assert pair["parts"]["field"] == 20.0
        assert "both work in Law" in pair["reasons"]
        assert pair["score"] == body["lowest_score"]
        assert body["unmatched"] == [] and body["status"] == "draft"


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_proposal(app, world, role):
    proposal = run(app, world)
    response = as_role(app, world, role).get(f"/api/v1/mentoring/proposals/{proposal['id']}")
    expected = {"anonymous": 401}.get(role, 200 if role in COORDINATING else 403)
    assert response.status_code == expected
    if expected == 200:
        assert response.get_json() == proposal


@pytest.mark.parametrize("role", ROLES)
def test_confirming_a_proposal(app, world, role):
    proposal = run(app, world)
    response = as_role(app, world, role).post(
        f"/api/v1/mentoring/proposals/{proposal['id']}/confirm"
    )
    expected = {"anonymous": 401}.get(role, 200 if role in COORDINATING else 403)
    assert response.status_code == expected
    with app.app_context():
        pairs = db.session.scalar(select(func.count()).select_from(Pair))
    assert pairs == (1 if expected == 200 else 0)
    if expected == 200:
        body = response.get_json()
        assert body["status"] == "confirmed"
        assert [p["status"] for p in body["pairs"]] == ["active"]


def test_missing_superseded_and_confirmed(app, world):
    api = api_login(app, world.people["coordinator"])
    assert api.post("/api/v1/mentoring/programmes/9999/proposals", json={}).status_code == 404
    assert api.get("/api/v1/mentoring/proposals/9999").status_code == 404
    assert api.post("/api/v1/mentoring/proposals/9999/confirm").status_code == 404
    first, second = run(app, world), run(app, world)
    replaced = api.post(f"/api/v1/mentoring/proposals/{first['id']}/confirm")
    assert replaced.status_code == 409
    assert "newer proposal" in replaced.get_json()["error"]["message"]
    assert api.post(f"/api/v1/mentoring/proposals/{second['id']}/confirm").status_code == 200
    again = api.post(f"/api/v1/mentoring/proposals/{second['id']}/confirm")
    assert again.status_code == 409
    assert "already confirmed" in again.get_json()["error"]["message"]


def test_bad_pins_are_422_and_say_why(app, world, make_user):
    omar = make_user("omar@example.org", "Omar")
    with app.app_context():
        apply(db.session.get(Programme, world.programme_id), omar, "mentee", languages=("ar",))
    api = api_login(app, world.people["coordinator"])
    path = f"/api/v1/mentoring/programmes/{world.programme_id}/proposals"
    carl = world.people["mentor"]
    refused = api.post(path, json={"pins": [[carl.id, omar.id]]})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["fields"]["pins"] == ["Pin refused: Carl Mentor and Omar share no language."]
    malformed = api.post(path, json={"pins": [[carl.id]], "min_score": 500})
    assert malformed.status_code == 422
    assert set(malformed.get_json()["error"]["fields"]) == {"pins", "min_score"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_pins_forbids_and_min_score_are_kept_on_the_proposal(app, world):
    carl, mona = world.people["mentor"], world.people["mentee"]
    body = run(app, world, min_score=90, forbids=[[carl.id, mona.id]])
    assert body["pairs"] == [] and body["min_score"] == 90
    assert body["forbids"] == [[carl.id, mona.id]]
    assert "forbids" in body["unmatched"][0]["reason"]
    pinned = run(app, world, min_score=90, pins=[[carl.id, mona.id]])
    assert [p["pinned"] for p in pinned["pairs"]] == [True]  # a pin overrides the minimum


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/mentoring/programmes/{programme_id}/proposals"]
    assert "get" in paths["/api/v1/mentoring/proposals/{proposal_id}"]
    assert "post" in paths["/api/v1/mentoring/proposals/{proposal_id}/confirm"]
