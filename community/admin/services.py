"""Queries for the admin pages."""

from __future__ import annotations

from sqlalchemy import or_, select

from community.auth.models import User
from community.core.database import casefold, like_pattern
from community.core.pagination import Page, keyset

PAGE_SIZE = 50
MAX_QUERY = 100


def list_users(query: str = "", cursor: str | None = None, limit: int = PAGE_SIZE) -> Page[User]:
    """Accounts by id, filtered by a piece of their name or email (wildcards taken
    literally), a keyset page at a time (roles are loaded with the users). Raises BadCursor.
    """
    statement = select(User)
    query = query.strip()[:MAX_QUERY]
    if query:
        pattern = like_pattern(query.casefold())
        statement = statement.where(
            or_(
                casefold(User.email).like(pattern, escape="\\"),
                casefold(User.display_name).like(pattern, escape="\\"),
            )
        )
    return keyset(statement, [User.id.asc()], cursor, limit)
