"""The bell in two real Chromium pages (#17): Mia writes a post; while her page stays open,
Sofía comments on it from another browser; Mia's bell count rises live without a reload. Mia
opens the bell, opens the notification, lands on the comment, and the count falls.

Runs against the live server with the demo data (Mia Member and Sofía Herrera).
"""

from __future__ import annotations

import uuid

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.pages import log_in

MIA = "member@alongside.example"
SOFIA = "sofia@alongside.example"


def bell_count(page: Page) -> int:
    return int(page.locator("[data-notification-bell]").get_attribute("data-unread"))


def test_the_bell_rises_live_when_someone_comments_and_falls_once_opened(
    live_server, new_context, page_checker
):
    url = live_server.url
    title = f"Which bakery opens early? {uuid.uuid4().hex[:6]}"
    mia: Page = new_context().new_page()
    log_in(mia, url, MIA)
    mia.goto(url + "/posts/new")
    mia.get_by_label("Question: I would like to know…").check()
    mia.get_by_label("Title").fill(title)
    mia.get_by_label("Your post").fill("Before eight, ideally.")
    mia.get_by_role("button", name="Publish").click()
    expect(mia.get_by_role("heading", level=1)).to_have_text(title)
    post_url = mia.url
    bell = mia.locator("[data-notification-bell]")
    expect(bell).to_have_attribute("data-synced", "true")  # connected and caught up
    before = bell_count(mia)

    sofia_context: BrowserContext = new_context()
    sofia = sofia_context.new_page()
    log_in(sofia, url, SOFIA)
    sofia.goto(post_url)
    sofia.get_by_label("Your comment").fill("Lagkagehuset opens at seven.")
    sofia.get_by_role("button", name="Post comment").click()
    expect(sofia.locator(".comment", has_text="Lagkagehuset opens at seven.")).to_have_count(1)

    # Mia's page was not reloaded: the count rose live.
    expect(bell).to_have_attribute("data-unread", str(before + 1))
    expect(bell.locator("[data-bell-count]")).to_have_text(str(before + 1))
    page_checker.check(mia, "bell-live")

    bell.click()
    expect(mia.get_by_role("heading", level=1)).to_have_text("Notifications")
    line = mia.locator(".notification--unread", has_text=title)
    expect(line).to_contain_text("Sofía Herrera commented on")
    page_checker.check(mia, "notifications-page")
    line.get_by_role("button").first.click()
    expect(mia.get_by_role("heading", level=1)).to_have_text(title)
    assert "#comment-" in mia.url
    expect(mia.locator("[data-notification-bell]")).to_have_attribute("data-unread", str(before))
