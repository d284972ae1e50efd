"""The bell in two real Chromium pages (#17): Mia writes a post; while her page stays open,
Sofía comments on it from another browser; Mia's bell count rises live without a reload. Mia
opens the bell, opens the notification, lands on the comment, and the count falls.

Runs against the live server with the demo data (Mia Member and Sofía Herrera).
"""

from __future__ import annotations

import re
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


def _without_ages(texts: list[str]) -> list[str]:
    """Notification lines without their last line, the relative time ("5 minutes ago")."""
    return [text.rsplit("\n", 1)[0] for text in texts]


def test_the_notifications_page_follows_new_and_read_ones_live(
    live_server, new_context, page_checker
):
    """Mia keeps /notifications open. Sofía comments on Mia's post: the line appears at the
    top at once and a polite live region says so; a second comment turns it into "2 new
    comments" (grouped as the server groups, no second line). Mia marks all read in another
    tab: the first tab's unread styling and its bell follow without a reload."""
    url = live_server.url
    title = f"Where to buy a bike? {uuid.uuid4().hex[:6]}"
    mia_context: BrowserContext = new_context()
    mia: Page = mia_context.new_page()
    log_in(mia, url, MIA)
    mia.goto(url + "/posts/new")
    mia.get_by_label("Question: I would like to know…").check()
    mia.get_by_label("Title").fill(title)
    mia.get_by_label("Your post").fill("Second hand is fine.")
    mia.get_by_role("button", name="Publish").click()
    expect(mia.get_by_role("heading", level=1)).to_have_text(title)
    post_url = mia.url
    mia.goto(url + "/notifications")
    bell = mia.locator("[data-notification-bell]")
    expect(bell).to_have_attribute("data-synced", "true")
    before = bell_count(mia)
    lines = mia.locator(".notification-list > li")
    about_post = lines.filter(has_text=title)
    expect(about_post).to_have_count(0)

    sofia = new_context().new_page()
    log_in(sofia, url, SOFIA)
    sofia.goto(post_url)
    for text in ("Try the Sunday flea market.", "Or the police auction."):
        sofia.get_by_label("Your comment").fill(text)
        sofia.get_by_role("button", name="Post comment").click()
        expect(sofia.locator(".comment", has_text=text)).to_have_count(1)
        if text.startswith("Try"):
            # Mia's page was not reloaded: the line is at the top, announced politely.
            expect(lines.first).to_contain_text(f"Sofía Herrera commented on “{title}”")
            expect(lines.first).to_have_class(re.compile(r"\bnotification--unread\b"))
            announce = mia.locator("[data-notifications-announce]")
            expect(announce).to_have_attribute("aria-live", "polite")
            expect(announce).to_contain_text("New notification: Sofía Herrera commented on")

    # Grouped as the server groups them: one line, counted, still at the top.
    expect(lines.first).to_contain_text(f"2 new comments on “{title}”")
    expect(about_post).to_have_count(1)
    expect(bell).to_have_attribute("data-unread", str(before + 2))
    page_checker.check(mia, "notifications-live")

    other_tab = mia_context.new_page()
    other_tab.goto(url + "/notifications")
    other_tab.get_by_role("button", name="Mark all as read").click()
    expect(other_tab.locator(".notification--unread")).to_have_count(0)

    expect(mia.locator(".notification--unread")).to_have_count(0)
    expect(bell).to_have_attribute("data-unread", "0")
    expect(bell.locator("[data-bell-count]")).to_be_hidden()
    # Read ones are a line each on the server's page, so here too, as a reload shows.
    expect(about_post).to_have_count(2)
    shown = _without_ages(lines.all_inner_texts())
    mia.reload()
    expect(lines).to_have_count(len(shown))
    # The same lines; their ages ("4 minutes ago") may have moved on a minute meanwhile.
    assert _without_ages(lines.all_inner_texts()) == shown
