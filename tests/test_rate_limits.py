"""Rate limits on logins, registrations and reset mails (memory by default, Redis if set)."""

from __future__ import annotations

import pytest

from community import create_app
from config import TestingConfig
from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD


def fail_login(client, email, token):
    return client.post(
        "/auth/login", data={"email": email, "password": "wrong password!", "csrf_token": token}
    )


@pytest.mark.parametrize(
    "app_overrides",
    [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per hour", "LOGIN_LIMIT_PER_IP": "50 per hour"}],
)
def test_failed_logins_per_account_end_in_a_429_that_says_when(client, make_user):
    user = make_user()
    token = csrf_token(client, "/auth/login")
    for _ in range(3):
        assert fail_login(client, user.email, token).status_code == 200
    response = fail_login(client, user.email, token)
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 3600
    html = response.get_data(as_text=True)
    assert "Too many attempts" in html
    assert "try again in" in html
    # Even the right password waits now: that is what stops guessing.
    right = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert right.status_code == 429
    # Another account from the same address is not affected.
    other = make_user()
    ok = client.post(
        "/auth/login", data={"email": other.email, "password": PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 302


@pytest.mark.parametrize(
    "app_overrides",
    [{"LOGIN_LIMIT_PER_ACCOUNT": "50 per hour", "LOGIN_LIMIT_PER_IP": "4 per hour"}],
)
def test_failed_logins_per_ip_cover_many_accounts(client):
    token = csrf_token(client, "/auth/login")
    statuses = [fail_login(client, f"guess{n}@example.org", token).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


@pytest.mark.parametrize("app_overrides", [{"LOGIN_LIMIT_PER_ACCOUNT": "2 per hour"}])
def test_successful_logins_do_not_count(app, make_user):
    user = make_user()
    for _ in range(4):
        client = app.test_client()
        response = post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302


@pytest.mark.parametrize("app_overrides", [{"REGISTER_LIMIT_PER_IP": "2 per hour"}])
def test_registrations_per_ip(client):
    token = csrf_token(client, "/auth/register")
    statuses = [
        client.post(
            "/auth/register",
            data={
                "email": f"n{n}@example.org",
                "display_name": "N",
                "password": PASSWORD,
                "csrf_token": token,
            },
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert client.get("/auth/register").status_code == 200  # reading the form is never limited


@pytest.mark.parametrize("app_overrides", [{"RESET_LIMIT_PER_IP": "2 per hour"}])
def test_reset_mails_per_ip(client, mailbox):
    token = csrf_token(client, "/auth/reset")
    statuses = [
        client.post(
            "/auth/reset", data={"email": f"r{n}@example.org", "csrf_token": token}
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_api_paths_get_a_json_429(app):
    from community.extensions import limiter

    @app.get("/api/v1/limited")
    @limiter.limit("1 per hour")
    def limited():
        return {"ok": True}

    client = app.test_client()
    assert client.get("/api/v1/limited").status_code == 200
    response = client.get("/api/v1/limited")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert response.get_json()["error"]["retry_after"] > 0


@pytest.mark.parametrize(
    "app_overrides", [{"RATELIMIT_ENABLED": False, "LOGIN_LIMIT_PER_ACCOUNT": "1 per hour"}]
)
def test_limits_can_be_switched_off_for_load_tests(client, make_user):
    user = make_user()
    token = csrf_token(client, "/auth/login")
    assert all(fail_login(client, user.email, token).status_code == 200 for _ in range(4))


def test_limits_are_on_by_default():
    assert TestingConfig.RATELIMIT_ENABLED is True
    from config import DevelopmentConfig, ProductionConfig

    assert DevelopmentConfig.RATELIMIT_ENABLED is True
    assert ProductionConfig.RATELIMIT_ENABLED is True


@pytest.mark.redis
def test_redis_store_shares_limits_between_app_processes(
    redis_url, database_url, tmp_path, make_user
):
    """Two app instances (as two gunicorn workers) count failures in the same Redis."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per hour",
        "MAIL_DIR": str(tmp_path / "mail"),
    }
    first = create_app(TestingConfig, **settings)
    user = make_user()
    second_settings = dict(settings)
    workers = [first, create_app(TestingConfig, **second_settings)]
    statuses = []
    for n in range(4):
        client = workers[n % 2].test_client()
        token = csrf_token(client, "/auth/login")
        statuses.append(fail_login(client, user.email, token).status_code)
    assert statuses == [200, 200, 200, 429]
    import redis

    keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("*")]
    assert any("failed-login-account" in key for key in keys), keys
