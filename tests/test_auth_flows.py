"""Registration, confirmation, login, logout, reset and password change, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.auth.models import User, UserSession
from tests.conftest import post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")


def register(client, email="new@example.org", name="New Person", password=PASSWORD):
    return post_form(
        client,
        "/auth/register",
        {"email": email, "display_name": name, "password": password},
    )


def test_register_confirm_and_log_in(client, mailbox, app):
    response = register(client, email="  New@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/check-email?kind=confirm")

    # Not confirmed yet: login is refused and a fresh link is sent.
    response = post_form(client, "/auth/login", {"email": "new@example.org", "password": PASSWORD})
    assert "confirm your email address first" in response.get_data(as_text=True)

    link = mailbox.link("new@example.org", "/auth/confirm/")
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my email address" in page.get_data(as_text=True)
    with app.app_context():  # a GET changed nothing
        user = User.query.filter_by(email="new@example.org").one()
        assert user.email_confirmed_at is None

    response = post_form(client, link, {})
    assert response.status_code == 302
    with app.app_context():
        assert User.query.filter_by(email="new@example.org").one().is_confirmed

    response = post_form(client, "/auth/login", {"email": "NEW@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "Hello, New Person" in client.get("/").get_data(as_text=True)


def test_register_never_reveals_an_existing_account(client, mailbox, make_user, app):
    existing = make_user(email="taken@example.org")
    new = register(client, email="fresh@example.org")
    again = register(client, email="taken@example.org", name="Impostor")
    assert (new.status_code, new.headers["Location"]) == (
        again.status_code,
        again.headers["Location"],
    )
    body = mailbox.body(mailbox.last(existing.email))
    assert "tried to create a new Alongside account" in body
    with app.app_context():
        count = User.query.filter_by(email="taken@example.org").count()
        assert count == 1
        assert User.query.filter_by(email="taken@example.org").one().display_name != "Impostor"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10 characters"),
        ("1234567890", "most common"),
        ("qwertyuiop", "most common"),
        ("x" * 257, "at most 256 characters"),
    ],
)
def test_register_refuses_weak_passwords_and_keeps_the_other_fields(client, password, message):
    response = register(client, email="keep@example.org", name="Keep Me", password=password)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'value="keep@example.org"' in html
    assert 'value="Keep Me"' in html
    assert 'href="#password"' in html  # the error summary links to the field


def test_long_passphrases_are_accepted(client, mailbox):
    response = register(client, email="long@example.org", password="correct horse " * 9)
    assert response.status_code == 302
    assert mailbox.messages("long@example.org")


@pytest.mark.parametrize("environment", ["development", "production"])
def test_password_hash_is_argon2id_at_owasp_minimums(make_user, app, environment):
    """Hashes made with the real settings (tests use cheap ones for speed) meet ASVS 5 C."""
    from community.auth.passwords import hash_password, verify_password
    from config import CONFIGS

    real = CONFIGS[environment]
    app.config.update(
        ARGON2_TIME_COST=real.ARGON2_TIME_COST,
        ARGON2_MEMORY_COST_KIB=real.ARGON2_MEMORY_COST_KIB,
        ARGON2_PARALLELISM=real.ARGON2_PARALLELISM,
    )
    with app.app_context():
        stored = hash_password("a perfectly fine passphrase")
        assert verify_password(stored, "a perfectly fine passphrase")
    assert stored.startswith("$argon2id$")
    settings = dict(part.split("=") for part in stored.split("$")[3].split(","))
    assert int(settings["m"]) >= 19456
    assert int(settings["t"]) >= 2
    assert int(settings["p"]) >= 1


def _hash_of(user_id: int) -> str:
    from community.extensions import db

    return db.session.get(User, user_id).password_hash


def test_stored_hashes_use_the_configured_argon2id(make_user, app):
    user = make_user()
    with app.app_context():
        stored = _hash_of(user.id)
    assert stored.startswith("$argon2id$")
    assert f"m={app.config['ARGON2_MEMORY_COST_KIB']}" in stored


def test_wrong_password_and_unknown_email_look_the_same(client, make_user):
    user = make_user()
    wrong = post_form(client, "/auth/login", {"email": user.email, "password": "not the password"})
    unknown = post_form(
        client, "/auth/login", {"email": "nobody@example.org", "password": "x" * 12}
    )
    assert wrong.status_code == unknown.status_code == 200
    message = "The email address or password is not right."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_logout_ends_the_session_for_a_copied_cookie(app, make_user, auth):
    user = make_user()
    assert auth.login(user.email).status_code == 302
    stolen = auth.client.get_cookie("session").value
    assert auth.client.get("/settings").status_code == 200

    assert auth.logout().status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/settings")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_logout_ends_every_device(member, login):
    phone, laptop = login(member), login(member)
    for device in (phone, laptop):
        assert device.get("/settings").status_code == 200
    post_form(phone, "/auth/logout", {}, form_page="/settings")
    assert laptop.get("/settings").status_code == 302


def test_logout_is_post_only(client, make_user, auth):
    user = make_user()
    auth.login(user.email)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/settings").status_code == 200


def test_change_password_logs_out_other_devices_but_not_this_one(app, member, login, mailbox):
    this, other = login(member), login(member)
    response = post_form(
        this,
        "/settings/password",
        {"current_password": PASSWORD, "password": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert this.get("/settings").status_code == 200
    assert other.get("/settings").status_code == 302
    assert "password of your Alongside account was just changed" in mailbox.body(
        mailbox.last(member.email)
    )
    fresh = app.test_client()
    ok = post_form(
        fresh, "/auth/login", {"email": member.email, "password": "a brand new passphrase"}
    )
    assert ok.status_code == 302


def test_change_password_needs_the_current_one(client, make_user, auth):
    user = make_user()
    auth.login(user.email)
    response = post_form(
        client, "/settings/password", {"current_password": "wrong one!!", "password": "x y z w v u"}
    )
    assert "current password is not right" in response.get_data(as_text=True)


def test_reset_link_works_once(client, app, member, login, mailbox):
    other_device = login(member)

    response = post_form(client, "/auth/reset", {"email": member.email})
    assert response.headers["Location"].endswith("/auth/check-email?kind=reset")
    link = mailbox.link(member.email, "/auth/reset/")
    assert client.get(link).status_code == 200
    response = post_form(client, link, {"password": "my new long passphrase"})
    assert response.status_code == 302
    assert client.get("/settings").status_code == 200  # logged in with the new password
    assert other_device.get("/settings").status_code == 302  # everyone else is out

    used = app.test_client().get(link)
    assert used.status_code == 400
    assert "does not work" in used.get_data(as_text=True)


def test_reset_never_reveals_whether_an_account_exists(client, make_user, mailbox):
    user = make_user()
    known = post_form(client, "/auth/reset", {"email": user.email})
    unknown = post_form(client, "/auth/reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert mailbox.messages(user.email)
    assert not mailbox.messages("nobody@example.org")


@pytest.mark.parametrize("app_overrides", [{"RESET_LINK_MAX_AGE": -1}])
def test_expired_reset_link_is_refused(client, make_user, mailbox):
    user = make_user()
    post_form(client, "/auth/reset", {"email": user.email})
    response = client.get(mailbox.link(user.email, "/auth/reset/"))
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_tampered_links_are_refused(client):
    assert client.get("/auth/reset/not-a-token").status_code == 400
    assert client.get("/auth/confirm/not-a-token").status_code == 400


def test_login_creates_one_server_side_session(app, make_user, auth):
    user = make_user()
    auth.login(user.email)
    with app.app_context():
        from community.extensions import db

        rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
        assert len(rows) == 1
        assert rows[0].revoked_at is None
        assert len(rows[0].token_hash) == 64
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_account_page_counts_the_devices_logged_in(member, login):
    first = login(member)
    login(member)  # and a second device
    assert "2 devices" in first.get("/settings").get_data(as_text=True)
