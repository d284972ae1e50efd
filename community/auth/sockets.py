"""Socket.IO authentication: only a logged-in session from an allowed Origin connects.

Each connection joins `user:<id>` (live notifications, room changes), `session:<id>` (the
login it came from) and its member's conversation rooms. Ending a session disconnects its
sockets on every process through `community.core.control`.
"""

from __future__ import annotations

from flask import request, session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from community.core import control
from community.extensions import socketio

# The connect request's environ keeps the login session's token: `message:send` checks the
# session row with it without rebuilding the request (`chat.sockets._light_send`).
SESSION_TOKEN = "alongside.session_token"  # noqa: S105 (an environ key, not a secret)
USER_ID = "alongside.user_id"  # and the member who connected (whose rate it spends)


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
    request.environ[USER_ID] = current_user.id
    request.environ[SESSION_TOKEN] = session.get("_user_id")
    from community.chat.sockets import join_my_conversations  # chat builds on auth

    join_my_conversations(current_user)


def end_user_sockets(user_id: int) -> None:
    """Disconnect `user_id`'s sockets, on every process, now that their sessions have ended.
    Queued by `revoke_all_sessions` (logout, password change, reset, suspension) to run
    after the commit that ended the sessions. (Every socket handler also re-checks the
    session before it acts.)"""
    control.disconnect(user_room(user_id))


def end_session_sockets(session_id: int) -> None:
    """Disconnect the sockets of one ended session (a device logged out from the security
    page), on every process. Queued by `revoke_session_of` to run after the commit."""
    control.disconnect(session_room(session_id))
