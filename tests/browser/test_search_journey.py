"""Search in a real browser on a phone (390x844), the journey of issue #15: member A writes
an offer through the form, member B finds it from the header search by a word of its body,
opens it, comments and marks it helpful, and A's post shows the count. A post in a private
group is found by nobody outside it: the search finds nothing and counts nothing, and the
group's page and the post's page answer 404. Every page reached goes through
``page_checker`` (CSP, axe-core, no sideways scrolling, vnu)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.live import DEMO_PASSWORD
from tests.browser.test_account_journey import log_in

A = "organiser@alongside.example"  # a member of the private "Partners in transition"
B = "member@alongside.example"  # not a member of it (the demo keeps him out)


def write_post(page: Page, base: str, title: str, body: str, group: str | None = None) -> str:
    """Publish an offer through the form; returns the post's path."""
    page.goto(base + "/posts/new")
    page.get_by_label("Offer: I can help with…").check()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your post").fill(body)
    page.get_by_label("Tags").fill("Music lessons")
    if group:
        page.get_by_label("Group").select_option(label=group)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash").first).to_contain_text("Your post is published.")
    return re.sub(r"^https?://[^/]+", "", page.url)


def test_offer_is_found_from_the_header_and_private_posts_stay_hidden(
    page: Page, new_context, live_server, page_checker
) -> None:
    base = live_server.url
    log_in(page, live_server, A, DEMO_PASSWORD)
    offer = write_post(page, base, "Marimba lessons for beginners", "I teach the marimba.")
    secret = write_post(
        page,
        base,
        "Glockenspiel circle",
        "Only for us: glockenspiel evenings.",
        group="Partners in transition",
    )
    page.goto(base + "/search?q=glockenspiel")
    expect(page.locator(".search-result")).to_have_count(1)  # its group's member finds it

    other = new_context().new_page()
    log_in(other, live_server, B, DEMO_PASSWORD)
    other.goto(base + "/posts")
    other.get_by_label("Search", exact=True).fill("marimba")
    other.get_by_role("button", name="Go").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Search")
    result = other.locator(".search-result", has_text="Marimba lessons")
    expect(result).to_have_count(1)
    expect(result.locator("mark").first).to_have_text(re.compile("marimba", re.I))
    expect(result).to_contain_text("Offer")
    page_checker.check(other, "search results")
    result.get_by_role("link", name="Marimba lessons for beginners").click()
    expect(other).to_have_url(base + offer)
    other.get_by_label("Your comment").fill("I would love a lesson.")
    other.get_by_role("button", name="Post comment").click()
    expect(other.locator(".comment", has_text="I would love a lesson.")).to_have_count(1)
    other.get_by_role("button", name="This helped me").click()
    expect(other.locator(".post__helpful-count")).to_have_text("1 member found this helpful")

    page.goto(base + offer)
    expect(page.locator(".post__helpful-count")).to_have_text("1 member found this helpful")

    # The private group's post: no result, no count, and its pages do not exist for B.
    other.goto(base + "/search?q=glockenspiel")
    expect(other.locator(".search-result")).to_have_count(0)
    expect(other.get_by_role("navigation", name="Result types")).to_contain_text("All 0")
    expect(other.locator(".empty")).to_contain_text("Nothing matches")
    page_checker.check(other, "search with nothing found")
    other.goto(base + "/search?q=partners+in+transition&type=group")
    expect(other.locator(".search-result")).to_have_count(0)
    assert other.goto(base + secret).status == 404
    assert other.goto(base + "/groups/partners-in-transition").status == 404
