"""The end of a request on PostgreSQL (`core.database.end_read_only_transaction`): a
transaction that wrote nothing ends with COMMIT, so psycopg keeps the connection's prepared
statements; everything else still ends with the rollback, and nothing is kept that the
request did not commit.

One pooled connection, so every request and the checks here use the same PostgreSQL
session (prepared statements belong to it)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from community.core.effects import on_commit
from community.extensions import db
from community.profiles.models import Tag

BACKENDS = ("postgresql",)
MARK = "read_only_probe"  # in the probe's statement, to find it among the prepared ones


@pytest.fixture
def app_overrides() -> dict:
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}}


@pytest.fixture
def probes(app: Flask) -> list[str]:
    """Pages that read, that write without committing (flushed or not), that queue an effect
    without committing, and that fail after a flush. Answers the effects that ran."""
    ran: list[str] = []

    @app.get("/probe/read")
    def probe_read():
        db.session.execute(select(Tag.id).where(text(f"'{MARK}' = '{MARK}'"))).all()
        return "ok"

    @app.get("/probe/flushed")
    def probe_flushed():
        db.session.add(Tag(name="flushed", label="flushed"))
        db.session.flush()
        return "ok"

    @app.get("/probe/added")
    def probe_added():
        db.session.execute(select(Tag.id)).all()
        db.session.add(Tag(name="added", label="added"))
        return "ok"

    @app.get("/probe/effect")
    def probe_effect():
        db.session.execute(select(Tag.id)).all()
        on_commit(ran.append, "effect")
        return "ok"

    @app.get("/probe/fails")
    def probe_fails():
        db.session.add(Tag(name="fails", label="fails"))
        db.session.flush()
        raise RuntimeError("boom")

    return ran


def prepared_probes(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :mark"),
            {"mark": f"%{MARK}%"},
        )


def test_statements_stay_prepared_across_read_only_requests(app, probes):
    client = app.test_client()
    for _ in range(7):  # psycopg prepares a statement at its sixth run
        assert client.get("/probe/read").status_code == 200
    assert prepared_probes(app) == 1


def test_a_request_that_wrote_still_ends_with_a_rollback(app, probes):
    client = app.test_client()
    for _ in range(7):
        client.get("/probe/read")
    assert client.get("/probe/flushed").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tag)) == 0
    assert prepared_probes(app) == 0  # the rollback's doing: psycopg forgot them


@pytest.mark.parametrize("path", ["/probe/flushed", "/probe/added"])
def test_nothing_a_request_did_not_commit_is_kept(app, probes, path):
    assert app.test_client().get(path).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tag)) == 0


def test_a_request_that_fails_after_a_flush_keeps_nothing(app, probes):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as in production
    assert app.test_client().get("/probe/fails").status_code == 500
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tag)) == 0


def test_an_effect_queued_without_a_commit_never_runs(app, probes):
    assert app.test_client().get("/probe/effect").status_code == 200
    assert probes == []
