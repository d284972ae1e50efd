"""Signed, expiring links for email confirmation and password reset.

A reset link carries a fingerprint of the current password hash, so it stops working the
moment it is used (or the password changes any other way): single use without a table.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from community.auth.models import User
from community.extensions import db

CONFIRM_SALT = "alongside.confirm-email"
RESET_SALT = "alongside.reset-password"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_confirm_token(user: User) -> str:
    """Token for the confirmation link sent after registration."""
    return _serializer(CONFIRM_SALT).dumps({"uid": user.id, "e": _fingerprint(user.email)})


def make_reset_token(user: User) -> str:
    """Token for the reset link; invalid once the password hash changes."""
    return _serializer(RESET_SALT).dumps({"uid": user.id, "p": _fingerprint(user.password_hash)})


class TokenError(Exception):
    """A link that is expired, altered, used or for an account that is gone."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def _load(salt: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise TokenError("invalid")
    return data


def user_from_confirm_token(token: str) -> User:
    """The user a confirmation link belongs to; raises TokenError."""
    data = _load(CONFIRM_SALT, token, current_app.config["CONFIRM_LINK_MAX_AGE"])
    user = db.session.get(User, data["uid"])
    if user is None or not hmac.compare_digest(str(data.get("e")), _fingerprint(user.email)):
        raise TokenError("invalid")
    return user


def user_from_reset_token(token: str) -> User:
    """The user a reset link belongs to, while it is unused and fresh; raises TokenError."""
    data = _load(RESET_SALT, token, current_app.config["RESET_LINK_MAX_AGE"])
    user = db.session.get(User, data["uid"])
    if user is None or not hmac.compare_digest(
        str(data.get("p")), _fingerprint(user.password_hash)
    ):
        raise TokenError("invalid")
    return user
