"""Commands to the open sockets of every app process: disconnect them, move them between rooms.

Socket.IO rooms live in the memory of the process a socket is connected to: a logout handled
by process B cannot see, let alone disconnect, a socket held by process A. So a change that
must reach open sockets (logout, password change, suspension, a block, a member added to or
removed from a conversation) goes through `send`:

- with `REDIS_URL`, `send` runs the command here and publishes it on Socket.IO's own Redis
  pub/sub channel (`QueueManager` is the app's Socket.IO client manager); the queue's
  listener thread in every other app process runs it on the sockets that process holds.
  Commands and events travel on one channel and are handled by one thread per process, in
  the order they were published: a member removed from a room has left it everywhere before
  a message published after the removal arrives, and a member added is in the room before a
  message published after the addition;
- without Redis (one process) `send` runs it here at once.

Commands (the room names are `user:<id>`, `session:<id>`, `conversation:<id>`):

- `disconnect {room}`: disconnect every socket in `room`;
- `join {who, room}` / `leave {who, room, event?, data?}`: every socket in the room `who`
  enters or leaves `room` (and, leaving, is sent `event`).

Callers queue `send` after their commit (`community.core.effects.on_commit`), like every
other side effect; `send` never touches the database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import socketio as python_socketio
from flask import Flask, current_app

from community.extensions import socketio

log = logging.getLogger(__name__)

NAMESPACE = "/"
COMMAND_EVENT = "alongside:socket-command"  # never sent to a client: QueueManager runs it
COMMAND_ROOM = "alongside:commands"  # a room no socket is in


class QueueManager(python_socketio.RedisManager):
    """Socket.IO's Redis client manager that also carries our socket commands: an "emit"
    of COMMAND_EVENT is run as a command instead of being sent to sockets (here when it is
    sent, and by the queue listener of every other process when it arrives)."""

    def _handle_emit(self, message: dict) -> None:
        if message.get("event") != COMMAND_EVENT:
            super()._handle_emit(message)
            return
        data = message.get("data")
        run(data[0] if isinstance(data, list) and len(data) == 1 else data)


def attach_client_manager(app: Flask) -> QueueManager | None:
    """`client_manager(app)`, also kept on the app (`app.extensions["socket_queue"]`):
    Flask-SocketIO keeps one server per extension object, the last app built in a process
    replaces it, and a command must go out on the queue of the app whose context sends it
    (a CLI command, or a test's data app beside other apps)."""
    manager = client_manager(app)
    app.extensions["socket_queue"] = manager
    return manager


def client_manager(app: Flask) -> QueueManager | None:
    """The Socket.IO client manager for `app` (create_app passes it to `socketio.init_app`):
    with REDIS_URL a QueueManager, listening unless SOCKET_COMMAND_LISTENER is off; without,
    None (Socket.IO's in-process manager)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    listen = app.config.get("SOCKET_COMMAND_LISTENER", True)
    return QueueManager(url, channel="flask-socketio", write_only=not listen)


# --- what a command does, on the sockets of this process ------------------------------------


def _local_sids(room: str) -> list[str]:
    server = socketio.server
    if server is None:
        return []
    return [sid for sid, _eio_sid in list(server.manager.get_participants(NAMESPACE, room))]


def _disconnect(room: str) -> None:
    for sid in _local_sids(room):
        # ignore_queue: the socket is ours; other processes run the same command themselves.
        socketio.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)


def _join(who: str, room: str) -> None:
    for sid in _local_sids(who):
        socketio.server.enter_room(sid, room, namespace=NAMESPACE)


def _leave(
    who: str,
    room: str | None = None,
    event: str | None = None,
    data: object = None,
    prefix: str | None = None,
) -> None:
    """The sockets in `who` leave `room`, or every room whose name starts with `prefix`."""
    for sid in _local_sids(who):
        rooms = [room] if prefix is None else socketio.server.rooms(sid, namespace=NAMESPACE)
        for name in list(rooms):
            if prefix is None or (isinstance(name, str) and name.startswith(prefix)):
                socketio.server.leave_room(sid, name, namespace=NAMESPACE)
        if event:  # told only once out of the room, so nothing of it follows the notice
            socketio.server.emit(event, data, to=sid, namespace=NAMESPACE, ignore_queue=True)


COMMANDS: dict[str, Callable[..., None]] = {
    "disconnect": _disconnect,
    "join": _join,
    "leave": _leave,
}


def run(command: dict) -> bool:
    """Run one decoded command on this process's sockets; False (logged) when it is not
    one of COMMANDS or its arguments are wrong."""
    name = command.get("command") if isinstance(command, dict) else None
    args = command.get("args") if isinstance(command, dict) else None
    action = COMMANDS.get(name) if isinstance(name, str) else None
    if action is None or not isinstance(args, dict):
        log.warning("Ignored an unknown socket command: %r", command)
        return False
    try:
        action(**args)
    except TypeError:
        log.warning("Ignored a socket command with wrong arguments: %r", command)
        return False
    return True


# --- sending ---------------------------------------------------------------------------------


def disconnect(room: str) -> None:
    """Disconnect the sockets in `room` on every process."""
    send("disconnect", room=room)


def join(who: str, room: str) -> None:
    """The sockets in room `who` (e.g. `user:7`) enter `room`, on every process."""
    send("join", who=who, room=room)


def leave(who: str, room: str, event: str | None = None, data: object = None) -> None:
    """The sockets in room `who` leave `room`, on every process; with `event`, each is then
    sent `event` with `data` (after leaving, so nothing of the room follows the notice)."""
    send("leave", who=who, room=room, event=event, data=data)


def leave_prefixed(who: str, prefix: str, event: str | None = None, data: object = None) -> None:
    """The sockets in room `who` leave every room whose name starts with `prefix`, on every
    process; with `event`, each is then sent `event` with `data` (as `leave`)."""
    send("leave", who=who, prefix=prefix, event=event, data=data)


def send(name: str, **args: object) -> None:
    """Run command `name` on every process: here at once and, with REDIS_URL, published on
    Socket.IO's queue for the others."""
    command = {"command": name, "args": args}
    manager = current_app.extensions.get("socket_queue")
    if current_app.config.get("REDIS_URL") and isinstance(manager, QueueManager):
        manager.emit(COMMAND_EVENT, command, namespace=NAMESPACE, room=COMMAND_ROOM)
    else:
        run(command)


# --- start-up and health ---------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Called by create_app after `socketio.init_app`: with REDIS_URL, start this process's
    queue listener now rather than at the first connection, so commands from other
    processes and /healthz work from the start. The thread connects to Redis itself."""
    server = socketio.server
    manager = server.manager if server is not None else None
    if (
        isinstance(manager, QueueManager)
        and not manager.write_only
        and not server.manager_initialized
    ):
        server.manager_initialized = True
        try:
            manager.initialize()
        except RuntimeError:  # gevent not patched yet (a CLI command): the first socket will
            server.manager_initialized = False
            log.info("The Socket.IO queue listener starts with the first connection.")


def queue_status() -> str:
    """For /healthz: whether this process's Socket.IO queue listener (events and socket
    commands from the other processes) is running."""
    server = socketio.server
    task = getattr(server.manager, "thread", None) if server is not None else None
    if task is None:
        return "down"
    # A thread (threading mode) or a greenlet (gevent mode).
    alive = task.is_alive() if hasattr(task, "is_alive") else not getattr(task, "dead", True)
    return "ok" if alive else "down"


_pingers: dict[str, object] = {}
_pingers_lock = threading.Lock()


def redis_answers(app: Flask) -> bool:
    """Whether Redis answers a PING within two seconds (for /healthz)."""
    url = app.config["REDIS_URL"]
    try:
        with _pingers_lock:
            client = _pingers.get(url)
            if client is None:
                import redis

                client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
                _pingers[url] = client
        return bool(client.ping())
    except Exception:
        return False
