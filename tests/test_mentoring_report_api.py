"""Outcomes and the report over the JSON API: GET|POST /api/v1/mentoring/programmes/{id}/
outcomes (the mentee's own; 404 for everyone else), GET .../report (the coordinator and
admins; 403 for other members) with the same figures as the page, and ?audience=public with
small groups suppressed; every role on every endpoint, and the OpenAPI document."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.mentoring import report as reports
from community.mentoring.models import MentoringOutcome, Programme
from tests.mentoring_report_world import MEMBER_ROLES, ReportWorld, build_cohort, build_world
from tests.test_api import OPENAPI_PATH, api_login, error_code, error_fields
from tests.test_api_events import Anonymous

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def world(app) -> ReportWorld:
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


def test_anonymous_gets_401_everywhere(world, api):
    anon = api("anonymous")
    base = f"/api/v1/mentoring/programmes/{world.programme_id}"
    for response in (
        anon.get(base + "/outcomes"),
        anon.post(base + "/outcomes", json={"outcome": "studying"}),
        anon.get(base + "/report"),
        anon.get(base + "/report?audience=public"),
    ):
        assert response.status_code == 401
        assert error_code(response) == "unauthorized"


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_outcomes_are_the_mentees_own(app, world, api, role):
    base = f"/api/v1/mentoring/programmes/{world.programme_id}/outcomes"
    client = api(role)
    posted = client.post(base, json={"outcome": "stopped", "note": "Moved to Oslo"})
    listed = client.get(base)
    if role in ("mentee", "other_mentee"):
        assert posted.status_code == 201, posted.get_json()
        assert posted.get_json()["outcome"] == "stopped"
        assert posted.get_json()["checkpoint"] == "any"
        items = listed.get_json()["items"]
        assert [item["id"] for item in items] == [posted.get_json()["id"]]  # only their own
        assert listed.get_json()["checkpoints"] == ["any"]
    else:
        assert posted.status_code == 404 and error_code(posted) == "not_found"
        assert listed.status_code == 404
    with app.app_context():
        expected = 1 if role in ("mentee", "other_mentee") else 0
        assert db.session.query(MentoringOutcome).count() == expected


def test_recording_validates_and_the_history_is_newest_first(app, world, api):
    base = f"/api/v1/mentoring/programmes/{world.programme_id}/outcomes"
    client = api("mentee")
    missing_reason = client.post(base, json={"outcome": "stopped"})
    assert missing_reason.status_code == 422 and "note" in error_fields(missing_reason)
    unknown = client.post(base, json={"outcome": "astronaut", "extra": 1})
    assert unknown.status_code == 422
    assert {"outcome", "extra"} <= set(error_fields(unknown))
    not_asked = client.post(base, json={"outcome": "studying", "checkpoint": "end"})
    assert not_asked.status_code == 422 and "checkpoint" in error_fields(not_asked)
    first = client.post(base, json={"outcome": "still_searching"}).get_json()
    second = client.post(base, json={"outcome": "internship", "note": "At Maersk"}).get_json()
    items = client.get(base).get_json()["items"]
    assert [item["id"] for item in items] == [second["id"], first["id"]]
    assert items[0]["label"] == "In an internship" and items[0]["pair_id"] == world.pair_id


@pytest.mark.parametrize("role", MEMBER_ROLES)
@pytest.mark.parametrize("audience", ["", "?audience=public"])
def test_the_report_is_for_the_coordinator_and_admins(world, api, role, audience):
    response = api(role).get(f"/api/v1/mentoring/programmes/{world.programme_id}/report{audience}")
    if role in ("coordinator", "admin"):
        assert response.status_code == 200
    else:
        assert response.status_code == 403 and error_code(response) == "forbidden"
    assert api(role).get(f"/api/v1/mentoring/programmes/999999/report{audience}").status_code == 404


def test_the_report_has_the_pages_figures_and_the_public_one_suppresses(app, coordinator):
    with app.app_context():
        cohort = build_cohort(coordinator.id)
        page = reports.build_report(db.session.get(Programme, cohort.programme_id))
    client = api_login(app, coordinator)
    base = f"/api/v1/mentoring/programmes/{cohort.programme_id}/report"
    body = client.get(base).get_json()
    assert body["headline"] == "4 of 10 active mentees found work"
    assert [(f["measure"], f["count"], f["denominator"]) for f in body["figures"]] == [
        (f.measure, f.count, f.denominator) for f in page.figures
    ]
    found = next(f for f in body["figures"] if f["measure"] == "found_work")
    assert found["shown"] == "4 of 10" and found["suppressed"] is False
    assert {"reason": "Moved abroad", "count": 1} in body["left_reasons"]
    public = client.get(base + "?audience=public").get_json()
    assert public["audience"] == "public" and public["headline"] is None
    found = next(f for f in public["figures"] if f["measure"] == "found_work")
    assert found == {**found, "count": None, "suppressed": True, "shown": "fewer than 5",
                     "denominator": 10, "denominator_shown": "10"}  # fmt: skip
    assert public["left_reasons"] == [] and public["checkpoints"] == []
    assert client.get(base + "?audience=sponsor").status_code == 422


def test_openapi_lists_the_endpoints(api):
    document = api("member").client.get(OPENAPI_PATH).get_json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/mentoring/programmes/{programme_id}/outcomes"])
    report = paths["/api/v1/mentoring/programmes/{programme_id}/report"]["get"]
    assert any(p["name"] == "audience" for p in report["parameters"])
    assert "fewer than 5" in report["description"]
