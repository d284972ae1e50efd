"""Skill-sharing posts, their tags, "helpful" reactions and the daily matching-notice claim.

A post's `helpful_count` changes only in `community.posts.services`, under `lock_row` on
the post row, in the same transaction as the insert or delete of the reaction row (one per
member, kept unique by the database). `answer_comment_id` is the comment the author marked
as the answer (questions only).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.auth.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db
from community.profiles.models import Tag


class PostKind(StrEnum):
    OFFER = "offer"  # I can help with...
    REQUEST = "request"  # I am looking for...
    QUESTION = "question"
    RESOURCE = "resource"  # a link or a guide
    STORY = "story"  # what worked for me


class Post(db.Model):
    __tablename__ = "posts"
    # The feed is newest first, keyset-paged on (created_at, id); each filter it offers by
    # equality (kind, city, group) has its own index ending in the same two columns, so a
    # filtered page is a seek too, not a sort of every matching post (`bench/feed.py`).
    __table_args__ = (
        Index("ix_posts_created_id", "created_at", "id"),
        Index("ix_posts_kind_created", "kind", "created_at", "id"),
        Index("ix_posts_city_created", "city", "created_at", "id"),
        Index("ix_posts_group_created", "group_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(140))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered, sanitised
    city: Mapped[str | None] = mapped_column(String(40))  # host-city slug
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    answer_comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL")
    )
    helpful_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Removed by a moderator or a group organiser: kept for the record, shown to no one.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    tags: Mapped[list[PostTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PostTag.position"
    )


class PostTag(db.Model):
    """A tag on a post: the same `profiles.models.Tag` rows profiles and events use."""

    __tablename__ = "post_tags"
    __table_args__ = (
        UniqueConstraint("post_id", "tag_id"),
        Index("ix_post_tags_tag_id", "tag_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)

    tag: Mapped[Tag] = relationship(lazy="joined")


class PostHelpful(db.Model):
    """One member found one post helpful (at most once: the unique key)."""

    __tablename__ = "post_helpful"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MatchNotice(db.Model):
    """The claim on a member's one "a request matches your skills" notice of a day: the
    unique key lets only one request per member and UTC day through, however many are
    posted at once."""

    __tablename__ = "post_match_notices"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
