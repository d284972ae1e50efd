"""Reading notifications is live for the member's other pages (#17): marking one, several or
all read, through the page or the API, sends `notifications:read` to the member's own room
after the commit (the bell asks for its count again, an open /notifications list is fetched
again); nothing when nothing changed, nothing after a rollback, nothing to anyone else."""

from __future__ import annotations

import pytest

from community.auth.models import User
from community.connections import services as connections
from community.extensions import db
from community.notifications import services
from community.notifications.models import Notification
from tests.conftest import post_form
from tests.test_api import api_login


def _requested(app, asker, asked) -> int:
    with app.app_context():
        connections.send_request(db.session.get(User, asker.id), asked.id)
        db.session.commit()
        return db.session.query(Notification.id).filter_by(user_id=asked.id).scalar()


def _reads(client) -> list:
    return [e for e in client.get_received() if e["name"] == "notifications:read"]


@pytest.mark.parametrize("how", ["read one", "read all", "open", "api ids", "api all"])
def test_marking_read_tells_the_members_other_pages(
    app, login, member, make_user, make_socket_client, how
):
    asker = make_user()
    notification_id = _requested(app, asker, member)
    mine, theirs = make_socket_client(member), make_socket_client(asker)
    client = login(member)
    if how == "read one":
        post_form(
            client,
            f"/notifications/{notification_id}/read",
            {"also": ""},
            form_page="/notifications",
        )
    elif how == "read all":
        post_form(client, "/notifications/read-all", {}, form_page="/notifications")
    elif how == "open":
        post_form(
            client,
            f"/notifications/{notification_id}/open",
            {"also": ""},
            form_page="/notifications",
        )
    else:
        api = api_login(app, member)
        body = {"ids": [notification_id]} if how == "api ids" else {"all": True}
        assert api.post("/api/v1/notifications/read", json=body).status_code in (200, 204)
    assert _reads(mine) == [{"name": "notifications:read", "args": [{}], "namespace": "/"}]
    assert _reads(theirs) == []
    # Nothing left unread: marking again changes nothing and says nothing.
    post_form(client, "/notifications/read-all", {}, form_page="/notifications")
    assert _reads(mine) == []


def test_no_read_event_after_a_rollback(app, member, make_user, make_socket_client):
    asker = make_user()
    _requested(app, asker, member)
    mine = make_socket_client(member)
    with app.app_context():
        assert services.mark_all_read(db.session.get(User, member.id)) == 1
        db.session.rollback()
    assert _reads(mine) == []
