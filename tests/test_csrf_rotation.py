"""The CSRF token changes whenever the session changes hands: at login (also after a reset
or a password change) and at logout. On both databases."""

from __future__ import annotations

from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")
NEW_PASSWORD = "another perfectly fine passphrase"


def is_logged_in(client) -> bool:
    return client.get("/settings").status_code == 200


def test_a_token_from_before_login_is_refused_after_it(client, make_user):
    user = make_user()
    before = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
    assert is_logged_in(client)
    assert post_form(client, "/auth/logout", {}, form_page="/settings").status_code == 302


def test_a_token_from_before_logout_is_refused_after_it(client, auth, make_user):
    user = make_user()
    auth.login(user.email)
    before = csrf_token(client, "/settings")
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 302
    assert not is_logged_in(client)
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 400
    assert not is_logged_in(client)


def test_a_password_change_rotates_the_token(client, auth, make_user):
    user = make_user()
    auth.login(user.email)
    before = csrf_token(client, "/settings/password")
    response = client.post(
        "/settings/password",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": before,
        },
    )
    assert response.status_code == 302
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
    assert is_logged_in(client)


def test_a_password_reset_rotates_the_token(client, mailbox, make_user):
    user = make_user()
    post_form(client, "/auth/reset", {"email": user.email})
    link = mailbox.link(user.email, "/auth/reset/")
    before = csrf_token(client, link)
    response = client.post(
        link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    assert is_logged_in(client)
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
