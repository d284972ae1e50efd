"""Notifications benchmark: the delay between a committed change and the bell update, that is
the member's client receiving `notification:new`, with 50 and with 500 members connected.

A real server (`gunicorn`, one worker, threading mode, as bench/chat.py runs it) on a SQLite
file (WAL) with a throwaway Redis as the Socket.IO message queue. Every member has a post and
a python-socketio asyncio client connected over WebSocket. For each sample the bench process
comments on a random member's post through the real service (`comments.add_comment`, which
calls `notify`), and commits: the after-commit hook publishes `notification:new` through
Redis, the server delivers it to the member's room. The delay runs from just before
`commit()` (so it includes the commit itself, the describing is done before it, inside the
transaction) to the client's handler being called, both measured in this process with the
same clock. Commits run in a worker thread so the clients' event loop stays free.

`--via http` makes the same comment through the server's JSON API instead (the server
commits and emits in its own process, Redis still configured as in production): the delay
then runs from sending the request, so it includes the request itself.

Run: `.venv/bin/python -m bench.notifications` (`--help` for the options).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import insert, select

from bench.chat import BIN, ROOT, Server, connect_all, disconnect_all, environment, p99


def prepare(database_url: str, secret: str, redis_url: str, members: int):
    """Migrate; write `members` members (with login sessions) and one actor; a post each.
    Returns (app in this process, cookies by member id, post ids by member id, actor id)."""
    subprocess.run(  # noqa: S603 (our own flask, fixed arguments)
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=environment(database_url, secret, "threading", redis_url),
        check=True,
        capture_output=True,
    )
    from community import create_app
    from community.auth.models import User, UserSession
    from community.auth.sessions import hash_token
    from community.core.database import utcnow
    from community.extensions import db
    from community.posts import services as posts
    from config import DevelopmentConfig

    app = create_app(
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY=secret,
        REDIS_URL=redis_url,
        SOCKET_COMMAND_LISTENER=False,
        MAIL_SENDER="external",
        JOBS_RUNNER="external",
        RATELIMIT_STORAGE_URI="memory://",
    )
    with app.app_context():
        now = utcnow()
        tag = uuid.uuid4().hex[:6]
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"bell{tag}{n}@bench.example",
                    "display_name": f"Bell member {n}",
                    "password_hash": "not-a-hash: these members never log in by password",
                    "email_confirmed_at": now,
                }
                for n in range(members + 1)
            ],
        )
        ids = list(
            db.session.scalars(
                select(User.id).where(User.email.like(f"bell{tag}%")).order_by(User.id)
            )
        )
        actor, ids = ids[0], ids[1:]
        tokens = {user_id: secrets.token_urlsafe(32) for user_id in ids}
        db.session.execute(
            insert(UserSession),
            [
                {"user_id": user_id, "token_hash": hash_token(token), "last_seen_at": now}
                for user_id, token in tokens.items()
            ],
        )
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = {u: serializer.dumps({"_user_id": t, "_fresh": True}) for u, t in tokens.items()}
        post_ids = {}
        for user_id in ids:
            post = posts.create_post(
                db.session.get(User, user_id),
                posts.PostData(kind="question", title="Where to buy bread?", body="Early."),
            )
            db.session.flush()
            post_ids[user_id] = post.id
        db.session.commit()
        from community.auth.api_tokens import issue_token

        token = issue_token(db.session.get(User, actor), "bench")
        db.session.commit()
        db.session.remove()
    return app, cookies, post_ids, actor, token


async def measure(
    url: str, app, cookies: dict, post_ids: dict, actor: int, token: str, samples: int, http: bool
):
    """Connect one client per member, then comment `samples` times: the delays in ms. With
    `http` the comment goes through the server's API (POST /api/v1/posts/{id}/comments): the
    delay then runs from sending the request, and includes the whole request."""
    from community.auth.models import User
    from community.comments import services as comments
    from community.extensions import db

    member_ids = list(cookies)
    clients = await connect_all([url], [cookies[m] for m in member_ids])
    arrived: dict[int, float] = {}
    waiting: dict[int, asyncio.Future] = {}
    loop = asyncio.get_running_loop()

    for member_id, client in zip(member_ids, clients, strict=True):

        def received(data, member_id=member_id):
            arrived[data["id"]] = time.perf_counter()
            future = waiting.pop(member_id, None)
            if future is not None and not future.done():
                future.set_result(data["id"])

        client.on("notification:new", received)

    lock = threading.Lock()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def post_one(member_id: int) -> float:
        started = time.perf_counter()
        response = session.post(
            f"{url}/api/v1/posts/{post_ids[member_id]}/comments",
            json={"body": "Try the corner shop."},
            timeout=15,
        )
        response.raise_for_status()
        return started

    def commit_one(member_id: int) -> float:
        with lock, app.app_context():
            comments.add_comment(
                db.session.get(User, actor), "post", post_ids[member_id], "Try the corner shop."
            )
            started = time.perf_counter()
            db.session.commit()
            db.session.remove()
            return started

    delays: list[float] = []
    rng = random.Random(17)
    try:
        for _ in range(samples):
            member_id = rng.choice(member_ids)
            future = loop.create_future()
            waiting[member_id] = future
            started = await asyncio.to_thread(post_one if http else commit_one, member_id)
            notification_id = await asyncio.wait_for(future, timeout=15)
            delays.append((arrived[notification_id] - started) * 1000)
            await asyncio.sleep(0.01)
    finally:
        await disconnect_all(clients)
        session.close()
    return delays


def run(members: int, samples: int, workdir: Path, redis_url: str, http: bool) -> list[float]:
    secret = secrets.token_urlsafe(32)
    database_url = f"sqlite:///{workdir / f'bell-{members}.db'}"
    app, cookies, post_ids, actor, token = prepare(database_url, secret, redis_url, members)
    server = Server(
        "wsgi:app",
        "threading",
        environment(database_url, secret, "threading", redis_url),
        workdir / f"server-{members}.log",
    )
    try:
        return asyncio.run(measure(server.url, app, cookies, post_ids, actor, token, samples, http))
    finally:
        server.stop()
        with app.app_context():
            from community.extensions import db

            db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="each configuration this often")
    parser.add_argument(
        "--via",
        nargs="+",
        choices=["commit", "http"],
        default=["commit", "http"],
        help="commit: this process commits (emit through Redis); http: a request to the server",
    )
    args = parser.parse_args(argv)
    from tests.servers import RedisServer

    with tempfile.TemporaryDirectory() as tmp, RedisServer() as redis:
        workdir = Path(tmp)
        for round_ in range(1, args.rounds + 1):
            for via, members in [(v, m) for v in args.via for m in args.members]:
                delays = run(members, args.samples, workdir, redis.url, via == "http")
                print(
                    f"round {round_}  via {via:6s}  {members:4d} members connected  "
                    f"{len(delays)} samples  "
                    f"median {statistics.median(delays):6.1f} ms  p99 {p99(delays):6.1f} ms"
                    f"  max {max(delays):6.1f} ms",
                    flush=True,
                )


if __name__ == "__main__":
    main()
