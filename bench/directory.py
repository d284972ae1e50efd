"""Directory benchmark: time and SQL statements per directory page, over the demo data and
over a larger generated community, against a baseline measured in the same run.

Baseline: GET /healthz through the same app, client and database (one trivial query), so the
ratio shows what the directory itself costs. Run: `.venv/bin/python -m bench.directory`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event

from bench.datagen import generate
from community import create_app
from community.auth.models import User
from community.demo import DEMO_PASSWORD
from community.extensions import db
from config import TestingConfig

SEARCHES = {
    "everyone": "/members",
    "skill=Python": "/members?skill=Python",
    "city+language": "/members?city=zurich&language=de",
    "name search": "/members?q=an",
    "suggestions page": "/connections",
}


def timed(client, path: str, repeat: int) -> tuple[float, int]:
    """Median milliseconds and SQL statements for GET `path`."""
    statements: list[str] = []

    def record(*args):
        statements.append(args[2])

    engine = db.engine
    samples = []
    client.get(path)  # warm templates and caches
    for _ in range(repeat):
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples), len(statements)


def run(extra: int, repeat: int, keep: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = keep / f"bench-{extra}.db" if keep else Path(tmp) / "bench.db"
        reuse = path.exists()
        app = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
            RATELIMIT_ENABLED=False,
            MAIL_DIR=str(Path(tmp) / "mail"),
        )
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            members = db.session.query(User).count() if reuse else generate(extra)
            load_seconds = time.perf_counter() - started
        client = app.test_client()
        html = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        client.post(
            "/auth/login",
            data={
                "email": "member@alongside.example",
                "password": DEMO_PASSWORD,
                "csrf_token": token,
            },
        )
        with app.app_context():
            base_ms, base_q = timed(client, "/healthz", repeat)
            print(
                f"\n{members} members (generated in {load_seconds:.1f} s), SQLite, median of {repeat}"
            )
            print(f"{'page':<18} {'ms':>8} {'x baseline':>11} {'queries':>8}")
            print(f"{'baseline /healthz':<18} {base_ms:8.2f} {1.0:11.1f} {base_q:8d}")
            for label, path in SEARCHES.items():
                ms, queries = timed(client, path, repeat)
                print(f"{label:<18} {ms:8.2f} {ms / base_ms:11.1f} {queries:8d}")
            db.engine.dispose()


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
