"""Organisers' tools and what members are told: removing and messaging attendees, the CSV
export (safe in a spreadsheet), who may use them (per role), debounced change notices
(several quick edits make one; two runners at once still one), cancellation notices, the
promotion cut-off (a freed seat is announced, not given away; the first claim wins), and the
RSVP confirmation mail carrying the event's .ics."""

from __future__ import annotations

import csv
import email
import io
import socketserver
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.auth.roles import Role
from community.core.database import utcnow
from community.core.errors import Conflict, Invalid, NotFound
from community.events import hosting, notices
from community.events import services as events
from community.events.models import Event, EventMessage, Rsvp, RsvpStatus
from community.events.services import EventData
from community.extensions import db
from community.mail.models import OutboxMail
from community.notifications.models import Notification
from tests import factories
from tests.conftest import post_form
from tests.test_core_patterns import run_at_once

HOME = "Hemmelig Gade 7, 3. tv"


def user(ref) -> User:
    return db.session.get(User, ref.id)


@pytest.fixture
def make_event(ctx, organiser):
    def make(**changes) -> Event:
        event = events.create_event(user(organiser), factories.event_data(**changes))
        db.session.commit()
        return event

    return make


def join(ref, event: Event, guests: int = 0) -> str:
    result = events.rsvp(user(ref), db.session.get(Event, event.id), guests)
    db.session.commit()
    return result.status


def status_of(ref, event: Event) -> str:
    db.session.expire_all()
    return db.session.scalar(
        select(Rsvp.status).where(Rsvp.event_id == event.id, Rsvp.user_id == ref.id)
    )


def notes(ref, kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == ref.id, Notification.kind == kind)
        )
    )


def mails(ref, kind: str) -> list[OutboxMail]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMail).where(OutboxMail.recipient == ref.email, OutboxMail.kind == kind)
        )
    )


def told(ref, note_kind: str, mail_kind: str) -> tuple[int, int]:
    return len(notes(ref, note_kind)), len(mails(ref, mail_kind))


# --- who may use the hosts' tools ----------------------------------------------------------

ROLES = [
    "organiser",
    "other_organiser",
    "going",
    "waitlisted",
    "other_member",
    "anonymous",
    "moderator",
    "admin",
]
HOSTS = {"organiser", "moderator", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_only_hosts_see_remove_message_and_export_attendees(
    app, ctx, login, make_event, make_user, organiser, moderator, admin, role
):
    event = make_event(capacity=1)
    people = {
        "organiser": organiser,
        "other_organiser": make_user(roles=(Role.ORGANISER,)),
        "going": make_user(display_name="Gus Going"),
        "waitlisted": make_user(display_name="Wanda Waiting"),
        "other_member": make_user(),
        "moderator": moderator,
        "admin": admin,
    }
    join(people["going"], event)
    join(people["waitlisted"], event)
    client = app.test_client() if role == "anonymous" else login(people[role])
    base = f"/events/{event.id}/attendees"

    page = client.get(base)
    csv_response = client.get(f"{base}.csv")
    if role == "anonymous":
        assert page.status_code == 302 and csv_response.status_code == 302
        assert client.post(f"{base}/message").status_code in (302, 400)
        return
    form_page = base if role in HOSTS else "/events"
    message = post_form(
        client,
        f"{base}/message",
        {"audience": "both", "subject": "Parking", "body": "Use the back entrance."},
        form_page=form_page,
    )
    remove = post_form(
        client, f"{base}/{people['going'].id}/remove", {"message": ""}, form_page=form_page
    )
    if role in HOSTS:
        assert page.status_code == 200 and "Wanda Waiting" in page.get_data(as_text=True)
        assert csv_response.status_code == 200
        assert message.status_code == 302 and remove.status_code == 302
        assert status_of(people["going"], event) == RsvpStatus.CANCELLED
        assert status_of(people["waitlisted"], event) == RsvpStatus.GOING  # promoted
        assert db.session.scalar(select(func.count()).select_from(EventMessage)) == 1
    else:
        missing = client.get("/events/999999/attendees")
        assert missing.status_code == 404
        for response in (page, csv_response, message, remove):
            assert response.status_code == 404  # the same answer as a missing event
            assert "Download the list" not in response.get_data(as_text=True)
        assert status_of(people["going"], event) == RsvpStatus.GOING
        assert db.session.scalar(select(func.count()).select_from(EventMessage)) == 0
        assert not mails(people["going"], "event_message")


def test_services_refuse_non_hosts_like_a_missing_event(ctx, make_event, make_user, organiser):
    event = make_event()
    other = make_user(roles=(Role.ORGANISER,))
    guest = make_user()
    join(guest, event)
    with pytest.raises(NotFound):
        events.remove_attendee(user(other), event, guest.id)
    db.session.rollback()
    with pytest.raises(NotFound):
        hosting.message_attendees(user(other), event, "both", "Hi", "Hello")


# --- the CSV export ------------------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("http://evil")', "+SUM(1,2)", "-2+3", "@SUM(A1)"]


def test_csv_neutralises_formula_cells_and_lists_every_party(
    app, ctx, login, make_event, make_user, organiser
):
    event = make_event(title="Café brunch: Ørestad!", capacity=3, guests_allowed=2)
    people = [make_user(display_name=name) for name in DANGEROUS]
    join(people[0], event, 2)  # 3 seats: full
    for person in people[1:]:
        join(person, event)
    response = login(organiser).get(f"/events/{event.id}/attendees.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="attendees-cafe-brunch-orestad.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["name", "email", "status", "seats", "guests", "joined_at", "position"]
    body = rows[1:]
    assert [row[0] for row in body] == [f"'{name}" for name in DANGEROUS]
    assert [row[2] for row in body] == ["going", "waitlisted", "waitlisted", "waitlisted"]
    assert [row[3] for row in body] == ["3", "1", "1", "1"]
    assert [row[4] for row in body] == ["2", "0", "0", "0"]
    assert [row[6] for row in body] == ["", "1", "2", "3"]
    assert body[0][1] == people[0].email
    assert body[0][5].endswith("(Europe/Copenhagen)")
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_safe_cell_neutralises_each_formula_start(value):
    assert hosting.safe_cell(value) == f"'{value}"


def test_safe_cell_leaves_plain_text_alone():
    assert hosting.safe_cell("Ana O'Neil") == "Ana O'Neil"
    assert hosting.safe_cell(3) == "3"


# --- removing an attendee ------------------------------------------------------------------


def test_removing_a_going_party_promotes_the_waitlist_and_tells_them(
    app, ctx, login, make_event, make_user, organiser
):
    event = make_event(capacity=2, guests_allowed=1)
    removed, waiting = make_user(), make_user()
    join(removed, event, 1)
    join(waiting, event, 1)
    client = login(organiser)
    page = f"/events/{event.id}/attendees"
    response = post_form(
        client,
        f"{page}/{removed.id}/remove",
        {"message": "The venue asked us to keep it to residents. Sorry!"},
        form_page=page,
        follow_redirects=True,
    )
    assert "The member is off the list and has been told." in response.get_data(as_text=True)
    assert status_of(removed, event) == RsvpStatus.CANCELLED
    assert status_of(waiting, event) == RsvpStatus.GOING
    assert db.session.get(Event, event.id).seats_taken == 2
    assert told(removed, "event.removed", "event_removed") == (1, 1)
    assert "keep it to residents" in mails(removed, "event_removed")[0].body
    assert notes(removed, "event.removed")[0].data["message"].startswith("The venue")
    assert len(notes(waiting, "event.promoted")) == 1


def test_removal_message_has_a_length_limit(ctx, make_event, make_user, organiser):
    event = make_event()
    guest = make_user()
    join(guest, event)
    with pytest.raises(Invalid) as refused:
        events.remove_attendee(user(organiser), event, guest.id, "x" * 1001)
    assert refused.value.field == "message"
    db.session.rollback()
    with pytest.raises(Conflict):  # not on the list
        events.remove_attendee(user(organiser), event, organiser.id)


# --- messaging attendees -------------------------------------------------------------------


@pytest.fixture
def crowd(make_event, make_user):
    """An event with two going parties, one waitlisted and one cancelled member."""
    event = make_event(capacity=2)
    going = [make_user(), make_user()]
    waiting, gone = make_user(), make_user()
    for ref in (*going, waiting, gone):
        join(ref, event)
    events.cancel_rsvp(user(gone), db.session.get(Event, event.id))
    db.session.commit()
    return event, going, waiting, gone


@pytest.mark.parametrize(
    ("audience", "reached"),
    [("going", {0, 1}), ("waitlisted", {2}), ("both", {0, 1, 2})],
)
def test_a_message_reaches_exactly_the_chosen_audience(
    app, ctx, login, crowd, organiser, audience, reached
):
    event, going, waiting, gone = crowd
    client = login(organiser)
    page = f"/events/{event.id}/attendees"
    response = post_form(
        client,
        f"{page}/message",
        {"audience": audience, "subject": "Room change", "body": "We meet in room <b>4</b>."},
        form_page=page,
        follow_redirects=True,
    )
    assert "Your message is on its way to" in response.get_data(as_text=True)
    everyone = [*going, waiting, gone]
    for index, ref in enumerate(everyone):
        expected = (1, 1) if index in reached else (0, 0)
        assert told(ref, "event.message", "event_message") == expected, (audience, index)
    mail = mails(everyone[min(reached)], "event_message")[0]
    assert mail.subject == "Networking breakfast: Room change"
    assert "We meet in room <b>4</b>." in mail.body  # plain text, kept as written


def test_message_form_errors_are_shown_next_to_the_fields(app, ctx, login, crowd, organiser):
    event, *_rest = crowd
    client = login(organiser)
    page = f"/events/{event.id}/attendees"
    response = post_form(
        client,
        f"{page}/message",
        {"audience": "everyone", "subject": "", "body": "x" * 5001},
        form_page=page,
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "There is a problem" in text
    assert "Give the message a subject." in text and "Use at most 5000 characters." in text
    assert db.session.scalar(select(func.count()).select_from(EventMessage)) == 0


def test_messages_are_limited_per_event_and_hour(app, ctx, login, crowd, organiser):
    event, going, _waiting, _gone = crowd
    now = utcnow()
    for n in range(5):
        hosting.message_attendees(
            user(organiser), event, "going", f"Note {n}", "Hello", now=now - timedelta(minutes=n)
        )
        db.session.commit()
    client = login(organiser)
    page = f"/events/{event.id}/attendees"
    response = post_form(
        client,
        f"{page}/message",
        {"audience": "going", "subject": "One more", "body": "Hello"},
        form_page=page,
    )
    assert response.status_code == 422
    assert "Please wait a while before you send another." in response.get_data(as_text=True)
    assert len(mails(going[0], "event_message")) == 5
    # An hour later the host may write again.
    hosting.message_attendees(
        user(organiser), event, "going", "Later", "Hello", now=now + timedelta(minutes=61)
    )
    db.session.commit()
    assert len(mails(going[0], "event_message")) == 6


# --- change notices ------------------------------------------------------------------------


@pytest.fixture
def private_event(make_event, make_user):
    """An event at a private home with one going and one waitlisted member."""
    event = make_event(capacity=1, venue=HOME, venue_private=True)
    going, waiting = make_user(), make_user()
    join(going, event)
    join(waiting, event)
    return event, going, waiting


def edit(organiser, event: Event, now, **changes) -> None:
    events.update_event(
        user(organiser), db.session.get(Event, event.id), EventData(**changes), now=now
    )
    db.session.commit()


def test_three_quick_edits_make_one_notice_per_member(ctx, app, private_event, organiser):
    event, going, waiting = private_event
    delay = timedelta(seconds=app.config["EVENT_CHANGE_NOTICE_DELAY_SECONDS"])
    now = utcnow()
    starts = event.starts_at
    edit(
        organiser,
        event,
        now,
        starts_at=starts + timedelta(hours=1),
        ends_at=starts + timedelta(hours=3),
    )
    edit(organiser, event, now + timedelta(seconds=60), title="Breakfast, one hour later")
    edit(organiser, event, now + timedelta(seconds=90), venue=HOME + " (back door)")
    assert notices.send_due_notices(now=now + timedelta(seconds=90) + delay / 2) == 0
    db.session.commit()
    assert told(going, "event.changed", "event_changed") == (0, 0)

    assert notices.send_due_notices(now=now + timedelta(seconds=91) + delay) == 2
    db.session.commit()
    assert notices.send_due_notices(now=now + timedelta(seconds=91) + 2 * delay) == 0
    db.session.commit()
    assert told(going, "event.changed", "event_changed") == (1, 1)
    assert told(waiting, "event.changed", "event_changed") == (1, 1)
    assert notes(going, "event.changed")[0].data["changes"] == ["time", "place"]
    going_mail = mails(going, "event_changed")[0].body
    waiting_mail = mails(waiting, "event_changed")[0].body
    assert "the time, the place" in going_mail and "back door" in going_mail
    assert HOME not in waiting_mail
    assert "the address is shown to members who are going" in waiting_mail
    assert db.session.get(Event, event.id).notice_due_at is None

    # A change after that notice makes a new one.
    later = now + 3 * delay
    edit(organiser, event, later, venue=HOME)
    assert notices.send_due_notices(now=later + delay) == 2
    db.session.commit()
    assert told(going, "event.changed", "event_changed") == (2, 2)


def test_edits_that_go_on_do_not_hold_the_notice_back(ctx, app, private_event, organiser):
    event, going, _waiting = private_event
    delay = timedelta(seconds=app.config["EVENT_CHANGE_NOTICE_DELAY_SECONDS"])
    now = utcnow()
    for minute in range(0, 12):  # an edit every minute for longer than the delay
        edit(organiser, event, now + timedelta(minutes=minute), venue=f"{HOME} ({minute})")
    assert notices.send_due_notices(now=now + delay) == 2
    db.session.commit()
    assert told(going, "event.changed", "event_changed") == (1, 1)


def test_a_title_change_alone_sends_no_notice(ctx, private_event, organiser):
    event, _going, _waiting = private_event
    now = utcnow()
    edit(organiser, event, now, title="A new name")
    assert db.session.get(Event, event.id).notice_due_at is None
    assert notices.send_due_notices(now=now + timedelta(hours=1)) == 0


@pytest.mark.backends("sqlite", "postgresql")
def test_two_runners_at_once_send_each_notice_once(
    app, backend, ctx, make_event, make_user, organiser
):
    event = make_event(capacity=3)
    members = [make_user() for _ in range(4)]
    for ref in members:
        join(ref, event)
    edit(organiser, event, utcnow() - timedelta(hours=1), venue="Another street 1")
    errors = run_at_once(app, 2, lambda index: notices.send_due_notices())
    assert errors == []
    for ref in members:
        assert told(ref, "event.changed", "event_changed") == (1, 1)


def test_a_cancellation_is_told_at_once_with_pending_changes(
    ctx, private_event, make_user, organiser
):
    event, going, waiting = private_event
    gone = make_user()
    join(gone, event)
    events.cancel_rsvp(user(gone), db.session.get(Event, event.id))
    db.session.commit()
    edit(organiser, event, utcnow(), venue=HOME + " (garden)")
    events.cancel_event(user(organiser), db.session.get(Event, event.id))
    db.session.commit()
    for ref in (going, waiting):
        assert told(ref, "event.cancelled", "event_changed") == (1, 1)
        assert not notes(ref, "event.changed")
    assert told(gone, "event.cancelled", "event_changed") == (0, 0)
    assert notes(going, "event.cancelled")[0].data["changes"] == ["place", "status"]
    assert "has been cancelled" in mails(going, "event_changed")[0].body
    assert notices.send_due_notices(now=utcnow() + timedelta(hours=1)) == 0


def test_send_reminders_command_sends_due_notices(ctx, runner, private_event, organiser):
    event, going, _waiting = private_event
    edit(organiser, event, utcnow() - timedelta(hours=1), venue="Elsewhere 3")
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "told 2 members of changes" in result.output
    assert told(going, "event.changed", "event_changed") == (1, 1)


# --- the promotion cut-off -----------------------------------------------------------------


@pytest.fixture
def soon(make_event, make_user):
    """An event starting in an hour (inside the 2-hour cut-off) with 2 seats, both taken,
    and three waitlisted parties: a single, a pair and another single."""
    starts = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    event = make_event(
        capacity=2, guests_allowed=1, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    leaving, staying = make_user(), make_user()
    first, pair, last = make_user(), make_user(), make_user()
    join(leaving, event)
    join(staying, event)
    join(first, event)
    join(pair, event, 1)
    join(last, event)
    return event, leaving, first, pair, last


def test_a_seat_freed_inside_the_cutoff_is_announced_not_given(app, ctx, login, soon):
    event, leaving, first, pair, last = soon
    events.cancel_rsvp(user(leaving), db.session.get(Event, event.id))
    db.session.commit()
    assert status_of(first, event) == RsvpStatus.WAITLISTED  # not auto-filled
    assert db.session.get(Event, event.id).seats_free == 1
    assert told(first, "event.seat_free", "event_seat_free") == (1, 1)
    assert told(last, "event.seat_free", "event_seat_free") == (1, 1)
    assert told(pair, "event.seat_free", "event_seat_free") == (0, 0)  # 2 seats: no fit

    client = login(last)  # one login per test: the ctx fixture shares `g` with requests
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Claim the free seat" in page
    response = post_form(
        client,
        f"/events/{event.id}/claim",
        {},
        form_page=f"/events/{event.id}",
        follow_redirects=True,
    )
    assert "The seat is yours" in response.get_data(as_text=True)
    assert status_of(last, event) == RsvpStatus.GOING
    assert "Claim the free seat" not in client.get(f"/events/{event.id}").get_data(as_text=True)

    # A later RSVP repeat by the first in line finds no free seat and stays waitlisted.
    assert join(first, event) == RsvpStatus.WAITLISTED
    # Nobody was told twice for the one freeing.
    assert told(first, "event.seat_free", "event_seat_free") == (1, 1)


@pytest.mark.backends("sqlite", "postgresql")
def test_the_first_claim_wins_and_the_others_stay_waitlisted(app, backend, ctx, soon):
    event, leaving, first, _pair, last = soon
    events.cancel_rsvp(user(leaving), db.session.get(Event, event.id))
    db.session.commit()
    claimants, event_id = [first, last], event.id  # threads must not touch this session
    errors = run_at_once(
        app,
        2,
        lambda index: events.claim_seat(user(claimants[index]), db.session.get(Event, event_id)),
    )
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert "Someone claimed the free seat first" in errors[0].message
    statuses = sorted(status_of(ref, event) for ref in claimants)
    assert statuses == [RsvpStatus.GOING, RsvpStatus.WAITLISTED]
    assert db.session.get(Event, event.id).seats_taken == 2


def test_the_losing_claim_gets_a_clear_message_on_the_page(app, ctx, login, soon):
    event, leaving, first, _pair, last = soon
    events.cancel_rsvp(user(leaving), db.session.get(Event, event.id))
    db.session.commit()
    late = login(first)
    form_page = f"/events/{event.id}"
    events.claim_seat(user(last), db.session.get(Event, event.id))
    db.session.commit()
    response = post_form(
        late, f"/events/{event.id}/claim", {}, form_page=form_page, follow_redirects=True
    )
    assert "Someone claimed the free seat first. You are still on the waitlist, number 1" in (
        response.get_data(as_text=True)
    )


def test_a_party_that_does_not_fit_is_not_offered_the_seat(app, ctx, login, soon):
    event, leaving, _first, pair, _last = soon
    events.cancel_rsvp(user(leaving), db.session.get(Event, event.id))
    db.session.commit()
    page = login(pair).get(f"/events/{event.id}").get_data(as_text=True)
    assert "You are on the waitlist, number 2" in page
    assert "Claim the free seat" not in page
    with pytest.raises(Conflict):
        events.claim_seat(user(pair), db.session.get(Event, event.id))


def test_outside_the_cutoff_freed_seats_still_promote(ctx, make_event, make_user):
    event = make_event(capacity=1)
    leaving, waiting = make_user(), make_user()
    join(leaving, event)
    join(waiting, event)
    events.cancel_rsvp(user(leaving), db.session.get(Event, event.id))
    db.session.commit()
    assert status_of(waiting, event) == RsvpStatus.GOING
    assert told(waiting, "event.seat_free", "event_seat_free") == (0, 0)


# --- the .ics in the confirmation mail -----------------------------------------------------


def calendar_of(message) -> icalendar.Calendar:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH"
    assert part.get_filename().endswith(".ics")
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def test_the_confirmation_carries_the_ics_with_the_place_only_for_those_going(
    ctx, mailbox, private_event
):
    event, going, waiting = private_event
    going_cal = calendar_of(mailbox.last(going.email))
    (vevent,) = going_cal.walk("VEVENT")
    assert str(vevent["location"]) == HOME
    assert str(vevent["summary"]) == "Networking breakfast"
    assert vevent.decoded("dtstart").astimezone(event.starts_at.tzinfo) == event.starts_at

    waiting_message = mailbox.last(waiting.email)
    (vevent,) = calendar_of(waiting_message).walk("VEVENT")
    assert "location" not in vevent
    for part in waiting_message.walk():
        if not part.is_multipart():
            assert HOME not in part.get_payload(decode=True).decode()
    assert "You are on the waitlist" in mailbox.body(waiting_message)


# --- the organiser's own cut-off -----------------------------------------------------------


def edit_form(event: Event, **changes) -> dict:
    """The edit form's fields for `event` as it is, with `changes`."""
    starts = event.starts_at.astimezone(ZoneInfo(event.timezone))
    ends = event.ends_at.astimezone(ZoneInfo(event.timezone))
    fields = {
        "title": event.title,
        "category": event.category,
        "date": starts.strftime("%Y-%m-%d"),
        "start_time": starts.strftime("%H:%M"),
        "end_time": ends.strftime("%H:%M"),
        "timezone": event.timezone,
        "venue": event.venue,
        "capacity": str(event.capacity or ""),
        "guests_allowed": str(event.guests_allowed),
    }
    return {**fields, **changes}


def test_an_organiser_sets_no_cutoff_and_seats_fill_until_the_start(
    app, ctx, login, soon, organiser
):
    event, leaving, first, _pair, _last = soon
    client = login(organiser)
    path = f"/events/{event.id}/edit"
    assert "2 hours before (the usual)" in client.get(path).get_data(as_text=True)
    response = post_form(client, path, edit_form(event, promotion_cutoff_hours="0"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).promotion_cutoff_hours == 0
    edit_page = client.get(path).get_data(as_text=True)
    assert '<option selected value="0">' in edit_page
    events.cancel_rsvp(user(leaving), db.session.get(Event, event.id))
    db.session.commit()
    assert status_of(first, event) == RsvpStatus.GOING  # promoted an hour before the start
    assert told(first, "event.seat_free", "event_seat_free") == (0, 0)


def test_a_longer_cutoff_stops_promotion_earlier(ctx, make_event, make_user, organiser):
    starts = (utcnow() + timedelta(hours=4)).replace(microsecond=0)
    event = make_event(capacity=1, starts_at=starts, ends_at=starts + timedelta(hours=1))
    edit(organiser, event, utcnow(), promotion_cutoff_hours=6)
    leaving, waiting = make_user(), make_user()
    join(leaving, event)
    join(waiting, event)
    events.cancel_rsvp(user(leaving), db.session.get(Event, event.id))
    db.session.commit()
    assert status_of(waiting, event) == RsvpStatus.WAITLISTED
    assert told(waiting, "event.seat_free", "event_seat_free") == (1, 1)


def test_the_cutoff_is_validated_and_cleared(ctx, make_event, organiser):
    event = make_event()
    for bad in (-1, 169, True):
        with pytest.raises(Invalid) as refused:
            edit(organiser, event, utcnow(), promotion_cutoff_hours=bad)
        assert refused.value.field == "promotion_cutoff_hours"
        db.session.rollback()
    edit(organiser, event, utcnow(), promotion_cutoff_hours=24)
    assert db.session.get(Event, event.id).promotion_cutoff_hours == 24
    events.update_event(
        user(organiser),
        db.session.get(Event, event.id),
        EventData(cleared={"promotion_cutoff_hours"}),
    )
    db.session.commit()
    assert db.session.get(Event, event.id).promotion_cutoff_hours is None


def test_the_api_sets_and_shows_the_cutoff_and_hides_attendees_from_non_hosts(app, make_user):
    from tests.test_api import api_login, error_fields
    from tests.test_api_events import event_body

    host = api_login(app, make_user(roles=(Role.ORGANISER,)))
    other = api_login(app, make_user(roles=(Role.ORGANISER,)))
    created = host.post("/api/v1/events", json=event_body(promotion_cutoff_hours=3))
    assert created.status_code == 201, created.get_json()
    event = created.get_json()
    assert event["promotion_cutoff_hours"] == 3
    url = f"/api/v1/events/{event['id']}"
    refused = host.patch(url, json={"promotion_cutoff_hours": 500})
    assert refused.status_code == 422 and "promotion_cutoff_hours" in error_fields(refused)
    cleared = host.patch(url, json={"promotion_cutoff_hours": None})
    assert cleared.status_code == 200 and cleared.get_json()["promotion_cutoff_hours"] is None
    assert other.get(f"{url}/attendees").status_code == 404
    assert other.get("/api/v1/events/999999/attendees").status_code == 404
    assert host.get(f"{url}/attendees").status_code == 200


def test_removal_inside_the_cutoff_announces_the_seat(ctx, soon, organiser):
    event, leaving, first, pair, _last = soon
    events.remove_attendee(user(organiser), db.session.get(Event, event.id), leaving.id, "")
    db.session.commit()
    assert status_of(first, event) == RsvpStatus.WAITLISTED
    assert told(first, "event.seat_free", "event_seat_free") == (1, 1)
    assert told(pair, "event.seat_free", "event_seat_free") == (0, 0)
    assert told(leaving, "event.removed", "event_removed") == (1, 1)


def test_removing_a_waitlisted_member_keeps_the_seats(ctx, make_event, make_user, organiser):
    event = make_event(capacity=1)
    going, waiting, behind = make_user(), make_user(), make_user()
    for ref in (going, waiting, behind):
        join(ref, event)
    events.remove_attendee(user(organiser), db.session.get(Event, event.id), waiting.id, "")
    db.session.commit()
    assert status_of(waiting, event) == RsvpStatus.CANCELLED
    assert status_of(going, event) == RsvpStatus.GOING
    assert db.session.get(Event, event.id).seats_taken == 1
    assert (
        events.rsvp_state(db.session.scalar(select(Rsvp).where(Rsvp.user_id == behind.id))).position
        == 1
    )


def test_a_message_to_an_empty_group_is_refused(ctx, make_event, make_user, organiser):
    event = make_event(capacity=5)
    join(make_user(), event)
    with pytest.raises(Invalid) as refused:
        hosting.message_attendees(user(organiser), event, "waitlisted", "Hi", "Hello")
    assert refused.value.field == "audience"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EventMessage)) == 0


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to take one mail: what it received goes to `server.received`."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 test ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command == "DATA":
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.received.append(data)
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def test_smtp_delivery_sends_the_ics_as_a_mime_attachment(app, ctx, private_event):
    from community.mail.services import deliver_due

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{server.server_address[1]}"
        assert deliver_due()["sent"] >= 2
    finally:
        server.shutdown()
        server.server_close()
    messages = [email.message_from_bytes(data) for data in server.received]
    with_ics = [m for m in messages if m.is_multipart()]
    assert len(with_ics) == 2
    for message in with_ics:
        (vevent,) = calendar_of(message).walk("VEVENT")
        assert str(vevent["summary"]) == "Networking breakfast"
