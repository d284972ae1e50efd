"""Chat benchmark: what a stored, ordered, idempotent message costs over Socket.IO, in each
async mode, against a bare python-socketio echo server served the same way in the same run.

For each async mode (threading: `gunicorn --threads`; gevent: `gunicorn -k gevent`):

- **Sends**: N WebSocket clients (default 50), each sending `message:send` to its own direct
  conversation and waiting for the ack before the next, for S seconds: acked sends per
  second and p99 round trip. Baseline: `bench/chat_echo.py`, which acks and emits without
  storing anything. Goal: at least 0.5x the throughput, p99 at most 2x.
- **Fan-out**: one member sends to a group conversation of 10 connected members; a message
  counts when all 10 have received `message:new`. Messages per second with 10 sockets
  connected, then with 1,000 (990 idle members connected too). Goal: at least 0.8x.
- **Memory**: the server's resident memory with no sockets and with 1,000 connected.

The database is a SQLite file (WAL), as `make run` has it; `--postgres URL` (a server URL
ending in a database name we may create tables in) measures PostgreSQL instead. Members
and their login sessions are written straight into the database; each client carries a
session cookie signed with the server's secret key, exactly as a browser would.

Run: `.venv/bin/python -m bench.chat` (`--help` for the options).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import socketio
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODES = ("threading", "gevent")
FANOUT_MEMBERS = 10


@dataclass
class World:
    """The members the clients log in as, with their cookies and conversations."""

    senders: list[tuple[str, int]] = field(default_factory=list)  # (cookie, conversation)
    fanout: list[str] = field(default_factory=list)  # cookies of the group's 10 members
    fanout_conversation: int = 0
    idle: list[str] = field(default_factory=list)  # cookies of members in no conversation


def environment(
    database_url: str, secret: str, mode: str, redis_url: str | None = None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_APP")}
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret,
            "FLASK_CONFIG": "development",
            "RATELIMIT_ENABLED": "0",
            "SOCKETIO_ASYNC_MODE": mode,
            "MAIL_SENDER": "external",
            "JOBS_RUNNER": "external",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def prepare(database_url: str, secret: str, senders: int, idle: int) -> World:
    """Migrate, then write members, sessions and conversations; return the clients' world."""
    subprocess.run(  # noqa: S603 (our own flask, fixed arguments)
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=environment(database_url, secret, "threading"),
        check=True,
        capture_output=True,
    )
    from community import create_app
    from community.auth.models import User, UserSession
    from community.auth.sessions import hash_token
    from community.chat import services as chat
    from community.core.database import utcnow
    from community.extensions import db
    from config import DevelopmentConfig

    app = create_app(
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY=secret,
        MAIL_SENDER="external",
        JOBS_RUNNER="external",
    )
    total = senders + 1 + FANOUT_MEMBERS + idle
    world = World()
    with app.app_context():
        now = utcnow()
        tag = uuid.uuid4().hex[:6]
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"chat{tag}{n}@bench.example",
                    "display_name": f"Chat member {n}",
                    "password_hash": "not-a-hash: these members never log in by password",
                    "email_confirmed_at": now,
                }
                for n in range(total)
            ],
        )
        ids = list(
            db.session.scalars(
                select(User.id).where(User.email.like(f"chat{tag}%")).order_by(User.id)
            )
        )
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

        def cookie(user_id: int) -> str:
            return serializer.dumps({"_user_id": tokens[user_id], "_fresh": True})

        partner = ids[senders]
        for user_id in ids[:senders]:
            conversation = chat.start_direct(db.session.get(User, user_id), partner)
            db.session.commit()
            world.senders.append((cookie(user_id), conversation.id))
        members = ids[senders + 1 : senders + 1 + FANOUT_MEMBERS]
        group = chat.create_group_conversation(
            db.session.get(User, members[0]), "Fan-out", members[1:]
        )
        db.session.commit()
        world.fanout = [cookie(user_id) for user_id in members]
        world.fanout_conversation = group.id
        world.idle = [cookie(user_id) for user_id in ids[senders + 1 + FANOUT_MEMBERS :]]
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            # Statistics for the bulk-loaded tables, as autovacuum gathers them within a
            # minute on a real server: without them the planner guesses one row for every
            # table and walks all 1,000 members' sessions for each batch of sends.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        db.engine.dispose()
    return world


class Server:
    """`gunicorn` serving `target` ("wsgi:app" or "bench.chat_echo:app") in `mode`."""

    def __init__(
        self, target: str, mode: str, env: dict[str, str], log: Path, profile: Path | None = None
    ) -> None:
        from tests.servers import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        worker = (
            ["-k", "gevent", "--worker-connections", "3000"]
            if mode == "gevent"
            else ["--threads", "1200"]
        )
        if profile is not None:  # bench/profiling.py: yappi in the worker, stats at exit
            worker += ["-c", str(ROOT / "bench" / "profiling.py")]
            env = env | {"BENCH_PROFILE": str(profile)}
        self.profiled = profile is not None
        self.log = log.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [
                str(BIN / "gunicorn"),
                "-w",
                "1",
                *worker,
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--graceful-timeout",
                "120",
                target,
            ],
            cwd=ROOT,
            env=env | {"HOST": "127.0.0.1", "PORT": str(self.port)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                path = (
                    "/healthz"
                    if target.startswith("wsgi")
                    else "/socket.io/?EIO=4&transport=polling"
                )
                with urllib.request.urlopen(self.url + path, timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{target} in {mode} mode did not start; see {log}")

    def pids(self) -> list[int]:
        """The server's processes: the gunicorn master and its worker."""
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return pids

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the server's processes have used so far."""
        total = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident memory of the server's processes (master and worker), in MB."""
        total = 0
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=120 if self.profiled else 15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


async def connect(url: str, cookie: str | None) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    await client.connect(url, headers=headers, transports=["websocket"], wait_timeout=30)
    return client


async def connect_all(urls: list[str], cookies: list[str | None]) -> list[socketio.AsyncClient]:
    """One client per cookie, spread over the server processes in turn."""
    clients = []
    for start in range(0, len(cookies), 50):
        batch = cookies[start : start + 50]
        clients += await asyncio.gather(
            *(connect(urls[(start + n) % len(urls)], c) for n, c in enumerate(batch))
        )
    return clients


async def disconnect_all(clients) -> None:
    await asyncio.gather(*(client.disconnect() for client in clients), return_exceptions=True)


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]


async def sends(
    urls: list[str], world: World, echo: bool, seconds: float
) -> tuple[float, float, int]:
    """(acked sends per second, p99 milliseconds, sends) with one client per sender."""
    cookies = [None if echo else cookie for cookie, _cid in world.senders]
    clients = await connect_all(urls, cookies)
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + seconds

    async def run(client, conversation_id: int) -> None:
        await client.call("join", {"conversation_id": conversation_id}, timeout=30)
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            ack = await client.call(
                "message:send",
                {
                    "conversation_id": conversation_id,
                    "body": "How is the new job going?",
                    "client_id": uuid.uuid4().hex,
                },
                timeout=60,
            )
            if not ack or not ack.get("ok"):
                raise RuntimeError(f"refused: {ack}")
            latencies.append((time.perf_counter() - sent) * 1000)

    await asyncio.gather(
        *(run(client, cid) for client, (_c, cid) in zip(clients, world.senders, strict=True))
    )
    elapsed = time.perf_counter() - started
    await disconnect_all(clients)
    return len(latencies) / elapsed, p99(latencies), len(latencies)


async def fanout(urls: list[str], world: World, echo: bool, idle: int, messages: int) -> float:
    """Messages per second delivered to all 10 members of a group conversation, with
    `idle` more members connected."""
    cookies = [None if echo else cookie for cookie in world.fanout]
    members = await connect_all(urls, cookies)
    bystanders = await connect_all(urls, [None if echo else c for c in world.idle[:idle]])
    cid = world.fanout_conversation
    arrivals: dict[str, int] = {}
    done: dict[str, asyncio.Event] = {}

    def counter(data):
        key = data.get("client_id")
        if key in done:
            arrivals[key] += 1
            if arrivals[key] == FANOUT_MEMBERS:
                done[key].set()

    for client in members:
        client.on("message:new", counter)
        await client.call("join", {"conversation_id": cid}, timeout=30)
    started = time.perf_counter()
    for n in range(messages):
        key = f"fan-{uuid.uuid4().hex}"
        arrivals[key] = 0
        done[key] = asyncio.Event()
        ack = await members[0].call(
            "message:send",
            {"conversation_id": cid, "body": f"Fan-out {n}", "client_id": key},
            timeout=60,
        )
        if not ack or not ack.get("ok"):
            raise RuntimeError(f"refused: {ack}")
        await asyncio.wait_for(done[key].wait(), 60)
    rate = messages / (time.perf_counter() - started)
    await disconnect_all(members + bystanders)
    return rate


async def memory(servers: list[Server], cookies: list[str | None]) -> tuple[float, float]:
    """Resident memory of all the server processes, before and with the sockets."""
    before = sum(server.rss_mb() for server in servers)
    clients = await connect_all([server.url for server in servers], cookies)
    await asyncio.sleep(1)
    after = sum(server.rss_mb() for server in servers)
    await disconnect_all(clients)
    return before, after


def measure(mode: str, args, workdir: Path) -> dict:
    secret = secrets.token_urlsafe(32)
    database_url = args.postgres or f"sqlite:///{workdir / f'chat-{mode}.db'}"
    idle = max(0, args.connected - FANOUT_MEMBERS)
    world = prepare(database_url, secret, args.clients, idle)
    env = environment(database_url, secret, mode, args.redis)
    results = {}
    for name, target, echo in (
        ("echo", "bench.chat_echo:app", True),
        ("alongside", "wsgi:app", False),
    ):
        servers = []
        try:
            for number in range(args.processes):
                log = workdir / f"{name}-{mode}-{number}.log"
                profile = (
                    Path(args.profile) / f"{name}-{mode}-{number}.pstat" if args.profile else None
                )
                servers.append(Server(target, mode, env, log, profile))
            urls = [server.url for server in servers]
            cpu = sum(server.cpu_seconds() for server in servers)
            rate, tail, count = asyncio.run(sends(urls, world, echo, args.seconds))
            cpu = sum(server.cpu_seconds() for server in servers) - cpu
            small = large = float("nan")
            rss = (float("nan"), float("nan"))
            if not args.sends_only:
                small = asyncio.run(fanout(urls, world, echo, 0, args.messages))
                large = asyncio.run(fanout(urls, world, echo, idle, args.messages))
                cookies = [None] * args.connected if echo else (world.fanout + world.idle)
                rss = asyncio.run(memory(servers, cookies[: args.connected]))
        finally:
            for server in servers:
                server.stop()
        results[name] = {
            "rate": rate,
            "p99": tail,
            "cpu": cpu * 1000 / count,
            "fan10": small,
            "fan1000": large,
            "rss": rss,
        }
    return results


def report(mode: str, results: dict, args) -> None:
    echo, ours = results["echo"], results["alongside"]
    database = "PostgreSQL" if args.postgres else "SQLite"
    shape = f", {args.processes} processes, Redis" if args.processes > 1 else ""
    print(f"\n== {mode} ({database}{shape}) ==")
    print(f"{'':28}{'echo':>12}{'alongside':>12}{'ratio':>8}")
    print(
        f"{'acked sends/s, ' + str(args.clients) + ' clients':28}"
        f"{echo['rate']:12.0f}{ours['rate']:12.0f}{ours['rate'] / echo['rate']:8.2f}"
        "   goal >= 0.5"
    )
    print(
        f"{'p99 round trip, ms':28}{echo['p99']:12.1f}{ours['p99']:12.1f}"
        f"{ours['p99'] / echo['p99']:8.2f}   goal <= 2"
    )
    print(
        f"{'server CPU a send, ms':28}{echo['cpu']:12.2f}{ours['cpu']:12.2f}"
        f"{ours['cpu'] / echo['cpu']:8.2f}   (connects and joins included)"
    )
    for name in ("echo", "alongside"):
        r = results[name]
        if args.sends_only:
            continue
        print(
            f"fan-out to 10, {name:9}: {r['fan10']:7.0f} msg/s with 10 connected, "
            f"{r['fan1000']:7.0f} with {args.connected} ({r['fan1000'] / r['fan10']:.2f}x, "
            "goal >= 0.8)"
        )
        print(
            f"memory, {name:9}: {r['rss'][0]:6.1f} MB idle, {r['rss'][1]:6.1f} MB with "
            f"{args.connected} sockets ({(r['rss'][1] - r['rss'][0]) * 1024 / args.connected:.0f}"
            " KB a socket)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="sending clients (50)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds of sending (10)")
    parser.add_argument("--messages", type=int, default=200, help="fan-out messages (200)")
    parser.add_argument("--connected", type=int, default=1000, help="sockets for fan-out (1000)")
    parser.add_argument("--modes", default=",".join(MODES), help="async modes (threading,gevent)")
    parser.add_argument("--postgres", help="a PostgreSQL database URL instead of SQLite")
    parser.add_argument("--processes", type=int, default=1, help="server processes (1)")
    parser.add_argument("--redis", help="Redis URL (the queue between processes)")
    parser.add_argument(
        "--profile",
        help="a directory: run each server under yappi (bench/profiling.py) and write its "
        "pstats there (slows the servers: figures from such a run are not comparable)",
    )
    parser.add_argument(
        "--sends-only", action="store_true", help="measure the sends only (no fan-out, memory)"
    )
    args = parser.parse_args(argv)
    if args.processes > 1 and not (args.redis and args.postgres):
        parser.error("several processes share PostgreSQL and Redis: give --postgres and --redis")
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        for mode in args.modes.split(","):
            report(mode, measure(mode, args, Path(tmp)), args)


if __name__ == "__main__":
    main()
