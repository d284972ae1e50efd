"""The suite's own machinery: a missing server skips locally and fails in CI; the
ready-made people, `login` and the Socket.IO client fixtures are what they say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from community.auth.models import User, UserRole
from community.auth.roles import Role, UserStatus
from community.connections.models import Block
from community.extensions import db, socketio
from tests.tools import in_ci, skip_or_fail

REPO_ROOT = Path(__file__).resolve().parents[1]
FAKE_REASON = "pretend the server is missing; install the Debian package `pretend-server`"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("true", True),
        ("1", True),
        ("yes", True),
        ("woodpecker", True),
    ],
)
def test_in_ci_reads_the_ci_variable(value, expected):
    assert in_ci({} if value is None else {"CI": value}) is expected


def test_skip_or_fail_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="pretend-server"):
        skip_or_fail(FAKE_REASON, what="pretend tests")


def test_skip_or_fail_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"pretend tests cannot run in CI.*pretend"):
        skip_or_fail(FAKE_REASON, what="pretend tests")


@pytest.mark.parametrize("ci", ["", "true"])
def test_nothing_is_missing_means_no_skip_and_no_failure(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    skip_or_fail(None, what="pretend tests")  # returns


# A tiny suite that asks for the three real fixtures on a machine where, as far as their
# helpers can tell, PostgreSQL, redis-server and the browser tools are all missing.
PROBE_CONFTEST = """
import tests.browser.conftest as browser_conftest
from tests.browser.conftest import live_server  # noqa: F401 (the fixture under test)
from tests.conftest import postgres_server, redis_server  # noqa: F401 (the fixtures under test)
from tests.servers import PostgresServer, RedisServer

PostgresServer.missing_reason = classmethod(
    lambda cls: "no initdb here; install the Debian package `postgresql`"
)
RedisServer.missing_reason = classmethod(
    lambda cls: "no redis-server here; install the Debian package `redis-server`"
)
browser_conftest.checks_available = (
    lambda: "no /usr/bin/chromium here; install the Debian package `chromium`"
)
"""

PROBE_TESTS = """
def test_postgres(postgres_server):
    pass


def test_redis(redis_server):
    pass


def test_browser(live_server):
    pass
"""


def run_probe(tmp_path: Path, ci: str | None) -> str:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(PROBE_CONFTEST)
    (tmp_path / "test_probe.py").write_text(PROBE_TESTS)
    env = {key: value for key, value in os.environ.items() if key not in {"CI", "PYTEST_ADDOPTS"}}
    env["PYTHONPATH"] = str(REPO_ROOT)
    if ci is not None:
        env["CI"] = ci
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-rA",
            "-c",
            str(tmp_path / "pytest.ini"),
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.stdout + proc.stderr


PACKAGES = ("`postgresql`", "`redis-server`", "`chromium`")


def test_missing_servers_skip_the_fixtures_outside_ci(tmp_path):
    output = run_probe(tmp_path, ci=None)
    assert re.search(r"\b3 skipped\b", output), output
    assert "ERROR" not in output, output
    for package in PACKAGES:
        assert package in output, output


def test_missing_servers_fail_the_fixtures_in_ci(tmp_path):
    output = run_probe(tmp_path, ci="true")
    assert re.search(r"\b3 errors\b", output), output
    assert "skipped" not in output, output
    for what in ("PostgreSQL tests", "Redis tests", "browser checks"):
        assert f"{what} cannot run in CI" in output, output
    for package in PACKAGES:
        assert package in output, output


# --- the ready-made people (tests/people.py) -----------------------------------------------


def test_the_ready_made_people_are_who_they_say(
    app, member, organiser, coordinator, moderator, admin, suspended_member, blocker, blocked
):
    expected = {  # roles granted on top of member, status, display name
        member: (set(), UserStatus.ACTIVE, "Mia Member"),
        organiser: ({Role.ORGANISER}, UserStatus.ACTIVE, "Olu Organiser"),
        coordinator: ({Role.COORDINATOR}, UserStatus.ACTIVE, "Cai Coordinator"),
        moderator: ({Role.MODERATOR}, UserStatus.ACTIVE, "Mo Moderator"),
        admin: ({Role.ADMIN}, UserStatus.ACTIVE, "Ada Admin"),
        suspended_member: (set(), UserStatus.SUSPENDED, "Sol Suspended"),
        blocker: (set(), UserStatus.ACTIVE, "Bea Blocker"),
        blocked: (set(), UserStatus.ACTIVE, "Bo Blocked"),
    }
    with app.app_context():
        for ref, (roles, status, name) in expected.items():
            user = db.session.get(User, ref.id)
            granted = set(
                db.session.scalars(select(UserRole.role).where(UserRole.user_id == ref.id))
            )
            assert (granted, user.status, user.display_name) == (roles, status, name)
            assert user.is_confirmed
        blocks = db.session.execute(select(Block.blocker_id, Block.blocked_id)).all()
        assert blocks == [(blocker.id, blocked.id)]


def test_login_gives_a_logged_in_client_per_call(member, login):
    phone, laptop = login(member), login(member)
    assert phone is not laptop
    for device in (phone, laptop):
        assert "Mia Member" in device.get("/settings").get_data(as_text=True)


def test_login_refuses_to_pretend_for_a_suspended_member(suspended_member, login):
    with pytest.raises(AssertionError, match="could not log in"):
        login(suspended_member)


def test_socket_client_is_connected_as_member_with_an_empty_inbox(socket_client, member):
    assert socket_client.is_connected()
    assert socket_client.get_received() == []
    socketio.emit("hello", {"to": "Mia"}, to=f"user:{member.id}")
    assert [event["name"] for event in socket_client.get_received()] == ["hello"]


def test_make_socket_client_connects_anyone_and_hangs_up_afterwards(
    make_socket_client, admin, blocked
):
    sockets = [make_socket_client(admin), make_socket_client(blocked)]
    assert all(socket.is_connected() for socket in sockets)
    socketio.emit("only-admin", {}, to=f"user:{admin.id}")
    assert [e["name"] for e in sockets[0].get_received()] == ["only-admin"]
    assert sockets[1].get_received() == []
