"""Throwaway PostgreSQL and Redis servers for the test suite.

Plain helpers, no pytest fixtures: ``tests/conftest.py`` builds its session fixtures on
:class:`PostgresServer` and :class:`RedisServer`; when ``available()`` is False they hand
``missing_reason()`` to :func:`tests.tools.skip_or_fail`, which skips the tests locally and
fails them in CI.

Every pytest-xdist worker starts its own servers, each on its own free port on 127.0.0.1 with
its data in its own temporary directory, so workers never share state. Picking a free port and
binding it are two steps, so two workers may race for one port: a start that fails because the
port is taken is retried on a new port (3 attempts in all). ``stop()`` is idempotent and is also
registered with :mod:`atexit`, so a worker that dies of an exception leaves nothing running.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import redis
from psycopg import sql

__all__ = ["PostgresServer", "RedisServer", "ServerStartError", "free_port"]

START_ATTEMPTS = 3
"""How many ports a server start tries before giving up (port clashes between workers)."""

READY_TIMEOUT = 30.0
"""Seconds to wait for a freshly started server to accept connections."""

_PG_BINARIES = ("initdb", "pg_ctl", "postgres")
_PG_USER = "postgres"
_PORT_CLASH = re.compile(
    r"address already in use|could not create any TCP/IP sockets|could not bind", re.IGNORECASE
)


class ServerStartError(RuntimeError):
    """A throwaway server could not be started; the message carries the end of its log."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago.

    Called by the server classes before each start attempt. Another process can grab the port
    before the server binds it; the servers detect that and retry on a new port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    """Return the last ``lines`` lines of a log file, or '' when it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> None:
    """``preexec_fn`` for server children: SIGTERM the child when the test process dies.

    Linux-only (prctl PR_SET_PDEATHSIG); elsewhere it does nothing and atexit cleanup remains.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 == PR_SET_PDEATHSIG


class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory, tuned for speed, not durability.

    Used by ``tests/conftest.py`` (one instance per pytest-xdist worker)::

        server = PostgresServer()
        server.start()
        url = server.create_database("test_gw0")  # SQLAlchemy URL
        ...
        server.stop()

    ``url`` points at the ``postgres`` maintenance database; tests should use their own
    databases from :meth:`create_database`. Authentication is ``trust`` for user ``postgres``.
    When the tests run as root, every server command runs as the ``postgres`` OS user through
    ``runuser`` (PostgreSQL refuses to run as root).
    """

    user = _PG_USER

    def __init__(self) -> None:
        self.port: int = 0
        self.url: str = ""
        self.tempdir: Path | None = None
        self._bindir: Path | None = None
        self._started = False

    # -- discovery ---------------------------------------------------------------------------

    @staticmethod
    def find_bindir() -> Path | None:
        """Return the directory holding initdb, pg_ctl and postgres, or None.

        Looks on PATH first (symlinks resolved, all three must sit together), then in
        ``/usr/lib/postgresql/*/bin`` preferring the highest major version (Debian layout).
        """
        found = [shutil.which(name) for name in _PG_BINARIES]
        if all(found):
            dirs = {Path(os.path.realpath(str(path))).parent for path in found}
            if len(dirs) == 1:
                return dirs.pop()

        def version(bindir: str) -> tuple[int, ...]:
            name = Path(bindir).parent.name
            return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)

        for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
            if all(os.access(Path(bindir, name), os.X_OK) for name in _PG_BINARIES):
                return Path(bindir)
        return None

    @staticmethod
    def _as_root() -> bool:
        return os.geteuid() == 0

    @classmethod
    def missing_reason(cls) -> str | None:
        """Return why a server cannot be started here (naming the Debian package to install),
        or None if it can."""
        if cls.find_bindir() is None:
            return (
                "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or in "
                "/usr/lib/postgresql/*/bin; install the Debian package `postgresql` "
                "(apt-get install postgresql)"
            )
        if cls._as_root():
            try:
                pwd.getpwnam(_PG_USER)
            except KeyError:
                return (
                    "running as root but there is no `postgres` OS user to run the server as; "
                    "install the Debian package `postgresql`, which creates it"
                )
            if shutil.which("runuser") is None:
                return "running as root but `runuser` (Debian package util-linux) is missing"
        return None

    @classmethod
    def available(cls) -> bool:
        """True when :meth:`start` can work on this machine."""
        return cls.missing_reason() is None

    # -- lifecycle ---------------------------------------------------------------------------

    def _command(self, *args: str) -> list[str]:
        """Build a server command line, wrapped in ``runuser`` when running as root."""
        assert self._bindir is not None
        argv = [str(self._bindir / args[0]), *args[1:]]
        if self._as_root():
            return ["runuser", "-u", _PG_USER, "--", *argv]
        return argv

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        assert self.tempdir is not None
        return subprocess.run(
            self._command(*args),
            cwd=self.tempdir,  # the postgres user may not be able to read the caller's cwd
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    @property
    def datadir(self) -> Path:
        assert self.tempdir is not None
        return self.tempdir / "data"

    @property
    def logfile(self) -> Path:
        assert self.tempdir is not None
        return self.tempdir / "postgres.log"

    def start(self) -> None:
        """Create the cluster, start it and wait until it accepts connections.

        Raises :class:`ServerStartError` if initdb fails, the server does not come up within
        :data:`READY_TIMEOUT` seconds, or every port tried was taken.
        """
        if self._started:
            return
        reason = self.missing_reason()
        if reason:
            raise ServerStartError(reason)
        self._bindir = self.find_bindir()
        self.tempdir = Path(tempfile.mkdtemp(prefix="pgtest-"))
        atexit.register(self.stop)
        self._started = True
        try:
            if self._as_root():
                entry = pwd.getpwnam(_PG_USER)
                os.chown(self.tempdir, entry.pw_uid, entry.pw_gid)
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise

    def _initdb(self) -> None:
        result = self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-A",
            "trust",
            "-U",
            _PG_USER,
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        if result.returncode != 0:
            raise ServerStartError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        assert self.tempdir is not None
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.tempdir}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "wal_level": "minimal",
            "max_wal_senders": "0",
            "shared_buffers": "32MB",
            "max_parallel_workers_per_gather": "0",
            # Throwaway databases need no vacuuming, and an autovacuum worker connected to
            # the template makes every CREATE DATABASE from it wait (in 100 ms steps).
            "autovacuum": "off",
            "timezone": "'UTC'",
        }
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write("\n# added by tests/servers.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _start_server(self) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = free_port()
            self.logfile.unlink(missing_ok=True)
            result = self._run(
                "pg_ctl",
                "start",
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                str(int(READY_TIMEOUT)),
                timeout=READY_TIMEOUT + 15,
            )
            if result.returncode == 0:
                break
            log = _tail(self.logfile)
            if attempt < START_ATTEMPTS and _PORT_CLASH.search(log):
                self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "immediate")
                continue
            raise ServerStartError(
                f"PostgreSQL did not start on port {self.port} (attempt {attempt}):\n"
                f"{result.stdout}\n{result.stderr}\n--- log ---\n{log}"
            )
        self.url = self.url_for("postgres")
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                with psycopg.connect(self.conninfo("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise ServerStartError(
                        f"PostgreSQL on port {self.port} not accepting connections: {exc}\n"
                        f"--- log ---\n{_tail(self.logfile)}"
                    ) from exc
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (``pg_ctl stop -m immediate``) and delete its directory.

        Safe to call more than once; also runs at interpreter exit.
        """
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        if self.tempdir is None:
            return
        if (self.datadir / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "immediate", "-w")
        shutil.rmtree(self.tempdir, ignore_errors=True)
        self.tempdir = None
        self.url = ""

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- databases ---------------------------------------------------------------------------

    def conninfo(self, dbname: str) -> str:
        """libpq connection string for ``dbname`` (for direct psycopg use)."""
        return f"host=127.0.0.1 port={self.port} user={_PG_USER} dbname={dbname}"

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) for database ``dbname`` on this server."""
        return f"postgresql+psycopg://{_PG_USER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database ``name`` (optionally copied from ``template``) and return its URL.

        Called by conftest, typically once per worker (e.g. ``test_gw0``).
        """
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            # FILE_COPY copies the template's files at once: about 7x faster than PostgreSQL
            # 15's default (WAL_LOG, which writes every page to the WAL) for our template,
            # and the test server runs without fsync, so its checkpoints cost nothing.
            query += sql.SQL(" TEMPLATE {} STRATEGY FILE_COPY").format(sql.Identifier(template))
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(query)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting any sessions still using it."""
        query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(query)


class RedisServer:
    """A private ``redis-server`` without persistence, data dir in a temporary directory.

    Used by ``tests/conftest.py`` (one instance per pytest-xdist worker)::

        server = RedisServer()
        server.start()
        app.config["REDIS_URL"] = server.url  # redis://127.0.0.1:PORT/0
        server.flushall()  # between tests
        server.stop()

    The server is a child process of the test process and is also sent SIGTERM by the kernel
    if that process dies (Linux), so it cannot outlive a crashed worker. (The kernel ties this
    to the *thread* that started it: start it from the main thread, as fixtures are.)
    """

    def __init__(self) -> None:
        self.port: int = 0
        self.url: str = ""
        self.tempdir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._started = False

    @staticmethod
    def find_binary() -> str | None:
        """Return the path of ``redis-server`` on PATH (or /usr/bin, /usr/sbin), or None."""
        return shutil.which("redis-server") or shutil.which(
            "redis-server", path="/usr/bin:/usr/sbin:/usr/local/bin"
        )

    @classmethod
    def missing_reason(cls) -> str | None:
        """Return why a server cannot be started here (naming the Debian package to install),
        or None if it can."""
        if cls.find_binary() is None:
            return (
                "redis-server not found on PATH; install the Debian package `redis-server` "
                "(apt-get install redis-server)"
            )
        return None

    @classmethod
    def available(cls) -> bool:
        """True when :meth:`start` can work on this machine."""
        return cls.missing_reason() is None

    @property
    def logfile(self) -> Path:
        assert self.tempdir is not None
        return self.tempdir / "redis.log"

    def start(self) -> None:
        """Start redis-server and wait until it answers PING.

        Raises :class:`ServerStartError` if it exits early, does not answer within
        :data:`READY_TIMEOUT` seconds, or every port tried was taken.
        """
        if self._started:
            return
        binary = self.find_binary()
        if binary is None:
            raise ServerStartError(str(self.missing_reason()))
        self.tempdir = Path(tempfile.mkdtemp(prefix="redistest-"))
        atexit.register(self.stop)
        self._started = True
        try:
            for attempt in range(1, START_ATTEMPTS + 1):
                if self._try_start(binary):
                    return
                log = _tail(self.logfile)
                if attempt < START_ATTEMPTS and _PORT_CLASH.search(log):
                    continue
                raise ServerStartError(
                    f"redis-server did not start on port {self.port} (attempt {attempt}):\n"
                    f"--- log ---\n{log}"
                )
        except BaseException:
            self.stop()
            raise

    def _try_start(self, binary: str) -> bool:
        """Launch on a fresh port; True once PING answers, False if the process exited."""
        assert self.tempdir is not None
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.logfile.unlink(missing_ok=True)
        self._proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tempdir),
                "--logfile",
                str(self.logfile),
                "--daemonize",
                "no",
            ],
            cwd=self.tempdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # fixtures start servers on the main thread
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self._proc.poll() is not None:
                self._proc = None
                return False
            # Whoever answers on the port must be *our* process: when the port was taken by
            # another worker's server, ours exits and the other one would answer PING.
            try:
                with redis.Redis.from_url(
                    self.url, socket_connect_timeout=1, socket_timeout=1
                ) as client:
                    if client.info("server").get("process_id") == self._proc.pid:
                        return True
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"redis-server on port {self.port} did not answer PING within "
                    f"{READY_TIMEOUT:.0f}s\n--- log ---\n{_tail(self.logfile)}"
                )
            time.sleep(0.02)

    def flushall(self) -> None:
        """Delete every key in every database (between tests)."""
        with redis.Redis.from_url(self.url) as client:
            client.flushall()

    def stop(self) -> None:
        """Terminate the server and delete its directory. Safe to call more than once."""
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.tempdir is not None:
            shutil.rmtree(self.tempdir, ignore_errors=True)
            self.tempdir = None
        self.url = ""

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
