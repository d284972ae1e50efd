"""Feed benchmark: what page 500 of `/posts` costs against page 1, with ~100,000 posts.

The demo community plus N generated posts (bulk inserted with core SQL): every kind, zero
to three of the demo's tags, a host city on most, about a third in the demo groups (some
in the private one the demo member is not in), written by generated members of whom the
demo member is connected to some and blocks or is blocked by a few, spread over two years.
The viewer is the demo member. The feed's keyset cursors are walked from page 1 to page
500 (or the last page); then page 1 and that page are timed through the list service
(`community.posts.queries.list_posts`, median of N calls) and as whole pages through the
test client (`GET /posts?cursor=...`, median of N requests, with their SQL statement
count). Baseline: `GET /healthz` in the same run. Goal: page 500 at most 1.5x page 1.

Run: `.venv/bin/python -m bench.feed` (`--help` for the options). PostgreSQL runs in a
throwaway server (`tests.servers.PostgresServer`, skipped if none is installed), or in the
database given with `--postgres URL` (it must be empty: the schema is created there).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select

from bench.common import bench_app, log_in, timed
from community.auth.models import User
from community.connections.models import Block, Connection, ConnectionStatus
from community.core.database import utcnow
from community.demo import seed
from community.extensions import db
from community.groups.models import Group, GroupVisibility
from community.posts.models import Post, PostKind, PostTag
from community.posts.queries import PostFilters, list_posts
from community.profiles import reference as ref
from community.profiles.models import Tag

MEMBER = "member@alongside.example"
KINDS = [PostKind.OFFER, PostKind.REQUEST, PostKind.QUESTION, PostKind.RESOURCE, PostKind.STORY]
KIND_WEIGHTS = [30, 30, 20, 10, 10]
BATCH = 5000
# What is timed: a label, the feed's filters, and the same as a query string.
FEEDS = [
    ("everything", PostFilters(), ""),
    ("kind=request", PostFilters(kind="request"), "kind=request"),
    ("city=copenhagen", PostFilters(city="copenhagen"), "city=copenhagen"),
    ("from my connections", PostFilters(connections=True), "connections=y"),
]


def generate(posts: int, seed_value: int = 15) -> int:
    """The demo community plus `posts` generated posts and their authors; commits and
    answers the number of posts."""
    seed()
    db.session.commit()
    rng = random.Random(seed_value)
    viewer_id = db.session.scalar(select(User.id).where(User.email == MEMBER))
    shared_hash = db.session.scalar(select(User.password_hash).limit(1))
    now = utcnow()
    people = max(50, posts // 50)
    db.session.execute(
        insert(User),
        [
            {
                "email": f"feed{n}@bench.example",
                "display_name": f"Feed writer {n}",
                "password_hash": shared_hash,
                "email_confirmed_at": now,
            }
            for n in range(people)
        ],
    )
    authors = db.session.scalars(
        select(User.id).where(User.email.like("feed%@bench.example")).order_by(User.id)
    ).all()
    friends = rng.sample(authors, k=max(5, people // 40))
    db.session.execute(
        insert(Connection),
        [
            {
                "low_id": min(viewer_id, other),
                "high_id": max(viewer_id, other),
                "requester_id": other,
                "status": ConnectionStatus.ACCEPTED,
                "responded_at": now,
            }
            for other in friends
        ],
    )
    strangers = [author for author in authors if author not in set(friends)]
    blocked, blockers = strangers[:3], strangers[3:5]
    db.session.execute(
        insert(Block),
        [{"blocker_id": viewer_id, "blocked_id": other} for other in blocked]
        + [{"blocker_id": other, "blocked_id": viewer_id} for other in blockers],
    )
    groups = db.session.execute(select(Group.id, Group.visibility)).all()
    public = [gid for gid, visibility in groups if visibility == GroupVisibility.PUBLIC]
    private = [gid for gid, visibility in groups if visibility == GroupVisibility.PRIVATE]
    tag_ids = db.session.scalars(select(Tag.id)).all()
    cities = [city.slug for city in ref.CITIES]
    rows = []
    for n in range(posts):
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        roll = rng.random()
        group_id = None
        if roll < 0.05 and private:
            group_id = rng.choice(private)
        elif roll < 0.3 and public:
            group_id = rng.choice(public)
        body = f"Generated {kind} number {n}: **what worked** for us, and what did not."
        rows.append(
            {
                "author_id": rng.choice(authors),
                "kind": kind,
                "title": f"Feed post {n}: a {kind} about settling in",
                "body": body,
                "body_html": f"<p>Generated {kind} number {n}: <strong>what worked</strong> "
                "for us, and what did not.</p>",
                "city": rng.choice(cities) if rng.random() < 0.8 else None,
                "group_id": group_id,
                "helpful_count": 0,
                "created_at": now - timedelta(seconds=rng.randint(60, 730 * 86400)),
            }
        )
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Post), rows[start : start + BATCH])
    post_ids = db.session.scalars(
        select(Post.id).where(Post.title.like("Feed post %")).order_by(Post.id)
    ).all()
    tags = []
    for post_id in post_ids:
        for position, tag_id in enumerate(rng.sample(tag_ids, k=rng.randint(0, 3))):
            tags.append({"post_id": post_id, "tag_id": tag_id, "position": position})
        if len(tags) >= BATCH:
            db.session.execute(insert(PostTag), tags)
            tags.clear()
    if tags:
        db.session.execute(insert(PostTag), tags)
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Post))


def walk(viewer: User, filters: PostFilters, page: int) -> tuple[int, str | None]:
    """The cursor of page `page` of the feed (or of the last page before it): follows the
    next cursors from page 1. Answers the page number reached and its cursor."""
    cursor, reached = None, 1
    while reached < page:
        following = list_posts(viewer, filters, cursor).next_cursor
        if following is None:
            break
        cursor, reached = following, reached + 1
    return reached, cursor


def interleaved_ms(functions: list, repeat: int) -> list[float]:
    """Median milliseconds of each of `functions`, run in turn `repeat` times after one
    warm-up round: taking turns, a busy moment on a shared machine slows them alike."""
    samples: list[list[float]] = [[] for _ in functions]
    for round_ in range(repeat + 1):
        for function, kept in zip(functions, samples, strict=True):
            started = time.perf_counter()
            function()
            if round_:
                kept.append((time.perf_counter() - started) * 1000)
    return [statistics.median(kept) for kept in samples]


def interleaved_pages(engine, client, paths: list[str], repeat: int) -> list[tuple[float, int]]:
    """`bench.common.timed` for several pages in turn: (median ms, SQL statements) each."""
    counts = [0] * len(paths)

    def getter(index: int):
        def get() -> None:
            statements: list[str] = []

            def record(*args):
                statements.append(args[2])

            sa_event.listen(engine, "before_cursor_execute", record)
            response = client.get(paths[index])
            sa_event.remove(engine, "before_cursor_execute", record)
            assert response.status_code == 200, (paths[index], response.status_code)
            counts[index] = len(statements)

        return get

    medians = interleaved_ms([getter(n) for n in range(len(paths))], repeat)
    return list(zip(medians, counts, strict=True))


def measure(app: Flask, backend: str, posts: int, page: int, repeat: int) -> None:
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        total = generate(posts)
        load_seconds = time.perf_counter() - started
        engine = db.engine
    walked = []
    with app.test_request_context("/posts"):
        viewer = db.session.scalar(select(User).where(User.email == MEMBER))
        for label, filters, query in FEEDS:
            reached, cursor = walk(viewer, filters, page)
            cursors = [None] if cursor is None else [None, cursor]
            service = interleaved_ms(
                [lambda f=filters, c=c: list_posts(viewer, f, c) for c in cursors], repeat
            )
            walked.append((label, query, reached, cursors, service))
        db.session.remove()
    client = log_in(app, MEMBER)
    base_ms, base_q = timed(engine, client, "/healthz", repeat)
    print(
        f"\n[{backend}] {total:,} posts (made in {load_seconds:.1f} s), "
        f"as the demo member, median of {repeat} (page 1 and the later page in turn)"
    )
    print(f"baseline /healthz: {base_ms:.2f} ms, {base_q} statement")
    print(
        f"{'feed':<22} {'page':>5} {'service ms':>11} {'ratio':>6} "
        f"{'page ms':>8} {'ratio':>6} {'x healthz':>10} {'queries':>8}"
    )
    for label, query, reached, cursors, service in walked:
        path = f"/posts?{query}" if query else "/posts"
        joiner = "&" if query else "?"
        paths = [path if c is None else f"{path}{joiner}cursor={c}" for c in cursors]
        pages = interleaved_pages(engine, client, paths, repeat)
        for n, ((page_ms, statements), service_ms) in enumerate(zip(pages, service, strict=True)):
            print(
                f"{label if n == 0 else '':<22} {1 if n == 0 else reached:5d} "
                f"{service_ms:11.2f} {service_ms / service[0]:6.2f} {page_ms:8.2f} "
                f"{page_ms / pages[0][0]:6.2f} {page_ms / base_ms:10.1f} {statements:8d}"
            )
    with app.app_context():
        db.engine.dispose()


def run(backend: str, database_url: str, posts: int, page: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if database_url:
            app = bench_app_at(database_url, Path(tmp) / "mail")
        else:
            app = bench_app(Path(tmp) / "bench.db", Path(tmp) / "mail")
        measure(app, backend, posts, page, repeat)


def bench_app_at(database_url: str, mail_dir: Path) -> Flask:
    """The app on the database at `database_url` (PostgreSQL), with rate limits off."""
    from community import create_app
    from config import TestingConfig

    return create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_ENABLED=False,
        MAIL_DIR=str(mail_dir),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres", default="", help="an empty PostgreSQL database to use")
    args = parser.parse_args(argv)
    from tests.servers import PostgresServer

    for backend in args.backends:
        if backend != "postgresql":
            run(backend, "", args.posts, args.page, args.repeat)
            continue
        if args.postgres:
            run(backend, args.postgres, args.posts, args.page, args.repeat)
            continue
        reason = PostgresServer.missing_reason()
        if reason:
            print(f"\n[postgresql] skipped: {reason}")
            continue
        postgres = PostgresServer()
        postgres.start()
        try:
            url = postgres.create_database(f"bench_{uuid.uuid4().hex[:8]}")
            run(backend, url, args.posts, args.page, args.repeat)
        finally:
            postgres.stop()


if __name__ == "__main__":
    main()
