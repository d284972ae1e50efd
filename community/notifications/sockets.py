"""The live half of notifications: `notifications:sync`, the catch-up a page asks for on
every connect (the first included), so nothing created while a phone slept is missed and
the bell's count is right. `notification:new` itself is queued by `services.notify` for
after the commit, to the member's own room `user:<id>` (joined on connect by
`community.auth.sockets.connect`), and so is `notifications:read {}` when some of the
member's notifications were marked read (on any page, tab, device or the API): the bell
asks `notifications:sync` again for its count, an open /notifications list is fetched again.

Handlers go through chat's socket contract wrapper (`_handle`: the session re-checked on
every event, the member's read rate, the payload's shape, commit, ack).
"""

from __future__ import annotations

from flask_babel import gettext as _

from community.auth.models import User
from community.chat.sockets import _handle, _int
from community.core.errors import Invalid
from community.extensions import socketio
from community.notifications import services


@socketio.on("notifications:sync")
@_handle("read")
def sync(member: User, data: dict) -> dict:
    """`notifications:sync {after_id, limit?}`: the member's notifications after `after_id`,
    oldest first, a page at a time. Ack `{ok, notifications, has_more, last_id, unread}`:
    ask again from `last_id` while `has_more`; `unread` is the bell's count now."""
    limit = _int(data, "limit", required=False) or services.SYNC_PAGE
    if not 1 <= limit <= services.SYNC_PAGE:
        raise Invalid(_("Ask for 1 to %(n)d at a time.", n=services.SYNC_PAGE), "limit")
    found = services.since(member, _int(data, "after_id"), limit)
    return {
        "notifications": [services.payload(described) for described in found.items],
        "has_more": found.has_more,
        "last_id": found.last_id,
        "unread": found.unread,
    }
