"""Event series through the real pages of a real server with the demo data, on a phone: a
member RSVPs to every date of the weekly walk; its organiser changes this and the following
dates and opens the cancel page; then creates a "first Tuesday" series. Every page reached is
checked by ``page_checker`` (CSP, axe-core, no sideways scrolling, vnu at the end)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.live import DEMO_PASSWORD
from tests.browser.test_account_journey import log_in

DEMO_MEMBER = "member@alongside.example"
DEMO_ORGANISER = "organiser@alongside.example"


def test_member_goes_to_every_date(page: Page, live_server, page_checker) -> None:
    log_in(page, live_server, DEMO_MEMBER, DEMO_PASSWORD)
    page.goto(live_server.url + "/events?q=Walk+and+talk")
    page.locator(".event-card__title a").first.click()
    expect(page.get_by_text("Part of a series: every")).to_be_visible()
    page_checker.check(page, "series date")
    page.get_by_role("button", name="Going to every date").click()
    expect(page.locator(".flash").first).to_contain_text(re.compile(r"going to \d+ dates"))
    page_checker.check(page, "series date (every date)")
    page.get_by_role("button", name="Cancel my RSVPs to every date").click()
    expect(page.locator(".flash").first).to_contain_text("every coming date are cancelled")


def test_organiser_changes_following_dates_and_creates_a_series(
    page: Page, live_server, page_checker
) -> None:
    log_in(page, live_server, DEMO_ORGANISER, DEMO_PASSWORD)
    page.goto(live_server.url + "/events?q=Walk+and+talk")
    page.locator(".event-card__title a").nth(2).click()
    page.get_by_role("link", name="Edit date").click()
    page_checker.check(page, "edit series date")
    page.get_by_label("This and the following dates").check()
    page.get_by_label("Title", exact=True).fill("Walk, talk and coffee")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash").first).to_contain_text("Your changes are saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Walk, talk and coffee")
    page.get_by_role("link", name="Cancel date").click()
    expect(page.get_by_label("All coming dates")).to_be_visible()
    page_checker.check(page, "cancel series date")

    page.goto(live_server.url + "/events/new")
    page.get_by_label("Title", exact=True).fill("Board games evening")
    page.get_by_label("Category").select_option("social")
    page.get_by_label("Date", exact=True).fill("2027-01-05")
    page.get_by_label("Starts at").fill("19:00")
    page.get_by_label("Ends at").fill("21:00")
    page.get_by_label("Venue address").fill("Library café")
    page.get_by_label("Repeats").select_option("monthly_weekday")
    page.get_by_label("Or a number of dates").fill("4")
    page.get_by_role("button", name="Publish the event").click()
    expect(page.locator(".flash").first).to_contain_text("Your series is published")
    expect(page.get_by_text("on the first Tuesday of every month at 19:00")).to_be_visible()
    page_checker.check(page, "new series")
