"""Learning over the JSON API: GET|POST /api/v1/learning, GET|PATCH /api/v1/learning/{id},
GET|POST /api/v1/me/learning-plan, PATCH /api/v1/me/learning-plan and
PATCH|DELETE /api/v1/me/learning-plan/{entry_id}: every role on every endpoint, the plan's
privacy (another member's entry is 404), 422 with the fields named, escaping, cursor
pagination, skills to the profile only when asked, and the OpenAPI document."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.learning.models import LearningItem, LearningPlanEntry
from community.profiles.services import get_profile
from tests.learning_world import ROLES, LearningWorld, build_world
from tests.test_api import OPENAPI_PATH, api_login, error_code, error_fields
from tests.test_api_events import Anonymous

BACKENDS = ("sqlite", "postgresql")

EDITORS = {"organiser", "moderator", "admin"}
ADDERS = {"organiser", "other_organiser", "moderator", "admin"}


@pytest.fixture
def world(app) -> LearningWorld:
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


NEW_ITEM = {
    "kind": "course",
    "title": "Python basics",
    "description": "From *zero*.",
    "provider": "Coursera",
    "format": "online",
    "language": "en",
    "free": False,
    "cost_amount": 49,
    "currency": "EUR",
    "cost_from": True,
    "funding": "Often covered by an employer's partner budget",
    "skills": ["Python"],
    "link": "https://example.org/python",
}


def test_anonymous_gets_401_everywhere(world, api):
    anon = api("anonymous")
    for method, path in (
        ("get", "/api/v1/learning"),
        ("post", "/api/v1/learning"),
        ("get", f"/api/v1/learning/{world.item_id}"),
        ("patch", f"/api/v1/learning/{world.item_id}"),
        ("get", "/api/v1/me/learning-plan"),
        ("post", "/api/v1/me/learning-plan"),
        ("patch", "/api/v1/me/learning-plan"),
        ("patch", f"/api/v1/me/learning-plan/{world.entry_id}"),
        ("delete", f"/api/v1/me/learning-plan/{world.entry_id}"),
    ):
        response = (
            getattr(anon, method)(path)
            if method in ("get", "delete")
            else getattr(anon, method)(path, json={})
        )
        assert response.status_code == 401, (method, path)
        assert error_code(response) == "unauthorized"


@pytest.mark.parametrize("role", ROLES)
def test_items_are_read_by_every_member(world, api, role):
    client = api(role)
    listing = client.get("/api/v1/learning").get_json()
    titles = {item["title"] for item in listing["items"]}
    assert titles == {"Danish 1", "Data analysis with SQL"}
    one = client.get(f"/api/v1/learning/{world.paid_item_id}").get_json()
    assert one["cost_amount"] == 120 and one["cost_from"] is True and one["free"] is False
    assert one["can_edit"] == (role in EDITORS)
    assert client.get("/api/v1/learning/999999").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_adding_and_editing_items_by_role(app, world, api, role):
    client = api(role)
    created = client.post("/api/v1/learning", json={**NEW_ITEM, "title": f"By {role}"})
    assert created.status_code == (201 if role in ADDERS else 403)
    patched = client.patch(f"/api/v1/learning/{world.item_id}", json={"title": f"Now {role}"})
    assert patched.status_code == (200 if role in EDITORS else 403)
    with app.app_context():
        assert (db.session.get(LearningItem, world.item_id).title == f"Now {role}") == (
            role in EDITORS
        )


def test_validation_answers_422_naming_the_fields(api):
    client = api("organiser")
    missing = client.post("/api/v1/learning", json={"title": "x"})
    assert missing.status_code == 422
    assert {"kind", "description", "provider", "format", "language"} <= set(error_fields(missing))
    link = client.post("/api/v1/learning", json={**NEW_ITEM, "link": "javascript:alert(1)"})
    assert link.status_code == 422 and "link" in error_fields(link)
    city = client.post("/api/v1/learning", json={**NEW_ITEM, "format": "in_person"})
    assert city.status_code == 422 and "city" in error_fields(city)
    currency = client.post("/api/v1/learning", json={**NEW_ITEM, "currency": "XXX"})
    assert currency.status_code == 422 and "currency" in error_fields(currency)
    language = client.post("/api/v1/learning", json={**NEW_ITEM, "language": "zz"})
    assert language.status_code == 422 and "language" in error_fields(language)
    unknown = client.post("/api/v1/learning", json={**NEW_ITEM, "rating": 5})
    assert unknown.status_code == 422
    query = client.get("/api/v1/learning?kind=nonsense")
    assert query.status_code == 422 and "kind" in error_fields(query)
    assert client.get("/api/v1/learning?cursor=nope").status_code == 400


def test_text_comes_back_as_written_and_the_html_sanitised(api):
    xss = '<script>alert("x")</script>'
    created = api("organiser").post(
        "/api/v1/learning", json={**NEW_ITEM, "title": xss, "description": xss, "provider": xss}
    )
    body = created.get_json()
    assert body["title"] == xss  # JSON carries the text; pages escape it
    assert "<script>" not in body["description_html"]
    assert created.headers["Content-Type"].startswith("application/json")


def test_cursor_pagination_walks_every_item_once(api):
    client = api("organiser")
    for n in range(23):
        assert (
            client.post("/api/v1/learning", json={**NEW_ITEM, "title": f"N{n}"}).status_code == 201
        )
    seen, cursor = [], None
    while True:
        url = "/api/v1/learning?limit=7" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).get_json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 25
    free = client.get("/api/v1/learning?free=true").get_json()["items"]
    assert [item["title"] for item in free] == ["Danish 1"]
    skill = client.get("/api/v1/learning?skill=sql").get_json()["items"]
    assert [item["title"] for item in skill] == ["Data analysis with SQL"]


@pytest.mark.parametrize("role", ROLES)
def test_a_plan_is_its_members_only(app, world, api, role):
    client = api(role)
    plan = client.get("/api/v1/me/learning-plan").get_json()
    ids = {e["id"] for status in ("want", "doing", "done") for e in plan[status]}
    assert (world.entry_id in ids) == (role == "member")
    assert (world.other_entry_id in ids) == (role == "other")
    expected = 200 if role == "member" else 404
    patched = client.patch(
        f"/api/v1/me/learning-plan/{world.entry_id}",
        json={"status": "doing", "weekly_goal_hours": 2},
    )
    assert patched.status_code == expected
    deleted = client.delete(f"/api/v1/me/learning-plan/{world.entry_id}")
    assert deleted.status_code == (204 if role == "member" else 404)
    with app.app_context():
        assert (db.session.get(LearningPlanEntry, world.entry_id) is None) == (role == "member")


def test_adding_to_the_plan(world, api):
    client = api("member")
    added = client.post(
        "/api/v1/me/learning-plan",
        json={"item_id": world.paid_item_id, "status": "doing", "weekly_goal_hours": 3},
    )
    assert added.status_code == 201
    assert added.get_json()["item"]["plan_status"] == "doing"
    again = client.post("/api/v1/me/learning-plan", json={"item_id": world.paid_item_id})
    assert again.status_code == 409
    event = client.post("/api/v1/me/learning-plan", json={"event_id": world.event_id})
    assert event.status_code == 201 and event.get_json()["event"]["title"] == "Danish café"
    hidden = client.post("/api/v1/me/learning-plan", json={"event_id": world.hidden_event_id})
    assert hidden.status_code == 404
    assert "Secret" not in hidden.get_data(as_text=True)
    neither = client.post("/api/v1/me/learning-plan", json={})
    assert neither.status_code == 422 and "item_id" in error_fields(neither)
    both = client.post(
        "/api/v1/me/learning-plan", json={"item_id": world.item_id, "event_id": world.event_id}
    )
    assert both.status_code == 422
    goal = client.post(
        "/api/v1/me/learning-plan", json={"event_id": world.event_id, "weekly_goal_hours": 99}
    )
    assert goal.status_code == 422 and "weekly_goal_hours" in error_fields(goal)
    plan = client.get("/api/v1/me/learning-plan").get_json()
    assert plan["weekly_goal_hours"] == 3


def test_done_adds_skills_to_the_profile_only_when_asked(app, world, api):
    client = api("member")
    path = f"/api/v1/me/learning-plan/{world.entry_id}"
    done = client.patch(
        path,
        json={
            "status": "done",
            "skills_gained": ["danish"],
            "evidence_link": "https://example.org/c",
        },
    )
    assert done.status_code == 200
    body = done.get_json()
    assert body["status"] == "done" and body["skills_gained"] == ["Danish"]
    assert body["added_to_profile"] is False
    with app.app_context():
        profile = get_profile(world["member"].id)
        assert profile is None or not profile.tags
    bad = client.patch(path, json={"status": "done", "skills_gained": ["Juggling"]})
    assert bad.status_code == 422 and "skills" in error_fields(bad)
    link = client.patch(path, json={"status": "done", "evidence_link": "data:text/html,x"})
    assert link.status_code == 422 and "evidence_link" in error_fields(link)
    chosen = client.patch(
        path, json={"status": "done", "skills_gained": ["Danish"], "add_to_profile": True}
    )
    assert chosen.status_code == 200 and chosen.get_json()["added_to_profile"] is True
    with app.app_context():
        assert [t.tag.label for t in get_profile(world["member"].id).tags] == ["Danish"]


def test_the_reminder_setting(api):
    client = api("member")
    response = client.patch("/api/v1/me/learning-plan", json={"reminder_weekday": 4})
    assert response.status_code == 200 and response.get_json()["reminder_weekday"] == 4
    bad = client.patch("/api/v1/me/learning-plan", json={"reminder_weekday": 7})
    assert bad.status_code == 422
    off = client.patch("/api/v1/me/learning-plan", json={"reminder_weekday": None})
    assert off.get_json()["reminder_weekday"] is None


def test_openapi_lists_the_learning_endpoints(api):
    spec = api("member").get(OPENAPI_PATH).get_json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/learning"])
    assert {"get", "patch"} <= set(paths["/api/v1/learning/{item_id}"])
    assert {"get", "post", "patch"} <= set(paths["/api/v1/me/learning-plan"])
    assert {"patch", "delete"} <= set(paths["/api/v1/me/learning-plan/{entry_id}"])
