"""#18 on a phone (390x844): a host opens the demo workshop's attendee page, sees a
request with its answers and accepts it; the member then sees they are going. A member
who leaves a required question blank gets the page back with what they typed and the error
next to the question (photographed at 390x844 and 1280x800 into HOSTS18_SHOTS). Every page
reached is checked by ``page_checker`` (CSP, axe-core, no sideways scrolling, vnu)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from community.core.database import utcnow
from community.events import questions
from community.events import services as events
from community.events.models import QuestionKind
from community.extensions import db
from tests.browser.pages import DEMO_MEMBER, DEMO_ORGANISER, SOFIA, log_in
from tests.chat_live import data_app, user

WORKSHOP = "Cooking workshop: dishes from home"
# Set to a folder to keep screenshots of the pages (kept out of git).
SHOTS = os.environ.get("HOSTS18_SHOTS")


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-phone.png", full_page=True)


def test_host_accepts_a_request_and_the_member_is_going(
    page: Page, new_context, live_server, page_checker
) -> None:
    log_in(page, live_server.url, DEMO_ORGANISER)
    page.goto(live_server.url + "/events?q=Cooking+workshop")
    page.get_by_role("link", name=WORKSHOP).first.click()
    event_url = page.url
    expect(page.locator(".event__facts")).to_contain_text("with Lars")
    page.get_by_role("link", name="Attendees", exact=True).click()
    requests = page.locator(".request-list")
    sofia = requests.locator("li.request", has_text="Sofía Herrera")
    expect(sofia).to_contain_text("Bringing children?")
    expect(sofia).to_contain_text("Dietary needs or allergies")
    page_checker.check(page, "attendees with requests")
    shoot(page, "attendees-requests")
    sofia.get_by_role("button", name="Accept").click()
    expect(page.locator(".flash").first).to_contain_text("Accepted: Sofía Herrera is going.")
    expect(requests.locator("li.request", has_text="Sofía Herrera")).to_have_count(0)

    member = new_context().new_page()
    log_in(member, live_server.url, SOFIA)
    member.goto(event_url)
    expect(member.get_by_role("heading", name="You are going")).to_be_visible()
    expect(member.get_by_text("The hosts ask")).to_be_visible()
    page_checker.check(member, "event (accepted)")
    shoot(member, "event-accepted")


def _event_with_questions(live_server) -> int:
    """An event 60 days away (after the demo's) asking two questions, one required."""
    app = data_app(f"sqlite:///{live_server.database}")
    with app.app_context():
        starts = (utcnow() + timedelta(days=60)).replace(microsecond=0)
        organiser = user(DEMO_ORGANISER)
        event = events.create_event(
            organiser,
            events.EventData(
                title="Family picnic with questions",
                category="social",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                timezone="Europe/Copenhagen",
                venue="Fælledparken, Copenhagen",
                capacity=30,
                guests_allowed=2,
            ),
        )
        questions.set_questions(
            organiser,
            event,
            [
                questions.QuestionSpec(QuestionKind.TEXT, "Dietary needs or allergies"),
                questions.QuestionSpec(QuestionKind.YES_NO, "Bringing children?", required=True),
            ],
        )
        db.session.commit()
        event_id = event.id
    with app.app_context():
        db.engine.dispose()
    return event_id


def test_a_missing_required_answer_keeps_what_was_typed(
    page: Page, live_server, page_checker
) -> None:
    event_id = _event_with_questions(live_server)
    log_in(page, live_server.url, DEMO_MEMBER)
    page.goto(f"{live_server.url}/events/{event_id}")
    page.get_by_label("Dietary needs or allergies").fill("No nuts, please")
    page.get_by_label("Who is coming").select_option("2")
    # As a browser without constraint validation sends it: the server refuses it.
    page.locator("#rsvp-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="I am going").click()
    message = "Please answer “Bringing children?”: the host needs to know."
    expect(page.locator(".error-summary")).to_contain_text(message)
    children = page.get_by_role("group", name="Bringing children?")
    expect(children).to_have_accessible_description(f"Error: {message}")
    expect(page.get_by_label("Dietary needs or allergies")).to_have_value("No nuts, please")
    expect(page.get_by_label("Who is coming")).to_have_value("2")
    page_checker.check(page, "event with an RSVP form error")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/rsvp-error-390x844.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=f"{SHOTS}/rsvp-error-1280x800.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="I am going").click()
    expect(page.locator(".flash").first).to_contain_text("You are going, with 2 guests.")
