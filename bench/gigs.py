"""Gigs benchmark: what `/gigs` and "For you" (`/gigs/for-you`) cost with 5,000 gigs, against
`GET /healthz` in the same run, with the SQL statement count of each page.

The demo community plus N generated gigs (bulk inserted with core SQL): every kind and
"who can take it", one to four of the demo's tags as skills, one or two languages, a demo
city or remote (some remote ones limited to a few countries), most open and approved, some
filled, closed or waiting for review, posted over the last 60 days by demo members. The
viewer is the demo member. Timed through the test client (median of N requests, after one
to warm up): `/healthz`, the list (page 1, a filtered page, a later page by its cursor) and
"For you", and the "For you" ranking alone (`community.gigs.fit.for_you`).

Run: `.venv/bin/python -m bench.gigs` (`--help` for the options). PostgreSQL runs in a
throwaway server (`tests.servers.PostgresServer`, skipped if none is installed).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, select, text

from bench.common import bench_app, log_in, timed
from bench.feed import bench_app_at
from community.auth.models import User
from community.core.database import utcnow
from community.demo import seed
from community.extensions import db
from community.gigs import fit
from community.gigs.models import Gig, GigCountry, GigLanguage, GigSkill
from community.profiles import reference as ref
from community.profiles.models import Tag

MEMBER = "member@alongside.example"
BATCH = 2000
KINDS = ["paid_local", "remote", "freelance", "volunteering", "internship"]
WHO = ["right_to_work", "unpaid_nonprofit", "remote_abroad"]
LANGUAGES = ["en", "da", "de", "nl", "sv", "fr"]


def generate(gigs: int, seed_value: int = 19) -> int:
    """The demo community plus `gigs` generated gigs; commits and answers how many gigs
    there are in all."""
    seed()
    rng = random.Random(seed_value)
    now = utcnow()
    tag_ids = db.session.scalars(select(Tag.id)).all()
    posters = db.session.scalars(select(User.id).where(User.email != MEMBER)).all()
    cities = [city.slug for city in ref.CITIES[:8]] + ["zurich", "copenhagen"]
    first = (db.session.scalar(select(db.func.max(Gig.id))) or 0) + 1
    for start in range(0, gigs, BATCH):
        rows, skills, languages, countries = [], [], [], []
        for n in range(start, min(gigs, start + BATCH)):
            gig_id = first + n
            remote = rng.random() < 0.4
            paid = rng.random() < 0.6
            rows.append(
                {
                    "id": gig_id,
                    "poster_id": rng.choice(posters),
                    "title": f"Gig {n}: {rng.choice(['Translate', 'Design', 'Review', 'Teach', 'Build'])} "
                    f"{rng.choice(['a brochure', 'a website', 'a survey', 'a workshop', 'a report'])}",
                    "description": "Generated for the benchmark.",
                    "description_html": "<p>Generated for the benchmark.</p>",
                    "kind": rng.choice(KINDS),
                    "who_can_take": rng.choice(WHO),
                    "engagement": "invoice" if paid else "voluntary",
                    "city": None if remote else rng.choice(cities),
                    "remote": remote,
                    "overlap_hours": rng.choice([None, 2, 4]) if remote else None,
                    "timezone": rng.choice(["Europe/Berlin", "Europe/London", "America/New_York"]),
                    "hours_per_week": rng.choice([None, 4, 8, 15, 20, 40]),
                    "compensation_amount": rng.randint(50, 3000) if paid else None,
                    "currency": "EUR" if paid else None,
                    "compensation_period": "project" if paid else None,
                    "deadline": (now + timedelta(days=rng.randint(1, 60))).date(),
                    "status": rng.choices(["open", "filled", "closed"], [85, 10, 5])[0],
                    "review": rng.choices(["approved", "pending"], [95, 5])[0],
                    "created_at": now - timedelta(minutes=rng.randint(0, 60 * 24 * 60)),
                }
            )
            for position, tag_id in enumerate(rng.sample(tag_ids, rng.randint(1, 4))):
                skills.append({"gig_id": gig_id, "tag_id": tag_id, "position": position})
            for position, code in enumerate(rng.sample(LANGUAGES, rng.randint(1, 2))):
                languages.append({"gig_id": gig_id, "code": code, "position": position})
            if remote and rng.random() < 0.3:
                for code in rng.sample(["DK", "NL", "DE", "CH", "SE"], 2):
                    countries.append({"gig_id": gig_id, "code": code})
        db.session.execute(insert(Gig), rows)
        db.session.execute(insert(GigSkill), skills)
        db.session.execute(insert(GigLanguage), languages)
        if countries:
            db.session.execute(insert(GigCountry), countries)
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))  # what autovacuum does after a bulk load
        db.session.commit()
    return db.session.scalar(select(db.func.count()).select_from(Gig))


def measure(app: Flask, backend: str, gigs: int, repeat: int) -> None:
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        total = generate(gigs)
        load_seconds = time.perf_counter() - started
        engine = db.engine
    with app.test_request_context("/gigs/for-you"):
        member = db.session.scalar(select(User).where(User.email == MEMBER))
        samples = []
        fits = fit.for_you(member)
        for _ in range(repeat):
            started = time.perf_counter()
            fit.for_you(member)
            samples.append((time.perf_counter() - started) * 1000)
        ranking_ms = statistics.median(samples)
        db.session.remove()
    client = log_in(app, MEMBER)
    html = client.get("/gigs").get_data(as_text=True)
    cursor = re.search(r'href="/gigs\?cursor=([^"&]+)"', html)
    pages = [
        ("/healthz", "/healthz"),
        ("/gigs", "/gigs"),
        ("/gigs, remote, paid", "/gigs?place=remote&pay=paid"),
        ("/gigs, page 2", f"/gigs?cursor={cursor.group(1)}" if cursor else "/gigs"),
        ("/gigs/for-you", "/gigs/for-you"),
    ]
    print(
        f"\n[{backend}] {total:,} gigs (made in {load_seconds:.1f} s), as the demo member, "
        f"median of {repeat}; the ranking alone: {ranking_ms:.2f} ms for {len(fits)} gigs"
    )
    print(f"{'page':<24} {'ms':>8} {'x healthz':>10} {'statements':>11}")
    base = None
    for label, path in pages:
        ms, statements = timed(engine, client, path, repeat)
        base = base or ms
        print(f"{label:<24} {ms:8.2f} {ms / base:10.1f} {statements:11d}")
    with app.app_context():
        db.engine.dispose()


def run(backend: str, database_url: str, gigs: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if database_url:
            app = bench_app_at(database_url, Path(tmp) / "mail")
        else:
            app = bench_app(Path(tmp) / "bench.db", Path(tmp) / "mail")
        measure(app, backend, gigs, repeat)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gigs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"])
    args = parser.parse_args(argv)
    from tests.servers import PostgresServer

    for backend in args.backends:
        if backend != "postgresql":
            run(backend, "", args.gigs, args.repeat)
            continue
        reason = PostgresServer.missing_reason()
        if reason:
            print(f"\n[postgresql] skipped: {reason}")
            continue
        postgres = PostgresServer()
        postgres.start()
        try:
            run(
                backend,
                postgres.create_database(f"bench_{uuid.uuid4().hex[:8]}"),
                args.gigs,
                args.repeat,
            )
        finally:
            postgres.stop()


if __name__ == "__main__":
    main()
