"""#13.1: API tokens end with every credential event, expire when idle and with age, record
their use sparingly, and the member sees and ends any session or token on /settings/security.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from community.auth.models import ApiToken, UserSession
from community.auth.roles import Role
from community.core.database import utcnow
from community.extensions import db, socketio
from tests import factories
from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")
NEW_PASSWORD = "another perfectly fine passphrase"


def issue(client, email: str, name: str = "My phone") -> dict[str, str]:
    response = client.post(
        "/api/v1/tokens", json={"email": email, "password": PASSWORD, "name": name}
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def works(client, headers) -> bool:
    status = client.get("/api/v1/me", headers=headers).status_code
    assert status in (200, 401)
    return status == 200


def logged_in(app, user):
    client = app.test_client()
    post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})
    return client


def change_password(app, user, mailbox):
    post_form(
        logged_in(app, user),
        "/settings/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD},
    )


def reset_password(app, user, mailbox):
    client = app.test_client()
    post_form(client, "/auth/reset", {"email": user.email})
    link = mailbox.link(user.email, "/auth/reset/")
    post_form(client, link, {"password": NEW_PASSWORD})


def log_out_everywhere(app, user, mailbox):
    post_form(logged_in(app, user), "/auth/logout", {}, form_page="/settings")


def suspend_and_reactivate(app, user, mailbox):
    with app.app_context():
        admin = factories.make_user(roles=(Role.ADMIN,))
    client = logged_in(app, admin)
    for status in ("suspended", "active"):
        post_form(client, f"/admin/users/{user.id}/status", {"status": status}, form_page="/admin")


@pytest.mark.parametrize(
    "event", [change_password, reset_password, log_out_everywhere, suspend_and_reactivate]
)
def test_every_credential_event_revokes_every_api_token(app, make_user, mailbox, event):
    user, bystander = make_user(), make_user()
    client = app.test_client()
    phone, laptop = issue(client, user.email), issue(client, user.email)
    theirs = issue(client, bystander.email)
    assert works(client, phone) and works(client, laptop)
    event(app, user, mailbox)
    assert not works(client, phone)
    assert not works(client, laptop)
    assert works(client, theirs)


def age(app, *, created_days: float = 0, used_days: float | None = None) -> None:
    """Move every token's creation and last use into the past."""
    now = utcnow()
    with app.app_context():
        db.session.execute(
            update(ApiToken).values(
                created_at=now - timedelta(days=created_days),
                last_used_at=None if used_days is None else now - timedelta(days=used_days),
            )
        )
        db.session.commit()


@pytest.mark.parametrize(
    ("created_days", "used_days", "alive"),
    [
        (30, 89, True),
        (100, None, False),  # issued 100 days ago and never used: idle
        (200, 91, False),  # idle for 91 days
        (364, 1, True),
        (366, 1, False),  # used yesterday, but older than a year
    ],
    ids=["used-89-days-ago", "never-used-100-days", "idle-91-days", "364-days-old", "366-days-old"],
)
def test_tokens_expire_when_idle_and_with_age(app, make_user, created_days, used_days, alive):
    user = make_user()
    client = app.test_client()
    headers = issue(client, user.email)
    age(app, created_days=created_days, used_days=used_days)
    assert works(client, headers) is alive


def test_token_lifetimes_are_configurable(app, make_user):
    app.config["API_TOKEN_IDLE_DAYS"] = 7
    user = make_user()
    client = app.test_client()
    headers = issue(client, user.email)
    age(app, created_days=8, used_days=8)
    assert not works(client, headers)


def last_used(app):
    with app.app_context():
        return db.session.query(ApiToken.last_used_at).scalar()


def test_last_use_is_written_at_most_every_five_minutes(app, make_user, count_queries):
    user = make_user()
    client = app.test_client()
    headers = issue(client, user.email)
    assert last_used(app) is None
    works(client, headers)
    first = last_used(app)
    assert first is not None
    with count_queries() as counter:
        works(client, headers)
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in counter.statements)
    assert last_used(app) == first
    age(app, created_days=1, used_days=6 / (24 * 60))  # used six minutes ago
    works(client, headers)
    assert last_used(app) > first


# --- the security page ---------------------------------------------------------------------


def test_security_page_lists_devices_and_apps(app, make_user):
    user = make_user()
    phone = logged_in(app, user)
    phone_ua = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36"}
    other = app.test_client()
    other.get("/auth/login", headers=phone_ua)
    post_form(other, "/auth/login", {"email": user.email, "password": PASSWORD}, headers=phone_ua)
    issue(app.test_client(), user.email, name="Alongside for iOS")
    html = phone.get("/settings/security").get_data(as_text=True)
    assert "Chrome on Android" in html
    assert "This device" in html
    assert "Alongside for iOS" in html
    assert "never used" in html


def session_ids(app, user_id):
    with app.app_context():
        return [
            row.id
            for row in db.session.query(UserSession).filter_by(user_id=user_id, revoked_at=None)
        ]


def test_ending_another_device_logs_it_out_and_closes_its_sockets(app, make_user):
    user = make_user()
    laptop = logged_in(app, user)
    phone = logged_in(app, user)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    laptop_socket = socketio.test_client(app, flask_test_client=laptop)
    assert phone_socket.is_connected() and laptop_socket.is_connected()
    laptop_session, phone_session = session_ids(app, user.id)
    token = csrf_token(laptop, "/settings/security")
    response = laptop.post(
        f"/settings/security/sessions/{phone_session}/end", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert not phone_socket.is_connected()
    assert laptop_socket.is_connected()
    assert phone.get("/settings").status_code == 302  # sent to the login page
    assert laptop.get("/settings").status_code == 200
    assert session_ids(app, user.id) == [laptop_session]
    laptop_socket.disconnect()


def test_ending_this_device_logs_me_out(app, make_user):
    user = make_user()
    client = logged_in(app, user)
    (only,) = session_ids(app, user.id)
    token = csrf_token(client, "/settings/security")
    client.post(f"/settings/security/sessions/{only}/end", data={"csrf_token": token})
    assert client.get("/settings").status_code == 302


def test_revoking_an_app_stops_its_token_only(app, make_user):
    user = make_user()
    client = logged_in(app, user)
    api = app.test_client()
    first, second = issue(api, user.email, "first"), issue(api, user.email, "second")
    with app.app_context():
        first_id = db.session.query(ApiToken.id).filter_by(name="first").scalar()
    token = csrf_token(client, "/settings/security")
    response = client.post(
        f"/settings/security/tokens/{first_id}/revoke", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert not works(api, first)
    assert works(api, second)


@pytest.mark.parametrize("kind", ["sessions", "tokens"])
def test_nobody_ends_someone_elses_session_or_token(app, make_user, kind):
    owner, intruder = make_user(), make_user()
    logged_in(app, owner)
    issue(app.test_client(), owner.email)
    with app.app_context():
        model = UserSession if kind == "sessions" else ApiToken
        target = db.session.query(model.id).filter_by(user_id=owner.id).scalar()
    client = logged_in(app, intruder)
    token = csrf_token(client, "/settings/security")
    action = "end" if kind == "sessions" else "revoke"
    response = client.post(
        f"/settings/security/{kind}/{target}/{action}", data={"csrf_token": token}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(model, target).revoked_at is None


@pytest.mark.parametrize("kind", ["sessions", "tokens"])
def test_ending_needs_the_csrf_token(app, make_user, kind):
    user = make_user()
    client = logged_in(app, user)
    issue(app.test_client(), user.email)
    with app.app_context():
        model = UserSession if kind == "sessions" else ApiToken
        target = db.session.query(model.id).filter_by(user_id=user.id).scalar()
    action = "end" if kind == "sessions" else "revoke"
    assert client.post(f"/settings/security/{kind}/{target}/{action}").status_code == 400


@pytest.mark.parametrize(
    ("change", "alive"),
    [
        ({}, True),
        ({"revoked_at": True}, False),
        ({"suspended": True}, False),
        ({"unseen_days": 29}, True),
        ({"unseen_days": 31}, False),
    ],
)
def test_the_light_session_check_of_message_send_agrees_with_the_user_loader(
    app, make_user, change, alive
):
    """`live_member` (the one-statement check of chat's hottest socket event) accepts and
    refuses exactly the sessions the user loader does, and touches a session seen again
    after a while the same way."""
    from community.auth.models import User
    from community.auth.roles import UserStatus
    from community.auth.sessions import live_member, load_user_from_token, start_session

    ref = make_user()
    with app.test_request_context():
        row = start_session(db.session.get(User, ref.id))
        token, session_id = row.token, row.id
        if change.get("revoked_at"):
            row.revoked_at = utcnow()
        if change.get("suspended"):
            row.user.status = UserStatus.SUSPENDED
        unseen = utcnow() - timedelta(days=change.get("unseen_days", 0), minutes=1)
        row.last_seen_at = unseen
        db.session.commit()
        member = live_member(token)
        assert (member is not None) == alive
        db.session.rollback()
        assert (load_user_from_token(token) is not None) == alive
        db.session.rollback()
        if alive:
            assert (member.id, member.session_id, member.status) == (ref.id, session_id, "active")
        if alive and change.get("unseen_days"):
            assert db.session.get(UserSession, session_id).last_seen_at > unseen
    with app.test_request_context():
        assert live_member("not-a-token") is None and live_member(None) is None
