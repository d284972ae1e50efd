"""Helpers for the chat tests against real server processes: a member's Socket.IO client over
WebSocket (`python-socketio`), logging in through the real login page, and an app in the test
process on the server's database that creates data through the real services.

Used by tests/test_chat_sockets.py (one SQLite server) and tests/test_chat_scale_out.py
(two processes on PostgreSQL and Redis).
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
import socketio
from flask import Flask

from community import create_app
from community.auth.models import User
from community.extensions import db
from config import TestingConfig
from tests.browser.live import DEMO_PASSWORD
from tests.conftest import CSRF_RE

MIA = "member@alongside.example"
PRIYA = "priya@alongside.example"
LARS = "lars@alongside.example"
SOFIA = "sofia@alongside.example"
ORGANISER = "organiser@alongside.example"
COORDINATOR = "coordinator@alongside.example"
MODERATOR = "moderator@alongside.example"


def login(base_url: str, email: str, password: str = DEMO_PASSWORD) -> requests.Session:
    """A `requests` session logged in through the real login page."""
    session = requests.Session()
    page = session.get(f"{base_url}/auth/login", timeout=10).text
    token = CSRF_RE.search(page).group(1)
    response = session.post(
        f"{base_url}/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code == 302, f"login of {email} failed: {response.status_code}"
    return session


def post_form(session: requests.Session, base_url: str, path: str, data: dict | None = None):
    """POST a form with the session's CSRF token (read from /settings, as a browser has it)."""
    token = CSRF_RE.search(session.get(f"{base_url}/settings", timeout=10).text).group(1)
    return session.post(
        f"{base_url}{path}",
        data={**(data or {}), "csrf_token": token},
        timeout=10,
        allow_redirects=False,
    )


class Chat:
    """One member's socket on one server: records what it receives and calls with acks."""

    def __init__(self, base_url: str, cookie: str, *, origin: str | None = None) -> None:
        self.base_url = base_url
        self.cookie = cookie
        self.origin = origin or base_url
        self.http = requests.Session()
        self.client = socketio.Client(reconnection=False, http_session=self.http)
        self.events: list[tuple[str, object]] = []
        self.changed = threading.Condition()
        self.client.on("*", self._record)

    def _record(self, event: str, data: object = None) -> None:
        with self.changed:
            self.events.append((event, data))
            self.changed.notify_all()

    def connect(self) -> Chat:
        """Over WebSocket (whose client sends our own Origin); a foreign `origin` is sent
        on the first polling request instead, as a browser on another site would."""
        headers = {"Cookie": f"session={self.cookie}"}
        transports = ["websocket"]
        if self.origin != self.base_url:
            headers["Origin"] = self.origin
            transports = ["polling"]
        self.client.connect(self.base_url, headers=headers, transports=transports, wait_timeout=10)
        return self

    @property
    def connected(self) -> bool:
        return self.client.connected

    def call(self, event: str, data: object, timeout: float = 15) -> dict:
        return self.client.call(event, data, timeout=timeout)

    def send(self, conversation_id: int, body: str, client_id: str | None = None, **extra):
        return self.call(
            "message:send",
            {
                "conversation_id": conversation_id,
                "body": body,
                "client_id": client_id or uuid.uuid4().hex,
                **extra,
            },
        )

    def received(self, event: str) -> list:
        with self.changed:
            return [data for name, data in self.events if name == event]

    def wait_for(
        self, event: str, match: Callable[[object], bool] = lambda _data: True, timeout=30.0
    ):
        """The first `event` whose data `match`es, waiting up to `timeout` seconds for it
        (returning as soon as it comes). The limit is for a loaded 2-core CI machine: in
        one full run a delivery through Redis to another process was not seen within 10 s
        (test_chat_scale_out's membership test; never reproduced alone or in three more
        runs of that module)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for name, data in self.events:
                    if name == event and match(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {event} matching within {timeout}s: {self.events}")
                self.changed.wait(left)

    def wait_disconnected(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.client.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.client.connected

    def sync_all(self, conversation_id: int, after_seq: int = 0) -> tuple[list[dict], int]:
        """Every change after `after_seq`, page after page as a client does; also how many
        pages it took."""
        messages: list[dict] = []
        pages = 0
        while True:
            answer = self.call("sync", {"conversation_id": conversation_id, "after_seq": after_seq})
            assert answer["ok"], answer
            assert not answer["reset"], answer
            pages += 1
            messages.extend(answer["messages"])
            if not answer["has_more"]:
                return messages, pages
            after_seq = answer["messages"][-1]["seq"]

    def close(self) -> None:
        """Disconnect: the server reads socket.io's DISCONNECT, engine.io's CLOSE and the
        WebSocket close frame, then the end of the stream.

        websocket-client's `close()` then waits up to 3 s for the server's answering close
        frame, which engine.io's read loop (its own thread, reading the same socket) has
        almost always taken already: every close cost 3 s of waiting. With `timeout=0` it
        sends ours and shuts the socket down at once; the read loop ends on that and
        `disconnect()` still joins it before returning.
        """
        if self.client.connected:
            ws = self.client.eio.ws
            if ws is not None:
                ws.close = functools.partial(ws.close, timeout=0)
            self.client.disconnect()
        self.http.close()


# Session cookies by (server, email): logging in costs a password hash, so tests reuse a
# member's login on a server until a test ends it (`People.session(..., fresh=True)`).
_COOKIES: dict[tuple[str, str], requests.cookies.RequestsCookieJar] = {}


class People:
    """Log members in on servers and open their sockets; closes everything at the end."""

    def __init__(self) -> None:
        self.sessions: list[requests.Session] = []
        self.chats: list[Chat] = []

    def session(self, base_url: str, email: str, *, fresh: bool = False) -> requests.Session:
        """A logged-in session: the member's earlier login on this server, or with `fresh`
        a login of its own that nobody else uses (for a test that ends it)."""
        key = (base_url, email)
        if fresh or key not in _COOKIES:
            session = login(base_url, email)
            if fresh:
                _COOKIES.pop(key, None)
            else:
                _COOKIES[key] = session.cookies.copy()
        else:
            session = requests.Session()
            session.cookies.update(_COOKIES[key].copy())
        self.sessions.append(session)
        return session

    @staticmethod
    def forget(email: str) -> None:
        """Drop the member's reused logins (their sessions were ended) on every server."""
        for key in [key for key in _COOKIES if key[1] == email]:
            del _COOKIES[key]

    def chat(self, base_url: str, email: str, *, session: requests.Session | None = None) -> Chat:
        session = session or self.session(base_url, email)
        chat = Chat(base_url, session.cookies.get("session"))
        self.chats.append(chat.connect())
        return chat

    def close(self) -> None:
        for chat in self.chats:
            chat.close()
        for session in self.sessions:
            session.close()


@contextmanager
def people() -> Iterator[People]:
    crowd = People()
    try:
        yield crowd
    finally:
        crowd.close()


def data_app(database_url: str, **overrides) -> Flask:
    """An app in the test process on a live server's database, to create data through the
    services (`with app.app_context(): ...; db.session.commit()`)."""
    return create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_STORAGE_URI="memory://",
        **overrides,
    )


def user(email: str) -> User:
    """The account with `email` (inside an app context)."""
    return db.session.scalar(db.select(User).where(User.email == email))
