"""Accounts, their roles and their server-side login sessions."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.auth.roles import IMPLIED_ROLES, Role, UserStatus
from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class User(UserMixin, db.Model):
    """A person with an account. Email is stored lower-cased and is unique."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.ACTIVE, index=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        foreign_keys="UserRole.user_id",
    )

    # Set by the session loader: the UserSession this request was authenticated with.
    current_session = None  # UserSession | None

    # Flask-Login's UserMixin compares users by get_id(), the session token, which is None
    # for every user loaded without a session: all of them would be "equal". The session's
    # identity map keeps one object per row, so identity is the right equality.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def get_id(self) -> str | None:
        """Flask-Login keeps the session token, not the user id, in the cookie session."""
        return self.current_session.token if self.current_session else None

    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.ACTIVE

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def roles(self) -> frozenset[Role]:
        """Every role this account holds, member included, with implied roles expanded."""
        held = {Role.MEMBER} | {Role(row.role) for row in self.role_rows}
        for role in list(held):
            held |= IMPLIED_ROLES.get(role, frozenset())
        return frozenset(held)

    @property
    def granted_roles(self) -> frozenset[Role]:
        """The roles stored for this account (without member and implied roles)."""
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, role: Role | str) -> bool:
        return Role(role) in self.roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    """One role granted to one account."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="role_rows", foreign_keys=[user_id])


class UserSession(db.Model):
    """A login on one device. Ending it is a row change that every app process sees.

    The browser holds the random token (inside the signed Flask session cookie); the table
    holds only its SHA-256, so a leaked database cannot be replayed as cookies.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_active", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()

    # The clear token, known only in the request that created the session.
    token = None  # str | None


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; revoking is a row change."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
