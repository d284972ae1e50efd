"""Queries for the admin pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from community.auth.models import User
from community.extensions import db

PAGE_SIZE = 50


@dataclass
class UserPage:
    users: list[User]
    next_after: int | None


def list_users(query: str = "", after_id: int | None = None, limit: int = PAGE_SIZE) -> UserPage:
    """Accounts by id, filtered by name or email, keyset-paginated (roles loaded in one go)."""
    statement = select(User).order_by(User.id).limit(limit + 1)
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(or_(User.email.like(pattern), User.display_name.ilike(pattern)))
    if after_id:
        statement = statement.where(User.id > after_id)
    users = list(db.session.scalars(statement))
    next_after = users[limit - 1].id if len(users) > limit else None
    return UserPage(users[:limit], next_after)
