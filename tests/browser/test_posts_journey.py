"""Posts in a real browser on a phone (390x844): a member writes an offer whose title, body
and tags carry script payloads, another member finds it in the feed by its tag, comments
(with a payload too) and marks it helpful. No script ever runs (a dialog would be caught)
and the payloads read as plain text. Every page reached is checked by ``page_checker`` (no
CSP violation, axe-core, no sideways scrolling, vnu at the end of the test)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.live import DEMO_PASSWORD
from tests.browser.test_account_journey import log_in

PAYLOAD = '<img src=x onerror=alert(1)><script>alert("x")</script>'


def test_offer_with_payloads_is_found_commented_and_marked_helpful(
    page: Page, new_context, live_server, page_checker
) -> None:
    dialogs: list[str] = []
    log_in(page, live_server, "member@alongside.example", DEMO_PASSWORD)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + "/posts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Posts")
    page_checker.check(page, "feed")
    page.get_by_role("link", name="Write a post").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the post a title.")
    page_checker.check(page, "post form (errors)")
    page.get_by_label("Offer: I can help with…").check()
    page.get_by_label("Title").fill("Tax help " + PAYLOAD)
    page.get_by_label("Your post").fill("I can **help**. " + PAYLOAD)
    page.get_by_label("Tags").fill("Zither tax, " + PAYLOAD[:30])
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash").first).to_contain_text("Your post is published.")
    expect(page.locator(".post__title")).to_have_text("Tax help " + PAYLOAD)
    page_checker.check(page, "own post")

    other = new_context().new_page()
    other.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(other, live_server, "priya@alongside.example", DEMO_PASSWORD)
    other.goto(live_server.url + "/posts?tag=zither+tax")
    card = other.locator(".post-card", has_text="Tax help")
    expect(card).to_have_count(1)
    page_checker.check(other, "feed by tag")
    card.get_by_role("link").first.click()
    other.get_by_label("Your comment").fill("Count me in " + PAYLOAD)
    other.get_by_role("button", name="Post comment").click()
    expect(other.locator(".comment", has_text="Count me in")).to_contain_text(PAYLOAD)
    other.get_by_role("button", name="This helped me").click()
    expect(other.locator(".post__helpful-count")).to_have_text("1 member found this helpful")
    page_checker.check(other, "post after comment and helpful")
    other.get_by_role("button", name="Helpful (you said so): take it back").click()
    expect(other.locator(".post__helpful-count")).to_have_text("0 members found this helpful")
    other.goto(live_server.url + "/posts?kind=question")
    other.locator(".post-card", has_text="Answered").first.get_by_role("link").first.click()
    expect(other.get_by_role("heading", name="The answer")).to_be_visible()
    expect(other.locator(".comment--marked")).to_have_count(1)
    page_checker.check(other, "answered question")
    assert dialogs == []
