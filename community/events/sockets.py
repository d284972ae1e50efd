"""The check-in socket events (#18): two doors see each other's check-ins live.

- `checkin:watch {event_id}` → ack `{ok, counts: {checked_in, expected}}`: join the event's
  check-in room (`checkin.checkin_room`) after checking, on the server and against the
  live login session, that the member may check people in there (`can_check_in`: hosts
  and door helpers). Refused (`{ok: false, error}`), the socket leaves the room: the page
  sends `checkin:watch` again on (re)connect and after each `checkin:changed`, so a helper
  taken off the staff stops hearing the room at their next event at the latest
  (`leave_checkin_room`, queued after the removal, takes them out at once).
- Server event `checkin:changed {event_id, party, counts}` to the room, queued by
  `events.checkin` after the commit of a check-in or an undo: names and party sizes only.

Each event re-checks the server-side session (an ended session is anonymous here) and
rolls back its read-only transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import join_room, leave_room

from community.auth.sockets import user_room
from community.core import control
from community.core.database import MAX_ID
from community.core.errors import ServiceError
from community.events import checkin
from community.events.services import forget_staff_roles
from community.extensions import db, socketio

log = logging.getLogger(__name__)


def leave_checkin_room(user_id: int, event_id: int) -> None:
    """Take `user_id`'s sockets, on every process, out of `event_id`'s check-in room (queue
    it with `on_commit` after removing them from the event's staff)."""
    control.leave(user_room(user_id), checkin.checkin_room(event_id))


def _error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


@socketio.on("checkin:watch")
def watch(data: Any = None) -> dict:
    """`checkin:watch {event_id}`: follow the event's check-ins (hosts and door helpers)."""
    event_id = data.get("event_id") if isinstance(data, dict) else None
    try:
        if not current_user.is_authenticated:
            return _error("unauthorized", _("Your session has ended. Please log in again."))
        if isinstance(event_id, bool) or not isinstance(event_id, int):
            return _error("invalid", _("event_id is an event's number."))
        if not 0 < event_id <= MAX_ID:
            return _error("invalid", _("event_id is an event's number."))
        forget_staff_roles(current_user.id)  # this event asks again, whatever asked before
        try:
            event = checkin.get_checkin_event(current_user._get_current_object(), event_id)
        except ServiceError as error:
            leave_room(checkin.checkin_room(event_id))
            return _error(error.code, error.message)
        counts = checkin.door_counts(event)
        join_room(checkin.checkin_room(event.id))
        return {
            "ok": True,
            "counts": {"checked_in": counts.checked_in, "expected": counts.expected},
        }
    except Exception:
        log.exception("Socket event checkin:watch failed")
        return _error("internal_error", _("Try again."))
    finally:
        db.session.rollback()
