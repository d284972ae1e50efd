"""Presence in the JSON API (#17): `GET /api/v1/members/{id}` and the directory
`GET /api/v1/members` carry `presence` by the rule the profile page uses (the same service
call, `presence.services.statuses`), for each kind of viewer; the OpenAPI document says so.
"""

from __future__ import annotations

import re
import uuid

import pytest

from community.auth.models import User
from community.connections import services as connections
from community.extensions import db
from community.presence import services
from community.profiles.services import ProfileData, update_profile
from tests.test_api import api_login, connect


def user(ref) -> User:
    return db.session.get(User, ref.id)


# who asks about Ben (who sent a heartbeat just now) -> what the API says: a status, None
# (shown as null), or 404 (the profile itself is not visible, so neither is anything on it).
CASES = {
    "self": None,  # nobody watches themselves, as on the profile page
    "connection": "online",
    "stranger": "online",  # Ben's profile is for members
    "stranger, Ben's profile for connections only": 404,
    "connection, Ben's profile for connections only": "online",
    "Ben blocked the asker": 404,
    "the asker blocked Ben": 404,
    "Ben hides his presence": None,
    "the asker hides theirs": None,
}


@pytest.fixture
def ben(app, make_user):
    name = f"Ben {uuid.uuid4().hex[:8]}"
    ben = make_user(display_name=name)
    with app.app_context():
        services.heartbeat(user(ben))
        db.session.commit()
    return ben


def arrange(app, case: str, asker, ben) -> None:
    if case.startswith("connection"):
        connect(app, asker, ben)
    with app.app_context():
        if "connections only" in case:
            update_profile(user(ben), ProfileData(visibility="connections"))
        if case == "Ben blocked the asker":
            connections.block(user(ben), asker.id)
        if case == "the asker blocked Ben":
            connections.block(user(asker), ben.id)
        if case == "Ben hides his presence":
            services.set_hidden(user(ben), True)
        if case == "the asker hides theirs":
            services.set_hidden(user(asker), True)
        db.session.commit()


@pytest.mark.parametrize("case", list(CASES))
def test_a_members_presence_in_the_api_follows_the_profile_page_rule(
    app, login, make_user, ben, case
):
    asker = ben if case == "self" else make_user(display_name="Asker")
    arrange(app, case, asker, ben)
    expected = CASES[case]
    api = api_login(app, asker)

    detail = api.get(f"/api/v1/members/{ben.id}")
    listed = api.get("/api/v1/members", query_string={"q": ben.display_name.split()[1]})
    listed_ben = [item for item in listed.get_json()["items"] if item["id"] == ben.id]
    if expected == 404:
        assert detail.status_code == 404
        assert listed_ben == []
    else:
        assert detail.status_code == 200
        assert detail.get_json()["presence"] == expected
        if case != "self":  # the directory never lists me
            assert [item["presence"] for item in listed_ben] == [expected]

    # The profile page, by the same rule: a badge exactly when the API says online.
    html = login(asker).get(f"/members/{ben.id}").get_data(as_text=True)
    badge = re.search(rf'data-presence-user="{ben.id}"[^>]*data-status="(\w+)"', html)
    assert (badge.group(1) if badge else None) == (expected if expected != 404 else None)


def test_an_away_member_is_away_in_the_api(app, make_user):
    from datetime import timedelta

    from community.core.database import utcnow

    ana, cid = make_user(), make_user()
    with app.app_context():
        services.heartbeat(user(cid), now=utcnow() - timedelta(minutes=5))
        db.session.commit()
    assert api_login(app, ana).get(f"/api/v1/members/{cid.id}").get_json()["presence"] == "away"


def test_the_openapi_document_describes_presence(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    field = spec["components"]["schemas"]["MemberSummary"]["properties"]["presence"]
    assert field["enum"] == ["online", "away", "offline", None]
    assert field["type"] == ["string", "null"]
    assert "profile page" in field["description"]
    assert "presence" in spec["components"]["schemas"]["Member"]["properties"]
