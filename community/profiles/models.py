"""A member's profile: who they are, what they offer and what they are looking for.

One row per account (created on first save); tags, languages and looking-for are rows of
their own so the directory can filter on them with indexes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.database import UTCDateTime, utcnow
from community.extensions import db
from community.profiles.reference import Visibility


class Profile(db.Model):
    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    headline: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    bio_html: Mapped[str] = mapped_column(Text, default="")  # rendered and sanitised on save
    home_country: Mapped[str | None] = mapped_column(String(2))
    host_city: Mapped[str | None] = mapped_column(String(40), index=True)
    professional_field: Mapped[str | None] = mapped_column(String(40))
    education_level: Mapped[str | None] = mapped_column(String(20))
    availability: Mapped[str | None] = mapped_column(String(20))
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.MEMBERS, index=True)
    avatar_name: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # Private: never shown, serialised or searchable for anyone but the member.
    nationality: Mapped[str | None] = mapped_column(String(2))
    work_permit: Mapped[str | None] = mapped_column(String(20))
    family_situation: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    tags: Mapped[list[ProfileTag]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="ProfileTag.position"
    )
    languages: Mapped[list[ProfileLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="ProfileLanguage.position"
    )
    looking_for: Mapped[list[ProfileLookingFor]] = relationship(
        cascade="all, delete-orphan", lazy="raise"
    )


class Tag(db.Model):
    """A normalised skill or interest ("data analysis"), shared by every profile that has it."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)  # normalised, lower case
    label: Mapped[str] = mapped_column(String(40))  # as first written, for display


class ProfileTag(db.Model):
    __tablename__ = "profile_tags"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "tag_id"),
        Index("ix_profile_tags_tag_kind", "tag_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("profiles.user_id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # "skill" or "interest"
    position: Mapped[int] = mapped_column(default=0)

    tag: Mapped[Tag] = relationship(lazy="joined")


class ProfileLanguage(db.Model):
    __tablename__ = "profile_languages"
    __table_args__ = (
        UniqueConstraint("user_id", "code"),
        Index("ix_profile_languages_code", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("profiles.user_id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(3))  # ISO 639-1
    level: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)


class ProfileLookingFor(db.Model):
    __tablename__ = "profile_looking_for"
    __table_args__ = (
        UniqueConstraint("user_id", "value"),
        Index("ix_profile_looking_for_value", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("profiles.user_id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(16))
