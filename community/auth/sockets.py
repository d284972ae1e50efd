"""Socket.IO authentication: only a logged-in session from an allowed Origin connects.

Each connection joins `user:<id>`, the room that live notifications and session endings use.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from community.extensions import socketio


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def session_room(session_id: int) -> str:
    """The sockets of one login (one device), so logging that device out reaches them."""
    return f"session:{session_id}"


@socketio.on("connect")
def connect(auth=None):
    """Called by Flask-SocketIO on every new socket; refuses anonymous users."""
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("login required")
    join_room(user_room(current_user.id))
    join_room(session_room(current_user.current_session.id))
    request.environ["alongside.user_id"] = current_user.id


def end_user_sockets(user_id: int) -> None:
    """Disconnect `user_id`'s sockets now that their sessions have ended.

    Queued by `revoke_all_sessions` to run after the commit that ended the sessions. Sockets
    on this process are disconnected; `close_room` goes through the message queue, so on
    every other process nothing addressed to this user reaches an old socket any more (and
    every socket handler re-checks the session before it acts).
    """
    _end_room(user_room(user_id))


def end_session_sockets(session_id: int) -> None:
    """Disconnect the sockets of one ended session (a device logged out from the security
    page). Queued by `revoke_session_of` to run after the commit."""
    _end_room(session_room(session_id))


def _end_room(room: str) -> None:
    server = socketio.server
    if server is None:
        return
    for sid, _eio_sid in list(server.manager.get_participants("/", room)):
        server.disconnect(sid, namespace="/")
    socketio.close_room(room)
