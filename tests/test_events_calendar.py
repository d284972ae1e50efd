"""Calendars and reminders, on SQLite and PostgreSQL: an event's `.ics` and the private feed
parsed back with icalendar (instants across a DST change, SEQUENCE, STATUS, VTIMEZONE, the
place only for members going), the feed's secret, the RSVP confirmation mail, and
`send-reminders` run twice and twice at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.auth.roles import Role
from community.connections import services as connections
from community.core.database import utcnow
from community.events import services as events
from community.events.calendar import feed_url_for, regenerate_feed
from community.events.models import CalendarFeed, Event, EventReminder
from community.events.reminders import mail_rsvp_confirmation, send_reminders
from community.events.services import EventData
from community.extensions import db
from community.jobs import start_job_runner
from community.mail.models import OutboxMail
from community.notifications.models import Notification
from tests import factories
from tests.conftest import post_form
from tests.test_core_patterns import run_at_once

BACKENDS = ("sqlite", "postgresql")
HOME = "Secret Lane 7, Valby"
LINK = "https://meet.example/private-room"


def user(ref) -> User:
    return db.session.get(User, ref.id)


def event_data(**changes) -> EventData:
    """A family picnic ten days from now (the shared factory's event, renamed)."""
    picnic = {
        "title": "Family picnic",
        "description": "Bring a blanket.",
        "category": "family",
        "venue": "Fælledparken, Copenhagen",
        "guests_allowed": 2,
    }
    return factories.event_data(**{**picnic, **changes})


@pytest.fixture
def organiser(make_user):
    return make_user(roles=(Role.ORGANISER,))


@pytest.fixture
def make_event(ctx, organiser):
    def make(**changes) -> Event:
        event = events.create_event(user(organiser), event_data(**changes))
        db.session.commit()
        return event

    return make


def going(ref, event: Event, guests: int = 0) -> str:
    result = events.rsvp(user(ref), event, guests)
    db.session.commit()
    return result.status


def vevents(response) -> list[icalendar.Event]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment")
    return list(icalendar.Calendar.from_ical(response.data).walk("VEVENT"))


def only_vevent(response) -> icalendar.Event:
    (vevent,) = vevents(response)
    return vevent


def as_member(client, auth, ref):
    auth.login(ref.email)
    return client


# --- one event's .ics ----------------------------------------------------------------------


def test_ics_has_the_right_instant_across_a_dst_change(make_event, make_user, client, auth):
    """10:00 Copenhagen on the last Sunday of March 2027 (after the clocks go forward) is
    08:00 UTC; the day before, 10:00 is 09:00 UTC. TZID and a VTIMEZONE say so."""
    summer = make_event(
        starts_at=datetime(2027, 3, 28, 10, 0), ends_at=datetime(2027, 3, 28, 12, 0)
    )
    winter = make_event(
        starts_at=datetime(2027, 3, 27, 10, 0), ends_at=datetime(2027, 3, 27, 12, 0)
    )
    member = make_user()
    as_member(client, auth, member)

    response = client.get(f"/events/{summer.id}.ics")
    vevent = only_vevent(response)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND").astimezone(UTC) == datetime(2027, 3, 28, 10, 0, tzinfo=UTC)
    assert vevent.decoded("DTSTART").replace(tzinfo=None) == datetime(2027, 3, 28, 10, 0)
    assert str(vevent["UID"]) == f"event-{summer.id}@localhost"
    assert str(vevent["SUMMARY"]) == "Family picnic"
    assert str(vevent["URL"]) == f"http://localhost/events/{summer.id}"
    assert "Bring a blanket." in str(vevent["DESCRIPTION"])
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "DTSTAMP" in vevent
    calendar = icalendar.Calendar.from_ical(response.data)
    zones = [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/Copenhagen"]
    assert b"BEGIN:DAYLIGHT" in response.data and b"BEGIN:STANDARD" in response.data

    vevent = only_vevent(client.get(f"/events/{winter.id}.ics"))
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)


def test_sequence_rises_when_the_time_changes(make_event, make_user, organiser, client, auth):
    event = make_event()
    as_member(client, auth, make_user())
    first = only_vevent(client.get(f"/events/{event.id}.ics"))

    later = event.starts_at + timedelta(days=1)
    events.update_event(
        user(organiser), event, EventData(starts_at=later, ends_at=later + timedelta(hours=2))
    )
    db.session.commit()
    second = only_vevent(client.get(f"/events/{event.id}.ics"))

    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second.decoded("DTSTART").astimezone(UTC) == later
    assert second["UID"] == first["UID"]

    events.update_event(user(organiser), event, EventData(title="Family picnic in the park"))
    db.session.commit()
    third = only_vevent(client.get(f"/events/{event.id}.ics"))
    assert int(third["SEQUENCE"]) == int(second["SEQUENCE"])  # a new title is no move
    assert str(third["SUMMARY"]) == "Family picnic in the park"


def test_a_cancelled_event_is_status_cancelled(make_event, make_user, organiser, client, auth):
    event = make_event()
    as_member(client, auth, make_user())
    before = only_vevent(client.get(f"/events/{event.id}.ics"))
    events.cancel_event(user(organiser), event)
    db.session.commit()
    after = only_vevent(client.get(f"/events/{event.id}.ics"))
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


@pytest.mark.parametrize("place", ["private venue", "online"])
def test_the_place_only_for_members_going(make_event, make_user, organiser, app, place):
    """A private address or the online link is in the .ics of the organiser and members
    going, never of a waitlisted or other member."""
    if place == "online":
        event = make_event(venue=None, online_url=LINK, capacity=1, cleared={"venue"})
        secret = LINK
    else:
        event = make_event(venue=HOME, venue_private=True, capacity=1)
        secret = HOME
    member, waiting, other = make_user(), make_user(), make_user()
    assert going(member, event) == "going"
    assert going(waiting, event) == "waitlisted"

    def ics_of(ref) -> bytes:
        with app.app_context():  # a fresh `g` for each member's requests
            client = app.test_client()
            post_form(client, "/auth/login", {"email": ref.email, "password": ref.password})
            response = client.get(f"/events/{event.id}.ics")
            assert response.status_code == 200
            return response.data

    for ref in (member, organiser):
        body = ics_of(ref)
        assert str(only_vevent_of(body)["LOCATION"]) == secret
    for ref in (waiting, other):
        body = ics_of(ref)
        assert secret.encode() not in body
        assert "private" not in body.decode()
        assert "LOCATION" not in only_vevent_of(body)


def only_vevent_of(body: bytes) -> icalendar.Event:
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    return vevent


def test_a_public_venue_is_shown_to_every_member(make_event, make_user, client, auth):
    event = make_event()
    as_member(client, auth, make_user())
    vevent = only_vevent(client.get(f"/events/{event.id}.ics"))
    assert str(vevent["LOCATION"]) == "Fælledparken, Copenhagen"


def test_ics_needs_login_and_a_visible_event(make_event, make_user, organiser, client, auth):
    event = make_event()
    anonymous = client.get(f"/events/{event.id}.ics")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]

    blocked = make_user()
    connections.block(user(blocked), organiser.id)
    db.session.commit()
    as_member(client, auth, blocked)
    assert client.get(f"/events/{event.id}.ics").status_code == 404
    assert client.get(f"/events/{event.id + 1000}.ics").status_code == 404


# --- the personal feed ---------------------------------------------------------------------


def feed_path(ref) -> str:
    url = feed_url_for(user(ref))
    db.session.commit()
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://localhost")


def test_the_feed_lists_only_events_i_am_going_to(make_event, make_user, organiser, app):
    member, other = make_user(display_name="Mette Going"), make_user(display_name="Ole Other")
    mine = make_event(title="Breakfast", venue=HOME, venue_private=True)
    struck = make_event(title="Workshop")
    waiting = make_event(title="Full talk", capacity=1)
    dropped = make_event(title="Dropped picnic")
    make_event(title="Not mine")
    for event in (mine, struck, dropped):
        assert going(member, event) == "going"
        assert going(other, event) == "going"
    assert going(other, waiting) == "going"
    assert going(member, waiting) == "waitlisted"
    events.cancel_rsvp(user(member), dropped)
    events.cancel_event(user(organiser), struck)
    db.session.commit()

    client = app.test_client()  # no login: the secret is the key
    response = client.get(feed_path(member))
    found = {str(vevent["SUMMARY"]): vevent for vevent in vevents(response)}
    assert set(found) == {"Breakfast", "Workshop"}
    assert str(found["Workshop"]["STATUS"]) == "CANCELLED"
    assert str(found["Breakfast"]["STATUS"]) == "CONFIRMED"
    assert str(found["Breakfast"]["LOCATION"]) == HOME  # going: the member may see it
    body = response.data.decode()
    for ref in (member, other, organiser):
        assert ref.email not in body
        assert ref.display_name not in body
    assert "ATTENDEE" not in body and "ORGANIZER" not in body
    assert icalendar.Calendar.from_ical(response.data).walk("VTIMEZONE")
    assert response.headers["Cache-Control"].startswith("private")


def test_a_wrong_secret_is_404(make_user, app, ctx):
    feed_path(make_user())
    client = app.test_client()
    assert client.get("/calendar/not-the-secret.ics").status_code == 404
    assert client.get(f"/calendar/{'a' * 64}.ics").status_code == 404


def test_the_secret_is_never_stored_in_clear(make_user, ctx):
    path = feed_path(make_user())
    secret = path.removeprefix("/calendar/").removesuffix(".ics")
    feed = db.session.scalar(select(CalendarFeed))
    assert secret not in (feed.token_hash, str(feed.user_id))
    assert len(feed.token_hash) == 64
    assert feed_path(make_user()) != path  # each member has their own


def test_regenerating_kills_the_old_url(make_user, make_event, app, client, auth):
    member = make_user()
    going(member, make_event())
    as_member(client, auth, member)
    page = client.get("/settings/calendar")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Add this address to your calendar app" in html
    old = feed_path(member)
    assert f"http://localhost{old}" in html
    assert client.get("/settings/calendar").get_data(as_text=True).count(old) == 1  # stable

    assert client.post("/settings/calendar").status_code == 400  # no CSRF token
    assert app.test_client().get(old).status_code == 200

    response = post_form(client, "/settings/calendar", {}, follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    new = feed_path(member)
    assert new != old
    assert new in response.get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 404
    assert len(vevents(anonymous.get(new))) == 1

    regenerate_feed(user(member))
    db.session.commit()
    assert anonymous.get(new).status_code == 404


def test_calendar_settings_need_login(client):
    response = client.get("/settings/calendar")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- the RSVP confirmation mail ------------------------------------------------------------


def test_the_rsvp_mail_has_the_details_and_the_place_only_when_going(
    make_event, make_user, mailbox
):
    event = make_event(venue=HOME, venue_private=True, capacity=2)
    member, waiting = make_user(), make_user()
    assert going(member, event, guests=1) == "going"
    assert going(waiting, event) == "waitlisted"
    for ref in (member, waiting):
        mail_rsvp_confirmation(user(ref), event)
    db.session.commit()

    assert mailbox.last(member.email)["Subject"] == "You are going: Family picnic"
    body = mailbox.body(mailbox.last(member.email))
    assert 'You are going to "Family picnic" with 1 guest.' in body
    assert HOME in body
    assert f"http://localhost/events/{event.id}.ics" in body
    assert "(Europe/Copenhagen time)" in body

    assert mailbox.last(waiting.email)["Subject"] == "You are on the waitlist: Family picnic"
    body = mailbox.body(mailbox.last(waiting.email))
    assert "waitlist" in body
    assert HOME not in body
    assert "the address is shown to members who are going" in body
    assert f"http://localhost/events/{event.id}.ics" in body


# --- reminders -----------------------------------------------------------------------------


def reminders_of(ref) -> tuple[int, int]:
    """(notifications, mails) of reminders `ref` got."""
    db.session.expire_all()
    notes = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == ref.id, Notification.kind == "event.reminder")
    )
    mails = db.session.scalar(
        select(func.count())
        .select_from(OutboxMail)
        .where(OutboxMail.recipient == ref.email, OutboxMail.kind == "event_reminder")
    )
    return notes, mails


@pytest.fixture
def tomorrow(make_event, make_user, organiser):
    """An event 20 hours away with a going, a waitlisted and a cancelled member, and a
    cancelled event the first member was going to."""
    starts = (utcnow() + timedelta(hours=20)).replace(microsecond=0)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=1)
    member, waiting, gone = make_user(), make_user(), make_user()
    assert going(member, event) == "going"
    assert going(waiting, event) == "waitlisted"
    called_off = make_event(starts_at=starts, ends_at=starts + timedelta(hours=2))
    assert going(gone, called_off) == "going"
    assert going(member, called_off) == "going"
    events.cancel_event(user(organiser), called_off)
    db.session.commit()
    return event, member, waiting, gone


def test_the_embedded_job_runner_reminds_without_cron(app, tomorrow):
    """`make run` has no cron: wsgi.py's job loop runs send-reminders' jobs, once per
    member and kind however often it runs."""
    _event, member, waiting, _gone = tomorrow
    app.config["JOBS_RUNNER"] = "thread"
    runner = start_job_runner(app, interval=0.05)
    try:
        assert start_job_runner(app) is None  # one per app
        deadline = time.monotonic() + 10
        while reminders_of(member) == (0, 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # several more rounds
    finally:
        runner.stop()
    assert not runner.thread.is_alive()
    assert reminders_of(member) == (1, 1)
    assert reminders_of(waiting) == (0, 0)


def test_no_job_runner_where_cron_runs_the_jobs(app):
    assert app.config["JOBS_RUNNER"] == "external"  # the tests' setting, as in scale-out
    assert start_job_runner(app) is None


def test_send_reminders_twice_sends_once(tomorrow, runner):
    event, member, waiting, gone = tomorrow
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    assert "sent 1 reminders" in first.output
    second = runner.invoke(args=["send-reminders"])
    assert "sent 0 reminders" in second.output
    assert reminders_of(member) == (1, 1)
    assert reminders_of(waiting) == (0, 0)
    assert reminders_of(gone) == (0, 0)

    # An hour before: the second reminder, once.
    soon = event.starts_at - timedelta(minutes=30)
    assert send_reminders(now=soon) == 1
    db.session.commit()
    assert send_reminders(now=soon) == 0
    db.session.commit()
    assert reminders_of(member) == (2, 2)
    assert sorted(db.session.scalars(select(EventReminder.kind))) == ["day", "hour"]
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == member.id, Notification.kind == "event.reminder"
        )
    )
    assert note.target_type == "event" and note.target_id == event.id


def test_a_late_rsvp_gets_only_the_hour_reminder(make_event, make_user):
    starts = (utcnow() + timedelta(minutes=40)).replace(microsecond=0)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=1))
    member = make_user()
    going(member, event)
    assert send_reminders() == 1
    db.session.commit()
    assert [row.kind for row in db.session.scalars(select(EventReminder))] == ["hour"]
    assert send_reminders(now=starts + timedelta(minutes=1)) == 0  # started: nothing


def test_send_reminders_at_once_in_several_places_sends_once(tomorrow, app, make_event, make_user):
    event, member, waiting, gone = tomorrow
    others = [make_user() for _ in range(3)]
    for ref in others:
        events.rsvp(user(ref), make_event(starts_at=event.starts_at, ends_at=event.ends_at))
    db.session.commit()

    assert run_at_once(app, 4, lambda index: send_reminders()) == []
    for ref in (member, *others):
        assert reminders_of(ref) == (1, 1)
    assert reminders_of(waiting) == (0, 0)
    assert reminders_of(gone) == (0, 0)


def rsvp_mails(ref) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMail)
        .where(OutboxMail.recipient == ref.email, OutboxMail.kind == "event_rsvp")
    )


def test_a_new_rsvp_is_confirmed_by_mail_once(make_event, make_user):
    member, quiet = make_user(), make_user()
    event = make_event()
    events.rsvp(user(member), event, 1)
    events.rsvp(user(member), event, 1)  # a repeat
    events.rsvp(user(member), event, 0)  # a change of party
    events.rsvp(user(quiet), event, confirm_by_mail=False)
    db.session.commit()
    assert rsvp_mails(member) == 1
    assert rsvp_mails(quiet) == 0
    events.cancel_rsvp(user(member), event)
    events.rsvp(user(member), event)  # coming back is a new RSVP
    db.session.commit()
    assert rsvp_mails(member) == 2
