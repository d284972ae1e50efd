"""#13.3: asking about a member by id (connect, block, the lists that follow) shows only what
their profile's visibility lets the asker see, and a block never reveals "they blocked me".
"""

from __future__ import annotations

import pytest

from community.auth.models import User
from community.auth.roles import UserStatus
from community.connections import services as connections
from community.extensions import db
from community.profiles.services import ProfileData, update_profile
from tests.conftest import post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")
SECRET_NAME = "Quiet Quentin"


def api(app, user) -> tuple:
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    return client, {"Authorization": f"Bearer {token.get_json()['token']}"}


def set_profile(app, user_id: int, **fields) -> None:
    with app.app_context():
        update_profile(db.session.get(User, user_id), ProfileData(**fields))
        db.session.commit()


@pytest.fixture
def hidden(app, make_user):
    """A connections-only member with a headline, a city and a name worth protecting."""
    member = make_user(display_name=SECRET_NAME)
    set_profile(
        app, member.id, visibility="connections", headline="Secret agent", host_city="copenhagen"
    )
    return member


def test_a_connection_request_by_id_shows_nothing_of_a_hidden_member(app, make_user, hidden):
    client, headers = api(app, make_user())
    response = client.post("/api/v1/connections", json={"user_id": hidden.id}, headers=headers)
    assert response.status_code == 201
    member = response.get_json()["member"]
    assert member["id"] == hidden.id
    assert member["display_name"] is None
    assert (member["headline"], member["host_city"], member["avatar_url"]) == ("", None, None)
    listed = client.get("/api/v1/connections", headers=headers).get_json()["items"]
    assert SECRET_NAME not in str(listed)
    assert "Secret agent" not in str(listed)


def test_the_hidden_member_sees_the_asker_by_name(app, make_user, hidden):
    asker = make_user(display_name="Open Olivia")
    client, headers = api(app, asker)
    client.post("/api/v1/connections", json={"user_id": hidden.id}, headers=headers)
    client, theirs = api(app, hidden)
    (request,) = client.get("/api/v1/connections", headers=theirs).get_json()["items"]
    assert request["direction"] == "incoming"
    assert request["member"]["display_name"] == "Open Olivia"


def test_once_connected_the_full_card_is_shown(app, make_user, hidden):
    asker = make_user()
    client, headers = api(app, asker)
    client.post("/api/v1/connections", json={"user_id": hidden.id}, headers=headers)
    with app.app_context():
        (row,) = connections.network(db.session.get(User, hidden.id)).incoming
        connections.accept_request(db.session.get(User, hidden.id), row[0].id)
        db.session.commit()
    (item,) = client.get("/api/v1/connections", headers=headers).get_json()["items"]
    assert item["member"]["display_name"] == SECRET_NAME
    assert item["member"]["headline"] == "Secret agent"


def suspend(app, user_id):
    with app.app_context():
        from community.auth import services as accounts

        accounts.set_status(db.session.get(User, user_id), UserStatus.SUSPENDED)
        db.session.commit()


def blocks_me(app, blocker_id, me_id):
    with app.app_context():
        connections.block(db.session.get(User, blocker_id), me_id)
        db.session.commit()


@pytest.mark.parametrize("state", ["connections-only", "unconfirmed", "suspended", "blocked me"])
def test_blocking_someone_i_cannot_see_answers_like_blocking_anyone(app, make_user, state):
    me = make_user()
    other = make_user(display_name=SECRET_NAME, confirmed=state != "unconfirmed")
    if state == "connections-only":
        set_profile(app, other.id, visibility="connections")
    elif state == "suspended":
        suspend(app, other.id)
    elif state == "blocked me":
        blocks_me(app, other.id, me.id)
    client, headers = api(app, me)
    response = client.post("/api/v1/blocks", json={"user_id": other.id}, headers=headers)
    assert response.status_code == 201
    assert response.get_json() == {"user_id": other.id, "display_name": None}
    listed = client.get("/api/v1/blocks", headers=headers).get_json()
    assert listed["items"] == [{"user_id": other.id, "display_name": None}]
    post_form(client, "/auth/login", {"email": me.email, "password": PASSWORD})
    page = post_form(
        client, f"/members/{other.id}/block", {}, form_page="/connections", follow_redirects=True
    )
    assert page.status_code == 200
    assert SECRET_NAME not in page.get_data(as_text=True)


def test_blocking_someone_i_can_see_shows_their_name(app, make_user):
    me, other = make_user(), make_user(display_name="Visible Vera")
    client, headers = api(app, me)
    response = client.post("/api/v1/blocks", json={"user_id": other.id}, headers=headers)
    assert response.status_code == 201
    assert response.get_json() == {"user_id": other.id, "display_name": "Visible Vera"}


def test_connecting_to_someone_who_blocked_me_looks_like_a_missing_or_suspended_member(
    app, make_user
):
    me = make_user()
    blocker, suspended = make_user(), make_user()
    blocks_me(app, blocker.id, me.id)
    suspend(app, suspended.id)
    client, headers = api(app, me)
    answers = []
    for target in (blocker.id, suspended.id, 2**31 - 1):
        response = client.post("/api/v1/connections", json={"user_id": target}, headers=headers)
        answers.append((response.status_code, response.get_json()["error"]["message"]))
    assert answers[0] == answers[1] == answers[2]


def test_network_page_hides_the_name_of_a_member_who_went_private(app, make_user):
    me, other = make_user(), make_user(display_name="Shy Sheila")
    client = app.test_client()
    post_form(client, "/auth/login", {"email": me.email, "password": PASSWORD})
    post_form(client, f"/members/{other.id}/connect", {}, form_page=f"/members/{other.id}")
    assert "Shy Sheila" in client.get("/connections").get_data(as_text=True)
    set_profile(app, other.id, visibility="connections")
    html = client.get("/connections").get_data(as_text=True)
    assert "Shy Sheila" not in html
    assert "A member whose profile is hidden from you" in html
    assert "SS</span>" not in html  # not even their initials
