"""Event series: the dates each rule gives (every frequency, "last", DST, caps), editing and
cancelling one date, this and following or all dates, RSVPs to every date (each date its
own capacity), who may change a series, the new-event form and the calendars (RRULE,
EXDATE, RECURRENCE-ID, SEQUENCE) parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from community.auth.models import User
from community.auth.roles import Role
from community.core.errors import Conflict, Forbidden, Invalid
from community.events import series
from community.events.models import Event, EventStatus, RsvpStatus
from community.events.series import RepeatData, generate_dates
from community.events.services import EventData
from community.extensions import db
from tests.conftest import post_form
from tests.factories import event_data

BACKENDS = ("sqlite", "postgresql")
CPH = ZoneInfo("Europe/Copenhagen")


def user(ref) -> User:
    return db.session.get(User, ref.id)


def make_series(organiser, start: datetime, repeat: RepeatData, **changes) -> list[Event]:
    """A series through the real service, `start` a wall-clock time in Copenhagen."""
    dates = series.create_series(
        user(organiser),
        event_data(starts_at=start, ends_at=start + timedelta(hours=2), **changes),
        repeat,
    )
    db.session.commit()
    return dates


def local(event: Event) -> datetime:
    return event.starts_at.astimezone(CPH).replace(tzinfo=None)


# --- the dates each rule gives ---------------------------------------------------------------


def test_weekly_keeps_ten_oclock_local_across_the_spring_change(ctx):
    dates = generate_dates(datetime(2027, 3, 16, 10), RepeatData("weekly", count=4))
    assert dates == [datetime(2027, 3, d, 10) for d in (16, 23, 30)] + [datetime(2027, 4, 6, 10)]


def test_every_frequency(ctx):
    start = datetime(2027, 1, 5, 18, 30)  # the first Tuesday of January 2027
    biweekly = generate_dates(start, RepeatData("biweekly", count=3))
    assert [d.date() for d in biweekly] == [date(2027, 1, 5), date(2027, 1, 19), date(2027, 2, 2)]
    monthly = generate_dates(start, RepeatData("monthly_date", count=3))
    assert [d.date() for d in monthly] == [date(2027, 1, 5), date(2027, 2, 5), date(2027, 3, 5)]
    first_tuesday = generate_dates(start, RepeatData("monthly_weekday", until=date(2027, 4, 30)))
    assert [d.date() for d in first_tuesday] == [
        date(2027, 1, 5),
        date(2027, 2, 2),
        date(2027, 3, 2),
        date(2027, 4, 6),
    ]
    assert all(d.time() == time(18, 30) for d in first_tuesday)


def test_last_weekday_of_the_month(ctx):
    # 29 January 2027 is the last Friday of January (and the fifth).
    dates = generate_dates(datetime(2027, 1, 29, 9), RepeatData("monthly_weekday", count=3))
    assert [d.date() for d in dates] == [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26)]
    explicit = RepeatData("monthly_weekday", count=3, ordinal=-1)
    assert generate_dates(datetime(2027, 1, 29, 9), explicit) == dates


@pytest.mark.parametrize(
    ("repeat", "field"),
    [
        (RepeatData("daily", count=3), "repeat.frequency"),
        (RepeatData("weekly"), "repeat.until"),
        (RepeatData("weekly", count=3, until=date(2027, 3, 1)), "repeat.count"),
        (RepeatData("weekly", count=53), "repeat.count"),
        (RepeatData("weekly", count=1), "repeat.count"),
        (RepeatData("weekly", until=date(2027, 1, 4)), "repeat.until"),  # before the start
        (RepeatData("weekly", until=date(2028, 3, 1)), "repeat.until"),  # over a year
        (RepeatData("monthly_weekday", count=3, ordinal=2), "repeat.ordinal"),  # not 2nd Tue
        (RepeatData("monthly_weekday", count=3, ordinal=-1), "repeat.ordinal"),  # not last
    ],
)
def test_bad_rules_are_refused_naming_the_field(ctx, repeat, field):
    with pytest.raises(Invalid) as refused:
        generate_dates(datetime(2027, 1, 5, 10), repeat)
    assert refused.value.field == field


def test_no_more_than_52_dates(ctx):
    assert len(generate_dates(datetime(2027, 1, 5, 10), RepeatData("weekly", count=52))) == 52
    with pytest.raises(Invalid) as refused:  # weekly for a whole year is 53 dates
        generate_dates(datetime(2027, 1, 5, 10), RepeatData("weekly", until=date(2028, 1, 4)))
    assert refused.value.field == "repeat.until"


# --- creating --------------------------------------------------------------------------------


def test_a_series_is_one_event_per_date_each_with_its_own_seats(ctx, organiser):
    dates = make_series(organiser, datetime(2027, 3, 16, 10), RepeatData("weekly", count=4))
    assert len(dates) == 4
    assert len({d.series_id for d in dates}) == 1
    assert [local(d) for d in dates][2] == datetime(2027, 3, 30, 10)
    assert dates[2].starts_at == datetime(2027, 3, 30, 8, tzinfo=UTC)  # summer time
    assert dates[0].starts_at == datetime(2027, 3, 16, 9, tzinfo=UTC)  # winter time
    assert all(d.original_starts_at == d.starts_at for d in dates)
    assert all(d.capacity == 10 and d.seats_taken == 0 for d in dates)


def test_only_organisers_create_series(ctx, member):
    with pytest.raises(Forbidden):
        make_series(member, datetime(2027, 3, 16, 10), RepeatData("weekly", count=4))


# --- editing and cancelling -----------------------------------------------------------------


@pytest.fixture
def weekly(ctx, organiser) -> list[Event]:
    return make_series(organiser, datetime(2027, 3, 2, 10), RepeatData("weekly", count=6))


def test_edit_only_this_date(weekly, organiser):
    before = [d.sequence for d in weekly]
    moved = datetime(2027, 3, 17, 14)
    series.update_dates(
        user(organiser),
        weekly[2],
        event_data(starts_at=moved, ends_at=moved + timedelta(hours=1), title="Moved"),
        "one",
    )
    db.session.commit()
    assert local(weekly[2]) == moved and weekly[2].title == "Moved"
    assert weekly[2].sequence == before[2] + 1
    assert [d.title for d in weekly].count("Networking breakfast") == 5
    assert weekly[2].original_starts_at == datetime(2027, 3, 16, 9, tzinfo=UTC)


def test_edit_this_and_following_splits_the_series_and_keeps_local_time(weekly, organiser):
    new = datetime(2027, 3, 23, 11)  # the fourth date, new time; summer time from 28 March
    series.update_dates(
        user(organiser),
        weekly[3],
        event_data(starts_at=new, ends_at=new + timedelta(hours=2), title="Later breakfast"),
        "following",
    )
    db.session.commit()
    assert [local(d).time() for d in weekly] == [time(10)] * 3 + [time(11)] * 3
    assert [d.title for d in weekly[3:]] == ["Later breakfast"] * 3
    assert weekly[5].starts_at == datetime(2027, 4, 6, 9, tzinfo=UTC)  # 11:00 summer time
    assert weekly[0].series_id != weekly[3].series_id
    assert {d.series_id for d in weekly[3:]} == {weekly[3].series_id}
    assert all(d.original_starts_at == d.starts_at for d in weekly)


def test_edit_all_dates_changes_each(weekly, organiser):
    series.update_dates(user(organiser), weekly[4], EventData(capacity=3), "all")
    db.session.commit()
    assert {d.capacity for d in weekly} == {3}
    assert len({d.series_id for d in weekly}) == 1


def test_editing_all_from_a_moved_date_keeps_the_others_times(weekly, organiser):
    moved = datetime(2027, 3, 16, 14)
    series.update_dates(
        user(organiser),
        weekly[2],
        event_data(starts_at=moved, ends_at=moved + timedelta(hours=1)),
        "one",
    )
    # The edit form sends the moved date's own times back with the new title.
    series.update_dates(
        user(organiser),
        weekly[2],
        event_data(starts_at=moved, ends_at=moved + timedelta(hours=1), title="Renamed"),
        "all",
    )
    db.session.commit()
    assert {d.title for d in weekly} == {"Renamed"}
    assert [local(d).hour for d in weekly] == [10, 10, 14, 10, 10, 10]


def test_moving_several_dates_to_another_day_is_refused(weekly, organiser):
    other_day = datetime(2027, 3, 24, 10)
    with pytest.raises(Invalid) as refused:
        series.update_dates(
            user(organiser),
            weekly[3],
            event_data(starts_at=other_day, ends_at=other_day + timedelta(hours=1)),
            "all",
        )
    assert refused.value.field == "starts_at"


def test_cancel_one_following_and_all(weekly, organiser):
    series.cancel_dates(user(organiser), weekly[1], "one")
    db.session.commit()
    assert [d.status for d in weekly].count(EventStatus.CANCELLED) == 1
    assert weekly[1].sequence == 1
    series.cancel_dates(user(organiser), weekly[4], "following")
    db.session.commit()
    assert [d.status == EventStatus.CANCELLED for d in weekly] == [
        False,
        True,
        False,
        False,
        True,
        True,
    ]
    series.cancel_dates(user(organiser), weekly[0], "all")
    db.session.commit()
    assert {d.status for d in weekly} == {EventStatus.CANCELLED}
    assert all(d.sequence == 1 for d in weekly)  # cancelled once each


@pytest.mark.parametrize("who", ["member", "other_organiser", "moderator", "admin", "organiser"])
def test_who_may_change_a_series(weekly, organiser, make_user, who):
    people = {
        "member": lambda: make_user(),
        "other_organiser": lambda: make_user(roles=(Role.ORGANISER,)),
        "moderator": lambda: make_user(roles=(Role.MODERATOR,)),
        "admin": lambda: make_user(roles=(Role.ADMIN,)),
        "organiser": lambda: organiser,
    }
    actor = user(people[who]())  # made before the test's own session writes
    allowed = who in ("moderator", "admin", "organiser")
    for action in (
        lambda: series.update_dates(actor, weekly[2], EventData(title="Changed"), "all"),
        lambda: series.cancel_dates(actor, weekly[2], "following"),
    ):
        if allowed:
            action()
        else:
            with pytest.raises(Forbidden):
                action()
    db.session.commit()
    assert (weekly[5].status == EventStatus.CANCELLED) == allowed


# --- RSVP to every date ---------------------------------------------------------------------


def test_rsvp_to_every_date_each_date_its_own_capacity(ctx, organiser, make_user):
    from community.events import services

    dates = make_series(
        organiser,
        datetime(2027, 3, 2, 10),
        RepeatData("weekly", count=6, rsvp_whole_series_allowed=True),
        capacity=2,
    )
    filler, member = make_user(), make_user()
    services.rsvp(user(filler), dates[2], 1)  # a party of 2 fills the third date
    db.session.commit()

    summary = series.rsvp_every_date(user(member), dates[1], 1)
    db.session.commit()
    assert summary == series.SeriesRsvpSummary(going=5, waitlisted=1, refused=0)
    assert [d.seats_taken for d in dates] == [2, 2, 2, 2, 2, 2]
    assert all(d.seats_taken <= d.capacity for d in dates)

    assert series.cancel_every_rsvp(user(member), dates[0]) == 6
    db.session.commit()
    assert [d.seats_taken for d in dates] == [0, 0, 2, 0, 0, 0]


def test_rsvp_to_every_date_needs_the_organisers_leave(weekly, member):
    with pytest.raises(Conflict):
        series.rsvp_every_date(user(member), weekly[0], 0)


# --- pages -----------------------------------------------------------------------------------


def test_new_event_form_creates_a_series(app, login, organiser):
    client = login(organiser)
    response = client.get("/events/new")
    assert 'name="repeat"' in response.get_data(as_text=True)
    form = {
        "title": "Coffee morning",
        "category": "social",
        "description": "",
        "date": "2027-01-05",
        "start_time": "10:00",
        "end_time": "11:30",
        "timezone": "Europe/Copenhagen",
        "venue": "Kulturhuset",
        "guests_allowed": "0",
        "repeat": "monthly_weekday",
        "repeat_count": "4",
        "rsvp_whole_series": "y",
    }
    response = post_form(client, "/events/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Part of a series: on the first Tuesday of every month at 10:00 until 6 April 2027" in (
        page
    )
    assert "Going to every date" in page
    with app.app_context():
        assert db.session.query(Event).filter(Event.series_id.isnot(None)).count() == 4


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"repeat": "daily"}, "repeat", "Not a valid choice"),
        ({"repeat_count": "", "repeat_until": "2027-01-01"}, "repeat_until", "must end after"),
        ({"repeat_count": "", "repeat_until": ""}, "repeat_until", "Say when the series ends"),
        ({"repeat_count": "60"}, "repeat_count", "from 2 to 52"),
        ({"date": "2027-01-29", "repeat": "monthly_weekday"}, "repeat", "fifth such weekday"),
        ({"repeat": "monthly_last"}, "repeat", "must itself be on the chosen weekday"),
    ],
)
def test_new_event_form_refuses_bad_repeats(app, login, organiser, changes, field, message):
    client = login(organiser)
    form = {
        "title": "Coffee morning",
        "category": "social",
        "date": "2027-01-05",
        "start_time": "10:00",
        "end_time": "11:30",
        "timezone": "Europe/Copenhagen",
        "venue": "Kulturhuset",
        "guests_allowed": "0",
        "repeat": "weekly",
        "repeat_count": "4",
        **changes,
    }
    response = post_form(client, "/events/new", form, form_page="/events/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page and message in page
    with app.app_context():
        assert db.session.query(Event).count() == 0


def test_edit_page_asks_which_dates_and_cancel_page_too(app, login, organiser, weekly):
    client = login(organiser)
    event_id = weekly[2].id
    page = client.get(f"/events/{event_id}/edit").get_data(as_text=True)
    assert "Only this date" in page and "This and the following dates" in page
    page = client.get(f"/events/{event_id}/cancel").get_data(as_text=True)
    assert 'value="following"' in page
    response = post_form(
        client,
        f"/events/{event_id}/cancel",
        {"scope": "following"},
        form_page=f"/events/{event_id}/cancel",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [d.status == EventStatus.CANCELLED for d in weekly] == [False, False] + [True] * 4


def test_rsvp_every_date_button(app, login, organiser, member):
    with app.app_context():
        dates = make_series(
            organiser,
            datetime(2027, 3, 2, 10),
            RepeatData("weekly", count=3, rsvp_whole_series_allowed=True),
        )
        first = dates[0].id
    client = login(member)
    response = post_form(
        client,
        f"/events/{first}/rsvp/every-date",
        {"guests": "1"},
        form_page=f"/events/{first}",
        follow_redirects=True,
    )
    assert "You are going to 3 dates." in response.get_data(as_text=True)
    with app.app_context():
        statuses = {
            r.status
            for d in series.series_dates(dates[0].series_id)
            for r in [series.services.rsvp_of(user(member), d)]
        }
        assert statuses == {RsvpStatus.GOING}


# --- calendars -------------------------------------------------------------------------------


def test_series_ics_has_rrule_exdate_overrides_and_rising_sequence(app, login, organiser, member):
    with app.app_context():
        dates = make_series(organiser, datetime(2027, 3, 16, 10), RepeatData("weekly", count=4))
        ids = [d.id for d in dates]
    client = login(member)

    def parsed():
        response = client.get(f"/events/{ids[0]}/series.ics")
        assert response.status_code == 200
        return list(icalendar.Calendar.from_ical(response.data).walk("VEVENT"))

    (master,) = parsed()
    rule = master["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TU"]
    assert rule["UNTIL"] == [datetime(2027, 4, 6, 8, tzinfo=UTC)]  # 10:00 summer time in UTC
    assert master["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert master.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 16, 9, tzinfo=UTC)
    first_sequence = int(master["SEQUENCE"])
    # Expanded by the RRULE in local time, the third date is 10:00 Copenhagen = 08:00 UTC.
    from dateutil.rrule import rrulestr

    expanded = list(rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART")))
    assert expanded[2].astimezone(UTC) == datetime(2027, 3, 30, 8, tzinfo=UTC)

    with app.app_context():
        series.cancel_dates(user(organiser), db.session.get(Event, ids[1]), "one")
        moved = datetime(2027, 3, 30, 12)
        series.update_dates(
            user(organiser),
            db.session.get(Event, ids[2]),
            event_data(starts_at=moved, ends_at=moved + timedelta(hours=2)),
            "one",
        )
        db.session.commit()
    master, override = parsed()
    assert int(master["SEQUENCE"]) > first_sequence
    exdates = [d.dt.astimezone(UTC) for d in master["EXDATE"].dts]
    assert exdates == [datetime(2027, 3, 23, 9, tzinfo=UTC)]
    assert override["UID"] == master["UID"]
    assert override.decoded("RECURRENCE-ID").astimezone(UTC) == datetime(2027, 3, 30, 8, tzinfo=UTC)
    assert override.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 30, 10, tzinfo=UTC)

    # The single date's own .ics still answers that date.
    response = client.get(f"/events/{ids[1]}.ics")
    (single,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert str(single["STATUS"]) == "CANCELLED"


def test_feed_holds_the_series_once_for_a_member_going_to_every_date(app, login, organiser, member):
    from community.events.calendar import feed_url_for

    with app.app_context():
        dates = make_series(
            organiser,
            datetime(2027, 3, 16, 10),
            RepeatData("weekly", count=4, rsvp_whole_series_allowed=True),
            venue_private=True,
        )
        series.rsvp_every_date(user(member), dates[0], 0)
        series.cancel_dates(user(organiser), dates[3], "one")
        url = feed_url_for(user(member))
        db.session.commit()
    client = login(member)
    body = client.get(url.replace("http://localhost", "")).data
    vevents = list(icalendar.Calendar.from_ical(body).walk("VEVENT"))
    (master,) = vevents
    assert "RRULE" in master
    assert [d.dt.astimezone(UTC) for d in master["EXDATE"].dts] == [
        datetime(2027, 4, 6, 8, tzinfo=UTC)
    ]
    assert str(master["LOCATION"]) == "Nyhavn 17, Copenhagen"  # going to every date


# --- the API ---------------------------------------------------------------------------------


def api_body(**changes) -> dict:
    body = {
        "title": "Language café",
        "category": "learning",
        "starts_at": "2027-01-05T18:00:00+01:00",
        "ends_at": "2027-01-05T20:00:00+01:00",
        "timezone": "Europe/Copenhagen",
        "venue": "Kulturhuset",
        "repeat": {"frequency": "monthly_weekday", "count": 3},
    }
    body.update(changes)
    return body


def test_api_creates_a_series_and_changes_following_dates(app, organiser):
    from tests.test_api import api_login

    api = api_login(app, organiser)
    response = api.post("/api/v1/events", json=api_body())
    assert response.status_code == 201, response.get_json()
    first = response.get_json()
    assert first["series_id"] is not None
    with app.app_context():
        dates = series.series_dates(first["series_id"])
        assert [local(d).date() for d in dates] == [
            date(2027, 1, 5),
            date(2027, 2, 2),
            date(2027, 3, 2),
        ]
        second = dates[1].id
    response = api.patch(
        f"/api/v1/events/{second}?scope=following", json={"title": "Café, new name"}
    )
    assert response.status_code == 200, response.get_json()
    response = api.delete(f"/api/v1/events/{second}?scope=one")
    assert response.status_code == 204
    with app.app_context():
        assert [d.title for d in series.series_dates(first["series_id"])] == ["Language café"]
        later = series.series_dates(db.session.get(Event, second).series_id)  # split off
        assert [d.title for d in later] == ["Café, new name"] * 2
        assert [d.status for d in later] == [EventStatus.CANCELLED, EventStatus.SCHEDULED]
    assert api.delete(f"/api/v1/events/{second}?scope=some").status_code == 422


@pytest.mark.parametrize(
    ("repeat", "field"),
    [
        ({"frequency": "daily", "count": 3}, "repeat"),
        ({"frequency": "weekly", "until": "2027-01-01"}, "repeat.until"),  # before the start
        ({"frequency": "weekly", "until": "2028-01-04"}, "repeat.until"),  # 53 dates
        ({"frequency": "weekly", "count": 99}, "repeat"),
        ({"frequency": "weekly"}, "repeat.until"),
        ({"frequency": "monthly_weekday", "count": 3, "ordinal": -1}, "repeat.ordinal"),
    ],
)
def test_api_refuses_bad_repeats_naming_the_field(app, organiser, repeat, field):
    from tests.test_api import api_login, error_fields

    api = api_login(app, organiser)
    response = api.post("/api/v1/events", json=api_body(repeat=repeat))
    assert response.status_code == 422, response.get_json()
    assert field in error_fields(response)
    with app.app_context():
        assert db.session.query(Event).count() == 0


def test_openapi_documents_repeat_and_scope(app, organiser):
    from tests.test_api import OPENAPI_PATH

    document = app.test_client().get(OPENAPI_PATH).get_json()
    schemas = document["components"]["schemas"]
    assert "frequency" in schemas["Repeat"]["properties"]
    patch = document["paths"]["/api/v1/events/{event_id}"]["patch"]
    assert any(p["name"] == "scope" for p in patch["parameters"])


def test_api_rsvp_to_every_date(app, organiser, member):
    from tests.test_api import api_login

    with app.app_context():
        dates = make_series(
            organiser,
            datetime(2027, 3, 2, 10),
            RepeatData("weekly", count=3, rsvp_whole_series_allowed=True),
            capacity=1,
        )
        ids = [d.id for d in dates]
    other = api_login(app, organiser)
    assert other.post(f"/api/v1/events/{ids[1]}/rsvp").status_code == 201  # fills date 2
    api = api_login(app, member)
    response = api.post(f"/api/v1/events/{ids[0]}/series-rsvp", json={"guests": 0})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"going": 2, "waitlisted": 1, "refused": 0}
    assert api.delete(f"/api/v1/events/{ids[0]}/series-rsvp").status_code == 204
    assert api.get(f"/api/v1/events/{ids[1]}").get_json()["my_rsvp"] is None


# --- who may use the series pages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "cancel_status", "rsvp_status"),
    [
        ("organiser", 302, 302),
        ("moderator", 302, 302),
        ("admin", 302, 302),
        ("other_organiser", 403, 302),
        ("member", 403, 302),
        ("blocked", 404, 404),
    ],
)
def test_series_pages_per_role(app, login, organiser, make_user, who, cancel_status, rsvp_status):
    from community.connections import services as connections

    people = {
        "organiser": lambda: organiser,
        "moderator": lambda: make_user(roles=(Role.MODERATOR,)),
        "admin": lambda: make_user(roles=(Role.ADMIN,)),
        "other_organiser": lambda: make_user(roles=(Role.ORGANISER,)),
        "member": lambda: make_user(),
        "blocked": lambda: make_user(),
    }
    person = people[who]()
    with app.app_context():
        dates = make_series(
            organiser,
            datetime(2027, 3, 2, 10),
            RepeatData("weekly", count=3, rsvp_whole_series_allowed=True),
        )
        ids = [d.id for d in dates]
        if who == "blocked":
            connections.block(user(organiser), person.id)
            db.session.commit()
    client = login(person)
    token_page = "/events/new" if who == "organiser" else "/settings/calendar"
    rsvp = post_form(
        client, f"/events/{ids[0]}/rsvp/every-date", {"guests": "0"}, form_page=token_page
    )
    assert rsvp.status_code == rsvp_status
    cancel = post_form(client, f"/events/{ids[0]}/cancel", {"scope": "all"}, form_page=token_page)
    assert cancel.status_code == cancel_status
    edit = client.get(f"/events/{ids[1]}/edit")
    assert edit.status_code == (200 if cancel_status == 302 else cancel_status)
    with app.app_context():
        cancelled = [db.session.get(Event, i).status == EventStatus.CANCELLED for i in ids]
        assert cancelled == [cancel_status == 302] * 3
    anonymous = app.test_client()
    assert anonymous.get(f"/events/{ids[0]}/edit").status_code == 302  # to the login page
    assert anonymous.get(f"/events/{ids[0]}/series.ics").status_code == 302


def test_series_ics_keeps_a_private_address_from_members_not_going(app, login, organiser, member):
    with app.app_context():
        dates = make_series(
            organiser,
            datetime(2027, 3, 2, 10),
            RepeatData("weekly", count=3),
            venue="Hemmelig Gade 7",
            venue_private=True,
        )
        first = dates[0].id
    client = login(member)
    body = client.get(f"/events/{first}/series.ics").data
    assert b"Hemmelig" not in body
    assert b"RRULE" in body
    host = login(organiser)
    assert b"Hemmelig" in host.get(f"/events/{first}/series.ics").data


def test_weekly_sunday_series_lands_on_the_dst_sunday_at_eight_utc(ctx, organiser):
    """10:00 Copenhagen on the last Sunday of March 2027 (clocks went forward that night)
    is 08:00 UTC; the Sunday before it was 09:00 UTC."""
    dates = make_series(organiser, datetime(2027, 3, 21, 10), RepeatData("weekly", count=2))
    assert [d.starts_at for d in dates] == [
        datetime(2027, 3, 21, 9, tzinfo=UTC),
        datetime(2027, 3, 28, 8, tzinfo=UTC),
    ]


@pytest.mark.backends("sqlite")
def test_demo_has_a_weekly_and_a_first_tuesday_series(app, runner):
    from sqlalchemy import select

    from community.events.models import EventSeries

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        found = {(s.frequency, s.ordinal) for s in db.session.scalars(select(EventSeries))}
        assert found == {("weekly", None), ("monthly_weekday", 1)}
        for series_row in db.session.scalars(select(EventSeries)):
            dates = series.series_dates(series_row.id)
            zone = ZoneInfo(series_row.timezone)
            if series_row.frequency == "monthly_weekday":
                days = [d.starts_at.astimezone(zone) for d in dates]
                assert all(day.weekday() == 1 and day.day <= 7 for day in days)
            else:
                assert any(d.status == EventStatus.CANCELLED for d in dates)


def test_a_refusal_on_one_date_refuses_the_whole_change(weekly, organiser, make_user):
    from community.events import services

    guest = make_user()
    services.rsvp(user(guest), weekly[4], 2)  # three seats taken on the fifth date
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        series.update_dates(user(organiser), weekly[0], EventData(capacity=2), "all")
    assert refused.value.field == "capacity"
    db.session.rollback()
    assert {d.capacity for d in weekly} == {10}


def test_feed_holds_single_dates_for_a_member_going_to_some(app, login, organiser, member):
    from community.events import services
    from community.events.calendar import feed_url_for

    with app.app_context():
        dates = make_series(
            organiser,
            datetime(2027, 3, 16, 10),
            RepeatData("weekly", count=4, rsvp_whole_series_allowed=True),
        )
        services.rsvp(user(member), dates[1], 0)
        url = feed_url_for(user(member))
        db.session.commit()
        only = dates[1].id
    body = login(member).get(url.replace("http://localhost", "")).data
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert "RRULE" not in vevent
    assert str(vevent["UID"]) == f"event-{only}@localhost"
