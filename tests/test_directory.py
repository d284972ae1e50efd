"""The directory, suggestions and connection pages: filters, reasons, query counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.connections import services as connections
from community.connections.suggestions import suggest_people
from community.extensions import db
from community.notifications.models import Notification
from community.profiles.services import ProfileData, update_profile
from tests.conftest import post_form

BACKENDS = ("sqlite", "postgresql")


def make_member(app, make_user, name, **profile):
    """A member called `name` whose profile is saved through the profile service."""
    ref = make_user(display_name=name)
    with app.app_context():
        update_profile(db.session.get(User, ref.id), ProfileData(**profile))
        db.session.commit()
    return ref


def test_filters_find_the_right_people(app, make_user, login):
    viewer = make_member(app, make_user, "Viewer", host_city="zurich", skills=["Python"])
    make_member(
        app,
        make_user,
        "Ana Zurich",
        host_city="zurich",
        skills=["Rust"],
        languages=[("de", "fluent")],
    )
    make_member(
        app, make_user, "Bo Python", host_city="dubai", skills=["python"], looking_for=["gigs"]
    )
    make_member(app, make_user, "Cy Nobody", headline="Baker and barista")
    client = login(viewer)

    def names(query):
        html = client.get(f"/members?{query}").get_data(as_text=True)
        return {n for n in ("Ana Zurich", "Bo Python", "Cy Nobody") if n in html}

    assert names("") == {"Ana Zurich", "Bo Python", "Cy Nobody"}
    assert names("skill=PYTHON") == {"Bo Python"}
    assert names("city=zurich") == {"Ana Zurich"}
    assert names("language=de") == {"Ana Zurich"}
    assert names("looking_for=gigs") == {"Bo Python"}
    assert names("q=barista") == {"Cy Nobody"}
    assert names("q=ana") == {"Ana Zurich"}
    assert names("skill=python&city=zurich") == set()


def test_cards_say_why_someone_is_relevant(app, make_user, login):
    viewer = make_member(
        app,
        make_user,
        "Viewer",
        host_city="zurich",
        skills=["Python", "SQL"],
        languages=[("pt", "native")],
    )
    make_member(
        app,
        make_user,
        "Match",
        host_city="zurich",
        skills=["python", "sql"],
        languages=[("pt", "fluent")],
    )
    html = login(viewer).get("/members").get_data(as_text=True)
    assert "2 shared skills: Python, SQL" in html  # labels as first written
    assert "Lives in your city" in html
    assert "Also speaks Portuguese" in html


def test_unconfirmed_and_suspended_members_are_not_listed(
    member, suspended_member, make_user, login
):
    make_user(display_name="Listed Person")
    make_user(display_name="Pending Person", confirmed=False)
    html = login(member).get("/members").get_data(as_text=True)
    assert "Listed Person" in html  # the page does list people
    assert "Pending Person" not in html
    assert suspended_member.display_name not in html


def test_pages_walk_every_member_once(app, member, make_user):
    made = {make_user(display_name=f"Walker {n:02d}").id for n in range(7)}
    with app.app_context():
        from community.profiles.directory import DirectoryFilters, search_members

        seen, cursor = [], None
        user = db.session.get(User, member.id)
        for _ in range(10):  # 7 members in pages of 3 take 3 pages
            page = search_members(user, DirectoryFilters(), cursor, limit=3)
            seen += [card.user.id for card in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
        else:
            pytest.fail(f"still a next page after 10 pages; seen {seen}")
    assert sorted(seen) == sorted(made)


def test_a_bad_cursor_is_a_400(member, login):
    client = login(member)
    assert client.get("/members?cursor=%%%").status_code == 400
    assert client.get("/members?cursor=eyJ4IjoxfQ").status_code == 400  # {"x":1}


# What GET /members may cost, whatever the number of cards: the session, the viewer and their
# roles, their connections and blocks (5); the page of members and their roles (2); the cards'
# profiles, languages, looking-for and tags (4); the viewer's own four for the reasons (4);
# the navigation's chat badge (1); the bell: unread notifications and the newest id (2).
MAX_DIRECTORY_QUERIES = 18
CARD_LINK = re.compile(r'class="member-card__name"><a href="/members/(\d+)"')


@pytest.mark.parametrize("others", [3, 25], ids=["3-cards", "full-page"])
def test_directory_page_runs_a_fixed_number_of_queries_at_most(
    app, make_user, login, count_queries, others
):
    viewer = make_member(
        app,
        make_user,
        "Viewer",
        host_city="zurich",
        skills=["Python"],
        languages=[("en", "fluent")],
    )
    for n in range(others):
        make_member(
            app,
            make_user,
            f"M{n}",
            host_city="zurich",
            skills=["Python", f"S{n}"],
            interests=["Chess"],
            languages=[("en", "fluent"), ("de", "basic")],
            looking_for=["gigs", "learning"],
        )
    client = login(viewer)
    client.get("/members")
    with count_queries() as counter:
        response = client.get("/members")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    cards = CARD_LINK.findall(html)
    if others == 3:
        assert len(cards) == 3
    else:  # more members than one page holds: a full page and a link to the next
        assert 3 < len(cards) < others
        assert "cursor=" in html
    assert counter.count <= MAX_DIRECTORY_QUERIES, "\n".join(counter.statements)


def test_suggestions_rank_shared_things_and_exclude_my_network(app, make_user, count_queries):
    me = make_member(
        app,
        make_user,
        "Me",
        host_city="amsterdam",
        skills=["Python", "SQL"],
        languages=[("nl", "basic")],
    )
    best = make_member(
        app,
        make_user,
        "Best",
        host_city="amsterdam",
        skills=["Python", "SQL"],
        languages=[("nl", "native")],
    )
    good = make_member(app, make_user, "Good", host_city="amsterdam", skills=["Python"])
    make_member(app, make_user, "Unrelated", host_city="tokyo", skills=["Origami"])
    friend = make_member(app, make_user, "Friend", host_city="amsterdam", skills=["Python", "SQL"])
    asked = make_member(app, make_user, "Asked", host_city="amsterdam", skills=["Python", "SQL"])
    blocked = make_member(
        app, make_user, "Blocked", host_city="amsterdam", skills=["Python", "SQL"]
    )
    with app.app_context():
        user = db.session.get(User, me.id)
        connection = connections.send_request(user, friend.id)
        connections.accept_request(db.session.get(User, friend.id), connection.id)
        connections.send_request(db.session.get(User, asked.id), me.id)
        connections.block(db.session.get(User, blocked.id), me.id)  # they blocked me
        db.session.commit()

    def counted_suggestions(**kwargs):
        """suggest_people(me) in a fresh app context; the counter sees only that call."""
        with app.app_context():
            user = db.session.get(User, me.id)
            with count_queries() as counter:
                suggestions = suggest_people(user, **kwargs)
            found = [(s.user.display_name, s.reasons) for s in suggestions]
        return found, counter

    suggestions, few = counted_suggestions()
    names = [name for name, _reasons in suggestions]
    assert names == ["Best", "Good"]
    assert suggestions[0][1][0] == "2 shared skills: Python, SQL"
    assert best and good
    for n in range(8):
        make_member(
            app, make_user, f"More {n}", host_city="amsterdam", skills=["SQL"], interests=["Chess"]
        )
    suggestions, many = counted_suggestions(limit=20)
    assert len(suggestions) == 10
    assert many.count == few.count, many.statements


def test_connection_flow_on_the_pages_notifies_the_other_side(app, make_user, login):
    noor = make_user(display_name="Noor")
    tomas = make_user(display_name="Tomás")
    tomas_client = login(tomas)
    response = post_form(
        tomas_client,
        f"/members/{noor.id}/connect",
        {"message": "Hi from the expat cafe"},
        form_page=f"/members/{noor.id}",
        follow_redirects=True,
    )
    assert "Your request is sent." in response.get_data(as_text=True)
    noor_client = login(noor)
    page = noor_client.get("/connections").get_data(as_text=True)
    assert "Hi from the expat cafe" in page
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.user_id == noor.id))
        assert note.kind == "connection.requested"
        assert note.actor_id == tomas.id
        connection_id = note.target_id
    post_form(noor_client, f"/connections/{connection_id}/accept", {}, form_page="/connections")
    assert "Connected" in tomas_client.get(f"/members/{noor.id}").get_data(as_text=True)
    with app.app_context():
        kinds = set(
            db.session.scalars(select(Notification.kind).where(Notification.user_id == tomas.id))
        )
        assert kinds == {"connection.accepted"}


def test_declining_is_never_revealed_to_the_requester(app, make_user, login):
    noor, tomas = make_user(), make_user()
    with app.app_context():
        connection = connections.send_request(db.session.get(User, tomas.id), noor.id)
        connections.decline_request(db.session.get(User, noor.id), connection.id)
        db.session.commit()
    html = login(tomas).get(f"/members/{noor.id}").get_data(as_text=True)
    assert "Request sent" in html
    assert "declin" not in html.lower()


def test_blocking_hides_both_ways_and_ends_the_connection(app, make_user, login):
    noor, tomas = make_user(display_name="Noor Block"), make_user(display_name="Tomas Block")
    with app.app_context():
        connection = connections.send_request(db.session.get(User, tomas.id), noor.id)
        connections.accept_request(db.session.get(User, noor.id), connection.id)
        db.session.commit()
    noor_client, tomas_client = login(noor), login(tomas)
    post_form(noor_client, f"/members/{tomas.id}/block", {}, form_page=f"/members/{tomas.id}")
    assert tomas_client.get(f"/members/{noor.id}").status_code == 404
    assert "Noor Block" not in tomas_client.get("/members").get_data(as_text=True)
    assert "Tomas Block" not in noor_client.get("/members").get_data(as_text=True)
    connect = post_form(tomas_client, f"/members/{noor.id}/connect", {}, form_page="/members")
    assert connect.status_code == 404
    assert "Tomas Block" in noor_client.get("/connections").get_data(as_text=True)  # can unblock
    post_form(noor_client, f"/members/{tomas.id}/unblock", {}, form_page="/connections")
    assert tomas_client.get(f"/members/{noor.id}").status_code == 200


def test_home_counts_the_requests_waiting_for_me(app, make_user, login):
    me, asker, asked = make_user(), make_user(), make_user()
    with app.app_context():
        connections.send_request(db.session.get(User, asker.id), me.id)
        connections.send_request(db.session.get(User, me.id), asked.id)  # mine: not waiting
        db.session.commit()
    html = login(me).get("/").get_data(as_text=True)
    assert "1 person wants to connect with you" in html
