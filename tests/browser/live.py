"""A real Alongside server for the browser tests and the screenshot script.

Plain helper, no pytest fixtures: ``tests/browser/conftest.py`` wraps :class:`LiveServer` in a
session fixture and ``tests/browser/screenshots.py`` uses it directly::

    server = LiveServer(Path(tmp))
    server.start()  # db upgrade, seed-demo, then `python wsgi.py` until /healthz answers
    page.goto(server.url + "/auth/login")
    server.stop()

The migrations and the demo cost a few seconds of CPU per server, so the suite builds the
seeded database once (``build_demo_sqlite``; ``tests/conftest.py`` does the PostgreSQL one) and
starts each server on a copy (``LiveServer.on_copy_of`` / ``seeded=True``).

The server is the one a laptop runs (``FLASK_CONFIG=development``, ``python wsgi.py``) with
its own SQLite file, mail directory and instance path under ``base_dir``, so mail is written
by the real background sender as ``.eml`` files in :attr:`LiveServer.mail_dir`.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from email.message import EmailMessage
from pathlib import Path

from tests.servers import _die_with_parent, free_port

__all__ = [
    "DEMO_ADMIN",
    "DEMO_PASSWORD",
    "REPO_ROOT",
    "LiveServer",
    "LiveServerError",
    "build_demo_sqlite",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "alongside-demo-2026"
DEMO_ADMIN = "admin@alongside.example"

START_TIMEOUT = 20.0
"""Seconds the server may take to answer GET /healthz with 200."""
START_ATTEMPTS = 3
"""Ports tried: another process may take the free port before the server binds it."""
CLI_TIMEOUT = 300.0
"""Seconds `flask db upgrade` or `flask seed-demo` may take (a loaded machine)."""

# Settings from the developer's shell that would point the server somewhere else.
_UNSET = ("MAIL_URL", "REDIS_URL", "BASE_URL", "TRUSTED_PROXIES", "MAIL_SENDER", "FLASK_APP")
_URL_RE = re.compile(r"https?://[^\s<>\"']+")


class LiveServerError(RuntimeError):
    """The server could not be prepared or started; the message carries its log."""


class LiveServer:
    """``python wsgi.py`` on a free port of 127.0.0.1 with its data under ``base_dir``."""

    def __init__(
        self,
        base_dir: Path,
        *,
        database_url: str | None = None,
        extra_env: dict[str, str] | None = None,
        seeded: bool = False,
    ) -> None:
        """`database_url` replaces the SQLite file (e.g. a shared PostgreSQL); `extra_env`
        adds settings such as REDIS_URL or a SECRET_KEY shared by several servers; `seeded`
        says the database (`database_url`, or the SQLite file already at `database`) is a
        copy of one that `prepare()` made, so `start()` only serves."""
        self.base_dir = Path(base_dir)
        self.database_url = database_url
        self.seeded = seeded
        self.extra_env = dict(extra_env or {})
        self.secret_key = self.extra_env.get("SECRET_KEY") or secrets.token_urlsafe(32)
        self.mail_dir = self.base_dir / "mail"
        self.instance_dir = self.base_dir / "instance"
        self.database = self.base_dir / "live.db"
        self.log_path = self.base_dir / "server.log"
        self.port = 0
        self.url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file = None

    # -- environment -------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _UNSET}
        env.update(
            {
                "DATABASE_URL": self.database_url or f"sqlite:///{self.database}",
                "MAIL_DIR": str(self.mail_dir),
                "INSTANCE_PATH": str(self.instance_dir),
                "FLASK_CONFIG": "development",
                "SECRET_KEY": self.secret_key,
                "RATELIMIT_ENABLED": "1",
                "PYTHONUNBUFFERED": "1",
                **self.extra_env,
            }
        )
        return env

    def _flask(self, *args: str) -> None:
        flask = Path(sys.executable).with_name("flask")
        command = [str(flask)] if flask.is_file() else [sys.executable, "-m", "flask"]
        proc = subprocess.run(
            [*command, "--app", "wsgi", *args],
            cwd=REPO_ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
            check=False,
        )
        if proc.returncode != 0:
            raise LiveServerError(
                f"`flask {' '.join(args)}` failed with status {proc.returncode}:\n"
                f"--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
            )

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def on_copy_of(
        cls, template: Path, base_dir: Path, *, extra_env: dict[str, str] | None = None
    ) -> LiveServer:
        """A server (not started) on its own copy of the SQLite file `template`, which
        `build_demo_sqlite` made."""
        server = cls(base_dir, extra_env=extra_env, seeded=True)
        server.base_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, server.database)
        return server

    def prepare(self, *, migrate: bool = True) -> None:
        """Create the directories, the schema (`flask db upgrade`; `migrate=False` for a
        database already at head) and the demo data (`flask seed-demo`)."""
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.mail_dir.mkdir(exist_ok=True)
        self.instance_dir.mkdir(exist_ok=True)
        if migrate:
            self._flask("db", "upgrade")
        self._flask("seed-demo")

    def start(self) -> LiveServer:
        """Create the schema, load the demo data (unless `seeded`) and serve; returns self
        once /healthz is 200."""
        if self.seeded:
            self.mail_dir.mkdir(parents=True, exist_ok=True)
            self.instance_dir.mkdir(exist_ok=True)
        else:
            self.prepare()
        for attempt in range(1, START_ATTEMPTS + 1):
            if self._try_start():
                return self
            if attempt == START_ATTEMPTS or "in use" not in self.log():
                break
        raise LiveServerError(
            f"`python wsgi.py` did not come up on {self.url}:\n--- log ---\n{self.log()}"
        )

    def _try_start(self) -> bool:
        self.stop()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = self.env()
        env.update({"HOST": "127.0.0.1", "PORT": str(self.port)})
        self._log_file = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [sys.executable, "wsgi.py"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # started from the main thread (fixture / script)
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:  # noqa: S310
                    # Ours must still be running: a clash leaves someone else on the port.
                    if response.status == 200 and self._proc.poll() is None:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        return False

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    def stop(self) -> int | None:
        """Terminate the server (idempotent); returns its exit status, None if none ran."""
        proc, self._proc = self._proc, None
        status = None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            status = proc.returncode
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return status

    def log(self, lines: int = 80, *, static: bool = True) -> str:
        """The last ``lines`` lines of the server's output (``static=False``: without the
        requests for static files)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        kept = [line for line in text.splitlines() if static or "GET /static/" not in line]
        return "\n".join(kept[-lines:])

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- mail --------------------------------------------------------------------------------

    def mails_to(self, address: str) -> list[EmailMessage]:
        """Every mail written so far to ``address``, oldest first."""
        found: list[tuple[float, EmailMessage]] = []
        for path in self.mail_dir.glob("*.eml"):
            try:
                raw = path.read_bytes()
                mtime = path.stat().st_mtime
            except OSError:
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            if str(message["To"]).strip().lower() == address.lower():
                found.append((mtime, message))
        return [message for _, message in sorted(found, key=lambda pair: pair[0])]

    def wait_for_link(self, address: str, path_part: str, timeout: float = 10.0) -> str:
        """Poll the mail directory for a mail to ``address`` with a link containing
        ``path_part`` (e.g. ``/auth/confirm/``); return that link."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.mails_to(address)):
                body = message.get_body(preferencelist=("plain",))
                text = body.get_content() if body is not None else ""
                for link in _URL_RE.findall(text):
                    if path_part in link:
                        return link
            if time.monotonic() > deadline:
                names = sorted(p.name for p in self.mail_dir.glob("*.eml"))
                raise AssertionError(
                    f"no mail to {address} with a {path_part} link within {timeout:.0f}s; "
                    f"mail dir holds {names}\n--- server log ---\n{self.log(30)}"
                )
            time.sleep(0.1)


def build_demo_sqlite(base_dir: Path) -> Path:
    """Make `base_dir`/live.db as `LiveServer.start()` would (`flask db upgrade`, `flask
    seed-demo`), checkpointed into one file that can be copied; returns its path."""
    server = LiveServer(base_dir)
    server.prepare()
    # Everything into the main file; closing the last connection removes the -wal file, so
    # the file alone is the whole database (still in WAL mode, as the server leaves it).
    with contextlib.closing(sqlite3.connect(server.database)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        if Path(f"{server.database}{suffix}").exists():
            raise LiveServerError(f"{server.database}{suffix} is still there after closing")
    return server.database


def seeded_live_server(
    request, base_dir: Path, *, backend: str = "sqlite", extra_env: dict[str, str] | None = None
) -> LiveServer:
    """A LiveServer (not started) on a copy of the demo database: of the `demo_sqlite` file,
    or for "postgresql" a new database from the `demo_postgres` template on the
    `postgres_server` fixture (fixtures of tests/conftest.py, fetched through `request`)."""
    if backend == "postgresql":
        postgres = request.getfixturevalue("postgres_server")
        template = request.getfixturevalue("demo_postgres")
        database_url = postgres.create_database(
            f"{base_dir.name}_{uuid.uuid4().hex[:8]}".lower().replace("-", "_"), template=template
        )
        return LiveServer(base_dir, database_url=database_url, extra_env=extra_env, seeded=True)
    return LiveServer.on_copy_of(
        request.getfixturevalue("demo_sqlite"), base_dir, extra_env=extra_env
    )


def live_server_on(request, tmp_path_factory, name: str) -> LiveServer:
    """A started LiveServer on the database `request.param` names ("sqlite" or
    "postgresql", the latter a fresh database on the `postgres_server` fixture), with its
    own secret key, on a copy of the demo database; `.backend` says which. For module
    fixtures parametrized over both; the caller stops it."""
    live = seeded_live_server(
        request,
        tmp_path_factory.mktemp(f"{name}-{request.param}"),
        backend=request.param,
        extra_env={"SECRET_KEY": secrets.token_urlsafe(32)},
    )
    live.start()
    live.backend = request.param
    return live
