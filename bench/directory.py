"""Directory benchmark: time and SQL statements per directory page, over the demo data and
over a larger generated community, against a baseline measured in the same run.

Baseline: GET /healthz through the same app, client and database (one trivial query), so the
ratio shows what the directory itself costs. Run: `.venv/bin/python -m bench.directory`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from bench.common import bench_app, log_in, timed
from bench.datagen import generate
from community.auth.models import User
from community.extensions import db

SEARCHES = {
    "everyone": "/members",
    "skill=Python": "/members?skill=Python",
    "city+language": "/members?city=zurich&language=de",
    "name search": "/members?q=an",
    "suggestions page": "/connections",
}


def run(extra: int, repeat: int, keep: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = keep / f"bench-{extra}.db" if keep else Path(tmp) / "bench.db"
        reuse = path.exists()
        app = bench_app(path, Path(tmp) / "mail")
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            members = db.session.query(User).count() if reuse else generate(extra)
            load_seconds = time.perf_counter() - started
            engine = db.engine
        client = log_in(app, "member@alongside.example")
        base_ms, base_q = timed(engine, client, "/healthz", repeat)
        print(
            f"\n{members} members (generated in {load_seconds:.1f} s), SQLite, median of {repeat}"
        )
        print(f"{'page':<18} {'ms':>8} {'x baseline':>11} {'queries':>8}")
        print(f"{'baseline /healthz':<18} {base_ms:8.2f} {1.0:11.1f} {base_q:8d}")
        for label, path in SEARCHES.items():
            ms, queries = timed(engine, client, path, repeat)
            print(f"{label:<18} {ms:8.2f} {ms / base_ms:11.1f} {queries:8d}")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--extra", type=int, nargs="*", default=[0, 5000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated databases here")
    args = parser.parse_args()
    for extra in args.extra:
        run(extra, args.repeat, args.keep)


if __name__ == "__main__":
    main()
