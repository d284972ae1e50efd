"""Learning in a real browser on a phone (390x844): the organiser adds an item (the empty
form first, then with a script payload in the title), a member finds it by its skill, adds
it to their plan, sets a weekly goal and a reminder, marks it done and chooses to put the
skill on their profile. No script runs, and every page reached is checked by
``page_checker`` (no CSP violation, axe-core, no sideways scrolling, vnu at the end)."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.browser.live import DEMO_PASSWORD
from tests.browser.test_account_journey import log_in, open_menu

PAYLOAD = '<img src=x onerror=alert(1)><script>alert("x")</script>'


def test_an_item_is_added_planned_done_and_its_skill_reaches_the_profile(
    page: Page, new_context, live_server, page_checker
) -> None:
    dialogs: list[str] = []
    skill = f"Zither tuning {uuid.uuid4().hex[:6]}"
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, "organiser@alongside.example", DEMO_PASSWORD)
    page.goto(live_server.url + "/learning")
    page_checker.check(page, "learning list (organiser)")
    page.get_by_role("link", name="Add learning").click()
    page.get_by_role("button", name="Add learning").click()
    expect(page.get_by_role("alert")).to_contain_text("Give it a title.")
    page_checker.check(page, "item form (errors)")
    page.get_by_label("Workshop").check()
    page.get_by_label("Title").fill("Tuning " + PAYLOAD)
    page.get_by_label("What it teaches and who it is for").fill("Bring a **zither**. " + PAYLOAD)
    page.get_by_label("Provider").fill("Zither club")
    page.get_by_label("Online").check()
    page.get_by_label("Taught in").select_option("en")
    page.get_by_label("It is free").check()
    page.get_by_label("Skills it builds").fill(skill)
    page.get_by_label("Link").fill("https://example.org/zither")
    page.get_by_role("button", name="Add learning").click()
    expect(page.locator(".flash").first).to_contain_text("The learning item is added.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuning " + PAYLOAD)
    page_checker.check(page, "item (organiser)")

    other = new_context().new_page()
    other.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(other, live_server, "sofia@alongside.example", DEMO_PASSWORD)
    other.goto(live_server.url + "/learning?skill=" + skill.replace(" ", "+"))
    card = other.locator(".learning-card", has_text="Tuning")
    expect(card).to_have_count(1)
    page_checker.check(other, "learning list by skill")
    card.get_by_role("link").first.click()
    other.get_by_role("button", name="Add to my plan").click()
    expect(other.locator(".flash").first).to_contain_text("Added to your learning plan.")
    other.get_by_role("link", name="Open my learning plan").click()
    entry = other.locator(".plan-entry", has_text="Tuning")
    entry.get_by_label("Status").select_option("doing")
    entry.get_by_label("Hours a week").fill("2")
    entry.get_by_role("button", name="Update").click()
    expect(other.locator(".lead")).to_contain_text("You plan 2 hours a week.")
    other.get_by_label("Weekly reminder").select_option("0")
    other.get_by_role("button", name="Save reminder").click()
    expect(other.get_by_text("You are reminded every Monday.")).to_be_visible()
    page_checker.check(other, "learning plan")
    other.locator(".plan-entry", has_text="Tuning").get_by_role("link", name="Mark done").click()
    other.get_by_label("Certificate or evidence link").fill("not a link")
    other.get_by_role("button", name="Mark done").click()
    expect(other.get_by_role("alert")).to_contain_text("Give a link starting with https://.")
    page_checker.check(other, "mark done (errors)")
    other.get_by_label("Certificate or evidence link").fill("https://example.org/cert")
    other.get_by_label(skill).check()
    other.get_by_label("Add the ticked skills to my profile").check()
    other.get_by_role("button", name="Mark done").click()
    expect(other.locator(".flash").first).to_contain_text("The skills are on your profile.")
    page_checker.check(other, "learning plan after done")
    open_menu(other)
    other.locator("details.site-nav__menu").get_by_role("link", name="Profile").click()
    expect(other.locator("main")).to_contain_text(skill)
    assert dialogs == []
