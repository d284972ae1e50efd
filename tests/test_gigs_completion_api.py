"""Completing a gig over the API (`community/api/gig_completion.py`): the same rules as the
pages, per role, with the document listing every path."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.gigs import applications
from community.gigs.models import GigApplication
from tests.gigs_world import GigsWorld, build_world, user
from tests.test_api import OPENAPI_PATH, api_login, error_code
from tests.test_api_events import Anonymous


@pytest.fixture
def world(app) -> GigsWorld:
    with app.app_context():
        world = build_world()
        application = db.session.get(GigApplication, world.application_id)
        applications.set_status(user(world["poster"]), application, "accepted")
        db.session.commit()
        return world


@pytest.fixture
def api(app, world):
    clients = {}

    def client(role: str):
        if role not in clients:
            clients[role] = Anonymous(app) if role == "anonymous" else api_login(app, world[role])
        return clients[role]

    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [("poster", 200), ("applicant", 403), ("other", 403), ("moderator", 403), ("anonymous", 401)],
)
def test_completing_by_role(world, api, role, status):
    answer = api(role).post(f"/api/v1/gigs/{world.gig_id}/complete")
    assert answer.status_code == status
    if status == 200:
        assert answer.get_json()["status"] == "completed"
        assert api("poster").post(f"/api/v1/gigs/{world.gig_id}/complete").status_code == 409


def test_feedback_and_references_over_the_api(world, api):
    gig, pia, abe = world.gig_id, world["poster"].id, world["applicant"].id
    assert (
        api("poster").put(f"/api/v1/gigs/{gig}/feedback/{abe}", json={"rating": 5}).status_code
        == 409
    )
    api("poster").post(f"/api/v1/gigs/{gig}/complete")
    assert api("poster").put(f"/api/v1/gigs/{gig}/feedback/{abe}",
                             json={"rating": 5, "comment": "Great"}).status_code == 200  # fmt: skip
    (pair,) = api("applicant").get(f"/api/v1/gigs/{gig}/feedback").get_json()["items"]
    assert pair == {"other_id": pia, "mine": None, "theirs": None, "waiting": True}
    answer = api("applicant").put(f"/api/v1/gigs/{gig}/feedback/{pia}", json={"rating": 9})
    assert answer.status_code == 422 and error_code(answer) == "validation_error"
    api("applicant").put(f"/api/v1/gigs/{gig}/feedback/{pia}", json={"rating": 4})
    (pair,) = api("applicant").get(f"/api/v1/gigs/{gig}/feedback").get_json()["items"]
    assert pair["theirs"] == {"rating": 5, "comment": "Great"}
    assert api("other").get(f"/api/v1/gigs/{gig}/feedback").get_json()["items"] == []
    assert (
        api("other").put(f"/api/v1/gigs/{gig}/feedback/{pia}", json={"rating": 1}).status_code
        == 404
    )
    body = {"hours": 8, "skills_used": "Danish", "statement": "Translated it all."}
    assert (
        api("applicant").put(f"/api/v1/gigs/{gig}/references/{abe}", json=body).status_code == 403
    )
    reference = api("poster").put(f"/api/v1/gigs/{gig}/references/{abe}", json=body).get_json()
    assert reference["on_profile"] is False and reference["hours"] == 8
    path = f"/api/v1/me/references/{reference['id']}"
    assert api("poster").patch(path, json={"shown": True}).status_code == 404
    answer = api("applicant").patch(path, json={"shown": True, "sample_link": "ftp://x"})
    assert answer.status_code == 422
    assert api("applicant").patch(path, json={"shown": True}).get_json()["on_profile"] is True
    shown = api("other").get(f"/api/v1/members/{abe}/references").get_json()["items"]
    assert [item["statement"] for item in shown] == ["Translated it all."]
    assert api("anonymous").get(f"/api/v1/members/{abe}/references").status_code == 401


def test_the_document_lists_the_completion_paths(world, api):
    paths = api("other").get(OPENAPI_PATH).get_json()["paths"]
    for path in (
        "/api/v1/gigs/{gig_id}/complete",
        "/api/v1/gigs/{gig_id}/feedback",
        "/api/v1/gigs/{gig_id}/feedback/{user_id}",
        "/api/v1/gigs/{gig_id}/references/{user_id}",
        "/api/v1/me/references/{reference_id}",
        "/api/v1/members/{user_id}/references",
    ):
        assert path in paths, path
