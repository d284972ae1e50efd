"""Per-IP limits key on the right address: the socket's without trusted proxies, the last
X-Forwarded-For hop behind one; a proxy that does not send the header is reported."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import csrf_token

LIMITED = {"RESET_LIMIT_PER_IP": "2 per hour"}


def ask_for_resets(client, forwarded_for: list[str]) -> list[int]:
    token = csrf_token(client, "/auth/reset")
    return [
        client.post(
            "/auth/reset",
            data={"email": f"r{n}@example.org", "csrf_token": token},
            headers={"X-Forwarded-For": hops},
        ).status_code
        for n, hops in enumerate(forwarded_for)
    ]


@pytest.mark.parametrize("app_overrides", [{**LIMITED, "TRUSTED_PROXIES": 0}])
def test_without_trusted_proxies_a_rotating_x_forwarded_for_is_ignored(client):
    statuses = ask_for_resets(client, [f"198.51.100.{n}" for n in range(4)])
    assert statuses == [302, 302, 429, 429]


@pytest.mark.parametrize("app_overrides", [{**LIMITED, "TRUSTED_PROXIES": 1}])
def test_behind_one_proxy_the_last_hop_is_the_client(client):
    # The client can write anything before the hop its proxy appends; only that hop counts.
    spoofed = [f"198.51.100.{n}, 203.0.113.9" for n in range(3)]
    assert ask_for_resets(client, spoofed) == [302, 302, 429]
    assert ask_for_resets(client, ["203.0.113.9, 203.0.113.10"]) == [302]


@pytest.mark.parametrize("app_overrides", [{"TRUSTED_PROXIES": 1}])
def test_a_missing_x_forwarded_for_behind_a_trusted_proxy_is_logged_once(client, caplog):
    with caplog.at_level(logging.WARNING, logger="community.core.security"):
        client.get("/auth/login", headers={"X-Forwarded-For": "203.0.113.9"})
        assert caplog.records == []
        client.get("/auth/login")
        client.get("/auth/reset")
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "TRUSTED_PROXIES" in record.getMessage()


@pytest.mark.parametrize("app_overrides", [{"TRUSTED_PROXIES": 0}])
def test_no_warning_without_trusted_proxies(client, caplog):
    with caplog.at_level(logging.WARNING, logger="community.core.security"):
        client.get("/auth/login")
    assert caplog.records == []
