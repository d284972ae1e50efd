"""API bearer tokens: issued at login through the API, stored hashed, revocable, expiring.

A token stops working when it is revoked (by its owner, by "log out everywhere", a password
change or reset, or a suspension), after API_TOKEN_IDLE_DAYS without use, and
API_TOKEN_MAX_DAYS after it was issued, whichever comes first. Called by the API's token
endpoints and `token_required`, the security settings page and the account services.
Flushes, no commit.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.auth.models import ApiToken, User
from community.auth.roles import UserStatus
from community.auth.sessions import hash_token
from community.core.database import touch, utcnow
from community.core.errors import NotFound
from community.extensions import db

MAX_TOKEN_NAME = 80
TOKEN_PREFIX = "alg_"  # noqa: S105 (a prefix that marks our tokens, not a secret)
# last_used_at is written at most this often, so using a token stays a read.
TOUCH_EVERY = timedelta(minutes=5)


def issue_token(user: User, name: str = "") -> str:
    """Create a token for `user`; the clear value is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, token_hash=hash_token(token), name=name[:MAX_TOKEN_NAME])
    )
    db.session.flush()
    return token


def _lifetimes() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return timedelta(days=config["API_TOKEN_IDLE_DAYS"]), timedelta(
        days=config["API_TOKEN_MAX_DAYS"]
    )


def _live(now: datetime):
    """SQL for "this token still works at `now`"."""
    idle, lifetime = _lifetimes()
    return (
        ApiToken.revoked_at.is_(None),
        ApiToken.created_at > now - lifetime,
        func.coalesce(ApiToken.last_used_at, ApiToken.created_at) > now - idle,
    )


def expires_at(token: ApiToken) -> datetime:
    """When `token` stops working if it is not used again (shown on the security page)."""
    idle, lifetime = _lifetimes()
    return min(token.created_at + lifetime, (token.last_used_at or token.created_at) + idle)


def find_live_token(token: str | None) -> ApiToken | None:
    """The live token row for a clear `token` of an active account, or None.

    Records the use (at most every TOUCH_EVERY), in a write that never carries the
    request's own changes with it.
    """
    if not token or len(token) > 128:
        return None
    now = utcnow()
    row = db.session.scalar(
        select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(token), User.status == UserStatus.ACTIVE)
        .where(*_live(now))
    )
    if row is not None and (row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY):
        touch(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        set_committed_value(row, "last_used_at", now)
    return row


def live_tokens(user: User) -> list[ApiToken]:
    """`user`'s working tokens, most recently used first (the security page)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, *_live(utcnow()))
            .order_by(func.coalesce(ApiToken.last_used_at, ApiToken.created_at).desc())
        )
    )


def revoke_token(row: ApiToken) -> None:
    """Revoke one token (DELETE /api/v1/tokens/current)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()


def revoke_token_of(user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s live tokens from the security page. Raises NotFound."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound(_("We could not find that app or token."))
    revoke_token(row)
    return row


def revoke_all_tokens(user: User) -> int:
    """Revoke every token of `user` (log out everywhere, password change or reset,
    suspension). Returns how many were live."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0
