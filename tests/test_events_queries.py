"""Query counts of the event pages do not grow with the data (issue 14): each page is asked
for with 5 and with 50 RSVPs, comments, dates or events, and must run the same number of
SQL statements both times. Data is made through the real services; each viewer makes one
request before counting (its session or token may write a "last used" row once)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest

from community.auth.models import User
from community.auth.roles import Role
from community.comments import services as comments
from community.connections import services as connections
from community.core.database import utcnow
from community.events import series
from community.events import services as events
from community.events.calendar import feed_url_for
from community.events.models import Event, RsvpStatus
from community.events.series import RepeatData
from community.extensions import db
from community.profiles.reference import Visibility
from community.profiles.services import ProfileData, update_profile
from tests.factories import event_data
from tests.test_api import api_login

BACKENDS = ("sqlite", "postgresql")
VISIBILITIES = (Visibility.MEMBERS, Visibility.CONNECTIONS, Visibility.PUBLIC)


def user(ref) -> User:
    return db.session.get(User, ref.id)


def connect(one, other) -> None:
    """`one` asks `other` to connect and `other` accepts (through the real services)."""
    request = connections.send_request(user(one), other.id)
    connections.accept_request(user(other), request.id)


@dataclass
class Cast:
    """The people of one event page: its organiser and one viewer per role."""

    organiser: object
    going: object
    waitlisted: object
    member: object
    moderator: object


@pytest.fixture
def cast(make_user) -> Cast:
    return Cast(
        organiser=make_user(roles=(Role.ORGANISER,)),
        going=make_user(),
        waitlisted=make_user(),
        member=make_user(),
        moderator=make_user(roles=(Role.MODERATOR,)),
    )


def crowd(make_user, cast: Cast, size: int) -> list:
    """`size` members with varied profile visibility; every third is connected to each
    viewer, so connections come first on the event page."""
    people = [make_user() for _n in range(size)]
    for n, person in enumerate(people):
        update_profile(
            user(person), ProfileData(visibility=VISIBILITIES[n % 3], headline=f"Person {n}")
        )
        if n % 3 == 0:
            for viewer in (cast.going, cast.waitlisted, cast.member, cast.moderator):
                connect(viewer, person)
    db.session.commit()
    return people


def busy_event(app, make_user, cast: Cast, size: int, **changes) -> int:
    """An event with `size` RSVPs (parties of one to three, the later half waitlisted, the
    viewer `going` first and `waitlisted` last) and `size` comment threads with a reply."""
    with app.app_context():
        return _busy_event(make_user, cast, size, **changes)


def _busy_event(make_user, cast: Cast, size: int, **changes) -> int:
    people = crowd(make_user, cast, size)
    parties = [n % 3 for n in range(size)]
    capacity = 1 + sum(1 + guests for guests in parties[: size // 2])
    event = events.create_event(
        user(cast.organiser),
        event_data(capacity=capacity, guests_allowed=3, **changes),
    )
    db.session.commit()
    going(cast.going, event)
    for person, guests in zip(people, parties, strict=True):
        going(person, event, guests)
    assert going(cast.waitlisted, event) == RsvpStatus.WAITLISTED
    for n, person in enumerate(people):
        top = comments.add_comment(user(person), "event", event.id, f"Comment {n}")
        replier = people[(n + 1) % size]
        comments.add_comment(user(replier), "event", event.id, f"Reply {n}", top.id)
    db.session.commit()
    return event.id


def going(ref, event: Event, guests: int = 0) -> str:
    result = events.rsvp(user(ref), db.session.get(Event, event.id), guests)
    db.session.commit()
    return result.status


def counted(count_queries, client, path: str, headers: dict | None = None) -> list[str]:
    """The statements one GET of `path` runs, after a first request to warm up."""
    assert client.get(path, headers=headers).status_code == 200
    with count_queries() as counter:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return counter.statements


def assert_same_cost(few: list[str], many: list[str]) -> None:
    """Equal statement counts; else the statements the bigger page repeats more often."""
    if len(few) != len(many):
        grown = Counter(many) - Counter(few)
        report = "\n\n".join(f"{n} more times:\n{sql}" for sql, n in grown.most_common(5))
        pytest.fail(f"{len(few)} statements, then {len(many)}:\n{report}")


# --- the event page ------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["organiser", "going", "waitlisted", "member", "moderator"])
def test_event_page_runs_the_same_queries_for_5_or_50_rsvps_and_comments(
    app, make_user, login, count_queries, cast, viewer
):
    client = login(getattr(cast, viewer))
    few = busy_event(app, make_user, cast, 5)
    many = busy_event(app, make_user, cast, 50)
    counts = [counted(count_queries, client, f"/events/{event_id}") for event_id in (few, many)]
    assert_same_cost(*counts)
    # The viewer's own RSVP is read once, even when they have none (the place rule is told).
    own_rsvp = [
        sql
        for sql in counts[1]
        if sql.startswith("SELECT rsvps.id")
        and "rsvps.user_id =" in sql
        and "rsvps.event_id IN" not in sql  # the bell's check of its event notifications
    ]
    assert len(own_rsvp) == 1, own_rsvp
    page = client.get(f"/events/{many}").get_data(as_text=True)
    assert "Comment 0" in page and "Reply 0" in page


@pytest.mark.parametrize("suffix", ["", "/series.ics"])
@pytest.mark.parametrize("viewer", ["organiser", "going", "member"])
def test_a_date_of_a_series_runs_the_same_queries_for_5_or_50_dates(
    app, login, count_queries, cast, viewer, suffix
):
    """A weekly series of 5, then 50 dates (one cancelled, one changed on its own, `going`
    going to every date): its second date's page and the series' calendar file."""
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    paths = []
    for count in (5, 50):
        with app.app_context():
            dates = series.create_series(
                user(cast.organiser),
                event_data(starts_at=start, ends_at=start + timedelta(hours=2)),
                RepeatData(frequency="weekly", count=count, rsvp_whole_series_allowed=True),
            )
            db.session.commit()
            series.rsvp_every_date(user(cast.going), dates[0], 1)
            series.cancel_dates(user(cast.organiser), dates[2], "one")
            changed = dates[3]
            series.update_dates(
                user(cast.organiser),
                changed,
                event_data(
                    title="A special date",
                    starts_at=changed.starts_at + timedelta(hours=1),
                    ends_at=changed.ends_at + timedelta(hours=1),
                ),
                "one",
            )
            db.session.commit()
            paths.append(f"/events/{dates[1].id}{suffix}")
    client = login(getattr(cast, viewer))
    counts = [counted(count_queries, client, path) for path in paths]
    assert_same_cost(*counts)
    if suffix:  # the cancelled date and the changed one are in the file
        body = client.get(paths[1]).get_data(as_text=True)
        assert "EXDATE" in body and "RECURRENCE-ID" in body and "A special date" in body


# --- the attendee page and its CSV ---------------------------------------------------------


@pytest.mark.parametrize("suffix", ["/attendees", "/attendees.csv"])
@pytest.mark.parametrize("viewer", ["organiser", "moderator"])
def test_attendees_run_the_same_queries_for_5_or_50_rsvps(
    app, make_user, login, count_queries, cast, viewer, suffix
):
    client = login(getattr(cast, viewer))
    few = busy_event(app, make_user, cast, 5)
    many = busy_event(app, make_user, cast, 50)
    counts = [
        counted(count_queries, client, f"/events/{event_id}{suffix}") for event_id in (few, many)
    ]
    assert_same_cost(*counts)


# --- the API -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "viewer, suffix",
    [
        ("organiser", ""),
        ("going", ""),
        ("waitlisted", ""),
        ("member", ""),
        ("organiser", "/attendees"),
        ("moderator", "/attendees"),
        ("organiser", "/comments"),
        ("member", "/comments"),
    ],
)
def test_api_event_answers_run_the_same_queries_for_5_or_50(
    app, make_user, count_queries, cast, viewer, suffix
):
    api = api_login(app, getattr(cast, viewer))
    few = busy_event(app, make_user, cast, 5)
    many = busy_event(app, make_user, cast, 50)
    counts = [
        counted(count_queries, api.client, f"/api/v1/events/{event_id}{suffix}", api.headers)
        for event_id in (few, many)
    ]
    assert_same_cost(*counts)


# --- the home page and the personal feed ---------------------------------------------------


def test_home_page_runs_the_same_queries_for_5_or_50_events(
    app, make_user, login, count_queries, cast
):
    me, friends = cast.member, [make_user() for _n in range(3)]
    with app.app_context():
        for n, friend in enumerate(friends):
            update_profile(user(friend), ProfileData(visibility=VISIBILITIES[n]))
            connect(me, friend)
        db.session.commit()
    client = login(me)

    def add_events(count: int, offset: int) -> None:
        with app.app_context():
            _add(count, offset)

    def _add(count: int, offset: int) -> None:
        for n in range(count):
            mine = events.create_event(
                user(cast.organiser),
                event_data(title=f"Mine {offset + n}", starts_at=_day(offset + n)),
            )
            theirs = events.create_event(
                user(cast.organiser),
                event_data(title=f"Theirs {offset + n}", starts_at=_day(offset + n)),
            )
            db.session.commit()
            going(me, mine, n % 2)
            for friend in friends:
                going(friend, theirs)
                going(friend, mine)

    add_events(5, 0)
    counts = [counted(count_queries, client, "/")]
    add_events(45, 5)
    counts.append(counted(count_queries, client, "/"))
    assert_same_cost(*counts)
    page = client.get("/").get_data(as_text=True)
    assert "Mine 0" in page and "Theirs 0" in page


def _day(n: int):
    start = (utcnow() + timedelta(days=2, hours=n)).replace(microsecond=0)
    return start


def test_calendar_feed_runs_the_same_queries_for_5_or_50_events(
    app, make_user, count_queries, cast
):
    me = cast.member
    with app.app_context():
        path = feed_url_for(user(me)).removeprefix("http://localhost")
        db.session.commit()
    client = app.test_client()

    def add_events(count: int, offset: int) -> None:
        with app.app_context():
            _add(count, offset)

    def _add(count: int, offset: int) -> None:
        for n in range(count):
            changes = {"starts_at": _day(offset + n)}
            if n % 2:
                changes.update(venue_private=True)
            event = events.create_event(user(cast.organiser), event_data(**changes))
            db.session.commit()
            going(me, event)
            if n % 5 == 0:
                events.cancel_event(user(cast.organiser), event)
                db.session.commit()
        start = _day(offset + 100)
        dates = series.create_series(
            user(cast.organiser),
            event_data(starts_at=start, ends_at=start + timedelta(hours=1)),
            RepeatData(
                frequency="weekly", count=max(count // 5, 2), rsvp_whole_series_allowed=True
            ),
        )
        db.session.commit()
        series.rsvp_every_date(user(me), dates[0], 0)
        db.session.commit()

    add_events(5, 0)
    counts = [counted(count_queries, client, path)]
    add_events(45, 5)
    counts.append(counted(count_queries, client, path))
    assert_same_cost(*counts)
    body = client.get(path).get_data(as_text=True)
    assert body.count("RRULE:") == 2 and "STATUS:CANCELLED" in body


@pytest.mark.parametrize("who_blocks", ["member", "organiser"])
def test_calendar_feed_leaves_out_events_of_an_organiser_blocked_either_way(
    app, make_user, cast, who_blocks
):
    """The feed's one batched block lookup hides the same events `get_visible_event` would."""
    other_organiser = make_user(roles=(Role.ORGANISER,))
    with app.app_context():
        path = feed_url_for(user(cast.member)).removeprefix("http://localhost")
        for organiser, title in ((cast.organiser, "Hidden brunch"), (other_organiser, "Picnic")):
            event = events.create_event(user(organiser), event_data(title=title))
            db.session.commit()
            going(cast.member, event)
        blocker, blocked = (
            (cast.member, cast.organiser)
            if who_blocks == "member"
            else (cast.organiser, cast.member)
        )
        connections.block(user(blocker), blocked.id)
        db.session.commit()
    body = app.test_client().get(path).get_data(as_text=True)
    assert "SUMMARY:Picnic" in body and "Hidden brunch" not in body
