"""Configuration classes; every value that differs between machines comes from the environment.

`create_app` picks a class by `FLASK_CONFIG` (development, testing, production), or takes one
directly. Production refuses to start without a real `SECRET_KEY`.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _flag(name: str, default: bool) -> bool:
    """Read a boolean environment variable: 1/true/yes/on are true, 0/false/no/off false."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'alongside.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    BASE_URL = os.environ.get("BASE_URL", "").rstrip("/") or None

    # Mail: SMTP when MAIL_URL is set (smtp://user:pass@host:587?starttls=1, smtps://...),
    # otherwise files in MAIL_DIR and a line in the log.
    MAIL_URL = os.environ.get("MAIL_URL") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "Alongside <no-reply@alongside.localhost>")
    MAIL_DIR = os.environ.get("MAIL_DIR", str(INSTANCE_DIR / "mail"))
    # "thread": wsgi.py starts a sender in the app process; "external": `flask send-mail` does it.
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "thread")

    AVATAR_DIR = os.environ.get("AVATAR_DIR", str(INSTANCE_DIR / "avatars"))

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
    # How many proxies in front of the app set X-Forwarded-For / -Proto (0: trust none).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # Argon2id, above OWASP ASVS 5 appendix C minimums (m=19 MiB, t=2, p=1).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST_KIB = 19 * 1024
    ARGON2_PARALLELISM = 1

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


class DevelopmentConfig(Config):
    """`make run` and `python wsgi.py` on a laptop."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-change-me")


class TestingConfig(Config):
    """The test suite: its own database file per test (set by the fixtures), no message queue."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = None
    MAIL_URL = None
    MAIL_SENDER = "external"
    RATELIMIT_ENABLED = True
    # Cheap hashes keep the suite fast; test_password_hash_meets_owasp_minimums checks the
    # real settings of every other environment.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST_KIB = 256


class ProductionConfig(Config):
    """gunicorn behind a proxy; refuses to start without a real SECRET_KEY."""

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


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
