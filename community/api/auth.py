"""Bearer-token authentication for the API. Tokens are stored hashed and can be revoked.

Cookies are never accepted under /api/, so the API needs no CSRF defence.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g, request

from community.auth.api_tokens import find_live_token, revoke_token
from community.auth.models import ApiToken, User

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
    g.api_token = find_live_token(_bearer())
    return g.api_token


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
    """Revoke the token this request was made with."""
    token = current_token()
    if token is not None:
        revoke_token(token)
