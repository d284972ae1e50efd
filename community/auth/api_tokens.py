"""API bearer tokens: issued at login through the API, stored hashed, revocable.

Called by the API's token endpoints and its `token_required` check. Flushes, no commit.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from community.auth.models import ApiToken, User
from community.auth.roles import UserStatus
from community.auth.sessions import hash_token
from community.core.database import utcnow
from community.extensions import db

MAX_TOKEN_NAME = 80
TOKEN_PREFIX = "alg_"  # noqa: S105 (a prefix that marks our tokens, not a secret)


def issue_token(user: User, name: str = "") -> str:
    """Create a token for `user`; the clear value is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, token_hash=hash_token(token), name=name[:MAX_TOKEN_NAME])
    )
    db.session.flush()
    return token


def find_live_token(token: str | None) -> ApiToken | None:
    """The live token row for a clear `token` of an active account, or None."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(
        select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            User.status == UserStatus.ACTIVE,
        )
    )


def revoke_token(row: ApiToken) -> None:
    """Revoke one token (DELETE /api/v1/tokens/current)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
