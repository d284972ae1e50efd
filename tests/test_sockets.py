"""Socket.IO connections need a logged-in session (real Flask-SocketIO server, test client)."""

from __future__ import annotations

from community.extensions import socketio
from tests.conftest import post_form


def test_anonymous_sockets_are_refused(app):
    client = socketio.test_client(app, flask_test_client=app.test_client())
    assert not client.is_connected()


def test_logged_in_sockets_connect_and_join_their_user_room(socket_client, member):
    assert socket_client.is_connected()
    socketio.emit("ping-room", {"n": 1}, to=f"user:{member.id}")
    assert socket_client.get_received()[-1]["name"] == "ping-room"


def test_a_logged_out_session_can_no_longer_connect(app, member, login):
    http = login(member)
    stolen = http.get_cookie("session").value
    post_form(http, "/auth/logout", {}, form_page="/settings")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    client = socketio.test_client(app, flask_test_client=thief)
    assert not client.is_connected()


def test_logout_disconnects_the_users_sockets_at_once(member, make_user, login, make_socket_client):
    http = login(member)
    client = make_socket_client(member, http=http)
    bystander = make_socket_client(make_user())
    post_form(http, "/auth/logout", {}, form_page="/settings")
    assert not client.is_connected()
    assert bystander.is_connected()


def test_suspension_disconnects_the_members_sockets(member, admin, login, make_socket_client):
    client = make_socket_client(member)
    post_form(
        login(admin),
        f"/admin/users/{member.id}/status",
        {"status": "suspended"},
        form_page="/admin",
    )
    assert not client.is_connected()
    assert list(socketio.server.manager.get_participants("/", f"user:{member.id}")) == []
