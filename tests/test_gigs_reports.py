"""Reporting a gig: any member who may see it, once, never their own; only moderators see
the reports (on `/moderation/gigs`) and mark them handled, which is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.audit.models import AuditEntry
from community.extensions import db
from community.gigs.models import GigReport
from tests.conftest import CSRF_RE
from tests.gigs_world import ROLES, XSS, GigsWorld, build_world


@pytest.fixture
def world(app) -> GigsWorld:
    with app.app_context():
        return build_world()


def post(client, page: str, path: str, data: dict):
    token = CSRF_RE.search(client.get(page).get_data(as_text=True)).group(1)
    return client.post(path, data={**data, "csrf_token": token})


def reports(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(GigReport))


@pytest.mark.parametrize("role", ROLES)
def test_reporting_by_role(world, login, app, role):
    page, path = f"/gigs/{world.gig_id}", f"/gigs/{world.gig_id}/report"
    if role == "anonymous":
        assert app.test_client().post(path, data={"reason": "scam"}).status_code in (302, 400)
        assert reports(app) == 0
        return
    client = login(world[role])
    html = client.get(page).get_data(as_text=True)
    if role == "poster":
        assert "Report this gig" not in html
        response = post(client, page, path, {"reason": "scam"})
        assert response.status_code == 302 and reports(app) == 0  # refused, said in a flash
        return
    assert "Report this gig" in html
    response = post(client, page, path, {"reason": "scam", "details": XSS})
    assert response.status_code == 302 and reports(app) == 1
    again = post(client, page, path, {"reason": "other"})
    assert again.status_code == 302 and reports(app) == 1
    assert "already reported" in client.get(page).get_data(as_text=True)


def test_a_report_needs_a_reason_and_keeps_the_details(world, login):
    client = login(world["other"])
    page = f"/gigs/{world.gig_id}"
    response = post(client, page, f"{page}/report", {"details": "Kept as typed"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose why you report this gig." in html and "Kept as typed" in html


def test_a_held_gig_cannot_be_reported_by_those_who_cannot_see_it(world, login):
    client = login(world["other"])
    page = f"/gigs/{world.gig_id}"
    token = CSRF_RE.search(client.get(page).get_data(as_text=True)).group(1)
    response = client.post(
        f"/gigs/{world.pending_id}/report", data={"reason": "scam", "csrf_token": token}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "role", ["applicant", "other", "poster", "organiser", "moderator", "admin"]
)
def test_only_moderators_see_and_handle_reports(world, login, app, role):
    post(login(world["other"]), f"/gigs/{world.gig_id}", f"/gigs/{world.gig_id}/report",
         {"reason": "misleading", "details": XSS})  # fmt: skip
    with app.app_context():
        report_id = db.session.scalar(select(GigReport.id))
    client = login(world[role])
    page = client.get("/moderation/gigs")
    moderates = role in ("moderator", "admin")
    assert page.status_code == (200 if moderates else 404)
    path = f"/moderation/gigs/reports/{report_id}/resolve"
    token = CSRF_RE.search(client.get(f"/gigs/{world.gig_id}").get_data(as_text=True)).group(1)
    response = client.post(path, data={"csrf_token": token})
    with app.app_context():
        resolved = db.session.get(GigReport, report_id).resolved_at is not None
        audited = db.session.scalar(
            select(func.count()).where(AuditEntry.action == "gig.report_resolved")
        )
    if moderates:
        html = page.get_data(as_text=True)
        assert "Reported gigs" in html and "Misleading" in html
        assert "<script>alert" not in html and "&lt;script&gt;" in html
        assert response.status_code == 302 and resolved and audited == 1
        assert "No open reports." in client.get("/moderation/gigs").get_data(as_text=True)
    else:
        assert response.status_code == 404 and not resolved and audited == 0
