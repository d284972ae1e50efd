"""A member finds an event on a phone and RSVPs; an organiser meets the new-event form's
errors; through the real pages of a real server with the demo data. Every page reached is
checked by ``page_checker`` (no CSP violation, axe-core, no sideways scrolling, vnu at the
end of the test)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.live import DEMO_PASSWORD
from tests.browser.test_account_journey import log_in, open_menu

DEMO_MEMBER = "member@alongside.example"
DEMO_ORGANISER = "organiser@alongside.example"


def test_member_finds_an_event_and_rsvps(page: Page, live_server, page_checker) -> None:
    log_in(page, live_server, DEMO_MEMBER, DEMO_PASSWORD)
    open_menu(page)
    page.locator("details.site-nav__menu").get_by_role("link", name="Events", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    page_checker.check(page, "events")
    page.get_by_text("More filters: online, dates, language, access, free seats").click()
    page.get_by_label("Only events with free seats").check()
    page.get_by_label("Step-free access").check()
    page.get_by_label("Language spoken").select_option("en")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label("Step-free access")).to_be_checked()
    page_checker.check(page, "events with free seats, step-free, in English")
    page.locator(".event-card__title a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if page.get_by_role("button", name="Cancel my RSVP").count():
        page.get_by_role("button", name="Cancel my RSVP").click()
        expect(page.get_by_role("heading", name="Are you coming?")).to_be_visible()
    page_checker.check(page, "event (not going)")
    page.locator(".rsvp__form button").click()
    expect(page.locator(".flash").first).to_contain_text("You are")
    page_checker.check(page, "event (after RSVP)")
    page.get_by_role("button", name="Cancel my RSVP").click()
    expect(page.locator(".flash").first).to_contain_text("Your RSVP is cancelled")
    page.goto(live_server.url + "/events?when=past")
    expect(page.get_by_role("heading", level=1)).to_have_text("Past events")
    page_checker.check(page, "past events")


def test_organiser_fixes_the_new_event_form(page: Page, live_server, page_checker) -> None:
    log_in(page, live_server, DEMO_ORGANISER, DEMO_PASSWORD)
    page.goto(live_server.url + "/events/new")
    page_checker.check(page, "new event")
    page.get_by_role("button", name="Publish the event").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Give the event a title.")
    page_checker.check(page, "new event (errors)")
    summary.get_by_role("link", name="Give the event a title.").click()
    expect(page.get_by_label("Title")).to_be_focused()
    page.goto(live_server.url + "/events")
    page.locator(".event-card__title a").first.click()
    page.get_by_role("link", name="Copy to a new date").click()
    expect(page.get_by_label("Title")).not_to_have_value("")
    page_checker.check(page, "copy of an event")


def test_organiser_writes_to_the_attendees(page: Page, live_server, page_checker) -> None:
    """The hosts' attendee page: the list, a removal opened, the message form's errors and
    a message sent; the editor with its promotion cut-off."""
    log_in(page, live_server, DEMO_ORGANISER, DEMO_PASSWORD)
    page.goto(live_server.url + "/events")
    page.locator(".event-card__title a").first.click()
    event_url = page.url
    page.get_by_role("link", name="Edit event").click()
    expect(page.get_by_label("Stop filling freed seats from the waitlist")).to_be_visible()
    page_checker.check(page, "edit event")
    page.goto(event_url)
    page.get_by_role("link", name="Attendees", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendees")
    page.locator(".attendee__remove > summary").first.click()
    page_checker.check(page, "attendees")
    page.get_by_role("button", name="Send the message").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Give the message a subject.")
    page_checker.check(page, "attendees (errors)")
    page.get_by_label("Send to").select_option("going")
    page.get_by_label("Subject").fill("Bring your own mug")
    page.get_by_label("Message", exact=True).fill("We are short of cups. Thank you!")
    page.get_by_role("button", name="Send the message").click()
    expect(page.locator(".flash").first).to_contain_text("Your message is on its way to")
