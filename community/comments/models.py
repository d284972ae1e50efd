"""Comments on any subject (an event now, a skill-sharing post next).

A comment belongs to a subject named by `subject_type` (a registered kind such as "event")
and `subject_id`; there is no foreign key to the subject, so one table serves every
feature. Threads are one level deep: a reply's `parent_id` is always a top-level comment.

A deleted comment keeps its row (with the text cleared) so the replies under it keep
their place; the list shows "comment deleted" while live replies remain and hides it
otherwise. A removed comment (by a host or moderator) keeps its text for the record but
the text is never shown again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.auth.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class RemovedAs:
    """In what capacity a comment was removed (shown as "removed by a host/moderator")."""

    HOST = "host"
    MODERATOR = "moderator"


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        # A subject's top-level comments in order (parent_id NULL), and the replies of a
        # page of them (parent_id IN (...)), oldest first.
        Index(
            "ix_comments_subject_parent_created",
            "subject_type",
            "subject_id",
            "parent_id",
            "created_at",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered, sanitised
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_as: Mapped[str | None] = mapped_column(String(10))  # RemovedAs

    author: Mapped[User] = relationship(foreign_keys=[author_id])

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    @property
    def live(self) -> bool:
        """Neither deleted by its author nor removed by a host or moderator."""
        return self.deleted_at is None and self.removed_at is None
