"""The connections feature's notifications: connections as notification targets (a
connection row the viewer is part of and that still exists), and "connection.requested"
and "connection.accepted". Imported by `community.connections.services`. (An actor
blocked either way hides the notification: `kinds.describe_many` does that for all.)"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from community.connections.models import Connection
from community.core.urls import site_path
from community.extensions import db
from community.notifications.kinds import (
    DAILY,
    NotificationKind,
    Seen,
    Target,
    about_target,
    register_kind,
    register_target,
)


def _load_connections(viewer, ids: list[int], seen: Seen) -> dict[int, Connection]:
    """The connection rows of `ids` that `viewer` is part of: one query."""
    statement = select(Connection).where(
        Connection.id.in_(ids),
        or_(Connection.low_id == viewer.id, Connection.high_id == viewer.id),
    )
    return {row.id: row for row in db.session.scalars(statement)}


register_target(Target("connection", _load_connections))

register_kind(
    NotificationKind(
        "connection.requested",
        _l("Connection requests"),
        "connections",
        DAILY,
        about_target(
            lambda n, row, seen: _("%(name)s asked to connect with you.", name=seen.actor_name(n)),
            lambda n, row: site_path("connections.index"),
        ),
    )
)

register_kind(
    NotificationKind(
        "connection.accepted",
        _l("Accepted connection requests"),
        "connections",
        DAILY,
        about_target(
            lambda n, row, seen: _(
                "%(name)s accepted your connection request.", name=seen.actor_name(n)
            ),
            lambda n, row: site_path("connections.index"),
        ),
    )
)
