"""The shared patterns of `community/core`: effects after commit, one service error family,
race-safe writes and keyset pagination, each on both databases."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from flask import Flask, jsonify
from sqlalchemy import create_engine, func, select, text

from community.auth.models import User
from community.core.database import get_or_create, lock_row
from community.core.effects import emit_after_commit, on_commit, pending_effects
from community.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceError,
    TooLarge,
    Unauthorized,
)
from community.core.pagination import BadCursor, encode_cursor, keyset
from community.extensions import db, socketio
from community.profiles.models import Tag
from tests.conftest import post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")


# --- effects after commit ------------------------------------------------------------------


def test_an_effect_runs_once_after_the_commit(ctx):
    ran = []
    on_commit(ran.append, "sent")
    db.session.add(Tag(name="knitting", label="Knitting"))
    db.session.flush()
    assert ran == []
    db.session.commit()
    assert ran == ["sent"]
    db.session.commit()
    assert ran == ["sent"]


def test_an_effect_of_a_rolled_back_transaction_never_runs(ctx):
    ran = []
    on_commit(ran.append, "never")
    db.session.rollback()
    db.session.commit()
    assert ran == []
    assert pending_effects() == 0


def test_a_rolled_back_savepoint_drops_only_its_own_effects(ctx):
    ran = []
    on_commit(ran.append, "outer")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        on_commit(ran.append, "inner, rolled back")
        raise RuntimeError
    with db.session.begin_nested():
        on_commit(ran.append, "inner, released")
    assert ran == []  # a released savepoint waits for the real commit
    db.session.commit()
    assert ran == ["outer", "inner, released"]


def test_an_effect_sees_the_committed_data_from_another_connection(ctx, app):
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    seen = []

    def count_tags() -> None:
        with other.connect() as connection:
            seen.append(connection.execute(text("SELECT count(*) FROM tags")).scalar())

    db.session.add(Tag(name="sailing", label="Sailing"))
    on_commit(count_tags)
    db.session.commit()
    other.dispose()
    assert seen == [1]


def test_a_failing_effect_is_logged_and_the_others_still_run(ctx, caplog):
    ran = []

    def broken() -> None:
        raise OSError("disk full")

    on_commit(broken)
    on_commit(ran.append, "after")
    with caplog.at_level(logging.ERROR, logger="community.core.effects"):
        db.session.commit()
    assert ran == ["after"]
    assert "after-commit effect failed" in caplog.text


@pytest.fixture
def probes(app: Flask):
    """A page view, an API view, a CLI command and a socket handler that each queue an effect
    and commit (or fail before committing)."""
    ran: list[str] = []

    def work(where: str, fail: bool = False):
        db.session.add(Tag(name=f"probe {where}", label=where))
        on_commit(ran.append, where)
        if fail:
            raise RuntimeError("boom")
        db.session.commit()

    @app.get("/probe/page")
    def probe_page():
        work("page", fail="fail" in __import__("flask").request.args)
        return "ok"

    @app.get("/api/v1/probe")
    def probe_api():
        work("api")
        return jsonify(ok=True)

    @app.cli.command("probe")
    def probe_cli():
        work("cli")

    def probe_socket(data=None):
        work("socket")
        return "ok"

    socketio.on_event("probe", probe_socket)
    return ran


def test_effects_run_after_commits_made_anywhere(app, probes, make_user):
    client = app.test_client()
    assert client.get("/probe/page").status_code == 200
    assert client.get("/api/v1/probe").status_code == 200
    assert app.test_cli_runner().invoke(args=["probe"]).exit_code == 0
    user = make_user()
    http = app.test_client()
    post_form(http, "/auth/login", {"email": user.email, "password": PASSWORD})
    socket = socketio.test_client(app, flask_test_client=http)
    assert socket.emit("probe", {}, callback=True) == "ok"
    socket.disconnect()
    assert probes == ["page", "api", "cli", "socket"]


def test_a_request_that_fails_before_its_commit_runs_no_effect(app, probes):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as in production
    assert app.test_client().get("/probe/page?fail=1").status_code == 500
    assert probes == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tag)) == 0


def test_emit_after_commit_reaches_the_room_only_after_the_commit(app, make_user):
    user = make_user()
    http = app.test_client()
    post_form(http, "/auth/login", {"email": user.email, "password": PASSWORD})
    socket = socketio.test_client(app, flask_test_client=http)
    socket.get_received()
    with app.app_context():
        emit_after_commit("hello", {"n": 1}, to=f"user:{user.id}")
        assert socket.get_received() == []
        db.session.commit()
    assert [event["name"] for event in socket.get_received()] == ["hello"]
    with app.app_context():
        emit_after_commit("hello", {"n": 2}, to=f"user:{user.id}")
        db.session.rollback()
    assert socket.get_received() == []
    socket.disconnect()


# --- one service error ---------------------------------------------------------------------

KINDS = [
    (NotFound, 404, "not_found"),
    (Forbidden, 403, "forbidden"),
    (Conflict, 409, "conflict"),
    (Invalid, 422, "validation_error"),
    (Unauthorized, 401, "unauthorized"),
    (TooLarge, 413, "payload_too_large"),
    (BadRequest, 400, "bad_request"),
]


@pytest.fixture
def refusing(app: Flask):
    """Views that raise each ServiceError kind after writing a row that must not stay."""

    def refuse(kind: str, prefix: str):
        db.session.add(Tag(name=f"{prefix} {kind}", label="x"))
        db.session.flush()
        error = {cls.__name__: cls for cls, _s, _c in KINDS}[kind]
        raise error("Refused for a reason.", field="title")

    app.add_url_rule("/refuse/<kind>", "refuse_page", lambda kind: refuse(kind, "page"))
    app.add_url_rule("/api/v1/refuse/<kind>", "refuse_api", lambda kind: refuse(kind, "api"))
    return app


@pytest.mark.parametrize(("kind", "status", "code"), KINDS, ids=[k.__name__ for k, *_ in KINDS])
def test_one_handler_maps_each_kind_for_the_api_and_pages(refusing, kind, status, code):
    client = refusing.test_client()
    api = client.get(f"/api/v1/refuse/{kind.__name__}")
    assert api.status_code == status
    body = api.get_json()["error"]
    assert body["code"] == code
    assert body["message"] == "Refused for a reason."
    assert ("fields" in body) == (status == 422)
    page = client.get(f"/refuse/{kind.__name__}")
    assert page.status_code == status
    assert page.mimetype == "text/html"
    if status != 404:  # a 404 page keeps its general words, whatever was missing
        assert "Refused for a reason." in page.get_data(as_text=True)
    with refusing.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tag)) == 0  # rolled back


def test_a_refusal_that_keeps_its_record_commits_it(app, make_user, mailbox):
    """The login decision refuses an unconfirmed account but keeps the fresh link it mailed,
    the same through the page and the API."""
    from community.mail.models import OutboxMail

    user = make_user(confirmed=False)
    client = app.test_client()
    response = post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})
    assert "confirm your email address first" in response.get_data(as_text=True)
    subject = "Confirm your email address for Alongside"
    assert [m["Subject"] for m in mailbox.messages(user.email)] == [subject]
    with app.app_context():  # past the ten minutes between two links
        for mail in db.session.scalars(select(OutboxMail)):
            mail.created_at -= timedelta(minutes=11)
        db.session.commit()
    api = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert api.status_code == 403
    assert [m["Subject"] for m in mailbox.messages(user.email)] == [subject, subject]


def test_service_errors_are_one_family():
    for kind, status, _code in KINDS:
        error = kind("x", field="f")
        assert isinstance(error, ServiceError)
        assert (error.status, error.field, error.message) == (status, "f", "x")


# --- race-safe writes ----------------------------------------------------------------------


def run_at_once(app, count: int, work) -> list[Exception]:
    """Run `work(index)` in `count` threads released together, each in its own request
    context (its own database session); the exceptions they raised."""
    barrier = threading.Barrier(count)
    errors: list[Exception] = []

    def run(index: int) -> None:
        try:
            with app.test_request_context():
                barrier.wait(timeout=10)
                work(index)
                db.session.commit()
        except Exception as error:  # reported by the caller
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_get_or_create_survives_a_concurrent_insert(app, backend):
    """Two threads create the same tag at once: one row, both get it, nobody fails."""
    both_looked = threading.Barrier(2)
    results = []

    def create(index: int) -> None:
        db.session.scalar(select(Tag).where(Tag.name == "welding"))  # both look first
        both_looked.wait(timeout=5)
        tag, created = get_or_create(Tag, name="welding", defaults={"label": "Welding"})
        db.session.commit()
        results.append((tag.id, created))

    assert run_at_once(app, 2, create) == []
    assert len({tag_id for tag_id, _created in results}) == 1
    assert sorted(created for _id, created in results) == [False, True]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tag)) == 1


def test_a_counter_under_lock_row_never_loses_an_update(app, backend):
    """Ten threads each add one to the same row under lock_row: ten, not fewer."""
    with app.app_context():
        tag, _ = get_or_create(Tag, name="counter", defaults={"label": "0"})
        db.session.commit()
        tag_id = tag.id

    def bump(index: int) -> None:
        row = lock_row(db.session.get(Tag, tag_id))
        row.label = str(int(row.label) + 1)

    assert run_at_once(app, 10, bump) == []
    with app.app_context():
        assert db.session.get(Tag, tag_id).label == "10"


@pytest.mark.backends("sqlite")
def test_sqlite_writers_of_one_process_queue_on_the_write_mutex(app, backend):
    """A second writer waits for the first one's commit in the process, not in SQLite's busy
    handler: with the busy timeout at 0 its BEGIN IMMEDIATE would fail at once ("database
    is locked") if it reached SQLite while the first held the write lock."""
    holding, release = threading.Event(), threading.Event()
    second: list[object] = []

    def first_writer() -> None:
        with app.app_context():
            get_or_create(Tag, name="first", defaults={"label": "First"})
            holding.set()
            release.wait(timeout=10)
            db.session.commit()

    def second_writer() -> None:
        with app.app_context(), db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
            connection.commit()
            try:
                connection.execute(Tag.__table__.insert().values(name="second", label="Second"))
                connection.commit()
                second.append("stored")
            except Exception as error:  # the failure is the answer
                second.append(error)
            finally:
                connection.exec_driver_sql("PRAGMA busy_timeout=10000")

    first = threading.Thread(target=first_writer)
    first.start()
    assert holding.wait(timeout=10)
    waiting = threading.Thread(target=second_writer)
    waiting.start()
    waiting.join(timeout=0.3)
    assert waiting.is_alive(), "the second writer did not wait for the first one"
    release.set()
    first.join(timeout=10)
    waiting.join(timeout=10)
    assert second == ["stored"]
    with app.app_context():
        names = db.session.scalars(select(Tag.name).order_by(Tag.id)).all()
    assert names == ["first", "second"]


# --- keyset pagination ---------------------------------------------------------------------


@pytest.fixture
def named_users(app, make_user):
    """23 accounts; several share a display name, so the order needs its id tie-breaker."""
    names = ["Ana", "Ben", "Ana", "Cleo", "ben", "Dev", "Ana"] * 3 + ["Zoë", "Émile"]
    return [make_user(display_name=name).id for name in names]


def walk(statement, order, limit, **kw):
    pages, cursor = [], None
    for _ in range(100):
        page = keyset(statement, order, cursor, limit, **kw)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return pages
    raise AssertionError("the pages never ended")


def test_keyset_walks_every_row_once_forwards_and_back(ctx, named_users):
    statement = select(User)
    order = [User.display_name.asc(), User.id.desc()]
    pages = walk(statement, order, 4)
    seen = [user.id for page in pages for user in page.items]
    expected = list(db.session.scalars(select(User.id).order_by(*order)))
    assert seen == expected
    assert pages[0].prev_cursor is None
    assert [len(p.items) for p in pages] == [4, 4, 4, 4, 4, 3]
    # Back from the last page, one page at a time, to the first.
    page, back = pages[-1], []
    while page.prev_cursor:
        page = keyset(statement, order, page.prev_cursor, 4)
        back.insert(0, [u.id for u in page.items])
    assert back == [[u.id for u in p.items] for p in pages[:-1]]


def test_keyset_costs_one_query_per_page(ctx, named_users, count_queries):
    def users_on(cursor):
        return keyset(
            select(User.id, User.display_name), [User.id.desc()], cursor, 5, scalars=False
        )

    cursor, counts = None, []
    for _ in range(4):  # the fourth page costs what the first does
        with count_queries() as counter:
            cursor = users_on(cursor).next_cursor
        counts.append(counter.count)
    assert counts == [1, 1, 1, 1]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        encode_cursor({}),
        encode_cursor({"k": ["Ana"]}),
        encode_cursor({"k": ["Ana", "7"]}),
        encode_cursor({"k": ["Ana", True]}),
        encode_cursor({"k": [3, 7]}),
        encode_cursor({"k": ["Ana", 2**31]}),
        encode_cursor({"k": ["Ana", 0]}),
        encode_cursor({"k": ["A\x00", 1]}),
    ],
    ids=[
        "not-base64",
        "empty",
        "too-few",
        "id-as-text",
        "id-as-bool",
        "name-as-number",
        "beyond-int32",
        "id-zero",
        "nul",
    ],
)
def test_keyset_refuses_cursors_it_did_not_make(ctx, cursor):
    with pytest.raises(BadCursor):
        keyset(select(User), [User.display_name.asc(), User.id.asc()], cursor, 5)


def test_simultaneous_sign_ups_with_one_address_make_one_account(app, backend):
    from community.auth import services as accounts

    errors = run_at_once(
        app, 6, lambda n: accounts.register("twin@example.org", f"Twin {n}", PASSWORD)
    )
    assert errors == []
    with app.app_context():
        count = select(func.count()).select_from(User).where(User.email == "twin@example.org")
        assert db.session.scalar(count) == 1


def test_members_adding_the_same_new_tag_at_once_share_one_row(app, backend, make_user):
    from community.profiles.services import ProfileData, update_profile

    ids = [make_user().id for _ in range(4)]

    def add_skill(index: int) -> None:
        update_profile(db.session.get(User, ids[index]), ProfileData(skills=["Glassblowing"]))

    assert run_at_once(app, 4, add_skill) == []
    with app.app_context():
        assert db.session.scalars(select(Tag.name)).all() == ["glassblowing"]
