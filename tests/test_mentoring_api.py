"""Mentoring programmes and applications over the JSON API: every endpoint over every role,
validation (422 naming the field), the second application (409), edits past the deadline
(409), the avoid list never in what the person named gets, escaped-as-data text, and the
OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from community.extensions import db
from community.mentoring.models import MentoringApplication, Programme
from tests.mentoring_prog_world import MANAGERS, ROLES, XSS, ProgWorld, build_world
from tests.test_api import OPENAPI_PATH, api_login, error_code, error_fields
from tests.test_api_events import Anonymous

MEMBERS = [role for role in ROLES if role != "anonymous"]
CREATORS = ("coordinator", "other_coordinator", "admin")


@pytest.fixture
def world(app) -> ProgWorld:
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


def new_programme(**changes) -> dict:
    today = date.today()
    body = {
        "name": "Mentoring Aarhus 2027",
        "description": "Pairs meet **monthly**.",
        "starts_on": (today + timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=330)).isoformat(),
        "application_deadline": (today + timedelta(days=10)).isoformat(),
        "default_capacity": 1,
        "city": "aarhus",
        "timezone": "Europe/Copenhagen",
        "questions": [{"text": "Your dream employer?", "asked_of": "mentee"}],
    }
    body.update(changes)
    return body


def new_application(**changes) -> dict:
    body = {
        "role": "mentor",
        "field": "business",
        "languages": ["en", "da"],
        "industries": ["Consulting"],
        "interests": ["Sailing"],
        "offer": "I am a consultant.",
        "wishes": "Someone ambitious.",
        "capacity": 2,
        "avoid_user_ids": [],
    }
    body.update(changes)
    return body


def _paths(world: ProgWorld) -> list[tuple[str, str]]:
    base = f"/api/v1/mentoring/programmes/{world.programme_id}"
    return [
        ("get", "/api/v1/mentoring/programmes"),
        ("post", "/api/v1/mentoring/programmes"),
        ("get", base),
        ("patch", base),
        ("get", f"{base}/applications"),
        ("post", f"{base}/applications"),
        ("get", f"{base}/applications/{world.application_id}"),
        ("patch", f"{base}/applications/{world.application_id}"),
        ("get", "/api/v1/me/mentoring/applications"),
    ]


def test_anonymous_gets_401_everywhere(world, api):
    for method, path in _paths(world):
        response = getattr(api("anonymous"), method)(path)
        assert response.status_code == 401, (method, path)
        assert error_code(response) == "unauthorized"


@pytest.mark.parametrize("role", MEMBERS)
def test_every_member_reads_programmes(world, api, role):
    client = api(role)
    listed = client.get("/api/v1/mentoring/programmes").get_json()
    assert [item["id"] for item in listed["items"]] == [world.programme_id]
    one = client.get(f"/api/v1/mentoring/programmes/{world.programme_id}").get_json()
    assert one["phase"] == "open" and one["figures"]["mentees_applied"] == 1
    assert one["can_manage"] == (role in MANAGERS)
    assert (one["my_application_id"] is not None) == (role == "applicant")
    assert one["can_apply"] == (role not in ("applicant", "coordinator"))
    assert client.get("/api/v1/mentoring/programmes/999999").status_code == 404


@pytest.mark.parametrize("role", MEMBERS)
def test_only_coordinators_create(app, world, api, role):
    response = api(role).post("/api/v1/mentoring/programmes", json=new_programme())
    if role in CREATORS:
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["id"] and body["coordinator"]["id"] == world[role].id
        assert "<strong>monthly</strong>" in body["description_html"]
        assert [q["text"] for q in body["questions"]] == ["Your dream employer?"]
    else:
        assert response.status_code == 403 and error_code(response) == "forbidden"


@pytest.mark.parametrize("role", MEMBERS)
def test_only_managers_patch_a_programme(app, world, api, role):
    path = f"/api/v1/mentoring/programmes/{world.programme_id}"
    response = api(role).patch(path, json={"name": "Renamed", "mentors_accept": True})
    assert response.status_code == (200 if role in MANAGERS else 403)
    if role in MANAGERS:
        assert response.get_json()["name"] == "Renamed"
        assert response.get_json()["mentors_accept"] is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"default_capacity": 11}, "default_capacity"),
        ({"application_deadline": (date.today() + timedelta(days=60)).isoformat()},
         "application_deadline"),
        ({"city": None, "online": False}, "city"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"questions": [{"text": f"Q{n}"} for n in range(6)]}, "questions"),
        ({"surprise": 1}, "surprise"),
    ],
)  # fmt: skip
def test_programme_validation_names_the_field(world, api, changes, field):
    response = api("coordinator").post(
        "/api/v1/mentoring/programmes", json=new_programme(**changes)
    )
    assert response.status_code == 422, response.get_json()
    assert field in error_fields(response)


def test_missing_required_fields_are_422(world, api):
    response = api("coordinator").post("/api/v1/mentoring/programmes", json={"name": "X"})
    assert response.status_code == 422
    assert {"description", "starts_on", "ends_on", "application_deadline",
            "default_capacity"} <= set(error_fields(response))  # fmt: skip


# --- applications --------------------------------------------------------------------------


@pytest.mark.parametrize("role", MEMBERS)
def test_applying_answers_201_or_409(app, world, api, role):
    path = f"/api/v1/mentoring/programmes/{world.programme_id}/applications"
    response = api(role).post(path, json=new_application())
    if role in ("applicant",):
        assert (
            response.status_code == 409
            and "already applied" in response.get_json()["error"]["message"]
        )
    elif role == "coordinator":
        assert response.status_code == 409
    else:
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["status"] == "submitted" and body["id"]
        assert (body["role"], body["capacity"], body["languages"]) == ("mentor", 2, ["en", "da"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"languages": []}, "languages"),
        ({"languages": ["xx"]}, "languages"),
        ({"capacity": 11}, "capacity"),
        ({"field": "astrology"}, "field"),
        ({"role": "boss"}, "role"),
        ({"avoid_user_ids": [999999]}, "avoid"),
        ({"status": "accepted"}, "status"),
    ],
)
def test_application_validation_names_the_field(world, api, changes, field):
    path = f"/api/v1/mentoring/programmes/{world.programme_id}/applications"
    response = api("member").post(path, json=new_application(**changes))
    assert response.status_code == 422, response.get_json()
    assert field in error_fields(response)


@pytest.mark.parametrize("role", MEMBERS)
def test_who_reads_an_application(world, api, role):
    base = f"/api/v1/mentoring/programmes/{world.programme_id}/applications"
    one = api(role).get(f"{base}/{world.application_id}")
    listed = api(role).get(base)
    if role in MANAGERS:
        assert one.status_code == 200 and listed.status_code == 200
        assert [item["id"] for item in listed.get_json()["items"]] == [world.application_id]
        assert one.get_json()["avoid_user_ids"] == [world["avoided"].id]
    elif role == "applicant":
        assert one.status_code == 200 and listed.status_code == 403
        assert one.get_json()["avoid_user_ids"] == [world["avoided"].id]
    else:
        assert one.status_code == 404 and listed.status_code == 403
        assert "Ana" not in one.get_data(as_text=True) + listed.get_data(as_text=True)


@pytest.mark.parametrize("role", MEMBERS)
def test_who_decides_and_who_edits(app, world, api, role):
    path = f"/api/v1/mentoring/programmes/{world.programme_id}/applications/{world.application_id}"
    decided = api(role).patch(path, json={"status": "accepted"})
    edited = api(role).patch(path, json={"wishes": "Changed"})
    if role in MANAGERS:
        assert decided.status_code == 200 and decided.get_json()["status"] == "accepted"
        assert edited.status_code == 403
    elif role == "applicant":
        assert decided.status_code == 403
        assert edited.status_code == 200 and edited.get_json()["wishes"] == "Changed"
    else:
        assert decided.status_code == 404 and edited.status_code == 404
    with app.app_context():
        row = db.session.get(MentoringApplication, world.application_id)
        assert (row.status == "accepted") == (role in MANAGERS)


def test_the_applicant_withdraws_with_a_reason(app, world, api):
    path = f"/api/v1/mentoring/programmes/{world.programme_id}/applications/{world.application_id}"
    refused = api("applicant").patch(path, json={"status": "withdrawn"})
    assert refused.status_code == 422 and "reason" in error_fields(refused)
    done = api("applicant").patch(path, json={"status": "withdrawn", "withdraw_reason": "New job"})
    assert done.status_code == 200
    assert (done.get_json()["status"], done.get_json()["withdraw_reason"]) == (
        "withdrawn",
        "New job",
    )
    assert api("coordinator").patch(path, json={"status": "accepted"}).status_code == 409


def test_edits_past_the_deadline_are_409(app, world, api):
    with app.app_context():
        db.session.execute(
            update(Programme)
            .where(Programme.id == world.programme_id)
            .values(application_deadline=date.today() - timedelta(days=2))
        )
        db.session.commit()
    base = f"/api/v1/mentoring/programmes/{world.programme_id}/applications"
    late = api("applicant").patch(f"{base}/{world.application_id}", json={"wishes": "Late"})
    assert late.status_code == 409 and error_code(late) == "conflict"
    assert api("member").post(base, json=new_application()).status_code == 409


def test_my_applications(world, api):
    mine = api("applicant").get("/api/v1/me/mentoring/applications").get_json()
    assert [item["id"] for item in mine["items"]] == [world.application_id]
    assert api("avoided").get("/api/v1/me/mentoring/applications").get_json()["items"] == []


def test_the_person_named_never_gets_the_avoid_list(world, api):
    client = api("avoided")
    seen = "".join(
        getattr(client, method)(path).get_data(as_text=True)
        for method, path in _paths(world)
        if method == "get"
    )
    assert "Ana Applicant" not in seen and "avoid_user_ids" not in seen


def test_text_comes_back_as_sent_and_descriptions_sanitised(world, api):
    created = (
        api("coordinator")
        .post("/api/v1/mentoring/programmes", json=new_programme(name=XSS, description=XSS))
        .get_json()
    )
    assert created["name"] == XSS
    assert (
        "<script" not in created["description_html"] and "<img" not in created["description_html"]
    )
    path = f"/api/v1/mentoring/programmes/{created['id']}/applications"
    body = api("member").post(path, json=new_application(wishes=XSS, offer=XSS)).get_json()
    assert body["wishes"] == XSS  # JSON carries text; pages escape it


def test_the_endpoints_are_in_the_openapi_document(app, world, api):
    document = api("member").get(OPENAPI_PATH).get_json()
    paths = document["paths"]
    for path, methods in {
        "/api/v1/mentoring/programmes": {"get", "post"},
        "/api/v1/mentoring/programmes/{programme_id}": {"get", "patch"},
        "/api/v1/mentoring/programmes/{programme_id}/applications": {"get", "post"},
        "/api/v1/mentoring/programmes/{programme_id}/applications/{application_id}": {
            "get",
            "patch",
        },
        "/api/v1/me/mentoring/applications": {"get"},
    }.items():
        assert methods <= set(paths[path]), path


def test_the_list_takes_a_bounded_number_of_queries(app, world, api, count_queries):
    from tests.factories import make_user
    from tests.mentoring_prog_world import make_programme

    client = api("member")
    client.get("/api/v1/mentoring/programmes")
    with count_queries() as few:
        assert len(client.get("/api/v1/mentoring/programmes").get_json()["items"]) == 1
    with app.app_context():
        from community.auth.roles import Role

        for n in range(6):
            coordinator = make_user(f"c{n}@example.org", f"Coord {n}", roles=(Role.COORDINATOR,))
            make_programme(coordinator, name=f"Cohort {n}")
    with count_queries() as many:
        assert len(client.get("/api/v1/mentoring/programmes").get_json()["items"]) == 7
    assert many.count == few.count


def test_the_coordinators_list_comes_a_page_at_a_time_and_filters(world, api):
    """The coordinator's list is keyset paged like every list: walking `next_cursor` at
    two a page gives every application once, in the one order; `role` and `status`
    filter; a bad filter is 422 naming it, a forged cursor 400."""
    path = f"/api/v1/mentoring/programmes/{world.programme_id}/applications"
    for role, as_role in (("admin", "mentor"), ("member", "mentee"), ("other_coordinator", None)):
        body = new_application(role=as_role) if as_role else new_application()
        assert api(role).post(path, json=body).status_code == 201
    coordinator = api("coordinator")
    whole = coordinator.get(path, query_string={"limit": 100}).get_json()
    assert whole["next_cursor"] is None and len(whole["items"]) >= 4
    walked, cursor = [], None
    while True:
        page = coordinator.get(path, query_string={"limit": 2, "cursor": cursor or ""}).get_json()
        assert len(page["items"]) <= 2
        walked += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert walked == [item["id"] for item in whole["items"]]
    mentees = coordinator.get(path, query_string={"role": "mentee"}).get_json()["items"]
    assert mentees and {item["role"] for item in mentees} == {"mentee"}
    submitted = coordinator.get(path, query_string={"status": "submitted"}).get_json()["items"]
    assert submitted and {item["status"] for item in submitted} == {"submitted"}
    bad = coordinator.get(path, query_string={"status": "hired"})
    assert bad.status_code == 422 and "status" in error_fields(bad)
    assert coordinator.get(path, query_string={"cursor": "bm90LWEtY3Vyc29y"}).status_code == 400
