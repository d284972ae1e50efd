"""A mentoring pair's life on a phone (390x844). The pair is confirmed beforehand with the
models (the matching that confirms pairs is another branch's): Mia (mentee) and Sofía (mentor)
in a programme the demo organiser coordinates, plus a second pair that has not met for seven
weeks. Mia opens "My mentoring pairs" and the pair page, adds a goal with a script payload,
logs a meeting (first with the topics left out: the error keeps the date), and answers "no"
to "is this a good fit?"; Sofía sees it and gives her feedback; the coordinator sees the "no"
and the stale pair (no texts), nudges the stale pair and ends the first for re-pairing. No
script runs, and every page reached is checked by ``page_checker`` (no CSP violation,
axe-core, no sideways scrolling, vnu at the end)."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from community.extensions import db
from tests.browser.pages import DEMO_MEMBER, DEMO_ORGANISER, SOFIA, log_in
from tests.chat_live import data_app, user
from tests.factories import UserRef, make_user
from tests.mentoring_pairs_world import age_pair, make_application, make_pair, make_programme

PAYLOAD = '<img src=x onerror=alert(1)><script>alert("x")</script>'


def _ref(email: str) -> UserRef:
    found = user(email)
    return UserRef(found.id, found.email, found.display_name)


def _programme_with_pairs(live_server) -> tuple[int, int, int]:
    app = data_app(f"sqlite:///{live_server.database}")
    with app.app_context():
        mia, sofia, coordinator = _ref(DEMO_MEMBER), _ref(SOFIA), _ref(DEMO_ORGANISER)
        quiet_mentor, quiet_mentee = make_user(None, "Quinn Quiet"), make_user(None, "Rae Rest")
        programme = make_programme(coordinator, name="Copenhagen Business Mentoring")
        make_application(programme, sofia, "mentor", offer="Ten years of recruiting in Denmark.")
        make_application(programme, mia, "mentee")
        pair = make_pair(programme, sofia, mia)
        quiet = make_pair(programme, quiet_mentor, quiet_mentee, score=51.0)
        db.session.commit()
        ids = programme.id, pair.id, quiet.id
        age_pair(quiet.id, 50)
    with app.app_context():
        db.engine.dispose()
    return ids


def test_a_pair_meets_answers_no_and_the_coordinator_re_pairs_it(
    page: Page, new_context, live_server, page_checker
) -> None:
    programme_id, pair_id, quiet_id = _programme_with_pairs(live_server)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server.url, DEMO_MEMBER)
    page.goto(live_server.url + "/mentoring/pairs")
    page_checker.check(page, "my mentoring pairs")
    page.locator(".pair-card", has_text="Copenhagen Business Mentoring").get_by_role(
        "link", name="Sofía Herrera"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sofía Herrera mentors you")
    expect(page.locator("main")).to_contain_text("both speak German")
    expect(page.locator("main")).to_contain_text("Ten years of recruiting in Denmark.")
    page_checker.check(page, "pair page (mentee)")

    page.get_by_label("Add a goal").fill("Interview practice " + PAYLOAD)
    page.get_by_role("button", name="Add the goal").click()
    expect(page.locator(".flash").first).to_contain_text("The goal is added.")
    expect(page.locator(".pair-goal__text")).to_have_text("Interview practice " + PAYLOAD)

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page.get_by_label("Date").fill(yesterday)
    page.get_by_role("button", name="Log the meeting").click()
    expect(page.get_by_role("alert")).to_contain_text("Write what you talked about.")
    expect(page.get_by_label("Date")).to_have_value(yesterday)
    page_checker.check(page, "pair page (meeting errors)")
    page.get_by_label("What you talked about").fill("Mock interview " + PAYLOAD)
    page.get_by_role("button", name="Log the meeting").click()
    expect(page.locator(".flash").first).to_contain_text("The meeting is logged.")
    expect(page.locator(".pair-meeting")).to_contain_text("Logged by you")

    page.get_by_label("No, not a good fit").check()
    page.get_by_label("A note").fill("We want different things.")
    page.get_by_role("button", name="Save my answer").click()
    expect(page.locator(".flash").first).to_contain_text("your answer is saved")
    page_checker.check(page, "pair page (goal, meeting, no)")

    mentor = new_context().new_page()
    mentor.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(mentor, live_server.url, SOFIA)
    mentor.goto(f"{live_server.url}/mentoring/pairs/{pair_id}")
    expect(mentor.locator(".pair-fit")).to_contain_text("No, not a good fit")
    expect(mentor.locator(".pair-meeting")).to_contain_text("Mock interview " + PAYLOAD)
    mentor.get_by_label("3: fine").check()
    mentor.get_by_label("In a few words").fill("Friendly, but we do not click.")
    mentor.get_by_role("button", name="Save my feedback").click()
    expect(mentor.locator(".flash").first).to_contain_text("your feedback is saved")
    page_checker.check(mentor, "pair page (mentor)")

    coordinator = new_context().new_page()
    log_in(coordinator, live_server.url, DEMO_ORGANISER)
    coordinator.goto(f"{live_server.url}/mentoring/{programme_id}/pairs")
    main = coordinator.locator("main")
    expect(main).to_contain_text("No, not a good fit")
    expect(main).to_contain_text("No meeting for 6 weeks")
    for secret in ("Mock interview", "Interview practice", "We want different things",
                   "do not click"):  # fmt: skip
        expect(main).not_to_contain_text(secret)
    page_checker.check(coordinator, "coordinator pairs")
    stale = coordinator.locator(".coordinator-pair", has_text="Quinn Quiet")
    stale.get_by_role("button", name="Nudge them to meet").click()
    expect(coordinator.locator(".flash").first).to_contain_text("Both are reminded to meet.")
    card = coordinator.locator(".coordinator-pair", has_text="Sofía Herrera")
    card.locator("summary", has_text="End for re-pairing").click()
    card.get_by_role("button", name="End this pair").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("why the pair ends")
    page_checker.check(coordinator, "coordinator pairs (end errors)")
    card = coordinator.locator(".coordinator-pair", has_text="Sofía Herrera")
    card.get_by_label("Why does the pair end?").fill("Different expectations")
    card.get_by_role("button", name="End this pair").click()
    expect(coordinator.locator(".flash").first).to_contain_text("The pair has ended.")
    expect(coordinator.locator(".coordinator-pair", has_text="Sofía Herrera")).to_contain_text(
        "Ended"
    )
    page_checker.check(coordinator, "coordinator pairs (ended)")
    assert quiet_id and dialogs == []
