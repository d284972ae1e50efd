"""Chat's notification kind, "chat.message" (direct messages). Chat keeps no notification
rows: unread messages live in its own read state, and the email of part 2 reads that. The
kind is registered so members can choose how they hear of messages (default: an email at
once), and conversations are a target type so such a notification, if ever recorded,
links to a conversation the viewer is still in. Imported by `community.chat.services`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.chat import services
from community.core.urls import site_path
from community.notifications.kinds import (
    INSTANT,
    NotificationKind,
    Seen,
    Target,
    about_target,
    register_kind,
    register_target,
)


def _load_conversations(viewer, ids: list[int], seen: Seen) -> dict[int, int]:
    """The conversations of `ids` `viewer` is in (`live_conversation_ids`): one query."""
    mine = set(services.live_conversation_ids(viewer.id))
    return {conversation_id: conversation_id for conversation_id in ids if conversation_id in mine}


register_target(Target("conversation", _load_conversations))

register_kind(
    NotificationKind(
        "chat.message",
        _l("Direct messages"),
        "messages",
        INSTANT,
        about_target(
            lambda n, conversation_id, seen: _(
                "%(name)s sent you a message.", name=seen.actor_name(n)
            ),
            lambda n, conversation_id: site_path("chat.show", conversation_id=conversation_id),
        ),
    )
)
