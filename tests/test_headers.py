"""Security headers where Flask's after_request hook does not reach: error pages,
Socket.IO's own answers, and the development server's Server header."""

from __future__ import annotations

import urllib.request

import pytest

from tests.browser.live import seeded_live_server
from tests.conftest import post_form
from tests.factories import PASSWORD

SOCKET_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def test_error_pages_are_never_stored(app, make_user):
    client = app.test_client()
    user = make_user()
    post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})
    for path in ("/missing", "/members/999999", "/api/v1/missing"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers.get("Cache-Control") == "no-store", path


def test_static_files_may_still_be_cached(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_socketio_answers_carry_the_security_headers(client):
    response = client.get("/socket.io/?EIO=4&transport=polling")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("0{")  # Engine.IO's open packet
    for name, value in SOCKET_HEADERS.items():
        assert response.headers.get(name) == value, name


@pytest.fixture(scope="module")
def dev_server(request, tmp_path_factory):
    with seeded_live_server(request, tmp_path_factory.mktemp("dev-server")) as server:
        yield server


def test_the_development_server_does_not_advertise_its_software(dev_server):
    for path in ("/healthz", "/socket.io/?EIO=4&transport=polling"):
        with urllib.request.urlopen(dev_server.url + path, timeout=10) as response:  # noqa: S310
            server = response.headers.get("Server", "")
            assert "Werkzeug" not in server
            assert "Python" not in server
            if path.startswith("/socket.io/"):
                assert response.headers["X-Content-Type-Options"] == "nosniff"
