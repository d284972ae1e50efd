"""Alongside: the application factory. It wires extensions and blueprints, nothing else."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy.engine import make_url

from community.core.database import end_read_only_transaction
from community.core.urls import allowed_origins, trusted_hosts
from community.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
from config import CONFIGS, Config

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


def _select_locale() -> str:
    from flask import current_app
    from flask_login import current_user

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or languages[0]


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    """Build the app for `config_class` (default: FLASK_CONFIG or development)."""
    if config_class is None:
        config_class = CONFIGS[os.environ.get("FLASK_CONFIG", "development")]
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=os.environ.get("INSTANCE_PATH")
        or str(Path(__file__).parent.parent / "instance"),
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    config_class.validate(app.config)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    if app.config["TRUSTED_HOSTS"] is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )

    _init_extensions(app)
    from community.core import inputs

    inputs.init_app(app)  # after CSRF and rate limits, before any <int:...> route exists
    _register_blueprints(app)

    from community import api, cli, presence
    from community.core import errors, security, templating

    errors.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    presence.init_app(app)
    cli.init_app(app)
    api.init_app(app)
    return app


def _size_database_pool(config) -> None:
    """A pooled connection for every request `Admission` lets run at once, plus spares for
    the mail sender, Socket.IO handlers and jobs, so a busy moment queues at the door (and
    answers 503 if it waits too long) instead of timing out inside the pool. The spares stay
    open in the pool (no overflow): an overflow connection is closed when it comes back and
    opened again for the next burst, and under 50 chatting sockets that was 471 of 1,707
    checkouts opening a new connection (SQLite: its PRAGMAs; PostgreSQL: a login). An
    in-memory SQLite database keeps its single-connection pool."""
    slots = config["MAX_CONCURRENT_REQUESTS"]
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if not slots or (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")):
        return
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    if url.get_backend_name() == "sqlite":
        # A connection to a file cannot go stale: no `SELECT 1` at every checkout.
        options["pool_pre_ping"] = False
    options.setdefault("pool_size", slots + config["DATABASE_SPARE_CONNECTIONS"])
    options.setdefault("max_overflow", 0)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _postgres_session_settings(config) -> None:
    """PostgreSQL: JIT compilation off for every connection. Our queries are short; the
    planner's cost estimate for search's visibility probes crossed `jit_above_cost` and
    JIT-compiled every search (70 ms of compiling for a 0.5 ms query, EXPLAIN ANALYZE).
    Set once per connection here instead of a `SET LOCAL` round trip per search."""
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        return
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), "-c jit=off"]))
    options["connect_args"] = connect_args
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext

    import community.auth.sockets
    import community.chat.sockets
    import community.events.sockets  # `checkin:watch`
    import community.models  # every feature's tables, for foreign keys and Alembic
    import community.notifications.sockets  # registers `notifications:sync`
    import community.presence.sockets  # its handlers, before socketio.init_app
    from community.auth.sessions import load_user_from_token

    _size_database_pool(app.config)
    _postgres_session_settings(app.config)
    db.init_app(app)
    # Runs before Flask-SQLAlchemy's teardown (teardowns run last registered first).
    app.teardown_appcontext(end_read_only_transaction)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session row is the protection
    login_manager.user_loader(load_user_from_token)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    from community.core import control

    socketio.init_app(
        app,
        message_queue=app.config.get("REDIS_URL"),
        # Always given (None: in-process), so an app without Redis never keeps the queue of
        # an app built before it in the same interpreter.
        client_manager=control.attach_client_manager(app),
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        cors_allowed_origins=allowed_origins(app.config),
        max_http_buffer_size=64 * 1024,
    )
    control.init_app(app)  # with REDIS_URL: start this process's queue listener now
    community.chat.sockets.init_app(app)  # the light path of `message:send`


def _register_blueprints(app: Flask) -> None:
    from community.admin import bp as admin_bp
    from community.auth import bp as auth_bp
    from community.auth import settings_bp
    from community.chat.routes import bp as chat_bp
    from community.comments import bp as comments_bp
    from community.connections import bp as connections_bp
    from community.events import bp as events_bp
    from community.events.calendar_routes import calendar_bp
    from community.gigs import bp as gigs_bp
    from community.groups.routes import bp as groups_bp
    from community.home import bp as home_bp
    from community.learning import bp as learning_bp
    from community.mentoring import bp as mentoring_bp
    from community.notifications.routes import bp as notifications_bp
    from community.notifications.settings_routes import bp as notification_mail_bp
    from community.posts import bp as posts_bp
    from community.profiles import bp as profiles_bp

    for blueprint in (
        home_bp,
        auth_bp,
        settings_bp,
        admin_bp,
        profiles_bp,
        connections_bp,
        events_bp,
        calendar_bp,
        groups_bp,
        comments_bp,
        posts_bp,
        gigs_bp,
        learning_bp,
        mentoring_bp,
        chat_bp,
        notifications_bp,
        notification_mail_bp,
    ):
        app.register_blueprint(blueprint)
    from community import search

    search.init_app(app)
