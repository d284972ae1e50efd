"""#18 on a phone (390x844): a host opens the demo workshop's attendee page, sees a
request with its answers and accepts it; the member then sees they are going. Every page
reached is checked by ``page_checker`` (CSP, axe-core, no sideways scrolling, vnu)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.pages import DEMO_ORGANISER, SOFIA, log_in

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
