"""Socket.IO connections need a logged-in session (real Flask-SocketIO server, test client)."""

from __future__ import annotations

from community.extensions import socketio
from tests.conftest import post_form
from tests.factories import PASSWORD


def test_anonymous_sockets_are_refused(app):
    client = socketio.test_client(app, flask_test_client=app.test_client())
    assert not client.is_connected()


def test_logged_in_sockets_connect_and_join_their_user_room(app, make_user):
    user = make_user()
    http = app.test_client()
    post_form(http, "/auth/login", {"email": user.email, "password": PASSWORD})
    client = socketio.test_client(app, flask_test_client=http)
    assert client.is_connected()
    socketio.emit("ping-room", {"n": 1}, to=f"user:{user.id}")
    assert client.get_received()[-1]["name"] == "ping-room"
    client.disconnect()


def test_a_logged_out_session_can_no_longer_connect(app, make_user):
    user = make_user()
    http = app.test_client()
    post_form(http, "/auth/login", {"email": user.email, "password": PASSWORD})
    stolen = http.get_cookie("session").value
    post_form(http, "/auth/logout", {}, form_page="/settings")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    client = socketio.test_client(app, flask_test_client=thief)
    assert not client.is_connected()


def _connected_client(app, user):
    http = app.test_client()
    post_form(http, "/auth/login", {"email": user.email, "password": PASSWORD})
    client = socketio.test_client(app, flask_test_client=http)
    assert client.is_connected()
    return http, client


def test_logout_disconnects_the_users_sockets_at_once(app, make_user):
    user = make_user()
    http, client = _connected_client(app, user)
    _bystander_http, bystander = _connected_client(app, make_user())
    post_form(http, "/auth/logout", {}, form_page="/settings")
    assert not client.is_connected()
    assert bystander.is_connected()
    bystander.disconnect()


def test_suspension_disconnects_the_members_sockets(app, make_user):
    from community.auth.roles import Role

    admin = make_user(roles=(Role.ADMIN,))
    member = make_user()
    _http, client = _connected_client(app, member)
    admin_http = app.test_client()
    post_form(admin_http, "/auth/login", {"email": admin.email, "password": PASSWORD})
    post_form(
        admin_http, f"/admin/users/{member.id}/status", {"status": "suspended"}, form_page="/admin"
    )
    assert not client.is_connected()
    assert list(socketio.server.manager.get_participants("/", f"user:{member.id}")) == []
