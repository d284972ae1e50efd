"""The event pages: the list (filters, past view, paging, a fixed number of queries), an
event (place privacy, RSVP state), RSVPs and cancellations through the real forms with CSRF,
the organisers' editor, cancel and attendee pages, and who may open what."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from community.auth.models import User
from community.auth.roles import Role
from community.connections import services as connections
from community.core.database import utcnow
from community.events import services as events
from community.events.covers import process_cover
from community.events.models import Event, EventStatus
from community.extensions import db
from tests.conftest import post_form
from tests.factories import event_data

BACKENDS = ("sqlite", "postgresql")
PRIVATE_ADDRESS = "Hemmelig Gade 7, 3. tv"
SECRET_LINK = "https://meet.example.org/secret-room-42"
CARD = re.compile(r'class="event-card__title"><a href="/events/(\d+)"')


def make_event(app, organiser, **changes) -> int:
    """An event through the real service, ten days ahead unless `starts_at` says otherwise."""
    with app.app_context():
        event = events.create_event(db.session.get(User, organiser.id), event_data(**changes))
        db.session.commit()
        return event.id


def rsvp(app, event_id: int, ref, guests: int = 0) -> None:
    with app.app_context():
        events.rsvp(db.session.get(User, ref.id), db.session.get(Event, event_id), guests)
        db.session.commit()


def html(response) -> str:
    return response.get_data(as_text=True)


# --- the list ------------------------------------------------------------------------------


def test_list_shows_upcoming_soonest_first_and_past_most_recent_first(
    app, login, member, organiser
):
    now = utcnow().replace(microsecond=0)
    later = make_event(
        app,
        organiser,
        title="Later picnic",
        starts_at=now + timedelta(days=9),
        ends_at=now + timedelta(days=9, hours=2),
    )
    sooner = make_event(
        app,
        organiser,
        title="Sooner walk",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
    )
    with app.app_context():  # past events cannot be created through the service: move them
        past_ids = []
        for days in (5, 1):
            event_id = make_event(app, organiser, title=f"Past {days}")
            event = db.session.get(Event, event_id)
            event.starts_at = now - timedelta(days=days)
            event.ends_at = now - timedelta(days=days) + timedelta(hours=1)
            db.session.commit()
            past_ids.append(event_id)
    client = login(member)
    upcoming = html(client.get("/events"))
    assert [int(i) for i in CARD.findall(upcoming)] == [sooner, later]
    assert "Tue" in upcoming or "(Copenhagen)" in upcoming
    past = html(client.get("/events?when=past"))
    assert [int(i) for i in CARD.findall(past)] == [past_ids[1], past_ids[0]]
    assert "Past events" in past


def test_list_filters_text_with_wildcards_escaped_category_mode_and_free_seats(
    app, login, member, organiser, make_user
):
    make_event(app, organiser, title="100% fun quiz", category="social")
    make_event(
        app,
        organiser,
        title="Python study group",
        category="learning",
        venue=None,
        online_url=SECRET_LINK,
    )
    full = make_event(app, organiser, title="Tiny dinner", category="social", capacity=1)
    rsvp(app, full, make_user())
    client = login(member)

    def titles(query: str) -> set[str]:
        page = html(client.get(f"/events?{query}"))
        return set(re.findall(r'class="event-card__title"><a href="/events/\d+">([^<]+)<', page))

    assert titles("q=100%25") == {"100% fun quiz"}
    assert titles("q=%25") == set()  # no word to look for: nothing, not everything
    assert titles("q=_") == set()
    assert titles("category=social") == {"100% fun quiz", "Tiny dinner"}
    assert titles("mode=online") == {"Python study group"}
    assert titles("mode=in_person&free_seats=y") == {"100% fun quiz"}
    assert "No events match these filters." in html(client.get("/events?q=nothing-like-this"))
    assert client.get("/events?date_from=not-a-date").status_code == 200


def test_the_text_box_searches_the_index_with_stemming_prefixes_and_the_other_filters(
    app, login, member, organiser
):
    make_event(app, organiser, title="Walking tour of the old harbour", category="social")
    make_event(
        app,
        organiser,
        title="Evening stroll",
        description="We walk along the lakes and talk Danish.",
        category="learning",
    )
    make_event(app, organiser, title="Cooking for kids", category="social", tags=["cookery"])
    make_event(app, organiser, title="50_50 raffle", category="social")
    client = login(member)

    def titles(query: dict) -> set[str]:
        page = html(client.get("/events", query_string=query))
        return set(re.findall(r'class="event-card__title"><a href="/events/\d+">([^<]+)<', page))

    both = {"Walking tour of the old harbour", "Evening stroll"}
    assert titles({"q": "walks"}) == both  # stemmed: walking, walk, walks
    assert titles({"q": "WALKED"}) == both
    assert titles({"q": "harb"}) == {"Walking tour of the old harbour"}  # the last word: prefix
    assert titles({"q": "danish lak"}) == {"Evening stroll"}
    assert titles({"q": "cookery"}) == {"Cooking for kids"}  # tags are in the index
    assert titles({"q": "walk", "category": "learning"}) == {"Evening stroll"}
    assert titles({"q": "walk", "category": "family"}) == set()
    for odd in ("%", "_", "%%", "\\", "50_", "'", '"', "*", "walk%", "(", "-"):
        found = titles({"q": odd})
        assert found <= {"50_50 raffle", *both}, (odd, found)
        assert len(found) <= 2, (odd, found)
    assert titles({"q": "%"}) == set() and titles({"q": "_"}) == set()
    assert titles({"q": "walk%"}) == both
    assert client.get("/events", query_string={"q": "x" * 500}).status_code == 200


def test_empty_list_helps(app, login, member, organiser):
    page = html(login(member).get("/events"))
    assert "No events are planned yet." in page and "Ask an admin" in page
    page = html(login(organiser).get("/events"))
    assert "Create the first one" in page


@pytest.mark.parametrize("count", [5, 50], ids=["5-events", "50-events"])
def test_list_runs_a_fixed_number_of_queries(
    app, login, member, organiser, make_user, count_queries, count
):
    other = make_user()
    for n in range(count):
        event_id = make_event(app, organiser, title=f"Event {n}", venue_private=bool(n % 2))
        if n % 3 == 0:
            rsvp(app, event_id, member)
        if n % 4 == 0:
            rsvp(app, event_id, other)
    client = login(member)
    client.get("/events")
    with count_queries() as counter:
        response = client.get("/events")
    assert response.status_code == 200
    cards = CARD.findall(html(response))
    assert len(cards) == min(count, 20)
    if count > 20:
        assert "cursor=" in html(response)
        next_page = re.search(r'href="(/events\?cursor=[^"]+)"', html(response)).group(1)
        assert len(CARD.findall(html(client.get(next_page.replace("&amp;", "&"))))) == min(
            count - 20, 20
        )
    # the session, the user and their roles; one page of events, their languages and tags;
    # my RSVPs on that page; my connections going; the navigation's chat badge; the bell
    # (no unread notification: the unread ones and the newest id)
    assert counter.count <= 11, "\n".join(counter.statements)


# --- privacy of the place ------------------------------------------------------------------


def test_private_address_and_link_only_for_hosts_and_going_members(
    app, login, member, organiser, make_user
):
    home = make_event(
        app,
        organiser,
        title="Dinner at mine",
        venue=PRIVATE_ADDRESS,
        venue_private=True,
        capacity=1,
    )
    online = make_event(
        app, organiser, title="Online chat", venue=None, online_url=SECRET_LINK, capacity=1
    )
    going = make_user()
    rsvp(app, home, going)
    rsvp(app, online, going)
    waiting = make_user()
    rsvp(app, home, waiting)
    rsvp(app, online, waiting)
    for viewer in (member, waiting):
        client = login(viewer)
        for path in ("/events", f"/events/{home}", f"/events/{online}"):
            page = html(client.get(path))
            assert PRIVATE_ADDRESS not in page and SECRET_LINK not in page, (viewer, path)
        assert "shown here once you are going" in html(client.get(f"/events/{home}"))
        assert "shown here to members who are going" in html(client.get(f"/events/{online}"))
    for viewer in (going, organiser):
        client = login(viewer)
        assert PRIVATE_ADDRESS in html(client.get(f"/events/{home}"))
        assert SECRET_LINK in html(client.get(f"/events/{online}"))
        assert PRIVATE_ADDRESS not in html(client.get("/events"))  # never on the list


def test_members_with_an_rsvp_get_the_calendar_links(app, login, member, organiser, make_user):
    event_id = make_event(app, organiser, capacity=1)
    going, waiting = make_user(), make_user()
    rsvp(app, event_id, going)
    rsvp(app, event_id, waiting)
    ics = f'href="/events/{event_id}.ics"'
    for viewer in (going, waiting):
        page = html(login(viewer).get(f"/events/{event_id}"))
        assert ics in page and 'href="/settings/calendar"' in page
    assert ics not in html(login(member).get(f"/events/{event_id}"))


# --- RSVP through the pages ----------------------------------------------------------------


def test_rsvp_change_party_waitlist_and_cancel_through_the_pages(
    app, login, member, organiser, make_user
):
    event_id = make_event(app, organiser, capacity=3, guests_allowed=2)
    path = f"/events/{event_id}"
    client = login(member)
    page = html(client.get(path))
    assert "Just me" in page and "Me + 2" in page and "I am going" in page

    response = post_form(
        client, f"{path}/rsvp", {"guests": "2"}, form_page=path, follow_redirects=True
    )
    assert "You are going, with 2 guests" in html(response)

    second = login(make_user())
    response = post_form(
        second, f"{path}/rsvp", {"guests": "0"}, form_page=path, follow_redirects=True
    )
    assert "You are on the waitlist, number 1" in html(response)
    third = login(make_user())
    response = post_form(
        third, f"{path}/rsvp", {"guests": "1"}, form_page=path, follow_redirects=True
    )
    assert "You are on the waitlist, number 2" in html(response)

    too_many = post_form(
        second, f"{path}/rsvp", {"guests": "5"}, form_page=path, follow_redirects=True
    )
    assert "Choose who is coming from the list." in html(too_many)

    response = post_form(client, f"{path}/rsvp/cancel", {}, form_page=path, follow_redirects=True)
    assert "Your RSVP is cancelled" in html(response)
    assert "Are you coming?" in html(response)
    # the freed seats went to the waitlist in join order
    assert "You are going" in html(second.get(path))
    assert "You are going, with 1 guest" in html(third.get(path))


def test_rsvp_needs_csrf_and_refusals_are_flashed(app, login, member, organiser):
    event_id = make_event(app, organiser)
    client = login(member)
    assert client.post(f"/events/{event_id}/rsvp", data={"guests": "0"}).status_code == 400
    with app.app_context():
        events.cancel_event(db.session.get(User, organiser.id), db.session.get(Event, event_id))
        db.session.commit()
    page = html(client.get(f"/events/{event_id}"))
    assert "Cancelled" in page and "I am going" not in page
    response = post_form(
        client,
        f"/events/{event_id}/rsvp",
        {"guests": "0"},
        form_page="/events",
        follow_redirects=True,
    )
    assert "This event was cancelled." in html(response)
    assert (
        post_form(client, "/events/999999/rsvp", {"guests": "0"}, form_page="/events").status_code
        == 404
    )


def test_who_is_going_names_only_visible_profiles(
    app, login, member, organiser, make_user, blocked, blocker
):
    event_id = make_event(app, organiser)
    for ref in (blocked, blocker):
        rsvp(app, event_id, ref)
    page = html(login(blocker).get(f"/events/{event_id}"))
    assert blocked.display_name not in page
    assert "You" in page and "and 1 more member" in page


# --- organisers ----------------------------------------------------------------------------


def test_new_event_form_names_errors_next_to_fields_and_publishes(app, login, organiser):
    client = login(organiser)
    page = html(client.get("/events/new"))
    assert 'type="date"' in page and 'type="time"' in page and "Time zone" in page
    response = post_form(client, "/events/new", {"title": "", "timezone": "Europe/Copenhagen"})
    page = html(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#title">Give the event a title.' in page
    assert 'id="title-error"' in page and 'id="date-error"' in page
    response = post_form(
        client,
        "/events/new",
        {
            "title": "Board games",
            "category": "social",
            "date": (utcnow() + timedelta(days=7)).date().isoformat(),
            "start_time": "18:00",
            "end_time": "21:00",
            "timezone": "Europe/Copenhagen",
            "venue": "",
            "online_url": "",
            "guests_allowed": "1",
        },
    )
    page = html(response)
    assert "Give either a venue or an online link" in page and 'id="venue-error"' in page
    response = post_form(
        client,
        "/events/new",
        {
            "title": "Board games",
            "category": "social",
            "date": (utcnow() + timedelta(days=7)).date().isoformat(),
            "start_time": "18:00",
            "end_time": "21:00",
            "timezone": "Europe/Copenhagen",
            "venue": "Café Zusammen, Jægersborggade 9",
            "capacity": "",
            "guests_allowed": "1",
        },
        follow_redirects=True,
    )
    page = html(response)
    assert "Your event is published." in page and "18:00 (Copenhagen)" in page
    assert "No limit" in page


def test_edit_keeps_wall_clock_times_and_cancel_asks_first(app, login, organiser, member):
    event_id = make_event(app, organiser)
    client = login(organiser)
    form = html(client.get(f"/events/{event_id}/edit"))
    date_value = re.search(r'id="date"[^>]*value="([^"]+)"', form) or re.search(
        r'value="([^"]+)"[^>]*id="date"', form
    )
    start = re.search(r'id="start_time"[^>]*value="([^"]+)"', form) or re.search(
        r'value="([^"]+)"[^>]*id="start_time"', form
    )
    assert date_value and start
    response = post_form(
        client,
        f"/events/{event_id}/edit",
        {
            "title": "Networking brunch",
            "category": "networking",
            "date": date_value.group(1),
            "start_time": "11:00",
            "end_time": "13:00",
            "timezone": "Europe/Copenhagen",
            "venue": "Nyhavn 17, Copenhagen",
            "capacity": "12",
            "guests_allowed": "2",
        },
        follow_redirects=True,
    )
    assert "Your changes are saved." in html(response) and "11:00 (Copenhagen)" in html(response)
    assert "Yes, cancel the event" in html(client.get(f"/events/{event_id}/cancel"))
    response = post_form(client, f"/events/{event_id}/cancel", {}, follow_redirects=True)
    assert "The event is cancelled." in html(response)
    with app.app_context():
        assert db.session.get(Event, event_id).status == EventStatus.CANCELLED


def test_attendees_lists_going_then_waitlisted_with_party_sizes(app, login, organiser, make_user):
    event_id = make_event(app, organiser, capacity=2, guests_allowed=2)
    first = make_user(display_name="Ana First")
    second = make_user(display_name="Ben Second")
    third = make_user(display_name="Cy Third")
    rsvp(app, event_id, first, 1)
    rsvp(app, event_id, second, 2)
    rsvp(app, event_id, third)
    page = html(login(organiser).get(f"/events/{event_id}/attendees"))
    assert (
        page.index("Ana First")
        < page.index("Waitlist")
        < page.index("Ben Second")
        < page.index("Cy Third")
    )
    assert "+ 1 guest" in page and "+ 2 guests" in page


def test_members_learn_how_to_become_organisers(app, login, member):
    response = login(member).get("/events/new")
    assert response.status_code == 403
    assert "Ask an admin to give you the organiser role" in html(response)


# --- who may open what ---------------------------------------------------------------------

ROLES = [
    "organiser",
    "other_organiser",
    "going",
    "waitlisted",
    "other_member",
    "blocked_member",
    "anonymous",
    "moderator",
]
HOSTS = {"organiser", "moderator"}
CAN_CREATE = {"organiser", "other_organiser", "moderator"}


def expected(role: str, route: str) -> int:
    if route == "cover":  # an image, not a page: no login redirect, the same 404 as missing
        return 404 if role in ("anonymous", "blocked_member") else 200
    if role == "anonymous":
        return 302
    if route == "new":
        return 200 if role in CAN_CREATE else 403
    if route == "copy":  # hosts copy their events; other members learn about organisers
        return 200 if role in HOSTS else 403
    if role == "blocked_member":
        return 200 if route == "list" else 404
    if route in ("list", "show"):
        return 200
    if route == "rsvp":
        return 302
    if route == "cancel_post":
        return 302 if role in HOSTS else 403
    if route == "attendees":  # attendee details: the 404 of a missing event
        return 200 if role in HOSTS else 404
    return 200 if role in HOSTS else 403  # edit, cancel (ask)


ROUTES = {
    "list": ("GET", "/events"),
    "show": ("GET", "/events/{id}"),
    "new": ("GET", "/events/new"),
    "copy": ("GET", "/events/new?copy={id}"),
    "cover": ("GET", "/events/covers/{cover}"),
    "edit": ("GET", "/events/{id}/edit"),
    "cancel": ("GET", "/events/{id}/cancel"),
    "attendees": ("GET", "/events/{id}/attendees"),
    "rsvp": ("POST", "/events/{id}/rsvp/cancel"),
    "cancel_post": ("POST", "/events/{id}/cancel"),
}


def _small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_each_event_page(app, login, make_user, organiser, moderator, role):
    event_id = make_event(app, organiser, capacity=1)
    people = {
        "organiser": organiser,
        "other_organiser": make_user(roles=(Role.ORGANISER,)),
        "going": make_user(),
        "waitlisted": make_user(),
        "other_member": make_user(),
        "blocked_member": make_user(),
        "moderator": moderator,
    }
    rsvp(app, event_id, people["going"])
    rsvp(app, event_id, people["waitlisted"])
    with app.app_context():
        connections.block(db.session.get(User, organiser.id), people["blocked_member"].id)
        cover = events.set_cover(
            db.session.get(User, organiser.id),
            db.session.get(Event, event_id),
            process_cover(_small_png()),
            "A picture",
        ).cover_name
        db.session.commit()
    client = app.test_client() if role == "anonymous" else login(people[role])
    for route, (method, template) in ROUTES.items():
        path = template.format(id=event_id, cover=cover)
        if method == "GET":
            response = client.get(path)
            response.close()
        elif role == "anonymous":
            response = client.post(path)
            assert response.status_code in (302, 400), route  # no session, no CSRF token
            continue
        else:
            response = post_form(client, path, {}, form_page="/events")
        assert response.status_code == expected(role, route), (role, route)
