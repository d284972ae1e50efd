"""Check-in (#18): tickets and their codes, the door's check-in page, checking in and undoing
it, no-shows and the final list, attendance counts, my events, the API and the check-in
socket, per role (organiser, co-host, door helper, going member, other member, anonymous,
moderator); a door helper never sees answers or contact details; two check-ins of one
person at once store one row (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import segno
from sqlalchemy import func, select, update

from community.auth.models import User
from community.core.database import utcnow
from community.core.errors import Conflict, Invalid, NotFound
from community.events import attendance, checkin
from community.events import services as events
from community.events.models import (
    Event,
    EventCheckin,
    EventQuestion,
    EventStaff,
    Rsvp,
    RsvpAnswer,
    RsvpStatus,
    StaffRole,
)
from community.extensions import db
from tests import factories
from tests.conftest import csrf_token, post_form
from tests.test_api import api_login, error_code
from tests.test_core_patterns import run_at_once

SECRET_ANSWER = "Peanut allergy, severe (SECRET-ANSWER)"
ROLES = ("organiser", "cohost", "door_helper", "going", "other", "anonymous", "moderator")
CHECKERS = {"organiser", "cohost", "door_helper", "moderator"}
HOSTS = {"organiser", "cohost", "moderator"}


def user(ref) -> User:
    return db.session.get(User, ref.id)


@dataclass
class Door:
    """An event starting in an hour, with its staff, two going parties (Mia alone, Gus
    with two guests), a waitlisted member, and one answer to a question."""

    event_id: int
    people: dict[str, factories.UserRef]

    def event(self) -> Event:
        return db.session.get(Event, self.event_id)

    def rsvp(self, role: str) -> Rsvp:
        return db.session.scalar(
            select(Rsvp).where(Rsvp.event_id == self.event_id, Rsvp.user_id == self.people[role].id)
        )


def add_staff(event_id: int, ref, role: StaffRole) -> None:
    """A co-host or door helper, inserted directly (their page is the other half of #18)."""
    db.session.add(EventStaff(event_id=event_id, user_id=ref.id, role=role))
    db.session.commit()
    events.forget_staff_roles(ref.id)


def move_event(event_id: int, starts_at: datetime) -> None:
    """Put the event at another time (a started or past event for no-show tests)."""
    db.session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
    )
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def door(ctx, door_app) -> Door:
    """`door_app` for tests that talk to the database in the test's app context (`ctx`):
    they log one member in at most, since their requests share that context's `g`."""
    return door_app


@pytest.fixture
def door_app(app, organiser, member, moderator, make_user) -> Door:
    """The door, for tests that log several people in: no app context is held open, they
    talk to the database in `with app.app_context()` blocks."""
    with app.app_context():
        return _make_door(organiser, member, moderator, make_user)


def _make_door(organiser, member, moderator, make_user) -> Door:
    people = {
        "organiser": organiser,
        "going": member,
        "moderator": moderator,
        "cohost": make_user("cora.cohost@example.org", "Cora Cohost"),
        "door_helper": make_user("dan.door@example.org", "Dan Door"),
        "other": make_user("otto.other@example.org", "Otto Other"),
        "gus": make_user("gus.guests@example.org", "Gus Guests"),
        "waiting": make_user("wade.waiting@example.org", "Wade Waiting"),
    }
    starts = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    event = events.create_event(
        user(organiser),
        factories.event_data(starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=4),
    )
    db.session.commit()
    for role, guests in (("going", 0), ("gus", 2), ("waiting", 0)):
        events.rsvp(user(people[role]), db.session.get(Event, event.id), guests)
        db.session.commit()
    add_staff(event.id, people["cohost"], StaffRole.COHOST)
    add_staff(event.id, people["door_helper"], StaffRole.DOOR_HELPER)
    question = EventQuestion(event_id=event.id, position=0, kind="text", prompt="Dietary needs?")
    db.session.add(question)
    db.session.flush()
    mia_rsvp = db.session.scalar(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == member.id)
    )
    db.session.add(RsvpAnswer(rsvp_id=mia_rsvp.id, question_id=question.id, value=SECRET_ANSWER))
    db.session.commit()
    found = Door(event.id, people)
    assert found.rsvp("waiting").status == RsvpStatus.WAITLISTED
    return found


def client_as(app, login, door: Door, role: str):
    return app.test_client() if role == "anonymous" else login(door.people[role])


def code_of(door: Door, role: str) -> str:
    code = checkin.ticket_code(door.rsvp(role))
    db.session.commit()
    return code


# --- codes ---------------------------------------------------------------------------------


def test_codes_read_aloud_and_typed_any_way():
    assert not set("01OILSZ25B8") & set(checkin.CODE_ALPHABET)
    code = checkin.new_code()
    assert len(code) == 6 and set(code) <= set(checkin.CODE_ALPHABET)
    assert checkin.format_code("K7M3QX") == "K7M 3QX"
    for typed in ("K7M3QX", "k7m 3qx", " k7m-3QX "):
        assert checkin.normalise_code(typed) == "K7M3QX"
    for wrong in ("K7M3Q", "K7M3QXX", "O0M3QX", "", None, "x" * 100):
        assert checkin.normalise_code(wrong) is None


def test_a_code_is_given_once_and_kept(door):
    row = door.rsvp("going")
    assert row.checkin_code is None  # given when first needed, not at RSVP
    first = checkin.ticket_code(row)
    db.session.commit()
    db.session.expire_all()
    assert checkin.ticket_code(door.rsvp("going")) == first


@pytest.mark.backends("sqlite", "postgresql")
def test_a_clashing_code_is_drawn_again(door, monkeypatch):
    """Gus's first draw is Mia's code: the unique key refuses it, the second draw is kept."""
    taken = code_of(door, "going")
    draws = iter([taken, "AAAAAA"])
    monkeypatch.setattr(checkin, "new_code", lambda: next(draws))
    assert checkin.ticket_code(door.rsvp("gus")) == "AAAAAA"
    db.session.commit()
    assert door.rsvp("going").checkin_code == taken


# --- tickets -------------------------------------------------------------------------------


def test_my_ticket_shows_the_code_and_a_qr_code_of_the_checkin_link(app, door, login):
    page = login(door.people["gus"]).get(f"/events/{door.event_id}/ticket")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    code = door.rsvp("gus").checkin_code
    assert checkin.format_code(code) in html
    assert "You and 2 guests" in html
    base = app.config["BASE_URL"].rstrip("/")
    url = f"{base}/events/{door.event_id}/checkin?code={code}"
    svg = re.search(r"<svg[^>]*class=\"segno\".*?</svg>", html, re.S).group(0)
    ElementTree.fromstring(svg)  # noqa: S314  (well-formed; our own output)
    assert svg == checkin.qr_svg(url)
    assert segno.make(url, error="m") == segno.make(url, error="m")  # deterministic matrix
    assert "style=" not in svg and "<script" not in svg  # nothing the CSP would block


def test_the_qr_code_decodes_to_the_checkin_url(app):
    """The SVG's dark modules are exactly segno's matrix of the URL (no decoder installed)."""
    with app.test_request_context():
        url = "http://localhost/events/7/checkin?code=K7M3QX"
        svg = checkin.qr_svg(url)
    matrix = segno.make(url, error="m").matrix
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    dark = set()
    x = y = 0.0
    for command, value in re.findall(r"([Mmhv])(-?[\d.]+(?: -?[\d.]+)?)", path):
        numbers = [float(n) for n in value.split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            for step in range(int(numbers[0])):
                dark.add((int(y - 0.5) - 2, int(x) + step - 2))
            x += numbers[0]
    expected = {(r, c) for r, row in enumerate(matrix) for c, v in enumerate(row) if v}
    assert dark == expected


@pytest.mark.parametrize("role", ["waiting", "other"])
def test_no_ticket_for_members_not_going(app, door, login, role):
    page = login(door.people[role]).get(f"/events/{door.event_id}/ticket")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "segno" not in html
    if role == "waiting":
        assert "You are on the waitlist: you get a ticket once a seat is yours." in html
    else:
        assert "Only members who are going have a ticket." in html


@pytest.mark.parametrize("role", ROLES)
def test_only_the_member_and_hosts_open_a_members_ticket(app, door, login, role):
    mia_id = door.people["going"].id
    response = client_as(app, login, door, role).get(
        f"/events/{door.event_id}/ticket?user_id={mia_id}"
    )
    if role == "anonymous":
        assert response.status_code == 302
    elif role in HOSTS or role == "going":
        assert response.status_code == 200 and "segno" in response.get_data(as_text=True)
    else:
        assert response.status_code == 404


def test_a_member_opening_the_checkin_link_is_refused_politely(app, door, login):
    code = code_of(door, "going")
    page = login(door.people["going"]).get(f"/events/{door.event_id}/checkin?code={code}")
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert "This page is for the people at the door" in html
    assert "Gus Guests" not in html


def test_the_event_page_links_my_ticket_and_the_door(app, door_app, login):
    door = door_app
    show = f"/events/{door.event_id}"
    assert f"/events/{door.event_id}/ticket" in login(door.people["going"]).get(show).text
    assert f"/events/{door.event_id}/ticket" not in login(door.people["waiting"]).get(show).text
    helper_page = login(door.people["door_helper"]).get(show).text
    assert f"/events/{door.event_id}/checkin" in helper_page
    assert f"/events/{door.event_id}/checkin" not in login(door.people["other"]).get(show).text


# --- the check-in page, per role -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_checkin_page_per_role(app, door, login, role):
    response = client_as(app, login, door, role).get(f"/events/{door.event_id}/checkin")
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
    elif role in CHECKERS:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Mia Member" in html and "Gus Guests" in html and "Guest 2" in html
        assert "Wade Waiting" not in html  # the waitlist is not at the door
        assert "0 of 4 people checked in" in re.sub(r"<[^>]+>|\s+", " ", html).replace("  ", " ")
    else:
        assert response.status_code == 404
        assert "Gus Guests" not in response.get_data(as_text=True)


def test_a_door_helper_sees_names_and_sizes_only(app, door_app, login):
    door = door_app
    helper = login(door.people["door_helper"])
    html = helper.get(f"/events/{door.event_id}/checkin").get_data(as_text=True)
    for secret in (SECRET_ANSWER, door.people["going"].email, door.people["gus"].email):
        assert secret not in html
    door_part = re.search(r'<div class="door".*</main>', html, re.S).group(0)
    assert "/members/" not in door_part  # no links to profiles with contact details
    api = api_login(app, door.people["door_helper"]).get(f"/api/v1/events/{door.event_id}/checkins")
    text = api.get_data(as_text=True)
    assert api.status_code == 200
    for secret in (SECRET_ANSWER, door.people["going"].email, "@"):
        assert secret not in text


@pytest.mark.parametrize("role", ROLES)
def test_checking_in_per_role(app, door, login, role):
    mia = door.people["going"].id
    path = f"/events/{door.event_id}/checkin/{mia}/0"
    client = client_as(app, login, door, role)
    if role == "anonymous":
        response = client.post(path, data={"csrf_token": "x"})
        assert response.status_code in (302, 400)
    else:
        response = post_form(client, path, {}, form_page="/settings")
        assert response.status_code == (302 if role in CHECKERS else 404)
    db.session.expire_all()
    stored = db.session.scalar(select(func.count()).select_from(EventCheckin))
    assert stored == (1 if role in CHECKERS else 0)


@pytest.mark.backends("sqlite", "postgresql")
def test_check_in_by_code_then_undo_and_again(app, door, login):
    code = code_of(door, "gus")
    helper = login(door.people["door_helper"])
    back = f"/events/{door.event_id}/checkin?q=gus"
    typed = code.lower()[:3] + " " + code.lower()[3:]
    response = post_form(
        helper,
        f"/events/{door.event_id}/checkin/code",
        {"code": typed, "back": back},
        form_page=back,
    )
    assert response.status_code == 302 and response.location == back
    page = helper.get(back).get_data(as_text=True)
    assert "Gus Guests is checked in." in page
    assert "1 of 3 in" in page
    # The next typing of the code checks in the next guest.
    post_form(helper, f"/events/{door.event_id}/checkin/code", {"code": code}, form_page=back)
    party = checkin.door_list(door.event(), rsvp_ids=[door.rsvp("gus").id])[0]
    assert [p.checked_in for p in party.people] == [True, True, False]
    assert party.people[0].checked_in_by == "Dan Door"
    # Undo guest 1, then check them in again.
    gus = door.people["gus"].id
    post_form(helper, f"/events/{door.event_id}/checkin/{gus}/1/undo", {}, form_page=back)
    db.session.expire_all()
    party = checkin.door_list(door.event(), rsvp_ids=[door.rsvp("gus").id])[0]
    assert [p.checked_in for p in party.people] == [True, False, False]
    post_form(helper, f"/events/{door.event_id}/checkin/{gus}/1", {}, form_page=back)
    db.session.expire_all()
    assert checkin.door_counts(door.event()) == checkin.DoorCounts(checked_in=2, expected=4)


def test_a_second_checkin_says_who_was_first(app, door_app, login):
    door = door_app
    mia = door.people["going"].id
    path = f"/events/{door.event_id}/checkin/{mia}/0"
    post_form(login(door.people["door_helper"]), path, {}, form_page="/settings")
    cohost = login(door.people["cohost"])
    response = post_form(cohost, path, {}, form_page="/settings")
    assert response.status_code == 302
    html = cohost.get(response.location).get_data(as_text=True)
    assert re.search(r"Mia Member was already checked in by Dan Door at \d\d:\d\d\.", html)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EventCheckin)) == 1


def test_the_page_answers_json_to_its_script(app, door, login):
    helper = login(door.people["door_helper"])
    token = csrf_token(helper, f"/events/{door.event_id}/checkin")
    mia = door.people["going"].id
    response = helper.post(
        f"/events/{door.event_id}/checkin/{mia}/0",
        data={"csrf_token": token},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["message"] == "Mia Member is checked in."
    assert body["counts"] == {"checked_in": 1, "expected": 4}
    wrong = helper.post(
        f"/events/{door.event_id}/checkin/code",
        data={"csrf_token": token, "code": "AAAAAA"},
        headers={"X-Requested-With": "fetch"},
    )
    assert wrong.status_code == 404
    assert "No ticket of this event has that code" in wrong.get_json()["error"]["message"]


def test_the_name_search_works_without_javascript(app, door, login):
    html = login(door.people["door_helper"]).get(f"/events/{door.event_id}/checkin?q=GUS").text
    assert "Gus Guests" in html and "Mia Member" not in html


# --- rules of checking in ------------------------------------------------------------------


def test_unknown_and_other_events_codes_are_not_found(door, organiser):
    other_event = events.create_event(user(organiser), factories.event_data())
    db.session.commit()
    events.rsvp(user(door.people["other"]), other_event)
    db.session.commit()
    foreign = checkin.ticket_code(
        db.session.scalar(select(Rsvp).where(Rsvp.event_id == other_event.id))
    )
    db.session.commit()
    helper = user(door.people["door_helper"])
    for code in ("AAAAAA", "nonsense", foreign):
        with pytest.raises(NotFound):
            checkin.check_in(helper, door.event(), code=code)
        db.session.rollback()


def test_members_not_going_cannot_be_checked_in(door):
    helper = user(door.people["door_helper"])
    for role in ("waiting", "other"):
        with pytest.raises(Conflict):
            checkin.check_in(helper, door.event(), user_id=door.people[role].id)
        db.session.rollback()
    with pytest.raises(Invalid):
        checkin.check_in(helper, door.event(), user_id=door.people["going"].id, guest=1)


def test_the_door_opens_two_hours_before_and_closes_twelve_hours_after(door):
    helper = user(door.people["door_helper"])
    event = door.event()
    mia = door.people["going"].id
    with pytest.raises(Conflict, match="Check-in opens"):
        checkin.check_in(
            helper, event, user_id=mia, now=event.starts_at - timedelta(hours=2, minutes=1)
        )
    db.session.rollback()
    with pytest.raises(Conflict, match="closed"):
        checkin.check_in(
            helper, event, user_id=mia, now=event.ends_at + timedelta(hours=12, minutes=1)
        )
    db.session.rollback()
    result = checkin.check_in(helper, event, user_id=mia, now=event.starts_at - timedelta(hours=2))
    assert result.created


def test_checking_in_a_no_show_clears_the_mark(door):
    row = door.rsvp("going")
    row.no_show = True
    db.session.commit()
    checkin.check_in(user(door.people["door_helper"]), door.event(), user_id=row.user_id)
    db.session.commit()
    assert door.rsvp("going").no_show is False


@pytest.mark.backends("sqlite", "postgresql")
def test_two_checkins_of_one_person_at_once_store_one_row(app, door):
    ids = (door.event_id, door.people["door_helper"].id, door.people["cohost"].id)
    mia = door.people["going"].id
    created = []

    def work(index: int) -> None:
        actor = db.session.get(User, ids[1 + index])
        result = checkin.check_in(actor, db.session.get(Event, ids[0]), user_id=mia, guest=0)
        created.append(result.created)

    errors = run_at_once(app, 2, work)
    assert errors == []
    assert sorted(created) == [False, True]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(EventCheckin)) == 1


@pytest.mark.backends("sqlite", "postgresql")
def test_two_first_tickets_at_once_get_one_code(app, door):
    mia = door.rsvp("going").id
    codes = []
    lock = threading.Lock()

    def work(index: int) -> None:
        code = checkin.ticket_code(db.session.get(Rsvp, mia))
        with lock:
            codes.append(code)

    assert run_at_once(app, 2, work) == []
    db.session.expire_all()
    assert len(set(codes)) == 1 and door.rsvp("going").checkin_code == codes[0]


# --- after the event -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_marking_a_no_show_per_role(app, door, login, role):
    move_event(door.event_id, utcnow() - timedelta(hours=3))
    path = f"/events/{door.event_id}/attendance/{door.people['going'].id}/no-show"
    client = client_as(app, login, door, role)
    if role == "anonymous":
        assert client.post(path).status_code in (302, 400)
    else:
        response = post_form(client, path, {"value": "1"}, form_page="/settings")
        assert response.status_code == (302 if role in HOSTS else 404)
    db.session.expire_all()
    assert door.rsvp("going").no_show is (role in HOSTS)


def test_no_shows_only_after_the_start_and_never_for_who_came(door):
    host = user(door.people["organiser"])
    mia = door.people["going"].id
    with pytest.raises(Conflict, match="once the event has started"):
        checkin.mark_no_show(host, door.event(), mia)
    db.session.rollback()
    checkin.check_in(host, door.event(), user_id=mia)
    db.session.commit()
    with pytest.raises(Conflict, match="checked in"):
        checkin.mark_no_show(host, door.event(), mia, now=door.event().starts_at)
    db.session.rollback()
    with pytest.raises(NotFound):  # door helpers do not mark no-shows
        checkin.mark_no_show(
            user(door.people["door_helper"]), door.event(), mia, now=utcnow() + timedelta(hours=2)
        )


@pytest.mark.backends("sqlite", "postgresql")
def test_accepting_the_list_as_final_is_idempotent_and_undoable(app, door, login):
    mia, gus = door.people["going"].id, door.people["gus"].id
    checkin.check_in(user(door.people["door_helper"]), door.event(), user_id=gus, guest=2)
    db.session.commit()
    move_event(door.event_id, utcnow() - timedelta(hours=3))
    host = login(door.people["cohost"])
    response = post_form(
        host, f"/events/{door.event_id}/attendance/final", {}, form_page="/settings"
    )
    assert response.status_code == 302
    db.session.expire_all()
    first = door.event().attendance_final_at
    assert first is not None
    assert door.rsvp("going").no_show and not door.rsvp("gus").no_show
    assert checkin.accept_as_final(user(door.people["organiser"]), door.event()) == 0
    db.session.commit()
    assert door.event().attendance_final_at == first
    # Undo one mark: Mia came after all.
    post_form(
        host,
        f"/events/{door.event_id}/attendance/{mia}/no-show",
        {"value": "0"},
        form_page="/settings",
    )
    db.session.expire_all()
    assert not door.rsvp("going").no_show
    page = host.get(f"/events/{door.event_id}/attendees").get_data(as_text=True)
    assert "Went: 1 · Going, not checked in: 1 · No-show: 0 (parties)" in page


def test_the_event_page_shows_hosts_the_attendance(app, door_app, login):
    door = door_app
    with app.app_context():
        move_event(door.event_id, utcnow() - timedelta(hours=3))
        checkin.check_in(
            user(door.people["organiser"]), door.event(), user_id=door.people["gus"].id
        )
        db.session.commit()
    host = login(door.people["organiser"]).get(f"/events/{door.event_id}").text
    assert "Attendance" in host and "Going, not checked in" in host
    for role in ("door_helper", "going", "other"):
        assert (
            "Going, not checked in"
            not in login(door.people[role]).get(f"/events/{door.event_id}").text
        )


# --- counts and history --------------------------------------------------------------------


@pytest.mark.backends("sqlite", "postgresql")
def test_attendance_counts_are_numbers_only(door, organiser):
    helper = user(door.people["door_helper"])
    gus = door.people["gus"].id
    checkin.check_in(helper, door.event(), user_id=gus, guest=0)
    checkin.check_in(helper, door.event(), user_id=gus, guest=1)
    db.session.commit()
    checkin.accept_as_final(user(organiser), door.event(), now=utcnow() + timedelta(hours=4))
    db.session.commit()
    empty = events.create_event(user(organiser), factories.event_data())
    db.session.commit()
    counts = attendance.attendance_counts([door.event_id, empty.id])
    assert counts[empty.id] == attendance.AttendanceCounts()
    mine = counts[door.event_id]
    assert (mine.parties_going, mine.parties_went, mine.parties_no_show, mine.parties_pending) == (
        2,
        1,
        1,
        0,
    )
    assert (mine.people_going, mine.people_went, mine.people_no_show) == (4, 2, 1)
    since = utcnow() - timedelta(days=1)
    report = attendance.organiser_attendance(organiser.id, since, since + timedelta(days=30))
    assert report.events == 2
    assert report.counts == mine
    assert (
        attendance.organiser_attendance(organiser.id, since, since + timedelta(hours=1)).events == 0
    )
    fields = {name for name in vars(mine)}
    assert not {"user_id", "name", "rsvp_id"} & fields


@pytest.mark.backends("sqlite", "postgresql")
def test_my_events_show_my_own_attendance(app, door_app, login):
    door = door_app
    with app.app_context():
        checkin.check_in(
            user(door.people["organiser"]), door.event(), user_id=door.people["going"].id
        )
        db.session.commit()
    coming = login(door.people["going"]).get("/events/mine").text
    assert f"/events/{door.event_id}/ticket" in coming
    with app.app_context():
        move_event(door.event_id, utcnow() - timedelta(hours=3))
        checkin.mark_no_show(user(door.people["organiser"]), door.event(), door.people["gus"].id)
        db.session.commit()
    assert "You went" in login(door.people["going"]).get("/events/mine?when=past").text
    gus_page = login(door.people["gus"]).get("/events/mine?when=past").text
    assert "Marked as not attended" in gus_page and "You went" not in gus_page
    other = login(door.people["other"]).get("/events/mine?when=past").text
    assert "Networking breakfast" not in other
    assert "/events/mine" in login(door.people["other"]).get("/events").text


# --- the API -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_api_door_list_per_role(app, door, role):
    path = f"/api/v1/events/{door.event_id}/checkins"
    if role == "anonymous":
        assert app.test_client().get(path).status_code == 401
        return
    response = api_login(app, door.people[role]).get(path)
    if role in CHECKERS:
        assert response.status_code == 200
        body = response.get_json()
        assert [p["name"] for p in body["items"]] == ["Gus Guests", "Mia Member"]
        assert body["counts"] == {"checked_in": 0, "expected": 4}
        assert set(body["items"][0]) == {"rsvp_id", "user_id", "name", "guests", "people"}
    else:
        assert response.status_code == 404


@pytest.mark.backends("sqlite", "postgresql")
def test_api_checkin_and_undo(app, door_app):
    door = door_app
    with app.app_context():
        code = code_of(door, "gus")
    api = api_login(app, door.people["door_helper"])
    path = f"/api/v1/events/{door.event_id}/checkins"
    first = api.post(path, json={"code": code.lower()})
    assert first.status_code == 201
    assert first.get_json()["guest"] == 0 and first.get_json()["counts"]["checked_in"] == 1
    gus = door.people["gus"].id
    again = api.post(path, json={"user_id": gus, "guest": 0})
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert again.get_json()["party"]["people"][0]["checked_in_by"] == "Dan Door"
    assert api.post(path, json={"user_id": gus}).get_json()["guest"] == 1  # the next one
    undone = api.delete(path, json={"user_id": gus, "guest": 1})
    assert undone.status_code == 200
    assert [p["checked_in"] for p in undone.get_json()["people"]] == [True, False, False]
    assert api.post(path, json={"code": "AAAAAA"}).status_code == 404
    assert error_code(api.post(path, json={"user_id": door.people["waiting"].id})) == "conflict"
    assert api.post(path, json={}).status_code == 422
    assert api.post(path, json={"code": code, "user_id": gus}).status_code == 422
    assert api.post(path, json={"user_id": gus, "guest": 3}).status_code == 422
    assert api.post(path, json={"user_id": gus, "guest": 9}).status_code == 422
    assert api_login(app, door.people["going"]).post(path, json={"code": code}).status_code == 404


def test_api_checkin_outside_the_window_says_when_it_opens(app, door):
    move_event(door.event_id, utcnow() + timedelta(days=2))
    api = api_login(app, door.people["organiser"])
    response = api.post(
        f"/api/v1/events/{door.event_id}/checkins", json={"user_id": door.people["going"].id}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["message"].startswith("Check-in opens ")


@pytest.mark.parametrize("role", ["going", "gus", "waiting", "other"])
def test_api_ticket(app, door, role):
    response = api_login(app, door.people[role]).get(f"/api/v1/events/{door.event_id}/ticket")
    if role in ("going", "gus"):
        body = response.get_json()
        assert response.status_code == 200
        assert body["code"] == door.rsvp(role).checkin_code
        assert body["url"].endswith(f"/events/{door.event_id}/checkin?code={body['code']}")
        assert body["qr_svg"].startswith("<svg")
    else:
        assert response.status_code == 409


# --- the socket ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_checkin_watch_per_role(app, door, make_socket_client, role):
    client = make_socket_client(door.people[role])
    answer = client.emit("checkin:watch", {"event_id": door.event_id}, callback=True)
    assert answer["ok"] is (role in CHECKERS)
    helper = user(door.people["organiser"])
    checkin.check_in(helper, door.event(), user_id=door.people["going"].id)
    db.session.commit()
    changed = [m for m in client.get_received() if m["name"] == "checkin:changed"]
    if role in CHECKERS:
        (payload,) = changed[0]["args"]
        assert payload["party"]["name"] == "Mia Member"
        assert payload["counts"] == {"checked_in": 1, "expected": 4}
        text = repr(payload)
        assert SECRET_ANSWER not in text and "@" not in text
    else:
        assert changed == []


def test_a_removed_helper_stops_hearing_after_the_recheck(app, door, make_socket_client):
    client = make_socket_client(door.people["door_helper"])
    assert client.emit("checkin:watch", {"event_id": door.event_id}, callback=True)["ok"]
    db.session.execute(
        EventStaff.__table__.delete().where(EventStaff.user_id == door.people["door_helper"].id)
    )
    db.session.commit()
    answer = client.emit("checkin:watch", {"event_id": door.event_id}, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "not_found"
    checkin.check_in(user(door.people["organiser"]), door.event(), user_id=door.people["going"].id)
    db.session.commit()
    assert [m for m in client.get_received() if m["name"] == "checkin:changed"] == []


@pytest.mark.parametrize(
    "payload", [None, {}, {"event_id": "1"}, {"event_id": True}, {"event_id": 2**40}]
)
def test_checkin_watch_refuses_bad_payloads(door, make_socket_client, payload):
    client = make_socket_client(door.people["organiser"])
    answer = client.emit("checkin:watch", payload, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "invalid"


def test_ticket_waits_for_a_requested_rsvp(door):
    row = door.rsvp("going")
    row.status = RsvpStatus.REQUESTED
    db.session.commit()
    with pytest.raises(Conflict, match="waiting for a host"):
        checkin.ticket_for(user(door.people["going"]), door.event())


def test_the_checkin_page_costs_the_same_queries_for_more_parties(
    app, door_app, login, make_user, count_queries
):
    """The door list is two queries whatever its length (names, then check-ins)."""
    door = door_app
    helper = login(door.people["door_helper"])
    path = f"/events/{door.event_id}/checkin"

    def measure() -> int:
        with count_queries() as counter:
            assert helper.get(path).status_code == 200
        return counter.count

    helper.get(path)
    few = measure()
    with app.app_context():
        db.session.execute(update(Event).where(Event.id == door.event_id).values(capacity=50))
        db.session.commit()
        for n in range(6):
            ref = make_user(f"extra{n}@example.org", f"Extra {n}")
            events.rsvp(user(ref), db.session.get(Event, door.event_id), 0)
            db.session.commit()
            checkin.check_in(user(door.people["organiser"]), door.event(), user_id=ref.id)
            db.session.commit()
    assert measure() == few


def test_the_page_says_when_the_door_opens_and_that_it_closed(app, door, login):
    helper = login(door.people["door_helper"])
    path = f"/events/{door.event_id}/checkin"
    assert "It opens" not in helper.get(path).text
    move_event(door.event_id, utcnow() + timedelta(days=2))
    assert "It opens" in helper.get(path).text
    move_event(door.event_id, utcnow() - timedelta(days=2))
    assert "Check-in for this event has closed" in helper.get(path).text


@pytest.mark.parametrize("role", ROLES)
def test_code_undo_and_final_per_role(app, door_app, login, role):
    """The other page actions: checking in by code and undoing (hosts and door helpers),
    accepting the list as final (hosts); everyone else gets the 404 of a missing event."""
    door = door_app
    with app.app_context():
        code = code_of(door, "going")
        mia = door.people["going"].id
        checkin.check_in(
            user(door.people["organiser"]), door.event(), user_id=door.people["gus"].id
        )
        db.session.commit()
    base = f"/events/{door.event_id}"
    gus = door.people["gus"].id
    if role == "anonymous":
        client = app.test_client()
        for path in ("/checkin/code", f"/checkin/{gus}/0/undo", "/attendance/final"):
            assert client.post(base + path).status_code in (302, 400)
        return
    client = login(door.people[role])
    by_code = post_form(client, base + "/checkin/code", {"code": code}, form_page="/settings")
    undo = post_form(client, f"{base}/checkin/{gus}/0/undo", {}, form_page="/settings")
    assert by_code.status_code == undo.status_code == (302 if role in CHECKERS else 404)
    with app.app_context():
        move_event(door.event_id, utcnow() - timedelta(hours=3))
    final = post_form(client, base + "/attendance/final", {}, form_page="/settings")
    assert final.status_code == (302 if role in HOSTS else 404)
    with app.app_context():
        parties = {p.user_id: p for p in checkin.door_list(db.session.get(Event, door.event_id))}
        assert parties[mia].checked_in == (1 if role in CHECKERS else 0)
        assert parties[gus].checked_in == (0 if role in CHECKERS else 1)
        assert (db.session.get(Event, door.event_id).attendance_final_at is not None) is (
            role in HOSTS
        )


@pytest.mark.parametrize("role", ROLES)
def test_api_checkin_undo_and_ticket_per_role(app, door_app, role):
    door = door_app
    with app.app_context():
        code = code_of(door, "going")
    path = f"/api/v1/events/{door.event_id}/checkins"
    mia = door.people["going"].id
    if role == "anonymous":
        client = app.test_client()
        assert client.post(path, json={"code": code}).status_code == 401
        assert client.delete(path, json={"user_id": mia}).status_code == 401
        assert client.get(f"/api/v1/events/{door.event_id}/ticket").status_code == 401
        return
    api = api_login(app, door.people[role])
    allowed = role in CHECKERS
    assert api.post(path, json={"code": code}).status_code == (201 if allowed else 404)
    assert api.delete(path, json={"user_id": mia, "guest": 0}).status_code == (
        200 if allowed else 404
    )
    ticket = api.get(f"/api/v1/events/{door.event_id}/ticket")
    assert ticket.status_code == (200 if role == "going" else 409)
    if role != "going":
        assert code not in ticket.get_data(as_text=True)


def test_a_helper_taken_off_the_staff_leaves_the_room_at_once(app, door, make_socket_client):
    """`leave_checkin_room`, queued after a removal, takes their sockets out without
    waiting for their next watch."""
    from community.events.sockets import leave_checkin_room

    client = make_socket_client(door.people["door_helper"])
    assert client.emit("checkin:watch", {"event_id": door.event_id}, callback=True)["ok"]
    with app.test_request_context():
        leave_checkin_room(door.people["door_helper"].id, door.event_id)
    checkin.check_in(user(door.people["organiser"]), door.event(), user_id=door.people["going"].id)
    db.session.commit()
    assert [m for m in client.get_received() if m["name"] == "checkin:changed"] == []
