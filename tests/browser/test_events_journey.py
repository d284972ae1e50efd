"""A member finds an event on a phone and RSVPs; an organiser meets the new-event form's
errors; the issue's journey from a new family event to a waitlisted member promoted; through the real pages of a real server with the demo data. Every page reached is
checked by ``page_checker`` (no CSP violation, axe-core, no sideways scrolling, vnu at the
end of the test)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from urllib.parse import urlparse

import requests
from playwright.sync_api import Page, expect

from tests.browser.live import DEMO_PASSWORD
from tests.browser.test_account_journey import log_in, open_menu

DEMO_MEMBER = "member@alongside.example"
DEMO_ORGANISER = "organiser@alongside.example"
SECOND_MEMBER = "sofia@alongside.example"


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
    # One that has not started (the demo has one under way on some evenings): its hosts
    # can still remove an attendee.
    page.goto(live_server.url + "/events?free_seats=y")
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


def test_family_event_from_creation_to_a_promoted_member(
    new_context, live_server, page_checker
) -> None:
    """The issue's journey: an organiser creates a family event (3 seats, 2 guests each); a
    member finds it by the "Family" filter and a search, RSVPs with two guests (full),
    another member joins the waitlist; the first adds the private feed (fetched: the event is
    in it, no attendee's email is), then cancels; the waitlisted member is promoted, sees the
    notice once, and the home page lists it no more. One browser context per person."""
    title = f"Family picnic {secrets.token_hex(3)}"
    day = (date.today() + timedelta(days=30)).isoformat()

    host = new_context().new_page()
    log_in(host, live_server, DEMO_ORGANISER, DEMO_PASSWORD)
    host.goto(live_server.url + "/events/new")
    host.get_by_label("Title", exact=True).fill(title)
    host.get_by_label("Category").select_option("family")
    host.get_by_label("What will happen").fill("Bring a blanket; games for the *children*.")
    host.get_by_label("Date", exact=True).fill(day)
    host.get_by_label("Starts at").fill("11:00")
    host.get_by_label("Ends at").fill("14:00")
    host.get_by_label("Venue address").fill("Fælledparken, Copenhagen")
    host.get_by_label("Seats (optional)", exact=True).fill("3")
    host.get_by_label("Guests each member may bring").select_option("2")
    host.get_by_label("Child-friendly").check()
    page_checker.check(host, "new family event (filled in)")
    host.get_by_role("button", name="Publish the event").click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    event_url = host.url
    event_path = urlparse(event_url).path
    event_id = event_path.rsplit("/", 1)[1]
    page_checker.check(host, "family event (host)")

    first = new_context().new_page()
    log_in(first, live_server, DEMO_MEMBER, DEMO_PASSWORD)
    first.goto(live_server.url + "/events")
    first.get_by_label("Category").select_option("family")
    events_search = first.get_by_role("search", name="Find events")
    events_search.get_by_label("Search").fill(title)
    events_search.get_by_role("button", name="Search").click()
    cards = first.locator(".event-card__title a")
    expect(cards).to_have_count(1)
    expect(cards).to_have_text(title)
    page_checker.check(first, "events: family, searched")
    cards.click()
    expect(first.get_by_role("heading", level=1)).to_have_text(title)
    first.get_by_label("Who is coming").select_option("2")
    first.get_by_role("button", name="I am going").click()
    expect(first.locator(".flash").first).to_contain_text("You are going, with 2 guests.")
    expect(first.get_by_text("Full: new RSVPs join the waitlist")).to_be_visible()
    page_checker.check(first, "family event (going with 2 guests)")

    second = new_context().new_page()
    log_in(second, live_server, SECOND_MEMBER, DEMO_PASSWORD)
    second.goto(event_url)
    second.get_by_role("button", name="Join the waitlist").click()
    expect(second.get_by_role("heading", name="You are on the waitlist, number 1")).to_be_visible()
    page_checker.check(second, "family event (waitlisted)")

    first.goto(live_server.url + "/settings/calendar")
    feed_url = first.get_by_label("Your calendar address").input_value()
    page_checker.check(first, "calendar settings")
    feed = requests.get(feed_url, timeout=10)
    assert feed.status_code == 200
    assert feed.headers["Content-Type"].startswith("text/calendar")
    unfolded = feed.text.replace("\r\n ", "")
    assert f"UID:event-{event_id}@" in unfolded
    assert f"SUMMARY:{title}" in unfolded
    for attendee in (DEMO_MEMBER, SECOND_MEMBER, "Mia Member", "Sofía Herrera"):
        assert attendee not in unfolded

    first.goto(event_url)
    first.get_by_role("button", name="Cancel my RSVP").click()
    expect(first.locator(".flash").first).to_contain_text("Your RSVP is cancelled")
    expect(first.locator(".news")).to_have_count(0)  # the promotion is not hers to see
    page_checker.check(first, "family event (cancelled)")

    second.context.clear_cookies()  # a fresh visit: log in again
    log_in(second, live_server, SECOND_MEMBER, DEMO_PASSWORD)
    news = second.locator(
        "section", has=second.get_by_role("heading", name="News about your events")
    )
    expect(news).to_contain_text("A seat came free and you are going.")
    page_checker.check(second, "home with news")
    news.get_by_role("link", name=title).click()
    notice = second.get_by_role("status")
    expect(notice).to_contain_text("Good news: A seat came free and you are going.")
    expect(second.get_by_role("heading", name="You are going")).to_be_visible()
    page_checker.check(second, "family event (promoted, with the notice)")
    second.reload()
    expect(second.locator(".news")).to_have_count(0)
    second.goto(live_server.url + "/")
    expect(second.get_by_role("heading", name="News about your events")).to_have_count(0)
    page_checker.check(second, "home after the news was read")
