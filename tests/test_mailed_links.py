"""Mailed links come from BASE_URL, never from the Host or X-Forwarded-Host a client sends;
a foreign Host is refused outright (TRUSTED_HOSTS). On both databases.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import DevelopmentConfig
from tests.conftest import CSRF_RE, Mailbox, csrf_token, post_form

BACKENDS = ("sqlite", "postgresql")
PUBLIC = "https://alongside.example"
LINK_RE = re.compile(r"https?://\S+")


def links(mailbox: Mailbox, to: str) -> list[str]:
    return LINK_RE.findall(mailbox.body(mailbox.last(to)))


def post_behind_proxy(client, path: str, data: dict, *, host: str, forwarded_host: str):
    """A form POST as nginx passes it on: its own Host, the client's address, scheme and
    host (the browser's Referer is checked by the CSRF protection on https)."""
    headers = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": forwarded_host,
        "Referer": f"{PUBLIC}{path}",
    }
    page = client.get(path, base_url=f"http://{host}", headers=headers)
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    return client.post(
        path, data={**data, "csrf_token": token}, base_url=f"http://{host}", headers=headers
    )


def test_a_foreign_host_header_gets_a_400_and_no_mail(client, mailbox, make_user):
    user = make_user()
    token = csrf_token(client, "/auth/reset")
    # curl sends the cookie whatever Host it claims; the test client needs telling.
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    response = client.post(
        "/auth/reset",
        data={"email": user.email, "csrf_token": token},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 400
    assert mailbox.messages(user.email) == []


def test_links_are_built_outside_a_request_too(app):
    from community.core.urls import external_url

    with app.app_context():
        assert external_url("auth.reset_password", token="t") == "http://localhost/auth/reset/t"


def test_production_mails_base_url_links_whatever_x_forwarded_host_says(other_app, make_user):
    """The default proxy setting ignores X-Forwarded-Host: reset and "already registered"
    mails carry BASE_URL's links, never the attacker's host."""
    app = other_app()
    mailbox = Mailbox(Path(app.config["MAIL_DIR"]), app=app)
    user = make_user()
    client = app.test_client()
    reset = post_behind_proxy(
        client,
        "/auth/reset",
        {"email": user.email},
        host="alongside.example",
        forwarded_host="evil.example",
    )
    assert reset.status_code == 302
    [reset_link] = links(mailbox, user.email)
    assert reset_link.startswith(f"{PUBLIC}/auth/reset/")
    again = post_behind_proxy(
        client,
        "/auth/register",
        {"email": user.email, "display_name": "Impostor", "password": "x" * 20},
        host="alongside.example",
        forwarded_host="evil.example",
    )
    assert again.status_code == 302
    found = links(mailbox, user.email)
    assert found == [f"{PUBLIC}/auth/login", f"{PUBLIC}/auth/reset"]


def test_a_trusted_proxy_host_must_still_be_the_public_host(other_app, make_user):
    """TRUSTED_PROXY_HOST=1 (a proxy that sets X-Forwarded-Host): the forwarded host
    replaces the internal one, and only BASE_URL's host is accepted."""
    app = other_app(TRUSTED_PROXY_HOST=True)
    user = make_user()
    client = app.test_client()
    ok = post_behind_proxy(
        client,
        "/auth/reset",
        {"email": user.email},
        host="127.0.0.1:8001",
        forwarded_host="alongside.example",
    )
    assert ok.status_code == 302
    assert ok.headers["Location"] == "/auth/check-email?kind=reset"
    bad = client.get(
        "/auth/reset",
        base_url="http://127.0.0.1:8001",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "evil.example"},
    )
    assert bad.status_code == 400
    # Without the setting the internal Host is what the app sees, and it is not BASE_URL's.
    plain = other_app()
    assert (
        plain.test_client()
        .get(
            "/auth/reset",
            base_url="http://127.0.0.1:8001",
            headers={"X-Forwarded-Host": "alongside.example"},
        )
        .status_code
        == 400
    )


@pytest.mark.parametrize(
    "base_url",
    [None, "", "http://alongside.example", "alongside.example", f"{PUBLIC}/app", f"{PUBLIC}?x"],
)
def test_production_refuses_to_start_without_an_https_base_url(other_app, base_url):
    with pytest.raises(RuntimeError, match="BASE_URL"):
        other_app(BASE_URL=base_url)


def test_development_links_use_the_configured_host_and_port(other_app, make_user):
    """No BASE_URL on a laptop: links point at HOST:PORT, and other hosts are refused."""
    app = other_app(DevelopmentConfig)
    mailbox = Mailbox(Path(app.config["MAIL_DIR"]), app=app)
    user = make_user()
    client = app.test_client()
    assert client.get("/auth/reset", headers={"Host": "evil.example:5000"}).status_code == 400
    response = post_form(
        client, "/auth/reset", {"email": user.email}, headers={"Host": "localhost:5000"}
    )
    assert response.status_code == 302
    [link] = links(mailbox, user.email)
    assert link.startswith(DevelopmentConfig.BASE_URL + "/auth/reset/")


def test_the_development_base_url_follows_host_and_port(monkeypatch):
    from config import development_base_url

    monkeypatch.setenv("PORT", "8000")
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104 (a wildcard, mapped to loopback)
    assert development_base_url() == "http://127.0.0.1:8000"
    monkeypatch.setenv("HOST", "alongside.test")
    assert development_base_url() == "http://alongside.test:8000"
