"""Presence (#17): online / away / offline from a throttled heartbeat, shown on the chat and
profile pages to members allowed to see the profile, live over Socket.IO, hideable.

`services` holds the rules, `store` where heartbeats live (database or Redis), `sockets` the
`presence:heartbeat` and `presence:watch` handlers. `init_app` (called by create_app) adds
the template globals; `start_presence_sweeper` (called by wsgi.py) runs the loop that
announces who went away.
"""

from __future__ import annotations

import logging
import math
import threading
from datetime import UTC, datetime, timedelta

from flask import Flask, g
from flask_login import current_user

from community.core.background import BackgroundLoop
from community.extensions import db

log = logging.getLogger(__name__)


def presence_of(*user_ids: int | None) -> dict[int, str]:
    """Template global: the presence of these members as the current member may see it
    (`services.statuses`), once per request for the same ids."""
    from community.presence import services

    ids = tuple(sorted({int(user_id) for user_id in user_ids if user_id}))
    if not current_user.is_authenticated or not ids:
        return {}
    cache = g.setdefault("presence_of", {})
    if ids not in cache:
        cache[ids] = services.statuses(current_user._get_current_object(), ids)
    return cache[ids]


def direct_partner_id(conversation) -> int | None:
    """Template global: the other member of a direct conversation, for the current member."""
    if not current_user.is_authenticated:
        return None
    return conversation.partner_of(current_user.id)


def init_app(app: Flask) -> None:
    """Called by create_app: the template globals. (The socket handlers are imported by
    create_app before `socketio.init_app`, like chat's, so every app's server has them.)"""
    app.add_template_global(presence_of, "presence_of")
    app.add_template_global(direct_partner_id, "presence_partner_id")


# --- the sweep loop ------------------------------------------------------------------------


class _Sweeper:
    """Sweeps the windows [since, until) of PRESENCE_SWEEP_SECONDS each, aligned on the clock,
    so that several processes sweep the same windows; with Redis each window is claimed
    once (SET NX), so each change is announced once."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.swept_until: datetime | None = None

    def step(self, now: datetime | None = None) -> int:
        from community.presence import services
        from community.presence.store import current_store

        every = services.setting("PRESENCE_SWEEP_SECONDS")
        now = now or datetime.now(UTC)
        until = datetime.fromtimestamp(math.floor(now.timestamp() / every) * every, UTC)
        since = self.swept_until or until - timedelta(seconds=every)
        since = max(since, until - timedelta(seconds=services.setting("PRESENCE_OFFLINE_SECONDS")))
        store = current_store()
        announced = 0
        while since < until:
            end = since + timedelta(seconds=every)
            if store.claim_sweep(end):
                crossed = services.sweep(since, end, store=store)
                db.session.commit()
                announced += sum(len(ids) for ids in crossed.values())
            since = end
        self.swept_until = until
        return announced


_loops: list[BackgroundLoop] = []
_lock = threading.Lock()


def start_presence_sweeper(app: Flask) -> BackgroundLoop | None:
    """Start this process's presence loop once (every PRESENCE_SWEEP_SECONDS). Called by
    wsgi.py for a served app, like the mail sender."""
    with _lock:
        if any(loop.app is app and not loop.stopping.is_set() for loop in _loops):
            return None
        sweeper = _Sweeper(app)
        with app.app_context():
            from community.presence.services import setting

            interval = setting("PRESENCE_SWEEP_SECONDS")
        loop = BackgroundLoop(app, interval, sweeper.step, "presence")
        _loops.append(loop)
    return loop.start()
