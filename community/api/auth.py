"""Bearer-token authentication for the API. Tokens are stored hashed and can be revoked.

Cookies are never accepted under /api/, so the API needs no CSRF defence.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from flask import abort, g, request
from sqlalchemy import select

from community.auth.models import ApiToken, User
from community.auth.roles import UserStatus
from community.auth.sessions import hash_token
from community.core.database import utcnow
from community.extensions import db

BEARER = [{"bearerAuth": []}]
# For `@blp.doc(**TOKEN_DOC)` on every route that needs a token: the scheme and its 401.
TOKEN_DOC = {
    "security": BEARER,
    "responses": {
        "401": {
            "description": "No token, or a revoked or unknown one",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    },
}


def issue_token(user: User, name: str = "") -> str:
    """Create a token for `user`; the clear value is returned once and never stored."""
    token = "alg_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), name=name[:80]))
    db.session.flush()
    return token


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def current_token() -> ApiToken | None:
    """The live token of this request, with its active user, or None."""
    if "api_token" in g:
        return g.api_token
    token = _bearer()
    row = None
    if token and len(token) <= 128:
        row = db.session.scalar(
            select(ApiToken)
            .join(User, User.id == ApiToken.user_id)
            .where(
                ApiToken.token_hash == hash_token(token),
                ApiToken.revoked_at.is_(None),
                User.status == UserStatus.ACTIVE,
            )
        )
    g.api_token = row
    return row


def api_user() -> User:
    token = current_token()
    assert token is not None
    return token.user


def token_required(view: Callable) -> Callable:
    """Answer 401 unless the request carries a live bearer token of an active account."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_token() is None:
            abort(401, description="Send a valid token: Authorization: Bearer <token>.")
        return view(*args, **kwargs)

    return wrapped


def revoke_current() -> None:
    token = current_token()
    if token is not None:
        token.revoked_at = utcnow()
