"""Unread direct messages by email: `flask --app wsgi send-chat-emails` (cron) and the
embedded job loop.

A direct message still unread CHAT_EMAIL_DELAY_MINUTES after it arrived is emailed to its
reader, decided by read state (`ConversationMember.last_read_seq`), never by presence. One
email per conversation per delay window: each member's `ChatMailState` for the
conversation (made with `get_or_create`) is changed under `lock_row`, and the email is
queued in that transaction, so two runners never send the same window twice. Messages
from someone the reader has blocked (or who blocked them) are never included.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from community.auth.models import User
from community.auth.roles import UserStatus
from community.chat.models import Conversation, ConversationKind, ConversationMember, Message
from community.connections.relations import blocked_ids_select
from community.core.database import get_or_create, lock_row, utcnow
from community.core.urls import external_url
from community.extensions import db
from community.notifications.email_models import ChatMailState
from community.notifications.mailing import queue_notification_mail
from community.notifications.preferences import CHAT_KIND, Delivery, members_choosing

log = logging.getLogger(__name__)

# The most messages one email quotes (the newest ones); the link opens the rest.
MAX_QUOTED = 10


def delay() -> timedelta:
    return timedelta(minutes=current_app.config["CHAT_EMAIL_DELAY_MINUTES"])


def send_chat_emails(*, now: datetime | None = None) -> int:
    """Email every member whose direct conversation has a message unread for the delay,
    one transaction per conversation (commits). Returns how many emails were queued.
    Called by `send-chat-emails` and the job loop (`community.jobs`)."""
    now = now or utcnow()
    cutoff = now - delay()
    candidates = db.session.execute(
        select(ConversationMember.user_id, ConversationMember.conversation_id)
        .distinct()
        .join(Conversation, Conversation.id == ConversationMember.conversation_id)
        .join(Message, Message.conversation_id == ConversationMember.conversation_id)
        .outerjoin(
            ChatMailState,
            and_(
                ChatMailState.user_id == ConversationMember.user_id,
                ChatMailState.conversation_id == ConversationMember.conversation_id,
            ),
        )
        .where(
            Conversation.kind == ConversationKind.DIRECT,
            ConversationMember.muted.is_(False),
            Message.position > ConversationMember.last_read_seq,
            Message.position > func.coalesce(ChatMailState.emailed_position, 0),
            Message.sender_id != ConversationMember.user_id,
            Message.deleted_at.is_(None),
            Message.created_at <= cutoff,
            or_(ChatMailState.emailed_at.is_(None), ChatMailState.emailed_at <= cutoff),
        )
    ).all()
    db.session.commit()
    wanted = members_choosing(CHAT_KIND, [Delivery.INSTANT], {uid for uid, _c in candidates})
    db.session.commit()
    sent = 0
    for user_id, conversation_id in candidates:
        if user_id not in wanted:
            continue
        try:
            sent += _mail_conversation(user_id, conversation_id, now, cutoff)
            db.session.commit()
        except Exception:  # one failure must not stop the others
            db.session.rollback()
            log.exception("Chat email for member %s failed; the next run tries again.", user_id)
    return sent


def _mail_conversation(user_id: int, conversation_id: int, now: datetime, cutoff: datetime) -> int:
    state, _created = get_or_create(
        ChatMailState, {"emailed_position": 0}, user_id=user_id, conversation_id=conversation_id
    )
    state = lock_row(state)
    if state.emailed_at is not None and state.emailed_at > cutoff:
        return 0  # another runner emailed this window
    member = db.session.scalar(
        select(ConversationMember)
        .where(
            ConversationMember.user_id == user_id,
            ConversationMember.conversation_id == conversation_id,
        )
        .execution_options(populate_existing=True)
    )
    user = db.session.get(User, user_id)
    if member is None or member.muted or user is None or user.status != UserStatus.ACTIVE:
        return 0
    since = max(member.last_read_seq, state.emailed_position)
    unread = list(
        db.session.scalars(
            select(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.position > since,
                Message.sender_id != user_id,
                Message.deleted_at.is_(None),
                Message.created_at <= now,
            )
            .order_by(Message.position)
        )
    )
    if not unread:
        return 0
    blocked = set(db.session.scalars(blocked_ids_select(user_id)))
    shown = [message for message in unread if message.sender_id not in blocked]
    if not any(message.created_at <= cutoff for message in shown):
        # Nothing due that may be shown: pass over the blocked members' messages before the
        # first one that may, so the next runs do not look at them again.
        first = shown[0].position if shown else unread[-1].position + 1
        state.emailed_position = max(
            [state.emailed_position] + [m.position for m in unread if m.position < first]
        )
        return 0
    state.emailed_position = unread[-1].position
    senders = sorted({message.sender.display_name for message in shown if message.sender})
    queue_notification_mail(
        user,
        CHAT_KIND,
        "chat_unread",
        _("New messages from %(names)s", names=", ".join(senders)),
        name=user.display_name,
        count=len(shown),
        messages=[
            {"sender": message.sender.display_name if message.sender else "", "body": message.body}
            for message in shown[-MAX_QUOTED:]
        ],
        more=max(len(shown) - MAX_QUOTED, 0),
        url=external_url("chat.show", conversation_id=conversation_id),
    )
    state.emailed_at = now
    db.session.flush()
    return 1
