"""Conversations, their members and their messages.

Every change to a conversation's messages (a new message, an edit, a delete, a reaction)
takes the next number of the conversation's one counter, `Conversation.last_seq`, under
`lock_row` on the conversation row in the same transaction. A message keeps the number it
was sent with in `position` (its place in the history) and carries the number of its
latest change in `seq` (what catch-up asks for: "everything with a seq after N"). Commits
therefore happen in seq order, and a client that has seen up to N misses nothing by asking
for what came after N.

A member's `last_read_seq` is the conversation seq they have read up to: every message
whose `position` is at or below it has been seen.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.auth.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class ConversationKind(StrEnum):
    DIRECT = "direct"  # two members
    GROUP = "group"  # named, up to 50 members, with an owner who adds and removes
    GROUP_ROOM = "group_room"  # one per group: its active members
    EVENT_ROOM = "event_room"  # one per event: its organiser and the members going


class MemberRole(StrEnum):
    MEMBER = "member"
    OWNER = "owner"


class Conversation(db.Model):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_last_activity", "last_activity_at", "id"),
        CheckConstraint("last_seq >= 0", name="last_seq_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    # Group conversations: the name their owner gave. Rooms show their group's or event's.
    title: Mapped[str] = mapped_column(String(80), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "<low id>:<high id>" for a direct conversation, so the same two people get one.
    direct_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), unique=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    # The conversation's counter: the seq of its latest change (changed under lock_row).
    last_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the latest message was sent (the /chat list's order); created_at until then.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @staticmethod
    def direct_key_of(a: int, b: int) -> str:
        """The `direct_key` of the direct conversation between members `a` and `b`."""
        low, high = sorted((a, b))
        return f"{low}:{high}"

    def partner_of(self, user_id: int) -> int | None:
        """The other member of a direct conversation (from `direct_key`); None for any
        other kind."""
        if not self.direct_key:
            return None
        low, high = (int(part) for part in self.direct_key.split(":"))
        return high if low == user_id else low


class ConversationMember(db.Model):
    """Who is in a conversation. No row: no access (reading, sending or joining its room)."""

    __tablename__ = "conversation_members"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=MemberRole.MEMBER)
    last_read_seq: Mapped[int] = mapped_column(default=0)
    muted: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    conversation: Mapped[Conversation] = relationship()


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("conversation_id", "position"),
        # A client's retry finds the message it already sent.
        UniqueConstraint("sender_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    # The seq it was sent with: its place in the history; never changes.
    position: Mapped[int]
    # The seq of its latest change (sent, edited, deleted, reacted to).
    seq: Mapped[int]
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    # sha256 of the body as first sent: a retry with the same client_id must match it.
    sent_digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")  # plain text; "" once deleted
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    # {"👍": [user ids], ...}: a few reactions, kept with the message so a change travels
    # with it.
    reactions: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    sender: Mapped[User | None] = relationship(foreign_keys=[sender_id])

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


class MessageReport(db.Model):
    """A member's report of a message, for moderation: the text as it was when reported."""

    __tablename__ = "message_reports"
    __table_args__ = (UniqueConstraint("message_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    body_reported: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by moderation when it has looked at the report.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
