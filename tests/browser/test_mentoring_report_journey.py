"""The mentoring report and the outcome page in a real browser on a phone (390x844). A
cohort of 30 mentees (made with the models on the live server's database: applications and
pairs belong to other parts of the feature) whose programme name and a reason for leaving
carry a script payload. The coordinator reads the report: the headline with its
denominator, the SVG charts and the data table behind "Show the data"; a mentee answers the
end-of-programme question (a refused "stopped" without a reason first). No script runs, and
every page is checked by ``page_checker`` (CSP, axe-core, no sideways scrolling, vnu)."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import update

from community import create_app
from community.auth.models import User
from community.auth.roles import Role
from community.extensions import db
from community.mentoring.models import MentoringApplication
from config import TestingConfig
from tests.browser.test_account_journey import log_in
from tests.factories import PASSWORD, make_user
from tests.mentoring_report_world import build_cohort

PAYLOAD = '<img src=x onerror=alert(1)><script>alert("x")</script>'


def _cohort(live_server, tmp_path) -> tuple[str, str, int]:
    """The coordinator's and a mentee's e-mail addresses and the programme's id."""
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{live_server.database}",
        MAIL_DIR=str(tmp_path / "mail"),
    )
    with app.app_context():
        coordinator = make_user(display_name="Cora Coordinator", roles=(Role.COORDINATOR,))
        cohort = build_cohort(coordinator.id, active=26, withdrew=4, found_work=11,
                              name="Mentoring " + PAYLOAD,
                              reasons=("Moved away " + PAYLOAD, "No time"))  # fmt: skip
        mentee = cohort.mentees[20]  # no outcome yet
        db.session.execute(update(MentoringApplication)
                           .where(MentoringApplication.user_id == mentee)
                           .values(outcome_prompts=1))  # fmt: skip
        db.session.commit()
        email = db.session.get(User, mentee).email
        db.engine.dispose()
    return coordinator.email, email, cohort.programme_id


def test_the_coordinator_reads_the_report_and_a_mentee_answers(
    page: Page, new_context, live_server, page_checker, tmp_path
) -> None:
    coordinator, mentee, programme_id = _cohort(live_server, tmp_path)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, coordinator, PASSWORD)
    page.goto(f"{live_server.url}/mentoring/{programme_id}/report")
    expect(page.locator(".report-headline")).to_have_text("11 of 26 active mentees found work")
    expect(page.locator("svg.chart[role=img]").first).to_be_visible()
    expect(page.get_by_text("Moved away " + PAYLOAD).first).to_be_attached()
    page.get_by_text("Show the data").first.click()
    expect(page.locator("table.data-table caption").first).to_be_visible()
    page_checker.check(page, "mentoring report (coordinator)")

    other = new_context().new_page()
    other.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(other, live_server, mentee, PASSWORD)
    other.goto(f"{live_server.url}/mentoring/{programme_id}/outcome?checkpoint=end")
    expect(other.get_by_label("When is this about?")).to_have_value("end")
    other.get_by_label("Stopped (with a reason)").check()
    other.get_by_role("button", name="Record my outcome").click()
    expect(other.get_by_role("alert")).to_contain_text("Tell us briefly why you stopped.")
    page_checker.check(other, "outcome form (errors)")
    other.get_by_label("A note").fill("Caring for a parent " + PAYLOAD)
    other.get_by_role("button", name="Record my outcome").click()
    expect(other.locator(".flash").first).to_contain_text("your outcome is recorded")
    expect(other.locator(".outcome-history")).to_contain_text("Caring for a parent " + PAYLOAD)
    expect(other.locator(".outcome-history")).to_contain_text("At the programme's end")
    page_checker.check(other, "outcome page (mentee)")
    assert dialogs == []
