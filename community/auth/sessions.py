"""Server-side login sessions: created at login, looked up on every request, ended for real.

Flask-Login stores the session's random token in the signed cookie; `load_user_from_token`
finds the matching live row. Revoking a row logs that device out in every app process.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import func, select, update

from community.auth.models import User, UserSession
from community.auth.roles import UserStatus
from community.core.database import touch, utcnow
from community.core.effects import on_commit
from community.extensions import db

# last_seen_at is refreshed at most this often, so reads do not turn into writes.
_TOUCH_EVERY = timedelta(minutes=15)


def hash_token(token: str) -> str:
    """SHA-256 of a random token: what session and API-token rows store instead of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> UserSession:
    """Create a session row for `user` and attach it as `user.current_session`.

    Called by the login and password-change flows before `login_user`. Flushes, no commit.
    """
    token = secrets.token_urlsafe(32)
    row = UserSession(
        user=user,
        token_hash=hash_token(token),
        user_agent=(request.user_agent.string or "")[:255] if request else "",
        ip_address=(request.remote_addr or "")[:64] if request else "",
    )
    row.token = token
    db.session.add(row)
    db.session.flush()
    user.current_session = row
    return row


def load_user_from_token(token: str) -> User | None:
    """Flask-Login's user loader: the active user behind a live session token, or None."""
    if not token or len(token) > 128:
        return None
    row = db.session.execute(
        select(UserSession)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.token_hash == hash_token(token),
            UserSession.revoked_at.is_(None),
            User.status == UserStatus.ACTIVE,
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    now = utcnow()
    if now - row.last_seen_at > timedelta(days=current_app.config["SESSION_IDLE_DAYS"]):
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        touch(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    row.token = token
    user = row.user
    user.current_session = row
    return user


def revoke_all_sessions(user: User) -> int:
    """End every live session of `user` (logout, password change, reset, suspension).

    Their sockets are disconnected once the change commits. Returns how many sessions were
    ended. Flushes, no commit; the caller commits.
    """
    from community.auth.sockets import end_user_sockets

    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    on_commit(end_user_sockets, user.id)
    return result.rowcount or 0


def live_session_count(user: User) -> int:
    """How many devices `user` is logged in on; shown on the account page."""
    return db.session.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    )
