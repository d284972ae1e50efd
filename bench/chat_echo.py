"""The baseline of `bench/chat.py`: a bare python-socketio server that acks `message:send`
with a made-up message and emits it to the sender's own room, persisting nothing, in the
async mode named by SOCKETIO_ASYNC_MODE. Served the same way as the app
(`gunicorn ... bench.chat_echo:app`), so the difference is what Alongside does per message.
"""

from __future__ import annotations

import itertools
import os
import threading

import socketio

server = socketio.Server(
    async_mode=os.environ.get("SOCKETIO_ASYNC_MODE", "threading"),
    # Several processes: the same Redis queue as the app's, so fan-out crosses processes.
    client_manager=socketio.RedisManager(os.environ["REDIS_URL"])
    if os.environ.get("REDIS_URL")
    else None,
)
app = socketio.WSGIApp(server)
_numbers = itertools.count(1)
_lock = threading.Lock()


@server.on("connect")
def connect(sid, environ, auth=None):
    server.enter_room(sid, f"user:{sid}")


@server.on("join")
def join(sid, data):
    server.enter_room(sid, f"conversation:{data['conversation_id']}")
    return {"ok": True, "last_seq": 0}


@server.on("message:send")
def send(sid, data):
    with _lock:
        seq = next(_numbers)
    message = {
        "id": seq,
        "conversation_id": data["conversation_id"],
        "seq": seq,
        "position": seq,
        "sender_id": 0,
        "body": data["body"],
        "client_id": data["client_id"],
        "reply_to_id": None,
        "reactions": {},
        "created_at": None,
        "edited_at": None,
        "deleted": False,
    }
    server.emit("message:new", message, to=f"conversation:{data['conversation_id']}")
    return {"ok": True, "created": True, "message": message}
