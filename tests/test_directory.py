"""The directory, suggestions and connection pages: filters, reasons, query counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.connections import services as connections
from community.connections.suggestions import suggest_people
from community.extensions import db
from community.notifications.models import Notification
from community.profiles.services import ProfileData, update_profile
from tests.conftest import post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")


def member(app, make_user, name, **profile):
    ref = make_user(display_name=name)
    with app.app_context():
        update_profile(db.session.get(User, ref.id), ProfileData(**profile))
        db.session.commit()
    return ref


def login(app, ref):
    client = app.test_client()
    post_form(client, "/auth/login", {"email": ref.email, "password": PASSWORD})
    return client


def test_filters_find_the_right_people(app, make_user):
    viewer = member(app, make_user, "Viewer", host_city="zurich", skills=["Python"])
    member(
        app,
        make_user,
        "Ana Zurich",
        host_city="zurich",
        skills=["Rust"],
        languages=[("de", "fluent")],
    )
    member(app, make_user, "Bo Python", host_city="dubai", skills=["python"], looking_for=["gigs"])
    member(app, make_user, "Cy Nobody", headline="Baker and barista")
    client = login(app, viewer)

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


def test_cards_say_why_someone_is_relevant(app, make_user):
    viewer = member(
        app,
        make_user,
        "Viewer",
        host_city="zurich",
        skills=["Python", "SQL"],
        languages=[("pt", "native")],
    )
    member(
        app,
        make_user,
        "Match",
        host_city="zurich",
        skills=["python", "sql"],
        languages=[("pt", "fluent")],
    )
    html = login(app, viewer).get("/members").get_data(as_text=True)
    assert "2 shared skills: Python, SQL" in html  # labels as first written
    assert "Lives in your city" in html
    assert "Also speaks Portuguese" in html


def test_unconfirmed_and_suspended_members_are_not_listed(app, make_user):
    from community.auth.roles import UserStatus

    viewer = make_user()
    make_user(display_name="Pending Person", confirmed=False)
    make_user(display_name="Suspended Person", status=UserStatus.SUSPENDED)
    html = login(app, viewer).get("/members").get_data(as_text=True)
    assert "Pending Person" not in html
    assert "Suspended Person" not in html


def test_pages_walk_every_member_once(app, make_user):
    viewer = make_user()
    made = {make_user(display_name=f"Walker {n:02d}").id for n in range(7)}
    with app.app_context():
        from community.profiles.directory import DirectoryFilters, search_members

        seen, cursor = [], None
        user = db.session.get(User, viewer.id)
        while True:
            page = search_members(user, DirectoryFilters(), cursor, limit=3)
            seen += [card.user.id for card in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
    assert sorted(seen) == sorted(made)


def test_a_bad_cursor_is_a_400(app, make_user):
    client = login(app, make_user())
    assert client.get("/members?cursor=%%%").status_code == 400
    assert client.get("/members?cursor=eyJ4IjoxfQ").status_code == 400  # {"x":1}


@pytest.mark.parametrize("size", [3, 12])
def test_directory_page_costs_the_same_queries_whatever_its_size(
    app, make_user, count_queries, size
):
    viewer = member(
        app,
        make_user,
        "Viewer",
        host_city="zurich",
        skills=["Python"],
        languages=[("en", "fluent")],
    )
    counts = {}
    for batch in (size, size * 2):
        while len(counts.get("made", [])) < batch:
            n = len(counts.setdefault("made", []))
            counts["made"].append(
                member(
                    app,
                    make_user,
                    f"M{n}",
                    host_city="zurich",
                    skills=["Python", f"S{n}"],
                    interests=["Chess"],
                    languages=[("en", "fluent"), ("de", "basic")],
                    looking_for=["gigs", "learning"],
                )
            )
        client = login(app, viewer)
        client.get("/members")
        with count_queries() as counter:
            response = client.get(f"/members?limit={batch}")
        assert response.status_code == 200
        counts[batch] = counter.count
    assert counts[size] == counts[size * 2], counts


def test_suggestions_rank_shared_things_and_exclude_my_network(app, make_user, count_queries):
    me = member(
        app,
        make_user,
        "Me",
        host_city="amsterdam",
        skills=["Python", "SQL"],
        languages=[("nl", "basic")],
    )
    best = member(
        app,
        make_user,
        "Best",
        host_city="amsterdam",
        skills=["Python", "SQL"],
        languages=[("nl", "native")],
    )
    good = member(app, make_user, "Good", host_city="amsterdam", skills=["Python"])
    member(app, make_user, "Unrelated", host_city="tokyo", skills=["Origami"])
    friend = member(app, make_user, "Friend", host_city="amsterdam", skills=["Python", "SQL"])
    asked = member(app, make_user, "Asked", host_city="amsterdam", skills=["Python", "SQL"])
    blocked = member(app, make_user, "Blocked", host_city="amsterdam", skills=["Python", "SQL"])
    with app.app_context():
        user = db.session.get(User, me.id)
        connection = connections.send_request(user, friend.id)
        connections.accept_request(db.session.get(User, friend.id), connection.id)
        connections.send_request(db.session.get(User, asked.id), me.id)
        connections.block(db.session.get(User, blocked.id), me.id)  # they blocked me
        db.session.commit()
        with count_queries() as few:
            suggestions = suggest_people(user)
        names = [s.user.display_name for s in suggestions]
        assert names == ["Best", "Good"]
        assert suggestions[0].reasons[0] == "2 shared skills: Python, SQL"
        assert best and good
    for n in range(8):
        member(
            app, make_user, f"More {n}", host_city="amsterdam", skills=["SQL"], interests=["Chess"]
        )
    with app.app_context(), count_queries() as many:
        assert len(suggest_people(db.session.get(User, me.id), limit=20)) == 10
    assert many.count == few.count, many.statements


def test_connection_flow_on_the_pages_notifies_the_other_side(app, make_user):
    noor = make_user(display_name="Noor")
    tomas = make_user(display_name="Tomás")
    tomas_client = login(app, tomas)
    response = post_form(
        tomas_client,
        f"/members/{noor.id}/connect",
        {"message": "Hi from the expat cafe"},
        form_page=f"/members/{noor.id}",
        follow_redirects=True,
    )
    assert "Your request is sent." in response.get_data(as_text=True)
    noor_client = login(app, noor)
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


def test_declining_is_never_revealed_to_the_requester(app, make_user):
    noor, tomas = make_user(), make_user()
    with app.app_context():
        connection = connections.send_request(db.session.get(User, tomas.id), noor.id)
        connections.decline_request(db.session.get(User, noor.id), connection.id)
        db.session.commit()
    html = login(app, tomas).get(f"/members/{noor.id}").get_data(as_text=True)
    assert "Request sent" in html
    assert "declin" not in html.lower()


def test_blocking_hides_both_ways_and_ends_the_connection(app, make_user):
    noor, tomas = make_user(display_name="Noor Block"), make_user(display_name="Tomas Block")
    with app.app_context():
        connection = connections.send_request(db.session.get(User, tomas.id), noor.id)
        connections.accept_request(db.session.get(User, noor.id), connection.id)
        db.session.commit()
    noor_client, tomas_client = login(app, noor), login(app, tomas)
    post_form(noor_client, f"/members/{tomas.id}/block", {}, form_page=f"/members/{tomas.id}")
    assert tomas_client.get(f"/members/{noor.id}").status_code == 404
    assert "Noor Block" not in tomas_client.get("/members").get_data(as_text=True)
    assert "Tomas Block" not in noor_client.get("/members").get_data(as_text=True)
    connect = post_form(tomas_client, f"/members/{noor.id}/connect", {}, form_page="/members")
    assert connect.status_code == 404
    assert "Tomas Block" in noor_client.get("/connections").get_data(as_text=True)  # can unblock
    post_form(noor_client, f"/members/{tomas.id}/unblock", {}, form_page="/connections")
    assert tomas_client.get(f"/members/{noor.id}").status_code == 200


def test_home_counts_the_requests_waiting_for_me(app, make_user):
    me, asker, asked = make_user(), make_user(), make_user()
    with app.app_context():
        connections.send_request(db.session.get(User, asker.id), me.id)
        connections.send_request(db.session.get(User, me.id), asked.id)  # mine: not waiting
        db.session.commit()
    html = login(app, me).get("/").get_data(as_text=True)
    assert "1 person wants to connect with you" in html
