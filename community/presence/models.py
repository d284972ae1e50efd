"""A member's presence row: whether they hide their presence, and (with the database store)
when a socket of theirs last sent a heartbeat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, false
from sqlalchemy.orm import Mapped, mapped_column

from community.core.database import UTCDateTime
from community.extensions import db


class MemberPresence(db.Model):
    __tablename__ = "member_presence"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # The member's setting: never shown, never sent (kept here even when Redis holds seen_at).
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The last stored heartbeat (database store only; the Redis store keeps its own keys).
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
