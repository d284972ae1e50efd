"""The live half of chat: Socket.IO rooms of conversations.

Services queue these with `community.core.effects.on_commit`, so they run after the
commit that changed who is in a conversation.
"""

from __future__ import annotations

from community.auth.sockets import user_room
from community.chat.services import conversation_room
from community.extensions import socketio


def leave_conversation_room(user_id: int, conversation_id: int) -> None:
    """Take `user_id`'s open sockets on this process out of the conversation's room, so
    nothing more of it reaches them. Queued by the chat service when a member leaves or is
    removed (after the commit)."""
    server = socketio.server
    if server is None:
        return
    room = conversation_room(conversation_id)
    for sid, _eio_sid in list(server.manager.get_participants("/", user_room(user_id))):
        server.leave_room(sid, room, namespace="/")
