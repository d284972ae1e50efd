"""News about a member's events: the event page shows the member's unread notifications about
that event once (then they are read), worded per kind; the home page lists the newest unread
ones with links; nobody sees another member's news; a hidden event's news is not listed; a
fixed number of queries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.auth.roles import Role
from community.connections import services as connections
from community.events import services as events
from community.events.models import Event
from community.extensions import db
from community.notifications.models import Notification
from community.notifications.services import mark_read, notify, unread_for_target
from tests.conftest import post_form
from tests.test_events_pages import html, make_event, rsvp

BACKENDS = ("sqlite", "postgresql")
PROMOTED = "A seat came free and you are going."
NEWS_LIST = 'aria-labelledby="news-title"'
NOTICE = re.compile(r'<div class="news" role="status"[^>]*>(.*?)</div>', re.S)


def notice(response) -> str:
    """The text of the event page's news notice ("" when there is none)."""
    found = NOTICE.search(html(response))
    return found.group(1) if found else ""


def home_news(response) -> str:
    body = html(response)
    if NEWS_LIST not in body:
        return ""
    return body.split(NEWS_LIST, 1)[1].split("</section>", 1)[0]


def unread(app, user_id: int) -> list[tuple[str, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.kind, Notification.target_id).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        ).all()
        return [tuple(row) for row in rows]


def add_news(app, user_id: int, kind: str, event_id: int, **data) -> None:
    with app.app_context():
        notify(user_id, kind, target_type="event", target_id=event_id, **data)
        db.session.commit()


@pytest.fixture
def promoted(app, login, organiser, member, make_user):
    """A full event of one seat: `first` goes, `member` waits, `first` cancels through the
    page, so `member` is promoted by the real services. Returns the event id."""
    event_id = make_event(app, organiser, title="Family picnic", capacity=1, guests_allowed=0)
    first = make_user()
    rsvp(app, event_id, first)
    rsvp(app, event_id, member)
    response = post_form(
        login(first), f"/events/{event_id}/rsvp/cancel", {}, form_page=f"/events/{event_id}"
    )
    assert response.status_code == 302
    assert ("event.promoted", event_id) in unread(app, member.id)
    return event_id


def test_promoted_member_sees_the_notice_once_and_home_lists_it_until_then(
    app, login, member, promoted
):
    client = login(member)
    home = home_news(client.get("/"))
    assert "Family picnic" in home and f'href="/events/{promoted}"' in home
    assert PROMOTED in home

    first = client.get(f"/events/{promoted}")
    assert first.status_code == 200
    shown = notice(first)
    assert "Good news" in shown and PROMOTED in shown
    assert unread(app, member.id) == []

    assert notice(client.get(f"/events/{promoted}")) == ""
    assert home_news(client.get("/")) == ""


@pytest.mark.parametrize("viewer", ["other", "organiser", "moderator"])
def test_another_members_news_is_neither_shown_nor_marked_read(
    app, login, member, organiser, moderator, make_user, promoted, viewer
):
    person = {"other": None, "organiser": organiser, "moderator": moderator}[viewer]
    person = person or make_user()
    client = login(person)
    page = client.get(f"/events/{promoted}")
    assert page.status_code == 200
    assert notice(page) == "" and PROMOTED not in html(page)
    assert PROMOTED not in html(client.get("/"))
    assert ("event.promoted", promoted) in unread(app, member.id)


def test_only_this_events_news_is_shown_and_marked_read(app, login, member, organiser):
    here = make_event(app, organiser, title="Here")
    there = make_event(app, organiser, title="There")
    add_news(app, member.id, "event.reminder", here, when="day", title="Here")
    add_news(app, member.id, "event.reminder", there, when="hour", title="There")
    client = login(member)
    shown = notice(client.get(f"/events/{here}"))
    assert "This event is tomorrow." in shown and "within the hour" not in shown
    assert unread(app, member.id) == [("event.reminder", there)]
    home = home_news(client.get("/"))
    assert "There" in home and f'href="/events/{there}"' in home
    assert f'href="/events/{here}"' not in home


def test_mark_read_touches_only_the_members_own_unread_notifications(app, member, make_user):
    other = make_user()
    with app.app_context():
        mine = notify(member.id, "event.promoted", target_type="event", target_id=1)
        theirs = notify(other.id, "event.promoted", target_type="event", target_id=1)
        db.session.commit()
        assert mark_read(member.id, [mine, theirs]) == 1
        assert mark_read(member.id, [mine]) == 0  # already read: nothing to do
        db.session.commit()
        assert unread_for_target(member.id, "event", 1) == []
        assert [n.id for n in unread_for_target(other.id, "event", 1)] == [theirs.id]


def test_hidden_events_news_is_not_listed_or_shown(app, login, member, organiser):
    event_id = make_event(app, organiser, title="Blocked brunch")
    add_news(app, member.id, "event.changed", event_id, changes=["time"], title="Blocked brunch")
    client = login(member)
    assert "Blocked brunch" in home_news(client.get("/"))
    with app.app_context():
        connections.block(db.session.get(User, organiser.id), member.id)
        db.session.commit()
    assert "Blocked brunch" not in html(client.get("/"))
    assert client.get(f"/events/{event_id}").status_code == 404
    assert ("event.changed", event_id) in unread(app, member.id)  # 404: nothing was shown


def test_a_member_who_blocked_the_organiser_gets_no_news_of_their_events(
    app, login, member, organiser
):
    event_id = make_event(app, organiser, title="Quiet quiz")
    add_news(app, member.id, "event.cancelled", event_id, changes=["status"], title="Quiet quiz")
    with app.app_context():
        connections.block(db.session.get(User, member.id), organiser.id)
        db.session.commit()
    assert "Quiet quiz" not in html(login(member).get("/"))


def test_the_organiser_and_moderators_see_news_of_events_they_host(
    app, login, organiser, moderator, member
):
    event_id = make_event(app, organiser, title="Own event")
    for person in (organiser, moderator):
        add_news(app, person.id, "event.message", event_id, subject="Hi", title="Own event")
    with app.app_context():  # a block between the moderator and the organiser hides nothing
        connections.block(db.session.get(User, moderator.id), organiser.id)
        db.session.commit()
    for person in (organiser, moderator):
        assert "Own event" in home_news(login(person).get("/"))


@pytest.mark.parametrize(
    ("kind", "data", "label", "text"),
    [
        ("event.promoted", {}, "Good news", PROMOTED),
        ("event.seat_free", {"seats": 1}, "A seat is free", "first member on the waitlist"),
        ("event.changed", {"changes": ["time"]}, "Changed", "The time changed."),
        ("event.changed", {"changes": ["place"]}, "Changed", "The place changed."),
        ("event.changed", {"changes": ["time", "place"]}, "Changed", "The time and the place"),
        ("event.changed", {"changes": ["status"]}, "Changed", "This event changed."),
        ("event.cancelled", {"changes": ["status"]}, "Cancelled", "organiser cancelled"),
        ("event.removed", {"message": "Sorry"}, "Removed", "took you off the list"),
        ("event.message", {"subject": "Bring a hat"}, "Message from a host", "Bring a hat"),
        ("event.reminder", {"when": "day"}, "Reminder", "This event is tomorrow."),
        ("event.reminder", {"when": "hour"}, "Reminder", "starts within the hour"),
    ],
)
def test_each_kind_is_worded_with_a_label_not_colour_alone(
    app, login, member, organiser, kind, data, label, text
):
    event_id = make_event(app, organiser)
    add_news(app, member.id, kind, event_id, **data)
    response = login(member).get(f"/events/{event_id}")
    assert 'role="status"' in html(response)
    shown = notice(response)
    assert f'<strong class="flash__label">{label}:</strong>' in shown
    assert text in shown


def test_a_hosts_words_in_the_notice_are_escaped(app, login, member, organiser):
    event_id = make_event(app, organiser)
    with app.app_context():
        events.rsvp(db.session.get(User, member.id), db.session.get(Event, event_id), 0)
        events.remove_attendee(
            db.session.get(User, organiser.id),
            db.session.get(Event, event_id),
            member.id,
            message="<script>alert(1)</script> & bye",
        )
        db.session.commit()
    shown = notice(login(member).get(f"/events/{event_id}"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; bye" in shown
    assert "<script>" not in shown


def test_the_home_list_is_bounded_newest_first(app, login, member, organiser):
    ids = [make_event(app, organiser, title=f"Outing {n}") for n in range(7)]
    for event_id in ids:
        add_news(app, member.id, "event.promoted", event_id)
    home = home_news(login(member).get("/"))
    listed = [int(n) for n in re.findall(r'href="/events/(\d+)"', home)]
    assert listed == list(reversed(ids))[:5]


def test_a_fixed_number_of_queries_whatever_the_news(
    app, login, member, organiser, make_user, count_queries
):
    # The bell checks its unread ones by target type, in both rounds: a connection request,
    # and news about an event whose organiser has since blocked the member (hidden).
    rude = make_user(roles=(Role.ORGANISER,))
    hidden = make_event(app, rude, title="Hidden")
    add_news(app, member.id, "event.reminder", hidden, when="day")
    with app.app_context():
        connections.send_request(db.session.get(User, organiser.id), member.id)
        connections.block(db.session.get(User, rude.id), member.id)
        db.session.commit()
    client = login(member)
    client.get("/")
    counts = []
    for count in (1, 5):
        ids = [make_event(app, organiser, title=f"Outing {count}.{n}") for n in range(count)]
        for event_id in ids:
            for _n in range(count):
                add_news(app, member.id, "event.reminder", event_id, when="day")
        with count_queries() as home:
            response = client.get("/")
        assert home_news(response).count("<li") == count
        with count_queries() as page:
            response = client.get(f"/events/{ids[0]}")
        assert notice(response).count("<p") == count
        with count_queries() as again:
            assert notice(client.get(f"/events/{ids[0]}")) == ""
        # reading the news marked it read (an UPDATE); reading the page again finds none
        # and changes nothing
        assert any(sql.lstrip().upper().startswith("UPDATE") for sql in page.statements)
        assert not any(sql.lstrip().upper().startswith("UPDATE") for sql in again.statements)
        counts.append((home.count, page.count))
        for event_id in ids[1:]:
            client.get(f"/events/{event_id}")  # read: the next round starts with none
    assert counts[0] == counts[1], counts
