"""The security baseline: headers, CSRF, safe redirects, production settings."""

from __future__ import annotations

import re

import pytest

from community import create_app
from community.core.urls import safe_next_url
from config import ProductionConfig
from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD


def test_every_page_sends_a_nonce_csp_and_the_other_headers(client):
    first = client.get("/")
    second = client.get("/auth/login")
    for response in (first, second):
        csp = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp
        assert "base-uri 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert re.search(r"script-src 'self' 'nonce-[\w-]{20,}'", csp)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in response.headers  # only in production
    nonce = re.compile(r"'nonce-([^']+)'")
    assert nonce.search(first.headers["Content-Security-Policy"]).group(1) != nonce.search(
        second.headers["Content-Security-Policy"]
    ).group(1)


def test_errors_and_json_errors_carry_the_headers_too(client):
    for path in ("/missing", "/api/v1/missing"):
        response = client.get(path)
        assert response.status_code == 404
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_templates_have_no_inline_scripts_or_styles(client):
    html = client.get("/").get_data(as_text=True) + client.get("/auth/register").get_data(
        as_text=True
    )
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)", html)
    assert " style=" not in html


def test_session_cookie_is_httponly_and_lax(client, make_user):
    user = make_user()
    response = post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "path", ["/auth/login", "/auth/register", "/auth/reset", "/auth/logout", "/auth/confirm"]
)
def test_posts_without_csrf_token_are_refused(client, path):
    response = client.post(path, data={"email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 400
    assert "was not accepted" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/settings", "/settings"),
        ("/settings?tab=1", "/settings?tab=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_next_only_redirects_within_the_site(target, expected):
    assert safe_next_url(target, "/") == expected


def test_login_follows_a_local_next_and_ignores_a_foreign_one(app, make_user):
    user = make_user()
    for target, expected in (("/settings", "/settings"), ("https://evil.example/x", "/")):
        client = app.test_client()
        token = csrf_token(client, f"/auth/login?next={target}")
        response = client.post(
            "/auth/login",
            data={"email": user.email, "password": PASSWORD, "next": target, "csrf_token": token},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == expected


def test_production_refuses_to_start_without_a_real_secret_key():
    for secret in (None, "", "short", "dev-only-secret-key-change-me"):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(ProductionConfig, SECRET_KEY=secret, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_sets_hsts_and_host_prefixed_secure_cookies(tmp_path, sqlite_template):
    import shutil

    db_path = tmp_path / "prod.db"
    shutil.copyfile(sqlite_template, db_path)
    app = create_app(
        ProductionConfig,
        SECRET_KEY="x" * 48,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}",
        RATELIMIT_STORAGE_URI="memory://",
        BASE_URL="https://alongside.example",
    )
    client = app.test_client()
    response = client.get("/auth/login", base_url="https://alongside.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]  # the CSRF token lives in the session
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie
