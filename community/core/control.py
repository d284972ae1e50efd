"""Commands to the open sockets of every app process: disconnect them, move them between rooms.

Socket.IO rooms live in the memory of the process a socket is connected to: a logout handled
by process B cannot see, let alone disconnect, a socket held by process A. So a change that
must reach open sockets (logout, password change, suspension, a block, a member added to or
removed from a conversation) goes through `send`:

- with `REDIS_URL`, `send` publishes a small JSON command on the Redis channel `CHANNEL`; a
  listener thread in every app process (`ControlListener`, started by `init_app`) runs it
  on the sockets that process holds, the sender's own process included;
- without Redis (one process) `send` runs it here at once.

Commands (the room names are `user:<id>`, `session:<id>`, `conversation:<id>`):

- `disconnect {room}`: disconnect every socket in `room`;
- `join {who, room}` / `leave {who, room, event?, data?}`: every socket in the room `who`
  enters or leaves `room` (and, leaving, is sent `event`).

Callers queue `send` after their commit (`community.core.effects.on_commit`), like every
other side effect; `send` never touches the database.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from community.extensions import socketio

log = logging.getLogger(__name__)

CHANNEL = "alongside:sockets"
NAMESPACE = "/"
_RETRY_MAX_SECONDS = 30


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


def _leave(who: str, room: str, event: str | None = None, data: object = None) -> None:
    for sid in _local_sids(who):
        socketio.server.leave_room(sid, room, namespace=NAMESPACE)
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


def send(name: str, **args: object) -> None:
    """Run command `name` on every process: published on Redis when `REDIS_URL` is set, at
    once here otherwise (or when Redis cannot be reached, so this process at least acts)."""
    command = {"command": name, "args": args}
    url = current_app.config.get("REDIS_URL")
    if url:
        try:
            _publisher(url).publish(CHANNEL, json.dumps(command))
            return
        except Exception:
            log.exception("Could not publish the socket command %r; acting locally only", name)
    run(command)


_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def _publisher(url: str):
    """One Redis client per URL for publishing (it holds a connection pool)."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            _clients[url] = client
        return client


# --- listening -------------------------------------------------------------------------------


@dataclass(eq=False)
class ControlListener:
    """The thread that runs the commands published on CHANNEL in this process (one per app
    process, started by `init_app` when REDIS_URL is set). It reconnects with backoff when
    Redis goes away; `healthy` is what /healthz reports."""

    app: Flask
    url: str
    subscribed: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start(self) -> ControlListener:
        self.thread = threading.Thread(target=self._run, name="socket-commands", daemon=True)
        self.thread.start()
        return self

    @property
    def healthy(self) -> bool:
        return self.thread is not None and self.thread.is_alive() and self.subscribed.is_set()

    def _run(self) -> None:
        import redis

        delay = 0.5
        while not self.stopping.is_set():
            client = pubsub = None
            try:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=5)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                self.subscribed.set()
                delay = 0.5
                while not self.stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        self._handle(message["data"])
            except Exception:
                self.subscribed.clear()
                log.exception("The socket command listener lost Redis; retrying in %.1fs", delay)
                self.stopping.wait(delay)
                delay = min(delay * 2, _RETRY_MAX_SECONDS)
            finally:
                for thing in (pubsub, client):
                    if thing is not None:
                        with contextlib.suppress(Exception):  # closing a broken connection
                            thing.close()
        self.subscribed.clear()

    def _handle(self, data: bytes) -> None:
        try:
            command = json.loads(data)
        except ValueError:
            log.warning("Ignored a socket command that is not JSON: %r", data[:200])
            return
        try:
            with self.app.app_context():
                run(command)
        except Exception:
            log.exception("A socket command failed: %r", command)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)


def init_app(app: Flask) -> None:
    """Called by create_app: with REDIS_URL (and SOCKET_COMMAND_LISTENER on), start this
    process's listener. The thread connects to Redis itself, so nothing here waits on the
    network."""
    url = app.config.get("REDIS_URL")
    if url and app.config.get("SOCKET_COMMAND_LISTENER", True):
        app.extensions["socket_commands"] = ControlListener(app, url).start()
        server = socketio.server
        if server is not None and not server.manager_initialized:
            # Socket.IO starts its own queue listener on the first connection; start it now
            # so /healthz can vouch for it before any socket arrives.
            server.manager_initialized = True
            server.manager.initialize()


def queue_status() -> str:
    """For /healthz: whether Socket.IO's message-queue listener thread is running."""
    server = socketio.server
    thread = getattr(server.manager, "thread", None) if server is not None else None
    return "ok" if thread is not None and thread.is_alive() else "down"


def redis_answers(app: Flask) -> bool:
    """Whether Redis answers a PING within two seconds (for /healthz)."""
    try:
        return bool(_publisher(app.config["REDIS_URL"]).ping())
    except Exception:
        return False


def status(app: Flask) -> str | None:
    """For /healthz: None without Redis; "ok" while this process's listener is subscribed,
    "down" while it is not (starting, or reconnecting to Redis), "off" if not started."""
    if not app.config.get("REDIS_URL"):
        return None
    listener: ControlListener | None = app.extensions.get("socket_commands")
    if listener is None:
        return "off"
    if listener.healthy:
        return "ok"
    return "down"


def wait_until_listening(app: Flask, timeout: float = 5.0) -> bool:
    """Block until this process's listener is subscribed (the first health check, tests)."""
    listener: ControlListener | None = app.extensions.get("socket_commands")
    if listener is None:
        return False
    return listener.subscribed.wait(timeout)
