"""Events benchmark: what the events pages cost, and how many RSVPs per second one server
process takes when 200 members press "Going" at the same moment.

Pages: median milliseconds and SQL statements over N requests through the real app (Flask
test client, SQLite file in WAL mode, rate limits off), for the demo community and for the
demo community plus 10,000 generated events with 100,000 RSVPs. Baseline: GET /healthz in
the same run.

Contention: a real server process (`python wsgi.py`, as `make run` starts it) on SQLite
and on PostgreSQL; 200 members RSVP at once over HTTP to an event of 50 seats. Baseline:
200 simultaneous GET /healthz to the same server.

Run: `.venv/bin/python -m bench.events` (`--help` for the options).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests
from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from bench.common import bench_app, log_in, timed
from community.auth.models import User
from community.core.database import utcnow
from community.demo import DEMO_PASSWORD, seed
from community.events.models import Event, EventCategory, Rsvp, RsvpStatus
from community.extensions import db

MEMBER = "member@alongside.example"
ORGANISER = "organiser@alongside.example"
RSVPS_PER_EVENT = 10


def generate(extra_events: int, seed_value: int = 14) -> tuple[int, int]:
    """The demo community plus `extra_events` events (half past, half in the next two
    months) with RSVPS_PER_EVENT going RSVPs each from generated members. Rows go in by
    bulk insert with consistent counters (`seats_taken` equals the going seats): the
    services' per-RSVP locking is what the contention half measures. Commits; answers the
    numbers of events and RSVPs."""
    seed()
    db.session.commit()
    if extra_events:
        rng = random.Random(seed_value)
        shared_hash = db.session.scalar(select(User.password_hash).limit(1))
        people = max(RSVPS_PER_EVENT * 20, extra_events // 5)
        now = utcnow()
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"bench{n}@bench.example",
                    "display_name": f"Bench member {n}",
                    "password_hash": shared_hash,
                    "email_confirmed_at": now,
                }
                for n in range(people)
            ],
        )
        first_user = db.session.scalar(
            select(func.min(User.id)).where(User.email.like("bench%@bench.example"))
        )
        organiser_id = db.session.scalar(select(User.id).where(User.email == ORGANISER))
        categories = list(EventCategory)
        rows = []
        for n in range(extra_events):
            starts = now + timedelta(days=rng.uniform(-60, 60), hours=rng.randint(0, 23))
            rows.append(
                {
                    "organiser_id": organiser_id,
                    "title": f"Generated event {n}",
                    "description": "A generated event for the benchmark.",
                    "description_html": "<p>A generated event for the benchmark.</p>",
                    "category": categories[n % len(categories)],
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "timezone": "Europe/Copenhagen",
                    "venue": "Community hall, Copenhagen" if n % 4 else "",
                    "online_url": "" if n % 4 else "https://meet.bench.example/room",
                    "capacity": rng.choice([None, 20, 40]),
                    "seats_taken": RSVPS_PER_EVENT,
                }
            )
        for start in range(0, len(rows), 2000):
            db.session.execute(insert(Event), rows[start : start + 2000])
        event_ids = db.session.scalars(
            select(Event.id).where(Event.title.like("Generated event %")).order_by(Event.id)
        ).all()
        batch = []
        for event_id in event_ids:
            for user_offset in rng.sample(range(people), RSVPS_PER_EVENT):
                batch.append(
                    {
                        "event_id": event_id,
                        "user_id": first_user + user_offset,
                        "guests": 0,
                        "status": RsvpStatus.GOING,
                        "joined_at": now,
                    }
                )
            if len(batch) >= 20000:
                db.session.execute(insert(Rsvp), batch)
                batch.clear()
        if batch:
            db.session.execute(insert(Rsvp), batch)
        db.session.commit()
    return (
        db.session.scalar(select(func.count()).select_from(Event)),
        db.session.scalar(select(func.count()).select_from(Rsvp)),
    )


def pages(extra_events: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(Path(tmp) / "bench.db", Path(tmp) / "mail")
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            events, rsvps = generate(extra_events)
            load_seconds = time.perf_counter() - started
            now = utcnow()
            busiest = db.session.execute(
                select(Event.id)
                .join(Rsvp, Rsvp.event_id == Event.id)
                .where(Event.starts_at > now, Event.title.not_like("Generated event %"))
                .group_by(Event.id)
                .order_by(func.count().desc(), Event.id)
                .limit(1)
            ).scalar_one()
            engine = db.engine
        member, organiser = log_in(app, MEMBER), log_in(app, ORGANISER)
        checks = [
            ("/events", member, "/events"),
            ("/events?category=family", member, "/events?category=family"),
            ("/events?q=picnic", member, "/events?q=picnic"),
            ("/events?when=past", member, "/events?when=past"),
            ("/events/<busiest>", member, f"/events/{busiest}"),
            ("/events/<id>/attendees", organiser, f"/events/{busiest}/attendees"),
        ]
        token = member.post(
            "/api/v1/tokens", json={"email": MEMBER, "password": DEMO_PASSWORD}
        ).json["token"]
        api = {"Authorization": f"Bearer {token}"}
        base_ms, base_q = timed(engine, member, "/healthz", repeat)
        print(
            f"\n{events} events, {rsvps} RSVPs (loaded in {load_seconds:.1f} s), "
            f"SQLite, median of {repeat}"
        )
        print(f"{'page':<26} {'ms':>8} {'x baseline':>11} {'queries':>8}")
        print(f"{'baseline /healthz':<26} {base_ms:8.2f} {1.0:11.1f} {base_q:8d}")
        for label, client, path in checks:
            ms, queries = timed(engine, client, path, repeat)
            print(f"{label:<26} {ms:8.2f} {ms / base_ms:11.1f} {queries:8d}")
        ms, queries = timed(engine, app.test_client(), "/api/v1/events", repeat, api)
        print(f"{'GET /api/v1/events':<26} {ms:8.2f} {ms / base_ms:11.1f} {queries:8d}")
        engine.dispose()


def contention(backends: list[str], rounds: int) -> None:
    """RSVPs per second with 200 members at once, against 200 simultaneous /healthz."""
    from tests.browser.live import LiveServer
    from tests.rsvp_rush import CAPACITY, MEMBERS, make_members, new_event, organiser, rush
    from tests.servers import PostgresServer

    postgres = None
    for backend in backends:
        database_url = None
        if backend == "postgresql":
            reason = PostgresServer.missing_reason()
            if reason:
                print(f"\n[postgresql] skipped: {reason}")
                continue
            postgres = PostgresServer()
            postgres.start()
            database_url = postgres.create_database(f"bench_{uuid.uuid4().hex[:8]}")
        with tempfile.TemporaryDirectory() as tmp:
            live = LiveServer(Path(tmp), database_url=database_url)
            live.start()
            live.backend = backend
            try:
                host = organiser(live)
                print(f"\n[{backend}] {MEMBERS} at once, {CAPACITY} seats, {rounds} rounds")
                for round_ in range(rounds):
                    members = make_members(live, f"bench{round_}x{uuid.uuid4().hex[:4]}")
                    health = [f"{live.url}/healthz"] * MEMBERS
                    with ThreadPoolExecutor(MEMBERS) as pool:
                        started = time.perf_counter()
                        statuses = list(
                            pool.map(lambda url: requests.get(url, timeout=600), health)
                        )
                        health_seconds = time.perf_counter() - started
                    assert all(r.status_code == 200 for r in statuses)
                    event_id = new_event(live, host, guests_allowed=0)
                    answers, seconds = rush(live, event_id, [(m, 0) for m in members])
                    going = sum(1 for _s, body, _g in answers if body.get("status") == "going")
                    errors = sum(1 for status, _b, _g in answers if status >= 500)
                    print(
                        f"  round {round_ + 1}: healthz {MEMBERS / health_seconds:7.1f} req/s; "
                        f"RSVP {MEMBERS / seconds:7.1f} RSVPs/s "
                        f"({health_seconds / seconds:.2f} x baseline); "
                        f"{going} going, {errors} errors"
                    )
            finally:
                live.stop()
    if postgres is not None:
        postgres.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--extra", type=int, nargs="*", default=[0, 10000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-pages", action="store_true")
    args = parser.parse_args()
    if not args.skip_pages:
        for extra in args.extra:
            pages(extra, args.repeat)
    contention(args.backends, args.rounds)


if __name__ == "__main__":
    main()
