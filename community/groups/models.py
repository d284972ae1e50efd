"""A group and its memberships.

A membership row is active (a member, or one of the group's organisers) or requested (a
join request to a private group, waiting for an organiser). The group's creator is its
first organiser.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.auth.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class GroupVisibility(StrEnum):
    PUBLIC = "public"  # anyone sees it and its content; any member joins
    PRIVATE = "private"  # members only; join requests approved by its organisers


class MembershipRole(StrEnum):
    MEMBER = "member"
    ORGANISER = "organiser"


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    REQUESTED = "requested"


class Group(db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    description_html: Mapped[str] = mapped_column(Text, default="")  # rendered, sanitised
    city: Mapped[str | None] = mapped_column(String(40), index=True)  # host-city slug
    visibility: Mapped[str] = mapped_column(String(10), default=GroupVisibility.PUBLIC)
    cover_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    cover_alt: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Active members, kept under the group's row lock by the groups service.
    member_count: Mapped[int] = mapped_column(default=0)
    # Mixed into the invite link's keyed hash: an organiser raises it to make a new link,
    # and every older link stops working (`groups.services.rotate_invite_link`).
    invite_version: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_private(self) -> bool:
        return self.visibility == GroupVisibility.PRIVATE


class GroupMembership(db.Model):
    __tablename__ = "group_memberships"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id"),
        Index("ix_group_memberships_user_status", "user_id", "status"),
        Index("ix_group_memberships_group_status_role", "group_id", "status", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10), default=MembershipRole.MEMBER)
    status: Mapped[str] = mapped_column(String(10), default=MembershipStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the request was approved (or the member joined a public group).
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    group: Mapped[Group] = relationship()
