"""Gigs in a real browser on a phone (390x844): the organiser posts a paid freelance gig
whose title, description and skills carry script payloads (first meeting the form's errors),
a member finds it by its skill and under "For you", applies (with a payload in the
message), the poster shortlists and then accepts them, and the member follows it under "My
applications"; the poster marks it completed and writes a reference, which the member
shows on their profile as verified work; the moderator's review list opens too. No script ever runs, and every page reached is checked
by ``page_checker`` (no CSP violation, axe-core, no sideways scrolling, vnu)."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.live import DEMO_PASSWORD
from tests.browser.test_account_journey import log_in

PAYLOAD = '<img src=x onerror=alert(1)><script>alert("x")</script>'


def test_post_find_apply_shortlist_accept(page: Page, new_context, live_server, page_checker):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, "organiser@alongside.example", DEMO_PASSWORD)
    page.goto(live_server.url + "/gigs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gigs")
    page_checker.check(page, "gigs list")
    page.get_by_role("link", name="Post a gig").click()
    page.get_by_label("Title").fill("Zither lessons " + PAYLOAD)
    page.get_by_role("button", name="Post the gig").click()
    expect(page.get_by_role("alert")).to_contain_text("Describe the work.")
    expect(page.get_by_label("Title")).to_have_value("Zither lessons " + PAYLOAD)
    page_checker.check(page, "gig form (errors)")
    page.get_by_label("Freelance", exact=True).check()
    page.get_by_label("Description").fill("Teach **two** children. " + PAYLOAD)
    page.get_by_label("Skills wanted").fill("Zither teaching, Career coaching, " + PAYLOAD[:30])
    page.get_by_label("Anyone with the right to work here").check()
    page.get_by_label("City", exact=False).first.select_option("zurich")
    page.get_by_label("On invoice (freelance)").check()
    page.get_by_label("Pay").fill("60")
    page.get_by_label("Currency").select_option("CHF")
    page.get_by_label("Per (optional)").select_option("hour")
    page.get_by_label("Apply by").fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Post the gig").click()
    expect(page.locator(".flash").first).to_contain_text("Your gig is published.")
    expect(page.locator(".post__title")).to_have_text("Zither lessons " + PAYLOAD)
    expect(page.locator(".gig-note")).to_contain_text("SEM (State Secretariat for Migration)")
    page_checker.check(page, "gig, poster's view")
    gig_url = page.url

    other = new_context().new_page()
    other.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # Mia lives in Zurich and coaches careers: the gig is for her.
    log_in(other, live_server, "member@alongside.example", DEMO_PASSWORD)
    other.goto(live_server.url + "/gigs?skill=zither+teaching")
    card = other.locator(".gig-card", has_text="Zither lessons")
    expect(card).to_have_count(1)
    page_checker.check(other, "gigs by skill")
    other.get_by_role("link", name="For you").click()
    card = other.locator(".gig-card", has_text="Zither lessons")
    expect(card).to_contain_text("Wants Career coaching, a skill you have")
    page_checker.check(other, "gigs for you")
    card.get_by_role("link").first.click()
    page_checker.check(other, "gig, member's view")
    other.get_by_label("Your message").fill("I teach zither. " + PAYLOAD)
    other.get_by_label("Link to your CV or a work sample").fill("javascript:alert(1)")
    other.get_by_role("button", name="Send my application").click()
    expect(other.get_by_role("alert")).to_contain_text("https://")
    page_checker.check(other, "apply (errors)")
    other.get_by_label("Link to your CV or a work sample").fill("https://example.org/zither")
    other.get_by_role("button", name="Send my application").click()
    expect(other.get_by_role("heading", name="Your application: Submitted")).to_be_visible()

    page.goto(gig_url + "/applications")
    applicant = page.locator(".applicant", has_text="I teach zither.")
    expect(applicant).to_contain_text(PAYLOAD)
    page_checker.check(page, "applicants")
    applicant.get_by_label("Status").select_option("shortlisted")
    applicant.get_by_role("button", name="Save and tell them").click()
    expect(page.locator(".flash").first).to_contain_text("The applicant is told.")
    page.locator(".applicant", has_text="I teach zither.").get_by_label("Status").select_option(
        "accepted"
    )
    page.locator(".applicant", has_text="I teach zither.").get_by_role(
        "button", name="Save and tell them"
    ).click()

    other.goto(live_server.url + "/gigs/applications")
    mine = other.locator(".card", has_text="Zither lessons")
    expect(mine).to_contain_text("Accepted")
    page_checker.check(other, "my applications")

    page.goto(gig_url)
    page.get_by_role("button", name="Mark completed").click()
    expect(page.locator(".flash").first).to_contain_text("The gig is completed.")
    page.get_by_label("Hours worked").fill("12")
    page.get_by_role("textbox", name="Reference").fill(
        "Taught both children with patience. " + PAYLOAD
    )
    page.get_by_role("button", name="Save the reference").click()
    expect(page.locator(".flash").first).to_contain_text("The reference is saved")
    page_checker.check(page, "completed gig, poster's view")

    other.goto(gig_url)
    expect(other.get_by_role("heading", name="Your reference")).to_be_visible()
    page_checker.check(other, "completed gig, member's view")
    other.get_by_label("Show this reference on my profile").check()
    other.get_by_role("button", name="Save", exact=True).click()
    expect(other.locator(".flash").first).to_contain_text("Your profile shows this reference.")
    other.goto(live_server.url + other.locator("a", has_text="Profile").first.get_attribute("href"))
    verified = other.locator(".verified-work__entry", has_text="Zither lessons")
    expect(verified).to_contain_text("Taught both children with patience. " + PAYLOAD)
    page_checker.check(other, "profile with verified work")

    moderator = new_context().new_page()
    log_in(moderator, live_server, "moderator@alongside.example", DEMO_PASSWORD)
    moderator.goto(live_server.url + "/moderation/gigs")
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Gigs waiting for review")
    page_checker.check(moderator, "gig moderation")
    assert dialogs == []
