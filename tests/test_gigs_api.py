"""Gigs over the JSON API: every endpoint over every role, the holds and privacy as on the
pages, validation (422 with the field), the second application (409), the OpenAPI document,
and a member's work permit never appearing in what another member gets."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from community.extensions import db
from community.profiles.services import ProfileData, update_profile
from tests.gigs_world import ROLES, XSS, GigsWorld, build_world, user
from tests.test_api import OPENAPI_PATH, api_login, error_code, error_fields
from tests.test_api_events import Anonymous


@pytest.fixture
def world(app) -> GigsWorld:
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


def new_gig(**changes) -> dict:
    body = {
        "kind": "remote",
        "title": "Review our website copy",
        "description": "Three pages, in **English**.",
        "who_can_take": "remote_abroad",
        "engagement": "invoice",
        "remote": True,
        "overlap_hours": 2,
        "countries": ["DK", "SE"],
        "skills": ["Copywriting"],
        "languages": ["en"],
        "compensation_amount": 250,
        "currency": "EUR",
        "compensation_period": "project",
        "deadline": (date.today() + timedelta(days=14)).isoformat(),
    }
    body.update(changes)
    return body


def test_anonymous_gets_401_everywhere(world, api):
    anon = api("anonymous")
    for method, path in (
        ("get", "/api/v1/gigs"),
        ("post", "/api/v1/gigs"),
        ("get", f"/api/v1/gigs/{world.gig_id}"),
        ("patch", f"/api/v1/gigs/{world.gig_id}"),
        ("get", f"/api/v1/gigs/{world.gig_id}/applications"),
        ("post", f"/api/v1/gigs/{world.gig_id}/applications"),
        ("patch", f"/api/v1/applications/{world.application_id}"),
        ("delete", f"/api/v1/applications/{world.application_id}"),
        ("get", "/api/v1/me/applications"),
    ):
        response = getattr(anon, method)(path)
        assert response.status_code == 401, (method, path)
        assert error_code(response) == "unauthorized"


MEMBERS = [role for role in ROLES if role != "anonymous"]


@pytest.mark.parametrize("role", MEMBERS)
def test_list_and_get_follow_the_holds(world, api, role):
    client = api(role)
    ids = [item["id"] for item in client.get("/api/v1/gigs").get_json()["items"]]
    assert ids == [world.gig_id]
    assert client.get(f"/api/v1/gigs/{world.gig_id}").status_code == 200
    held = client.get(f"/api/v1/gigs/{world.pending_id}")
    sees = role in ("poster", "moderator", "admin")
    assert held.status_code == (200 if sees else 404)
    if sees:
        assert (
            held.get_json()["review"] == "pending" and "money" in held.get_json()["review_reason"]
        )
    else:
        assert "Data entry" not in held.get_data(as_text=True)
        assert held.get_json() == client.get("/api/v1/gigs/999999").get_json()


@pytest.mark.parametrize("role", MEMBERS)
def test_only_the_poster_patches_a_gig(app, world, api, role):
    response = api(role).patch(f"/api/v1/gigs/{world.gig_id}", json={"title": "New title"})
    assert response.status_code == (200 if role == "poster" else 403)
    response = api(role).patch(f"/api/v1/gigs/{world.gig_id}", json={"status": "closed"})
    assert response.status_code == (200 if role == "poster" else 403)
    if role == "poster":
        assert response.get_json()["status"] == "closed"
        again = api(role).patch(f"/api/v1/gigs/{world.gig_id}", json={"status": "open"})
        assert again.get_json()["status"] == "open"


def test_posting_answers_201_or_a_hold(world, api):
    response = api("poster").post("/api/v1/gigs", json=new_gig())
    assert response.status_code == 201
    gig = response.get_json()
    assert (gig["review"], gig["remote"], gig["countries"]) == ("approved", True, ["DK", "SE"])
    assert gig["city"] is None and "<strong>English</strong>" in gig["description_html"]
    held = api("admin").post("/api/v1/gigs", json=new_gig(description="Pay to apply: 5 EUR."))
    assert held.status_code == 201 and held.get_json()["review"] == "pending"
    edited = api("poster").patch(f"/api/v1/gigs/{gig['id']}", json={"deliverable": "IBAN please"})
    assert edited.get_json()["review"] == "pending"
    assert api("other").get(f"/api/v1/gigs/{gig['id']}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"remote": False}, "city"),
        ({"currency": None}, "currency"),
        ({"kind": "gig-economy"}, "kind"),
        ({"hours_per_week": 99}, "hours_per_week"),
        ({"overlap_hours": 13}, "overlap_hours"),
        ({"countries": ["XX"]}, "countries"),
        ({"title": ""}, "title"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_posting_refusals_are_422_naming_the_field(world, api, changes, field):
    response = api("poster").post("/api/v1/gigs", json=new_gig(**changes))
    assert response.status_code == 422, response.get_json()
    assert field in error_fields(response)


def test_filters_as_query_parameters(app, world, api):
    client = api("poster")
    client.post("/api/v1/gigs", json=new_gig())
    assert len(client.get("/api/v1/gigs?remote=true").get_json()["items"]) == 1
    assert len(client.get("/api/v1/gigs?city=copenhagen").get_json()["items"]) == 1
    assert len(client.get("/api/v1/gigs?pay=paid&kind=remote").get_json()["items"]) == 1
    assert len(client.get("/api/v1/gigs?skill=danish&language=da").get_json()["items"]) == 1
    assert client.get("/api/v1/gigs?who_can_take=right_to_work").get_json()["items"] == []
    page = client.get("/api/v1/gigs?limit=1").get_json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = client.get(f"/api/v1/gigs?limit=1&cursor={page['next_cursor']}").get_json()
    assert rest["items"][0]["id"] == world.gig_id
    assert client.get("/api/v1/gigs?cursor=nonsense").status_code == 400


# --- applications --------------------------------------------------------------------------


def test_apply_201_then_409(world, api):
    client = api("other")
    body = {"message": "Pick me.", "link": "https://example.org/work"}
    first = client.post(f"/api/v1/gigs/{world.gig_id}/applications", json=body)
    assert first.status_code == 201 and first.get_json()["status"] == "submitted"
    second = client.post(f"/api/v1/gigs/{world.gig_id}/applications", json=body)
    assert second.status_code == 409 and error_code(second) == "conflict"
    own = api("poster").post(f"/api/v1/gigs/{world.gig_id}/applications", json=body)
    assert own.status_code == 409
    held = client.post(f"/api/v1/gigs/{world.pending_id}/applications", json=body)
    assert held.status_code == 404
    bad = api("organiser").post(
        f"/api/v1/gigs/{world.gig_id}/applications",
        json={"message": "x", "link": "javascript:alert(1)"},
    )
    assert bad.status_code == 422 and "link" in error_fields(bad)
    empty = api("organiser").post(f"/api/v1/gigs/{world.gig_id}/applications", json={})
    assert empty.status_code == 422 and "message" in error_fields(empty)


@pytest.mark.parametrize("role", MEMBERS)
def test_applications_are_seen_by_poster_and_applicant_only(world, api, role):
    client = api(role)
    listing = client.get(f"/api/v1/gigs/{world.gig_id}/applications")
    assert listing.status_code == (200 if role == "poster" else 404)
    if role != "poster":
        assert "I translate for a living." not in listing.get_data(as_text=True)
    else:
        item = listing.get_json()["items"][0]
        assert item["applicant"]["display_name"] == "Abe Applicant"
        assert item["link"] == "https://example.org/cv"
    patch = client.patch(f"/api/v1/applications/{world.application_id}",
                         json={"status": "shortlisted"})  # fmt: skip
    assert patch.status_code == (200 if role == "poster" else 404)
    mine = client.get("/api/v1/me/applications").get_json()["items"]
    assert [row["id"] for row in mine] == ([world.application_id] if role == "applicant" else [])
    delete = client.delete(f"/api/v1/applications/{world.application_id}")
    assert delete.status_code == (200 if role == "applicant" else 404)


def test_status_changes_and_withdraw(world, api):
    path = f"/api/v1/applications/{world.application_id}"
    declined = api("poster").patch(path, json={"status": "declined", "reason": "Filled already."})
    assert declined.get_json()["decline_reason"] == "Filled already."
    assert api("poster").patch(path, json={"status": "withdrawn"}).status_code == 422
    mine = api("applicant").get("/api/v1/me/applications").get_json()["items"][0]
    assert (mine["status"], mine["decline_reason"]) == ("declined", "Filled already.")
    withdrawn = api("applicant").delete(path)
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert api("poster").patch(path, json={"status": "accepted"}).status_code == 409


def test_text_comes_back_sanitised(world, api):
    gig = (
        api("poster")
        .post("/api/v1/gigs", json=new_gig(title=XSS[:100], description=XSS, skills=["<b>x</b>"]))
        .get_json()
    )
    assert "<script" not in gig["description_html"] and "<img" not in gig["description_html"]
    assert "&lt;script&gt;" in gig["description_html"]


# --- the work permit -----------------------------------------------------------------------


def test_a_members_work_permit_never_reaches_another_member(app, world, api, login):
    with app.app_context():
        for role in ("applicant", "poster"):
            update_profile(user(world[role]), ProfileData(work_permit="restricted"))
        db.session.commit()
    label = "I may work with restrictions"
    for role, path in (
        ("poster", f"/api/v1/gigs/{world.gig_id}/applications"),
        ("other", f"/api/v1/gigs/{world.gig_id}"),
        ("other", "/api/v1/gigs"),
        ("applicant", "/api/v1/me/applications"),
        ("other", "/api/v1/search?q=brochure&type=gig"),
    ):
        body = api(role).get(path).get_data(as_text=True)
        assert "restricted" not in body and "work_permit" not in body and label not in body, path
    for role, path in (
        ("poster", f"/gigs/{world.gig_id}/applications"),
        ("other", f"/gigs/{world.gig_id}"),
        ("other", "/gigs"),
        ("other", "/search?q=brochure&type=gig"),
    ):
        body = login(world[role]).get(path).get_data(as_text=True)
        assert label not in body and "work_permit" not in body, path


def test_the_openapi_document_lists_the_gig_endpoints(client):
    paths = client.get(OPENAPI_PATH).get_json()["paths"]
    for path, methods in (
        ("/api/v1/gigs", {"get", "post"}),
        ("/api/v1/gigs/{gig_id}", {"get", "patch"}),
        ("/api/v1/gigs/{gig_id}/applications", {"get", "post"}),
        ("/api/v1/applications/{application_id}", {"patch", "delete"}),
        ("/api/v1/me/applications", {"get"}),
    ):
        assert methods <= set(paths[path]), path
