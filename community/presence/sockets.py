"""The presence socket events (#17). The contract:

- `presence:heartbeat` (no payload, no ack): the page is open and visible. Sent by
  `static/js/presence.js` on connect, every 30 s while visible, and when the page becomes
  visible again. More than one per PRESENCE_SOCKET_SECONDS (10) on a socket is dropped here
  (a beat refused because the member hides does not count), the store throttles writes per
  member across sockets and processes.
- `presence:watch {user_ids: [...]}` → ack `{ok, statuses: {"<id>": "online"|"away"|"offline"}}`:
  join the presence rooms of the members the viewer may see (`services.statuses`), and get
  their state now. Members the viewer may not see are left out, as if unknown.
- Server events: `presence {user_id, status}` to `presence:<id>`; `presence:rewatch
  {user_id}` when the socket was taken out of that room (or of the waiting room of a member
  who showed their presence again) and should ask again; `presence:rewatch {user_id: null}`
  to the member's own sockets when they show theirs again: watch everyone again and beat.

Each event re-checks the server-side session (an ended session is anonymous here) and
commits or rolls back its own transaction.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import join_room
from limits import parse

from community.core.database import MAX_ID
from community.extensions import db, limiter, socketio
from community.presence import services

log = logging.getLogger(__name__)

_LAST_BEAT = "alongside.presence.last_beat"


@socketio.on("presence:heartbeat")
def heartbeat(data: Any = None) -> None:
    """`presence:heartbeat`: record that the member's page is visible (see the module)."""
    try:
        if not current_user.is_authenticated:
            return
        now = time.monotonic()
        gap = current_app.config["PRESENCE_SOCKET_SECONDS"]
        last = request.environ.get(_LAST_BEAT)
        if last is not None and now - last < gap:
            return
        request.environ[_LAST_BEAT] = now
        if services.heartbeat(current_user._get_current_object()) is None:
            # Refused while the member hides: the next beat (the one sent when they show
            # their presence again) is not throttled, so it counts at once.
            request.environ.pop(_LAST_BEAT, None)
        db.session.commit()
    except Exception:
        log.exception("Socket event presence:heartbeat failed")
    finally:
        db.session.rollback()


def _ids(data: Any) -> list[int] | None:
    ids = data.get("user_ids") if isinstance(data, dict) else None
    if not isinstance(ids, list) or len(ids) > services.MAX_WATCH:
        return None
    if not all(
        isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
        for value in ids
    ):
        return None
    return ids


@socketio.on("presence:watch")
def watch(data: Any = None) -> dict:
    """`presence:watch {user_ids}`: follow the presence of the members the viewer may see."""
    try:
        if not current_user.is_authenticated:
            return {"ok": False, "error": {"code": "unauthorized", "message": _("Log in.")}}
        if limiter.enabled and not limiter.limiter.hit(
            parse(current_app.config["PRESENCE_WATCH_LIMIT"]),
            "presence-watch",
            str(current_user.id),
        ):
            message = _("You are sending too fast. Please wait a few seconds.")
            return {"ok": False, "error": {"code": "rate_limited", "message": message}}
        ids = _ids(data)
        if ids is None:
            message = _("user_ids is a list of up to %(n)d member ids.", n=services.MAX_WATCH)
            return {"ok": False, "error": {"code": "invalid", "message": message}}
        found = services.watch(current_user._get_current_object(), ids, join_room)
        return {"ok": True, "statuses": {str(k): v for k, v in found.items()}}
    except Exception:
        log.exception("Socket event presence:watch failed")
        return {"ok": False, "error": {"code": "internal_error", "message": _("Try again.")}}
    finally:
        db.session.rollback()
