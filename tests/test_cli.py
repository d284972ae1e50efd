"""flask create-user, seed-demo, backup and send-mail, on both databases."""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, select

from community.auth.demo import DEMO_ACCOUNTS
from community.auth.models import User
from community.connections.models import Connection
from community.demo import DEMO_PASSWORD
from community.extensions import db
from community.profiles.models import Profile
from tests.conftest import post_form

BACKENDS = ("sqlite", "postgresql")


def test_create_user_makes_a_confirmed_account_with_roles(runner, app):
    result = runner.invoke(
        args=[
            "create-user",
            "Lead@Example.org",
            "--password",
            "a strong passphrase",
            "--name",
            "Lead",
            "--role",
            "moderator",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "lead@example.org" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "lead@example.org"))
        assert user.is_confirmed
        assert user.has_role("moderator")
    client = app.test_client()
    response = post_form(
        client, "/auth/login", {"email": "lead@example.org", "password": "a strong passphrase"}
    )
    assert response.status_code == 302


def test_create_user_refuses_weak_passwords_and_duplicates(runner):
    weak = runner.invoke(
        args=["create-user", "a@example.org", "--password", "password12", "--name", "A"]
    )
    assert weak.exit_code != 0
    assert "common" in weak.output
    ok = runner.invoke(
        args=["create-user", "a@example.org", "--password", "a strong passphrase", "--name", "A"]
    )
    assert ok.exit_code == 0
    again = runner.invoke(
        args=["create-user", "a@example.org", "--password", "a strong passphrase", "--name", "A"]
    )
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_seed_demo_fills_an_empty_database_once(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "already has accounts" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) >= 60
        cities = db.session.scalars(select(Profile.host_city).distinct()).all()
        assert len(set(cities)) >= 5
        assert db.session.scalar(
            select(func.count()).select_from(Connection).where(Connection.status == "pending")
        )
        assert len(DEMO_ACCOUNTS) < 60
    client = app.test_client()
    response = post_form(
        client, "/auth/login", {"email": "admin@alongside.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin").status_code == 200


def test_seed_demo_is_refused_in_production(runner, app):
    app.config["SEED_DEMO_ALLOWED"] = False
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "production" in result.output


def test_backup_writes_a_consistent_copy(runner, app, make_user, tmp_path, backend):
    make_user(email="kept@example.org")
    target = tmp_path / "backups" / "alongside.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    assert target.stat().st_size > 0
    if backend == "sqlite":
        copy = sqlite3.connect(target)
        assert copy.execute("SELECT email FROM users").fetchall() == [("kept@example.org",)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copy.close()
    else:
        assert target.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format


def test_send_mail_delivers_the_outbox(runner, app, client):
    post_form(client, "/auth/reset", {"email": "nobody@example.org"})
    post_form(
        client,
        "/auth/register",
        {"email": "new@example.org", "display_name": "New", "password": "a strong passphrase"},
    )
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "sent 1" in result.output
    again = runner.invoke(args=["send-mail"])
    assert "sent 0" in again.output


def test_seed_demo_is_deterministic(tmp_path, sqlite_template, demo_sqlite):
    """Two empty databases seeded separately hold the same people, profiles and links: one
    seeded here, the other the live servers' demo database, seeded by `flask seed-demo` in
    a process of its own (so nothing held in this process can make them agree)."""
    import shutil

    from community import create_app
    from config import TestingConfig

    def snapshot(path, *, seed: bool):
        if seed:
            shutil.copyfile(sqlite_template, path)
        other = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
        if seed:
            assert other.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
        with other.app_context():
            people = db.session.execute(
                select(User.email, User.display_name, Profile.headline, Profile.host_city)
                .join(Profile, Profile.user_id == User.id)
                .order_by(User.email)
            ).all()
            links = db.session.execute(
                select(Connection.low_id, Connection.high_id, Connection.status).order_by(
                    Connection.low_id, Connection.high_id
                )
            ).all()
            db.engine.dispose()
        return people, links

    copy = tmp_path / "demo.db"  # the template is shared: read a copy of it
    shutil.copyfile(demo_sqlite, copy)
    here = snapshot(tmp_path / "one.db", seed=True)
    assert len(here[0]) >= 60 and here[1]
    assert here == snapshot(copy, seed=False)
