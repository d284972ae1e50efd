"""The outbox: one row per mail to send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class OutboxMail(db.Model):
    """A mail waiting to be sent, being sent, sent, or given up on after repeated failures."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_due", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    # Files sent with the mail: [{"filename", "content_type", "content"}], content as text
    # (an event's .ics). None: no attachments.
    attachments: Mapped[list | None] = mapped_column(JSON)
    # Extra message headers: {"List-Unsubscribe": "<https://...>", ...}. None: no extras.
    headers: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
