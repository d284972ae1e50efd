"""Full-page screenshots of the main pages, for looking at the design (not a test).

    .venv/bin/python -m tests.browser.screenshots screenshots/

Starts a live server like the browser tests do (:mod:`tests.browser.live`), then saves
``<page>-<phone|desktop>-<light|dark>.png`` for every page below at 390x844 and 1280x800 in
both colour schemes. Visitor pages are taken logged out; the member pages (home, account,
the directory, profiles, the profile editor and the network page) as the demo member; the
admin page as the demo admin.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.checks import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.browser.live import DEMO_ADMIN, LiveServer
from tests.browser.pages import log_in

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SCHEMES = ("light", "dark")
DEMO_MEMBER = "member@alongside.example"
DEMO_ORGANISER = "organiser@alongside.example"
SECOND_MEMBER = "sofia@alongside.example"


def visitor_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    page.goto(url + "/")
    shoot("home-visitor")
    page.goto(url + "/auth/register")
    shoot("register")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shoot("register-errors")
    page.goto(url + "/auth/login")
    shoot("login")
    page.goto(url + "/auth/check-email?kind=confirm")
    shoot("check-email")
    page.goto(url + "/no-such-page")
    shoot("404")


def member_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    log_in(page, url, DEMO_MEMBER)
    shoot("member-home")  # with the "Welcome back" message
    page.goto(url + "/settings")
    shoot("account")
    page.goto(url + "/settings/security")
    shoot("security")


def people_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The directory, profiles, the profile editor and the network page, as the demo member."""
    log_in(page, url, DEMO_MEMBER)
    own = page.locator(".site-nav__list--wide").get_by_role(
        "link", name="Profile", exact=True, include_hidden=True
    )
    own_path = own.get_attribute("href")
    page.goto(url + "/members")
    shoot("directory")
    page.goto(url + "/members?skill=Python")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    shoot("directory-skill-python")
    page.goto(url + "/members?q=Priya")
    other = page.get_by_role("link", name="Priya Raman")
    if other.count() == 0:  # her visibility may hide her: anyone else will do
        page.goto(url + "/members")
        other = page.locator(".member-card__name a")
    other.first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shoot("profile-other")
    page.goto(url + str(own_path))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mia Member")
    shoot("profile-own")
    page.goto(url + "/settings/profile")
    shoot("profile-edit")
    page.goto(url + "/connections")
    shoot("connections")


def event_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The events list and an event before and after RSVPing, as the demo member."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/events")
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    shoot("events")
    page.goto(url + "/events?when=past")
    shoot("events-past")
    page.goto(url + "/events?step_free=y&language=en&free_seats=y")
    expect(page.locator(".filters__more")).to_have_attribute("open", "")
    shoot("events-filtered")
    page.locator(".event-card__title a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if page.get_by_role("button", name="Cancel my RSVP").count():
        page.get_by_role("button", name="Cancel my RSVP").click()
    shoot("event-not-going")
    page.locator(".rsvp__form button").click()
    expect(page.locator(".flash").first).to_be_visible()
    shoot("event-going")


def event_host_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The new-event form with its errors, an event as its host (the demo organiser) and its
    attendee list with a removal opened, then the message form's errors."""
    log_in(page, url, DEMO_ORGANISER)
    page.goto(url + "/events/new")
    page.get_by_role("button", name="Publish the event").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shoot("event-new-errors")
    page.goto(url + "/events")
    page.locator(".event-card__title a").first.click()
    shoot("event-host")
    event_url = page.url
    page.get_by_role("link", name="Copy to a new date").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an event")
    shoot("event-copy")
    page.goto(event_url)
    page.get_by_role("link", name="Edit event").click()
    expect(page.get_by_label("Stop filling freed seats from the waitlist")).to_be_visible()
    shoot("event-edit")
    page.goto(event_url)
    page.get_by_role("link", name="Attendees", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendees")
    page.locator(".attendee__remove > summary").first.click()
    shoot("event-attendees")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shoot("event-attendees-errors")


def comment_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """A demo event's comments after writing one and opening a reply form, the comment
    form's errors and the edit page, as the demo member."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/events?when=past")
    page.locator(".event-card__title a").first.click()
    expect(page.locator(".comment").first).to_be_visible()
    page.get_by_label("Your comment").fill(
        "Thanks for a **lovely** morning, see [photos](https://example.org)!"
    )
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".flash").first).to_be_visible()
    page.locator(".comment-reply > summary").first.click()
    shoot("comments-thread")
    page.locator(".comment__actions a", has_text="Edit").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your comment")
    shoot("comment-edit")
    page.go_back()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shoot("comment-errors")


def post_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The posts feed, a demo question with comments and its answer, the new-post form and
    its errors, as the demo member."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/posts")
    expect(page.locator(".post-card").first).to_be_visible()
    shoot("posts-feed")
    page.goto(url + "/posts?kind=question")
    page.locator(".post-card", has_text="Answered").first.locator("h2 a").click()
    expect(page.locator(".post__title")).to_be_visible()
    shoot("posts-show")
    page.goto(url + "/posts/new")
    shoot("posts-form")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shoot("posts-form-errors")


def series_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """A date of the demo's weekly series as a member (RSVP to every date) and as its host
    (the edit and cancel pages asking which dates)."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/events?q=Walk+and+talk")
    page.locator(".event-card__title a").first.click()
    expect(page.get_by_text("Part of a series")).to_be_visible()
    shoot("series-event-member")
    page.get_by_role("button", name="Going to every date").click()
    expect(page.locator(".flash").first).to_be_visible()
    shoot("series-event-every-date")
    page.context.clear_cookies()
    log_in(page, url, DEMO_ORGANISER)
    page.goto(url + "/events?q=Walk+and+talk")
    page.locator(".event-card__title a").nth(1).click()
    event_url = page.url
    page.goto(event_url + "/edit")
    shoot("series-edit")
    page.goto(url + "/events/new")
    shoot("series-new")
    page.goto(event_url + "/cancel")
    shoot("series-cancel")


def news_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """A waitlisted member promoted: the home page's news and the event page's notice. The
    demo organiser makes a one-seat event, the demo member takes the seat, Sofía joins the
    waitlist, the demo member cancels; then Sofía looks."""
    title = f"Family picnic {secrets.token_hex(2)}"
    log_in(page, url, DEMO_ORGANISER)
    page.goto(url + "/events/new")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Category").select_option("family")
    page.get_by_label("Date", exact=True).fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_label("Starts at").fill("11:00")
    page.get_by_label("Ends at").fill("14:00")
    page.get_by_label("Venue address").fill("Fælledparken, Copenhagen")
    page.get_by_label("Seats (optional)", exact=True).fill("1")
    page.get_by_role("button", name="Publish the event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    event_url = page.url
    for address, button in ((DEMO_MEMBER, "I am going"), (SECOND_MEMBER, "Join the waitlist")):
        page.context.clear_cookies()
        log_in(page, url, address)
        page.goto(event_url)
        page.get_by_role("button", name=button).click()
        expect(page.locator(".flash").first).to_be_visible()
    page.context.clear_cookies()
    log_in(page, url, DEMO_MEMBER)
    page.goto(event_url)
    page.get_by_role("button", name="Cancel my RSVP").click()
    expect(page.locator(".flash").first).to_be_visible()
    page.context.clear_cookies()
    log_in(page, url, SECOND_MEMBER)
    shoot("news-home")
    page.goto(event_url)
    expect(page.get_by_role("status")).to_be_visible()
    shoot("news-event-notice")


def group_member_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The groups list and a group the demo member belongs to."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/groups")
    shoot("groups")
    page.goto(url + "/groups/parents")
    shoot("group-member")
    page.goto(url + "/groups/parents/members")
    shoot("group-members")


def group_organiser_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The groups list and a private group with requests, as its organiser, its members with the organisers'
    tools, the "make a new invite link" question; the group form, empty and refused."""
    log_in(page, url, DEMO_ORGANISER)
    page.goto(url + "/groups")
    shoot("groups-organiser")
    page.goto(url + "/groups/partners-in-transition")
    shoot("group-organiser")
    page.goto(url + "/groups/partners-in-transition/members")
    shoot("group-organiser-members")
    page.get_by_role("link", name="Remove").first.click()
    expect(page.get_by_role("button", name="Yes, remove them")).to_be_visible()
    shoot("group-remove-member")
    page.goto(url + "/groups/partners-in-transition/invite-link")
    shoot("group-new-invite-link")
    page.goto(url + "/groups/new")
    shoot("group-form")
    page.get_by_role("button", name="Start the group").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shoot("group-form-errors")


def admin_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    log_in(page, url, DEMO_ADMIN)
    page.goto(url + "/admin")
    shoot("admin")
    page.get_by_role("link", name="More accounts").last.click()
    expect(page.get_by_role("link", name="Previous accounts")).to_be_visible()
    shoot("admin-page-2")


def search_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """/search: the empty box, results with tabs and counts, one type (events, posts,
    groups), and no results."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/search")
    shoot("search-empty")
    page.goto(url + "/search?q=coffee")
    expect(page.get_by_role("navigation", name="Result types")).to_be_visible()
    shoot("search-results")
    page.goto(url + "/search?q=walk&type=event")
    shoot("search-events")
    page.goto(url + "/search?q=tax&type=post")
    shoot("search-posts")
    page.goto(url + "/search?q=circle&type=group")
    shoot("search-groups")
    page.goto(url + "/search?q=zzyzx")
    shoot("search-nothing")


def gig_member_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/gigs")
    shoot("gigs")
    page.goto(url + "/gigs/for-you")
    shoot("gigs-for-you")
    page.goto(url + "/gigs/1")  # the demo organiser's first gig
    shoot("gig-member")
    page.goto(url + "/gigs/new")
    page.get_by_label("Title").fill("Help us <b>now</b>")
    page.get_by_role("button", name="Post the gig").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shoot("gig-form-errors")
    page.goto(url + "/gigs/applications")
    shoot("gig-my-applications")


def gig_poster_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    log_in(page, url, DEMO_ORGANISER)
    page.goto(url + "/gigs/1")
    shoot("gig-poster")
    page.goto(url + "/gigs/1/applications")
    shoot("gig-applicants")


def gig_done_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The demo member's profile with their verified work, and the completed gig behind it
    (feedback both ways, their reference and the choice to show it)."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + page.locator("a", has_text="Profile").first.get_attribute("href"))
    shoot("profile-verified-work")
    page.locator(".verified-work__title a").first.click()
    shoot("gig-completed")


def gig_moderator_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    log_in(page, url, "moderator@alongside.example")
    page.goto(url + "/moderation/gigs")
    shoot("gig-moderation")


def mentoring_member_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The demo member: a mentee paired in the running Copenhagen programme (1), with an
    application to the open one (2)."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/mentoring")
    shoot("mentoring")
    page.goto(url + "/mentoring/1")
    shoot("mentoring-programme-member")
    page.get_by_role("link", name="Your pair", exact=True).click()
    shoot("mentoring-pair-mentee")
    page.goto(url + "/mentoring/pairs")
    shoot("mentoring-my-pairs")
    page.goto(url + "/mentoring/1/outcome")
    shoot("mentoring-outcome")
    page.goto(url + "/mentoring/2/apply")
    shoot("mentoring-apply")


def mentoring_coordinator_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The demo coordinator's running programme: applications, a matching run over the
    mentees still without a mentor, the pairs and the report."""
    log_in(page, url, "coordinator@alongside.example")
    page.goto(url + "/mentoring/1")
    shoot("mentoring-programme-coordinator")
    page.goto(url + "/mentoring/1/applications")
    shoot("mentoring-applications")
    page.goto(url + "/mentoring/1/matching")
    shoot("mentoring-matching")
    page.get_by_role("button", name="Run matching").click()
    shoot("mentoring-proposal")
    page.goto(url + "/mentoring/1/pairs")
    shoot("mentoring-pairs-coordinator")
    page.goto(url + "/mentoring/1/report")
    shoot("mentoring-report")


def _write_to_sofia(page: Page, url: str, conversation_url: str) -> None:
    composer = page.get_by_label("Message", exact=True)
    for text in (
        "Hi Sofía! Do you know which international school in Aarhus still has places?",
        "I found this list: https://example.org/schools-aarhus (from the municipality)",
    ):
        composer.fill(text)
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.locator(".chat-message__body", has_text=text[:20]).first).to_be_visible()
    page.context.clear_cookies()
    log_in(page, url, SECOND_MEMBER)
    page.goto(conversation_url)
    page.get_by_label("Message", exact=True).fill(
        "Hej Mia! Yes, Aarhus International School had two places last week.\nCall them before Friday."
    )
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator(".chat-message__menu > summary").first.click()
    page.get_by_role("button", name="React with 👍").first.click()


def chat_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """Chat without JavaScript (the live half needs the socket handlers): the demo member
    starts a conversation with Sofía, they write to each other, then /chat and the
    conversation as the demo member; a group conversation with its members page."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/chat?find=Herrera")
    page.get_by_label("Sofía Herrera").check()
    page.get_by_role("button", name="Start the conversation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sofía Herrera")
    conversation_url = page.url.split("#")[0]
    # Each size and colour scheme runs this again on the same server: write only once.
    if "Aarhus still has places" not in page.content():
        _write_to_sofia(page, url, conversation_url)
    page.context.clear_cookies()
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/chat")
    shoot("chat-list")
    page.goto(conversation_url)
    shoot("chat-conversation")
    page.locator(".chat-message__menu > summary").last.click()
    shoot("chat-message-actions")
    page.goto(url + "/chat")
    existing = page.get_by_role("link", name="Aarhus school run")
    if existing.count():
        existing.first.click()
    else:
        page.goto(url + "/chat?find=a")
        boxes = page.locator(".chat-new input[type=checkbox]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.get_by_label("Name of the group conversation (optional)").fill("Aarhus school run")
        page.get_by_role("button", name="Start the conversation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aarhus school run")
    shoot("chat-group-empty")
    page.get_by_role("link", name="Members", exact=True).click()
    shoot("chat-group-members")


chat_pages.context_options = {"java_script_enabled": False}


def notification_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The bell in the header (with the demo member's unread count) and /notifications:
    Sofía comments on a post of the demo member first, so a grouped line shows too."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/notifications")
    # Each size and colour scheme runs this again on the same server: write only once.
    if "Morning bakery" not in page.content():
        page.goto(url + "/posts/new")
        page.get_by_label("Question: I would like to know…").check()
        page.get_by_label("Title").fill("Morning bakery near Østerbro?")
        page.get_by_label("Your post").fill("One that opens before eight.")
        page.get_by_role("button", name="Publish").click()
        post_url = page.url
        for address, text in ((SECOND_MEMBER, "Try Juno."), (DEMO_ORGANISER, "Meyers!")):
            page.context.clear_cookies()
            log_in(page, url, address)
            page.goto(post_url)
            page.get_by_label("Your comment").fill(text)
            page.get_by_role("button", name="Post comment").click()
        page.context.clear_cookies()
        log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/")
    expect(page.locator("[data-notification-bell]")).to_have_attribute("data-synced", "true")
    shoot("bell")
    page.goto(url + "/notifications")
    shoot("notifications")


def notification_settings_pages(page: Page, url: str, shoot: Callable[[str], None]) -> None:
    """The notification settings page, as the demo member."""
    log_in(page, url, DEMO_MEMBER)
    page.goto(url + "/settings/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    shoot("notification-settings")


GROUPS = (
    visitor_pages,
    member_pages,
    people_pages,
    event_pages,
    event_host_pages,
    comment_pages,
    post_pages,
    series_pages,
    news_pages,
    group_member_pages,
    group_organiser_pages,
    admin_pages,
    search_pages,
    chat_pages,
    notification_pages,
    notification_settings_pages,
    gig_member_pages,
    gig_poster_pages,
    gig_done_pages,
    gig_moderator_pages,
    mentoring_member_pages,
    mentoring_coordinator_pages,
)


def take_all(browser: Browser, url: str, outdir: Path, only: str = "") -> list[Path]:
    written: list[Path] = []
    groups = [group for group in GROUPS if not only or group.__name__.startswith(only)]
    for size, viewport in VIEWPORTS.items():
        for scheme in SCHEMES:
            for pages in groups:
                context = browser.new_context(
                    viewport=viewport,
                    color_scheme=scheme,
                    locale="en-GB",
                    **getattr(pages, "context_options", {}),
                )
                context.set_default_timeout(10_000)
                page = context.new_page()

                def shoot(name: str, page: Page = page, size: str = size, scheme: str = scheme):
                    page.wait_for_load_state("load")
                    path = outdir / f"{name}-{size}-{scheme}.png"
                    page.screenshot(path=str(path), full_page=True)
                    written.append(path)

                try:
                    pages(page, url, shoot)
                finally:
                    context.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="directory for the PNG files")
    parser.add_argument(
        "--only",
        default="",
        help="only the groups whose name starts so: visitor, member, people, event, comment, series, news, group, post, admin, search, chat, notification, gig, mentoring",
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM_PATH).is_file():
        print(f"no {CHROMIUM_PATH}: install the Debian package `chromium`", file=sys.stderr)
        return 2
    outdir: Path = args.outdir
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="alongside-shots-") as tmp:
        server = LiveServer(Path(tmp))
        try:
            server.start()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM_PATH, args=list(CHROMIUM_ARGS), headless=True
                )
                try:
                    written = take_all(browser, server.url, outdir, args.only)
                finally:
                    browser.close()
        except Exception:
            print(f"--- server log ---\n{server.log()}", file=sys.stderr)
            raise
        finally:
            server.stop()
    for path in written:
        print(path)
    print(f"{len(written)} screenshots in {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
