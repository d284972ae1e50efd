"""What notification email needs besides the notifications themselves: each member's
per-kind delivery choices, when their last digests went, and how far each of their direct
conversations has been emailed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.core.database import UTCDateTime
from community.extensions import db


class NotificationSetting(db.Model):
    """A member's delivery choice for one kind, stored only when it differs from the
    kind's default (`community.notifications.preferences`)."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    delivery: Mapped[str] = mapped_column(String(10))  # app | instant | daily | weekly


class DigestState(db.Model):
    """One row per member who had a digest: when the last daily and weekly ones went. The
    digest job locks it (`lock_row`), so two runners never build the same member's digest
    at once."""

    __tablename__ = "notification_digest_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    daily_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    weekly_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChatMailState(db.Model):
    """How far a member's direct conversation has been emailed: the last message position
    the last unread-messages email covered, and when it went (one email per conversation
    per delay window). Made with `get_or_create`, changed under `lock_row`."""

    __tablename__ = "chat_mail_states"
    __table_args__ = (UniqueConstraint("user_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    emailed_position: Mapped[int] = mapped_column(default=0)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
