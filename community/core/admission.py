"""Admission control: how many requests one process runs at once.

A threaded server (Werkzeug's on a laptop, gunicorn's `--threads` in scale-out) starts a
thread per connection. When 200 members press "Going" at the same second, 200 threads
would each take a database connection and queue on the event's row lock, while competing
for the interpreter lock with the one thread that holds the row: the holder crawls, the
pool runs dry and the last requests fail. `Admission` lets `slots` requests run and parks
the rest on a semaphore (waiting there holds neither the interpreter lock nor a database
connection), in arrival order as far as the OS wakes them; a request that waits longer than
`wait_seconds` gets a 503 with Retry-After instead of a 500 from deep in the pool.

Socket.IO traffic is let through: a long-polling or WebSocket connection would hold a slot
for its whole life. `create_app` installs it (`MAX_CONCURRENT_REQUESTS`,
`REQUEST_QUEUE_SECONDS`) and sizes the database pool above the slots.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator

BUSY_MESSAGE = "The site is very busy right now. Please try again in a few seconds."


class Admission:
    """WSGI middleware: at most `slots` requests inside `wsgi_app` at once."""

    def __init__(
        self,
        wsgi_app,
        slots: int,
        wait_seconds: float,
        *,
        exempt_prefix: str = "/socket.io/",
        retry_after: int = 5,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.slots = slots
        self.wait_seconds = wait_seconds
        self.exempt_prefix = exempt_prefix
        self.retry_after = retry_after
        self._semaphore = threading.BoundedSemaphore(slots)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(self.exempt_prefix):
            return self.wsgi_app(environ, start_response)
        if not self._semaphore.acquire(timeout=self.wait_seconds):
            return self._busy(environ, start_response)
        try:
            body = self.wsgi_app(environ, start_response)
        except BaseException:
            self._semaphore.release()
            raise
        return _ReleasingBody(body, self._semaphore.release)

    def _busy(self, environ, start_response) -> list[bytes]:
        """The 503: JSON in the house error format for the API, a short page otherwise."""
        if environ.get("PATH_INFO", "").startswith("/api/"):
            payload = {"error": {"code": "busy", "message": BUSY_MESSAGE}}
            body = json.dumps(payload).encode()
            content_type = "application/json"
        else:
            body = (
                "<!doctype html><html lang=en><meta charset=utf-8>"
                "<title>Busy: Alongside</title>"
                f"<h1>One moment, please</h1><p>{BUSY_MESSAGE}</p></html>"
            ).encode()
            content_type = "text/html; charset=utf-8"
        start_response(
            "503 Service Unavailable",
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
                ("Retry-After", str(self.retry_after)),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [body]


class _ReleasingBody:
    """The response body, giving the slot back once the last byte is out or the server
    closes it (which it does also when the client went away)."""

    def __init__(self, body: Iterable[bytes], release) -> None:
        self._body = body
        self._release = release
        self._released = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self._body
        self._give_back()  # the whole body is out; `close` follows

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        if not self._released:
            self._released = True
            self._release()
