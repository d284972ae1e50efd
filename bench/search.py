"""Search benchmark: what one search costs at 1,000 and 100,000 documents, on SQLite and on
PostgreSQL, against a `LIKE '%word%'` scan over the same rows in the same run.

Documents are a third members (a profile with a headline and a bio), a third events (a
title and a description) and a third posts (a title and a body), words drawn from a fixed vocabulary, rows put in by bulk insert and
then indexed with `reindex` (as `flask reindex` does). Measured: the search service
(`community.search.services.search`: counts per type, the first page ranked, snippets and
presentation, as a plain member with every visibility rule applied), median of N runs taken
in turns with the baseline's (`median_ms`); the baseline is the LIKE scan the directory used before the index (case-folded LIKE on each
text column, every word, counts and the first 20 rows of each table, no visibility rules).

Run: `.venv/bin/python -m bench.search` (`--help` for the options). PostgreSQL runs in a
throwaway server (`tests.servers.PostgresServer`) and is skipped if none is installed.
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

from flask_migrate import upgrade
from sqlalchemy import and_, func, insert, or_, select, text

from community import create_app
from community.auth.models import User
from community.core.database import casefold, end_read_only_transaction, like_pattern, utcnow
from community.events.models import Event
from community.extensions import db
from community.posts.models import Post
from community.profiles.models import Profile
from community.search.services import reindex, search
from config import TestingConfig

REAL_WORDS = [
    *("design", "nurse", "python", "yoga", "tax", "freelance", "school", "danish"),
    *("copenhagen", "marketing", "teacher", "photography", "cooking", "running"),
    *("language", "engineer", "garden", "volunteer", "music", "children"),
]
QUERIES = ("nurse", "python yoga", "desig", "quokka", "zzyzx")


def vocabulary(rng: random.Random, size: int = 2000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "da", "fo", "gu"]
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return sorted(words) + list(REAL_WORDS)


def text_of(rng: random.Random, words: list[str], count: int) -> str:
    return " ".join(rng.choice(words) for _ in range(count))


def generate(documents: int, seed_value: int = 15) -> int:
    """`documents` rows (a third each members with profiles, events and posts), bulk
    inserted, then the index rebuilt. About ten rows carry the rare word "quokka". Commits;
    answers the viewer id."""
    rng = random.Random(seed_value)
    words = vocabulary(rng)
    now = utcnow()
    members = documents // 3
    events = documents // 3
    posts = documents - members - events
    db.session.execute(
        insert(User),
        [
            {
                "email": f"viewer{n}@bench.example",
                "display_name": f"Viewer {n}",
                "password_hash": "x",
                "email_confirmed_at": now,
            }
            for n in range(2)
        ],
    )
    viewer_id, organiser_id = db.session.scalars(select(User.id).order_by(User.id)).all()
    for start in range(0, members, 5000):
        batch = range(start, min(members, start + 5000))
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"bench{n}@bench.example",
                    "display_name": f"{rng.choice(words).title()} {rng.choice(words).title()}",
                    "password_hash": "x",
                    "email_confirmed_at": now,
                }
                for n in batch
            ],
        )
    user_ids = db.session.scalars(
        select(User.id).where(User.id > organiser_id).order_by(User.id)
    ).all()
    for start in range(0, len(user_ids), 5000):
        db.session.execute(
            insert(Profile),
            [
                {
                    "user_id": user_id,
                    "headline": text_of(rng, words, 4) + (" quokka" if user_id % 9973 == 0 else ""),
                    "bio_html": text_of(rng, words, 30),
                    "visibility": "members",
                }
                for user_id in user_ids[start : start + 5000]
            ],
        )
    for start in range(0, events, 5000):
        rows = []
        for n in range(start, min(events, start + 5000)):
            starts = now + timedelta(days=rng.uniform(-60, 60))
            rows.append(
                {
                    "organiser_id": organiser_id,
                    "title": text_of(rng, words, 4) + (" quokka" if n % 9973 == 5 else ""),
                    "description_html": text_of(rng, words, 30),
                    "category": "social",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "timezone": "Europe/Copenhagen",
                    "venue": "Hall",
                }
            )
        db.session.execute(insert(Event), rows)
    kinds = ("offer", "request", "question", "resource", "story")
    for start in range(0, posts, 5000):
        rows = []
        for n in range(start, min(posts, start + 5000)):
            body = text_of(rng, words, 30)
            rows.append(
                {
                    "author_id": user_ids[n % len(user_ids)],
                    "kind": kinds[n % len(kinds)],
                    "title": text_of(rng, words, 4) + (" quokka" if n % 9973 == 7 else ""),
                    "body": body,
                    "body_html": body,
                    "created_at": now,
                }
            )
        db.session.execute(insert(Post), rows)
    db.session.commit()
    reindex()
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # What autovacuum does after a bulk load: without statistics the planner guesses
        # 2,500 rows a kind (of 33,000) and intersects the kind's index with the GIN index.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return viewer_id


def like_scan(q: str) -> tuple[int, int]:
    """The scan the directory ran before the index, over profiles, events and posts: every
    word in a case-folded LIKE on each text column; counts and the first 20 rows of each."""
    found = 0
    for table, columns in (
        (Profile, (Profile.headline, Profile.bio_html)),
        (Event, (Event.title, Event.description_html)),
        (Post, (Post.title, Post.body_html)),
    ):
        clause = and_(
            *[
                or_(*[casefold(column).like(like_pattern(word), escape="\\") for column in columns])
                for word in q.split()
            ]
        )
        found += db.session.scalar(select(func.count()).select_from(table).where(clause))
        key = table.user_id if table is Profile else table.id
        db.session.execute(select(table).where(clause).order_by(key).limit(20)).all()
    return found, 0


BLOCK = 5  # runs of one function in a row (`median_ms`)


def end_request() -> None:
    """What the end of a request does to its transaction: the app's teardown commits one
    that wrote nothing (PostgreSQL, so psycopg keeps its prepared statements), then the
    session's removal rolls back whatever is left."""
    end_read_only_transaction()
    db.session.rollback()


def median_ms(functions, repeat: int, begin=lambda: None) -> list[float]:
    """The median milliseconds of each of `functions` over `repeat` runs, taken in turns,
    BLOCK runs of one, then BLOCK of the next: a machine whose load changes during the run
    slows them alike (timing one after the other put a busy minute on one side of the
    ratio), while the search still runs mostly warm, as it does in use (right after a
    LIKE scan has read every table through SQLite's 2 MB page cache, a search finds none
    of the index's pages there: 'zzyzx', which reads a few pages, took 1.1 ms instead of
    0.2).

    Each run has a transaction of its own, ended after it as a request's is
    (`end_request`), and begun before the clock starts by `begin`, as a request's search
    finds it begun: the query that loads the signed-in member has checked out the
    connection and begun it."""
    samples: list[list[float]] = [[] for _ in functions]
    for function in functions:
        function()
        end_request()
    while len(samples[0]) < repeat:
        for function, times in zip(functions, samples, strict=True):
            for _ in range(min(BLOCK, repeat - len(times))):
                begin()
                started = time.perf_counter()
                function()
                times.append((time.perf_counter() - started) * 1000)
                end_request()
    return [statistics.median(times) for times in samples]


def run(backend: str, database_url: str, documents: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=database_url or f"sqlite:///{Path(tmp) / 'bench.db'}",
            RATELIMIT_ENABLED=False,
            MAIL_DIR=str(Path(tmp) / "mail"),
        )
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            viewer_id = generate(documents)
            load = time.perf_counter() - started
            print(
                f"\n[{backend}] {documents:,} documents (made and indexed in {load:.1f} s), "
                f"median of {repeat}"
            )
            print(f"{'query':<14} {'matches':>8} {'search ms':>10} {'LIKE ms':>9} {'ratio':>7}")
            with app.test_request_context("/search"):
                # The viewer is loaded before the clock starts, as Flask-Login has loaded
                # it before a search runs (and kept loaded: the rollbacks between runs
                # would expire it).
                viewer = db.session.get(User, viewer_id)
                db.session.expunge(viewer)

                def load_the_member() -> None:
                    """Flask-Login's query at the start of a request (a copy of the viewer,
                    so the one searching stays as it was)."""
                    db.session.execute(select(User).where(User.id == viewer_id)).all()

                for q in QUERIES:
                    results = search(viewer, q, limit=20)
                    matches = f"{results.total:,}{'+' if results.total_capped else ''}"
                    search_ms, like_ms = median_ms(
                        [lambda q=q: search(viewer, q, limit=20), lambda q=q: like_scan(q)],
                        repeat,
                        begin=load_the_member,
                    )
                    print(
                        f"{q:<14} {matches:>8} {search_ms:10.2f} {like_ms:9.2f} "
                        f"{search_ms / like_ms:7.3f}"
                    )
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 100000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    from tests.servers import PostgresServer

    for backend in args.backends:
        postgres = None
        if backend == "postgresql":
            reason = PostgresServer.missing_reason()
            if reason:
                print(f"\n[postgresql] skipped: {reason}")
                continue
            postgres = PostgresServer()
            postgres.start()
        try:
            for size in args.sizes:
                url = ""
                if postgres is not None:
                    url = postgres.create_database(f"bench_{uuid.uuid4().hex[:8]}")
                run(backend, url, size, args.repeat)
        finally:
            if postgres is not None:
                postgres.stop()


if __name__ == "__main__":
    main()
