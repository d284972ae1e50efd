"""The roles an account can hold, as DESIGN.md lists them.

Every account is a member; the other roles are granted on top and stored as rows.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    ORGANISER = "organiser"
    COORDINATOR = "coordinator"
    MODERATOR = "moderator"
    ADMIN = "admin"


GRANTABLE_ROLES: tuple[Role, ...] = (
    Role.ORGANISER,
    Role.COORDINATOR,
    Role.MODERATOR,
    Role.ADMIN,
)

# A role implies the roles listed here too (an admin can do everything a moderator can).
IMPLIED_ROLES: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset({Role.MODERATOR, Role.ORGANISER, Role.COORDINATOR}),
}


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"
