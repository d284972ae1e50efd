"""Mentoring from applications to published pairs, in a real browser on a phone (390x844).

The demo coordinator creates a programme (meeting the form's errors first, with a script
payload in its name). Priya applies as a mentor who takes one mentee; Lars (in her field) and
Olu (who wants to move into consulting) apply as mentees. The coordinator accepts all three, runs matching (Priya
goes to Lars, the better fit; Olu is left out with the reason), pins Priya with Olu and
re-runs (now Lars is left out: her one seat is taken), then confirms. Olu and Priya each
open their pair from the programme page and see the other and why they were matched. No
script ever runs, and every page reached is checked by ``page_checker`` (no CSP violation,
axe-core, no sideways scrolling, vnu)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.pages import log_in

PAYLOAD = '<img src=x onerror=alert(1)><script>alert("x")</script>'
COORDINATOR = "coordinator@alongside.example"
PRIYA = "priya@alongside.example"  # Priya Raman
LARS = "lars@alongside.example"  # Lars Eriksen
OLU = "organiser@alongside.example"  # Olu Organiser

ROLE_LABELS = {
    "mentee": "Mentee: I would like a mentor",
    "mentor": "Mentor: I would like to mentor someone",
}


def _apply(page: Page, url: str, role: str, field: str, text: str, page_checker) -> None:
    page.goto(url)
    page.get_by_role("link", name="Apply", exact=True).click()
    page.get_by_label(ROLE_LABELS[role]).check()
    page.get_by_label("Your professional field").select_option(field)
    page.get_by_label("Languages you can meet in").select_option(["en"])
    if role == "mentor":
        page.get_by_label("What you can offer (mentors)").fill(text)
        page.get_by_label("How many mentees you can take (mentors)").fill("1")
    else:
        page.get_by_label("What you want from a mentor (mentees)").fill(text)
    page_checker.check(page, f"apply as {role}: {text}")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator(".flash").first).to_contain_text("Your application is saved")


def test_apply_match_pin_confirm_and_both_see_why(
    page: Page, new_context, live_server, page_checker
) -> None:
    dialogs: list[str] = []

    def watch(other: Page) -> Page:
        other.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return other

    watch(page)
    log_in(page, live_server.url, COORDINATOR)
    page.goto(live_server.url + "/mentoring")
    page_checker.check(page, "mentoring programmes")
    page.get_by_role("link", name="Create a programme").click()
    name = "Newcomers' mentoring, Zurich " + PAYLOAD
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create the programme").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the first day.")
    expect(page.get_by_label("Name")).to_have_value(name)
    page_checker.check(page, "programme form (errors)")
    today = date.today()
    page.get_by_label("City (optional)").select_option("zurich")
    page.get_by_label("Apply by").fill((today + timedelta(days=10)).isoformat())
    page.get_by_label("Starts on").fill((today + timedelta(days=20)).isoformat())
    page.get_by_label("Ends on").fill((today + timedelta(days=200)).isoformat())
    page.get_by_role("button", name="Create the programme").click()
    expect(page.locator(".flash").first).to_contain_text("The programme is created.")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    programme_url = page.url
    page_checker.check(page, "programme, coordinator's view")

    applicants = {}
    for email, role, field, text in (
        (PRIYA, "mentor", "technology", "I lead a software team and hire developers here."),
        (LARS, "mentee", "technology", "I want a developer job in a local software team."),
        (OLU, "mentee", "technology", "I want to move into IT consulting here."),
    ):
        other = watch(new_context().new_page())
        log_in(other, live_server.url, email)
        _apply(other, programme_url, role, field, text, page_checker)
        applicants[email] = other

    page.goto(programme_url)
    page.get_by_role("link", name="Applications").click()
    page_checker.check(page, "applications")
    for person in ("Priya Raman", "Lars Eriksen", "Olu Organiser"):
        page.get_by_role("button", name=f"Accept {person}").click()
        expect(page.locator(".flash").first).to_be_visible()

    page.get_by_role("link", name="Matching").first.click()
    page_checker.check(page, "matching")
    page.get_by_role("button", name="Run matching").click()
    pairs = page.locator(".proposal-pair")
    expect(pairs).to_have_count(1)
    expect(pairs.first).to_contain_text("Lars Eriksen")
    expect(page.locator(".proposal-unmatched")).to_contain_text("Olu Organiser")
    page_checker.check(page, "proposal")

    # The coordinator knows Olu needs Priya more: pin that pair and run again.
    olu = page.locator(".proposal-unmatched li", has_text="Olu Organiser")
    olu.get_by_label("Pin Olu Organiser with").select_option(label="Priya Raman")
    olu.get_by_role("button", name=re.compile("^Pin and re-run")).click()
    pairs = page.locator(".proposal-pair")
    expect(pairs).to_have_count(1)
    expect(pairs.first).to_contain_text("Olu Organiser")
    expect(pairs.first).to_contain_text("Priya Raman")
    expect(page.locator(".proposal-unmatched")).to_contain_text("Lars Eriksen")
    page_checker.check(page, "proposal with a pin")
    page.get_by_role("button", name=re.compile("^Confirm and publish 1 pair")).click()
    expect(page.locator(".flash").first).to_be_visible()

    for email, other_name, heading in (
        (OLU, "Priya Raman", "Your mentor"),
        (PRIYA, "Olu Organiser", "Your mentee"),
    ):
        member = applicants[email]
        member.goto(programme_url)
        member.get_by_role("link", name="Your pair", exact=True).click()
        expect(member.get_by_role("heading", level=1)).to_contain_text(other_name)
        expect(member.locator("main")).to_contain_text("Why you were matched")
        expect(member.locator("main")).to_contain_text("both work in Software and IT")
        page_checker.check(member, f"pair page ({heading.lower()})")
    assert dialogs == []
