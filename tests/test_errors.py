"""Error pages that help, and JSON errors under /api/."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import select

from community.auth import services as accounts
from community.auth.models import User
from community.extensions import db
from tests.conftest import AuthActions
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("get", "/no-such-page", 404, "could not find that page"),
        ("get", "/auth/logout", 405, "not possible here"),
        ("post", "/auth/login", 400, "was not accepted"),
    ],
)
def test_html_error_pages_explain(client, method, path, status, words):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert words in html
    assert 'href="/"' in html  # a way back


def test_405_says_which_methods_are_allowed(client):
    response = client.get("/auth/logout")
    assert "POST" in response.headers["Allow"]
    assert "GET" not in response.headers["Allow"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/nothing", 404, "not_found"),
        ("post", "/api/v1/nothing", 404, "not_found"),
    ],
)
def test_api_errors_are_json(client, method, path, status, code):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_413_for_a_body_over_the_limit(client, app):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/auth/login", data=big, headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


@pytest.mark.backends("sqlite", "postgresql")
def test_500_page_is_friendly_and_rolls_back(app):
    address = "half.written@example.org"
    seen_after_the_handler: list[int | None] = []

    @app.get("/boom")
    def boom():
        accounts.create_account(address, "Half Written", PASSWORD, confirmed=True)  # flushed
        raise RuntimeError("kaboom")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("kaboom")

    @app.teardown_request
    def look_after_the_handler(error):
        # Runs after the 500 handler, in the same session, before Flask-SQLAlchemy ends it:
        # had the handler not rolled back, the flushed row would still be visible here.
        if request.path == "/boom":
            seen_after_the_handler.append(
                db.session.scalar(select(User.id).where(User.email == address))
            )

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "kaboom" not in html
    assert seen_after_the_handler == [None], "the 500 handler did not roll the session back"
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == address)) is None
    api = client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.get_json() == {
        "error": {"code": "internal_error", "message": api.get_json()["error"]["message"]}
    }
    # The next requests work, and the address that was never saved can be used.
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()) == (200, {"status": "ok", "database": "ok"})
    with app.app_context():
        accounts.create_account(address, "Whole", PASSWORD, confirmed=True)
        db.session.commit()
    assert AuthActions(client).login(address).status_code == 302


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
