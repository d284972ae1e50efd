"""A member comments on a demo event on a phone: writes a comment, meets the form's error,
replies in a thread, edits (the "edited" mark) and deletes their comment, without
JavaScript doing any of it. Every page reached is checked by ``page_checker`` (no CSP
violation, axe-core, no sideways scrolling, vnu at the end of the test)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.live import DEMO_PASSWORD
from tests.browser.test_account_journey import log_in

DEMO_MEMBER = "member@alongside.example"


def test_member_comments_replies_edits_and_deletes(page: Page, live_server, page_checker) -> None:
    log_in(page, live_server, DEMO_MEMBER, DEMO_PASSWORD)
    page.goto(live_server.url + "/events?when=past")
    # Every third demo event has comments; which past event is newest depends on the hour
    # (today's may have ended), so open the newest of the first three that has some.
    links = page.locator(".event-card__title a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(3)]
    for href in hrefs:
        page.goto(live_server.url + href)
        if page.locator(".comment").count():
            break
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()
    expect(page.locator(".comment").first).to_be_visible()
    page_checker.check(page, "event with comments")

    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your comment first.")
    page_checker.check(page, "comment form (errors)")
    page.get_by_label("Your comment").fill("Thanks for *a lovely* morning!")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".flash").first).to_contain_text("Your comment is posted.")
    mine = page.locator(".comment", has_text="Thanks for a lovely morning!")
    expect(mine).to_be_visible()
    assert page.url.split("#")[1].startswith("comment-")
    page_checker.check(page, "event after commenting")

    thread = page.locator(".comment-thread").first
    thread.locator(".comment-reply > summary").click()
    thread.get_by_label("Your reply").fill("Same question here.")
    thread.get_by_role("button", name="Post reply").click()
    expect(
        page.locator(".comment-replies .comment", has_text="Same question here.")
    ).to_be_visible()

    mine = page.locator(".comment", has_text="Thanks for a lovely morning!")
    mine.get_by_role("link", name="Edit your comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your comment")
    page_checker.check(page, "edit comment")
    page.get_by_label("Your comment").fill("Thanks for a **wonderful** morning!")
    page.get_by_role("button", name="Save comment").click()
    edited = page.locator(".comment", has_text="Thanks for a wonderful morning!")
    expect(edited.locator(".comment__edited")).to_have_text("(edited)")

    edited.get_by_role("link", name="Delete your comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your comment?")
    page_checker.check(page, "delete comment")
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".flash").first).to_contain_text("Your comment is deleted.")
    expect(page.locator(".comment", has_text="wonderful morning")).to_have_count(0)
