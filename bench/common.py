"""What the page benchmarks share: an app on a SQLite file, a logged-in test client, and the
median time and SQL statement count of a GET."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import event as sa_event

from community import create_app
from community.demo import DEMO_PASSWORD
from config import TestingConfig


def bench_app(database: Path, mail_dir: Path) -> Flask:
    """The app on the SQLite file `database`, with rate limits off."""
    return create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
        RATELIMIT_ENABLED=False,
        MAIL_DIR=str(mail_dir),
    )


def log_in(app: Flask, email: str):
    """A test client logged in as the demo account `email` through the login form."""
    client = app.test_client()
    html = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/auth/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    return client


def timed(engine, client, path: str, repeat: int, headers=None) -> tuple[float, int]:
    """Median milliseconds and SQL statements for GET `path` over `repeat` requests, after
    one to warm templates and caches. Called outside an app context: requests made inside
    one share its `g`, and with it the logged-in user."""
    statements: list[str] = []

    def record(*args):
        statements.append(args[2])

    samples = []
    assert client.get(path, headers=headers).status_code == 200, path
    for _ in range(repeat):
        statements.clear()
        sa_event.listen(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        sa_event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples), len(statements)
