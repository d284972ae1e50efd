"""Configuration classes; every value that differs between machines comes from the environment.

`create_app` picks a class by `FLASK_CONFIG` (development, testing, production), or takes one
directly. Production refuses to start without a real `SECRET_KEY` and an https `BASE_URL`.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _flag(name: str, default: bool) -> bool:
    """Read a boolean environment variable: 1/true/yes/on are true, 0/false/no/off false."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def development_base_url() -> str:
    """Where `python wsgi.py` listens (HOST, PORT), as the address mailed links point to."""
    host = os.environ.get("HOST", "127.0.0.1")
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 (listening everywhere: link to loopback)
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{os.environ.get('PORT', '5000')}"


def base_url_problem(base_url: str | None, *, https: bool) -> str | None:
    """Why `base_url` cannot be the site's public address, or None if it can."""
    if not base_url:
        return "BASE_URL is not set."
    parts = urlsplit(base_url)
    schemes = {"https"} if https else {"http", "https"}
    if parts.scheme not in schemes or not parts.hostname:
        return f"BASE_URL must look like {'https' if https else 'http(s)'}://alongside.example."
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return "BASE_URL must be scheme and host only (no path, query or fragment)."
    return None


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'alongside.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Requests one process runs at once (the rest wait their turn, up to
    # REQUEST_QUEUE_SECONDS, then get a 503): see community/core/admission.py. 0: no limit.
    # The database pool is sized from it: a connection for every running request, plus
    # DATABASE_SPARE_CONNECTIONS for the mail sender, Socket.IO handlers and jobs.
    MAX_CONCURRENT_REQUESTS = int(os.environ.get("MAX_CONCURRENT_REQUESTS", "8"))
    REQUEST_QUEUE_SECONDS = float(os.environ.get("REQUEST_QUEUE_SECONDS", "60"))
    DATABASE_SPARE_CONNECTIONS = int(os.environ.get("DATABASE_SPARE_CONNECTIONS", "8"))
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # How Socket.IO serves sockets: "threading" (python wsgi.py, gunicorn --threads) or
    # "gevent" (gunicorn -k gevent). bench/chat.py measures both; the README says which.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    # With REDIS_URL: run Socket.IO's queue listener, which brings events and socket commands
    # (logouts, room changes: community/core/control.py) to this process's sockets. Off only
    # for processes that hold no sockets and only publish (a test driving a cluster).
    SOCKET_COMMAND_LISTENER = _flag("SOCKET_COMMAND_LISTENER", True)
    # The public address: every mailed link is built on it, and requests for any other host
    # get a 400 (Flask's TRUSTED_HOSTS, set from it by create_app).
    BASE_URL = os.environ.get("BASE_URL", "").rstrip("/") or None
    # Host names accepted besides BASE_URL's (development: both loopback names).
    EXTRA_TRUSTED_HOSTS: tuple[str, ...] = ()

    # Mail: SMTP when MAIL_URL is set (smtp://user:pass@host:587?starttls=1, smtps://...),
    # otherwise files in MAIL_DIR and a line in the log.
    MAIL_URL = os.environ.get("MAIL_URL") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "Alongside <no-reply@alongside.localhost>")
    MAIL_DIR = os.environ.get("MAIL_DIR", str(INSTANCE_DIR / "mail"))
    # "thread": wsgi.py starts a sender in the app process; "external": `flask send-mail` does it.
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "thread")
    # Scheduled jobs (reminders, change notices; community/jobs.py): "thread" runs them in
    # the app process every JOBS_INTERVAL_SECONDS; "external": cron runs send-reminders.
    JOBS_RUNNER = os.environ.get("JOBS_RUNNER", "thread")
    JOBS_INTERVAL_SECONDS = float(os.environ.get("JOBS_INTERVAL_SECONDS", "60"))
    # Without MAIL_URL: log the whole mail (links included) or only recipient and subject.
    MAIL_LOG_BODY = False
    # Notification email: unread direct messages are emailed this many minutes after they
    # arrive if still unread (one email per conversation per such window); unsubscribe links
    # work this many seconds.
    CHAT_EMAIL_DELAY_MINUTES = int(os.environ.get("CHAT_EMAIL_DELAY_MINUTES", "15"))
    NOTIFICATION_UNSUBSCRIBE_MAX_AGE = int(
        os.environ.get("NOTIFICATION_UNSUBSCRIBE_MAX_AGE", str(180 * 24 * 3600))
    )

    AVATAR_DIR = os.environ.get("AVATAR_DIR", str(INSTANCE_DIR / "avatars"))
    COVER_DIR = os.environ.get("COVER_DIR", str(INSTANCE_DIR / "covers"))
    GROUP_COVER_DIR = os.environ.get("GROUP_COVER_DIR", str(INSTANCE_DIR / "group-covers"))

    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"  # also each known device's own budget
    DEVICE_COOKIE_NAME = "device"
    LOGIN_LIMIT_PER_IP = "30 per 15 minutes"
    REGISTER_LIMIT_PER_IP = "10 per hour"
    RESET_LIMIT_PER_IP = "5 per hour"
    # Mails anyone can trigger for an account (confirmation link, "you already have one"):
    # at most one per account every MAIL_GAP_MINUTES, MAILS_PER_DAY a day, and
    # ACCOUNT_MAILS_PER_IP from one address a day, whatever asked for them.
    MAIL_GAP_MINUTES = 10
    MAILS_PER_DAY = 5
    ACCOUNT_MAILS_PER_IP = "20 per day"
    PHOTO_LIMIT_PER_ACCOUNT = "10 per hour"  # profile saves that carry a photo to decode
    # Chat over Socket.IO, per member across processes: sends, edits, deletes and reactions;
    # catch-up, read marks and joins; typing notices (more often is dropped).
    CHAT_SEND_LIMIT = os.environ.get("CHAT_SEND_LIMIT", "20 per 10 seconds")
    CHAT_READ_LIMIT = os.environ.get("CHAT_READ_LIMIT", "300 per minute")
    CHAT_TYPING_LIMIT = os.environ.get("CHAT_TYPING_LIMIT", "1 per 2 seconds")
    # Presence (#17, community/presence): a member is online while their last heartbeat is
    # under ONLINE seconds old, away until OFFLINE; a member's heartbeat is written at most
    # once per WRITE seconds, and one socket's at most once per SOCKET seconds; every SWEEP
    # seconds the presence loop announces who went away. Heartbeats live in Redis when
    # PRESENCE_REDIS_URL (default REDIS_URL) is set, else in the database.
    PRESENCE_ONLINE_SECONDS = float(os.environ.get("PRESENCE_ONLINE_SECONDS", "70"))
    PRESENCE_OFFLINE_SECONDS = float(os.environ.get("PRESENCE_OFFLINE_SECONDS", "900"))
    PRESENCE_WRITE_SECONDS = float(os.environ.get("PRESENCE_WRITE_SECONDS", "25"))
    PRESENCE_SOCKET_SECONDS = float(os.environ.get("PRESENCE_SOCKET_SECONDS", "10"))
    PRESENCE_SWEEP_SECONDS = float(os.environ.get("PRESENCE_SWEEP_SECONDS", "15"))
    PRESENCE_WATCH_LIMIT = os.environ.get("PRESENCE_WATCH_LIMIT", "30 per minute")
    # How many proxies in front of the app set X-Forwarded-For / -Proto (0: trust none).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Whether those proxies also set X-Forwarded-Host (off: the Host header the proxy passes
    # on is used, and must be BASE_URL's host either way).
    TRUSTED_PROXY_HOST = _flag("TRUSTED_PROXY_HOST", False)

    # Argon2id, above OWASP ASVS 5 appendix C minimums (m=19 MiB, t=2, p=1).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST_KIB = 19 * 1024
    ARGON2_PARALLELISM = 1

    # Events: within this many minutes of an event's start, seats freed by a cancellation are
    # no longer given to the waitlist automatically; the first member to claim them gets them.
    EVENT_PROMOTION_CUTOFF_MINUTES = int(os.environ.get("EVENT_PROMOTION_CUTOFF_MINUTES", "120"))
    # A change of an event's time, place or status is told to its members this many seconds
    # after the last of a run of quick edits (one notice for several), by `send-reminders`.
    EVENT_CHANGE_NOTICE_DELAY_SECONDS = int(
        os.environ.get("EVENT_CHANGE_NOTICE_DELAY_SECONDS", "300")
    )
    # Messages a host may send to an event's attendees per hour (against abuse).
    EVENT_MESSAGES_PER_HOUR = int(os.environ.get("EVENT_MESSAGES_PER_HOUR", "5"))
    # Days after an event ends when its RSVP answers are deleted (`flask purge-event-answers`).
    ANSWER_RETENTION_DAYS = int(os.environ.get("ANSWER_RETENTION_DAYS", "30"))

    CONFIRM_LINK_MAX_AGE = 3 * 24 * 3600
    RESET_LINK_MAX_AGE = 3600
    SESSION_IDLE_DAYS = 30
    # API tokens stop working after this many days without use, and this long after issue.
    API_TOKEN_IDLE_DAYS = int(os.environ.get("API_TOKEN_IDLE_DAYS", "90"))
    API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))

    # Above the 5 MiB avatar limit, so a too-large photo gets its message inside the form.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, which ends on logout
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = "http"
    HSTS = False
    BABEL_DEFAULT_LOCALE = "en_GB"  # day-month dates for an international community
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en_GB",)
    SEED_DEMO_ALLOWED = True

    @classmethod
    def validate(cls, config: dict) -> None:
        """Called by create_app after loading; raise when the settings cannot work."""
        if not config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY is not set.")
        problem = base_url_problem(config.get("BASE_URL"), https=False)
        if problem:
            raise RuntimeError(problem)


class DevelopmentConfig(Config):
    """`make run` and `python wsgi.py` on a laptop."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-change-me")
    BASE_URL = Config.BASE_URL or development_base_url()
    EXTRA_TRUSTED_HOSTS = ("127.0.0.1", "localhost")
    MAIL_LOG_BODY = True  # click the confirmation link from the terminal


class TestingConfig(Config):
    """The test suite: its own database file per test (set by the fixtures), no message queue."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 (tests only)
    BASE_URL = "http://localhost"  # the test client's host
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = None
    MAIL_URL = None
    MAIL_SENDER = "external"
    JOBS_RUNNER = "external"
    # The test client does not always close responses; tests of many requests at once
    # run against real server processes, where the limit holds.
    MAX_CONCURRENT_REQUESTS = 0
    MAIL_LOG_BODY = True
    RATELIMIT_ENABLED = True
    # Cheap hashes keep the suite fast; test_password_hash_meets_owasp_minimums checks the
    # real settings of every other environment.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST_KIB = 256


class ProductionConfig(Config):
    """gunicorn behind a proxy; refuses to start without a real SECRET_KEY and BASE_URL."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    DEVICE_COOKIE_NAME = "__Host-device"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True
    SEED_DEMO_ALLOWED = False
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "1"))

    @classmethod
    def validate(cls, config: dict) -> None:
        secret = config.get("SECRET_KEY") or ""
        if len(secret) < 32 or "change-me" in secret or secret.startswith("dev"):
            raise RuntimeError(
                "Production needs a real SECRET_KEY: at least 32 random characters, "
                'for example from `python -c "import secrets; print(secrets.token_urlsafe(48))"`.'
            )
        problem = base_url_problem(config.get("BASE_URL"), https=True)
        if problem:
            raise RuntimeError(
                f"{problem} Production needs the public https address, e.g. "
                "BASE_URL=https://alongside.example: mailed links are built on it and "
                "requests for other hosts are refused."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
