"""Check-in at the door on a phone (#18), through the real pages of a real server with the
demo data: a door helper checks two members in by their ticket codes and one by name,
undoes one and checks them in again; the organiser marks a no-show; the member sees
"You went" in their history. The check-in and ticket pages are photographed at 390x844 and
1280x800 (into CHECKIN_SHOTS, default the test's tmp dir; never into git). Every page
reached is checked by ``page_checker`` (CSP, axe-core, no sideways scrolling, vnu)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from community.core.database import utcnow
from community.events import checkin
from community.events import services as events
from community.events.models import Event, EventStaff, Rsvp, StaffRole
from community.extensions import db
from tests.browser.pages import log_in
from tests.chat_live import data_app, user

ORGANISER = "organiser@alongside.example"
HELPER = "priya@alongside.example"
MIA = "member@alongside.example"
SOFIA = "sofia@alongside.example"
LARS = "lars@alongside.example"
COORDINATOR = "coordinator@alongside.example"


def _door_event(live_server) -> tuple[int, dict[str, str]]:
    """An event that started ten minutes ago: Mia (with a guest), Sofía, Lars and the
    coordinator going, Priya its door helper. Returns its id and the ticket codes."""
    app = data_app(f"sqlite:///{live_server.database}")
    with app.app_context():
        starts = (utcnow() - timedelta(minutes=10)).replace(microsecond=0)
        event = events.create_event(
            user(ORGANISER),
            events.EventData(
                title="Door test evening",
                category="social",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                timezone="Europe/Copenhagen",
                venue="Nyhavn 17, Copenhagen",
                capacity=20,
                guests_allowed=2,
            ),
        )
        db.session.flush()
        before = starts - timedelta(days=1)
        for email, guests in ((MIA, 1), (SOFIA, 0), (LARS, 0), (COORDINATOR, 0)):
            events.rsvp(user(email), event, guests, now=before, confirm_by_mail=False)
        db.session.add(
            EventStaff(event_id=event.id, user_id=user(HELPER).id, role=StaffRole.DOOR_HELPER)
        )
        db.session.flush()
        codes = {}
        with app.test_request_context():
            for email in (MIA, SOFIA):
                row = db.session.scalar(
                    select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == user(email).id)
                )
                codes[email] = checkin.ticket_code(row)
        db.session.commit()
        event_id = event.id
        assert db.session.get(Event, event_id).seats_taken == 5
    with app.app_context():
        db.engine.dispose()
    return event_id, codes


@pytest.fixture
def door_event(live_server):
    """`_door_event`, deleted afterwards: the live server's demo data is shared by the
    package's journeys, and a started event of the demo organiser would lead their
    events list (`test_events_journey` opens its first event and expects to remove
    attendees, which a started event no longer allows)."""
    event_id, codes = _door_event(live_server)
    yield event_id, codes
    app = data_app(f"sqlite:///{live_server.database}")
    with app.app_context():
        db.session.execute(delete(Event).where(Event.id == event_id))
        db.session.commit()
        db.engine.dispose()


def _shoot(page: Page, outdir: Path, name: str) -> None:
    """`name`-<size>-<scheme>.png at phone and desktop size, light and dark."""
    sizes = {"390x844": (390, 844), "1280x800": (1280, 800)}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for label, (width, height) in sizes.items():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(outdir / f"{name}-{label}-{scheme}.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 390, "height": 844})


def test_door_helper_checks_people_in(
    page: Page, new_context, live_server, page_checker, tmp_path, door_event
) -> None:
    outdir = Path(os.environ.get("CHECKIN_SHOTS") or tmp_path)
    outdir.mkdir(parents=True, exist_ok=True)
    event_id, codes = door_event
    door_url = f"{live_server.url}/events/{event_id}/checkin"

    # The door helper on their phone: two by code, one by name.
    log_in(page, live_server.url, HELPER)
    page.goto(f"{live_server.url}/events/{event_id}")
    page.get_by_role("link", name="Check people in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in")
    expect(page.locator("#door-counts")).to_contain_text("0 of 5 people checked in")
    page_checker.check(page, "check-in page")
    code_field = page.get_by_role("textbox", name="Ticket code")
    code_field.fill(codes[MIA])
    page.locator(".door__code-form").get_by_role("button", name="Check in").click()
    expect(page.locator("#door-status")).to_have_text("Mia Member is checked in.")
    expect(page.locator("#door-counts")).to_contain_text("1 of 5 people checked in")
    sofia = codes[SOFIA].lower()
    code_field.fill(f"{sofia[:3]} {sofia[3:]}")
    page.locator(".door__code-form").get_by_role("button", name="Check in").click()
    expect(page.locator("#door-status")).to_contain_text("is checked in.")
    expect(page.locator("#door-counts")).to_contain_text("2 of 5 people checked in")
    page.get_by_label("Find by name").fill("lars")  # filters as I type
    lars_row = page.locator("#door-list .door-party:visible")
    expect(lars_row).to_have_count(1)
    lars_row.get_by_role("button", name="Check in").click()
    expect(page.locator("#door-counts")).to_contain_text("3 of 5 people checked in")
    expect(lars_row.locator(".door-person--in")).to_have_count(1)
    # Undo Sofía and check her in again.
    page.get_by_label("Find by name").fill("")
    sofia_row = page.locator("#door-list .door-party", has_text="Sofía")
    sofia_row.get_by_role("button", name="Undo").click()
    expect(page.locator("#door-counts")).to_contain_text("2 of 5 people checked in")
    sofia_row = page.locator("#door-list .door-party", has_text="Sofía")
    sofia_row.get_by_role("button", name="Check in").click()
    expect(page.locator("#door-counts")).to_contain_text("3 of 5 people checked in")
    page.goto(door_url)  # the same state after a reload (no JavaScript needed to see it)
    expect(page.locator("#door-counts")).to_contain_text("3 of 5 people checked in")
    page_checker.check(page, "check-in page (3 in)")
    _shoot(page, outdir, "checkin")

    # The organiser marks the coordinator, who never came, as a no-show.
    host = new_context().new_page()
    log_in(host, live_server.url, ORGANISER)
    host.goto(f"{live_server.url}/events/{event_id}/attendees")
    expect(host.get_by_role("heading", name="Attendance")).to_be_visible()
    row = host.locator(".attendance__party", has_text="Cora")
    row.get_by_role("button", name="Mark as no-show").click()
    expect(host.locator(".flash").first).to_contain_text("Marked as not attended")
    expect(host.locator(".attendance__party", has_text="Cora")).to_contain_text("No-show")
    page_checker.check(host, "attendees with attendance")
    _shoot(host, outdir, "attendance")
    host.goto(f"{live_server.url}/events/{event_id}")
    expect(host.locator(".checkin-links")).to_contain_text("Going, not checked in")
    page_checker.check(host, "event page for hosts, with attendance")
    _shoot(host, outdir, "event-host")

    # Mia: her ticket, and the event in her history as attended.
    mia = new_context().new_page()
    log_in(mia, live_server.url, MIA)
    mia.goto(f"{live_server.url}/events/{event_id}")
    mia.get_by_role("link", name="Show my ticket").click()
    expect(mia.locator(".ticket__code span").first).to_have_text(
        f"{codes[MIA][:3]} {codes[MIA][3:]}"
    )
    expect(mia.locator(".ticket svg")).to_be_visible()
    page_checker.check(mia, "ticket")
    _shoot(mia, outdir, "ticket")
    mia.goto(f"{live_server.url}/events")
    mia.get_by_role("link", name="My events").click()
    mia.get_by_role("link", name="Past").click()
    card = mia.locator(".my-event", has_text="Door test evening")
    expect(card).to_contain_text("You went")
    page_checker.check(mia, "my past events")
    _shoot(mia, outdir, "my-events")
