"""Server-side login sessions: created at login, looked up on every request, ended for real.

Flask-Login stores the session's random token in the signed cookie; `load_user_from_token`
finds the matching live row. Revoking a row logs that device out in every app process.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from community.auth.models import User, UserSession
from community.auth.roles import UserStatus
from community.core.database import touch, utcnow
from community.core.effects import on_commit
from community.core.errors import NotFound
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
    # One statement: the session, its user and the user's roles (every request and every
    # socket event asks).
    row = (
        db.session.execute(
            select(UserSession)
            .join(UserSession.user)
            .options(contains_eager(UserSession.user).joinedload(User.role_rows))
            .where(
                UserSession.token_hash == hash_token(token),
                UserSession.revoked_at.is_(None),
                User.status == UserStatus.ACTIVE,
            )
        )
        .unique()
        .scalar_one_or_none()
    )
    seen = _seen(row.id, row.last_seen_at) if row is not None else None
    if seen is None:
        return None
    set_committed_value(row, "last_seen_at", seen)
    row.token = token
    user = row.user
    user.current_session = row
    return user


def _seen(session_id: int, last_seen_at: datetime) -> datetime | None:
    """The idle rule of a session row (both loaders): None when it was unseen too long;
    otherwise its last_seen_at, refreshed to now once _TOUCH_EVERY has passed."""
    now = utcnow()
    if now - last_seen_at > timedelta(days=current_app.config["SESSION_IDLE_DAYS"]):
        return None
    if now - last_seen_at > _TOUCH_EVERY:
        touch(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
        return now
    return last_seen_at


@dataclass(frozen=True)
class SessionMember:
    """The member behind a live session, without loading the ORM user: what a hot socket
    event needs (`id`, `status`) at a fraction of the user loader's cost."""

    id: int
    status: str
    session_id: int
    is_authenticated: bool = True


def _session_columns() -> list:
    sessions, users = UserSession.__table__, User.__table__
    return [
        sessions.c.id.label("session_id"),
        sessions.c.last_seen_at,
        users.c.id.label("user_id"),
        users.c.status,
    ]


def _live_session(token_hash) -> tuple:
    """The session row's half of the live-session check: its token, not revoked."""
    sessions = UserSession.__table__
    return sessions.c.token_hash == token_hash, sessions.c.revoked_at.is_(None)


def _active_user():
    """The account's half of the live-session check: active."""
    return User.__table__.c.status == UserStatus.ACTIVE.value


def live_session_join(token_hash=None):
    """The FROM and WHERE of the live-session check, for a statement that adds its own
    joins: the session row of `token_hash` (a column of an outer query, or by default the
    bound parameter `:token_hash`), unrevoked, of an active account. Columns
    `session_id`, `last_seen_at`, `user_id`, `status` feed `member_from_row`."""
    sessions, users = UserSession.__table__, User.__table__
    joined = sessions.join(users, users.c.id == sessions.c.user_id)
    token_hash = bindparam("token_hash") if token_hash is None else token_hash
    return _session_columns(), joined, (*_live_session(token_hash), _active_user())


def live_session_outerjoin(left, token_hash):
    """`left` LEFT JOINed to the live session row of `token_hash` (a column of `left`) and
    its active account: the columns of `live_session_join` and the FROM. Chat's light
    `message:send` checks a whole batch of sends' sessions this way, one row per send.
    `user_id` is NULL when the session is not live (no such token, revoked, or an account
    that is not active). Two flat joins, so each row looks its session up by the token's
    index (a nested join made SQLite build the join of every live session first). On
    PostgreSQL, whose planner may hash whole tables for such a join, use
    `live_session_join(column)` inside a LATERAL subquery instead."""
    sessions, users = UserSession.__table__, User.__table__
    joined = left.outerjoin(sessions, and_(*_live_session(token_hash))).outerjoin(
        users, and_(users.c.id == sessions.c.user_id, _active_user())
    )
    return _session_columns(), joined


def member_from_row(row) -> SessionMember | None:
    """The member of a `live_session_join` row, after the idle rule (and the 15-minute
    touch); None when it was unseen too long."""
    if _seen(row.session_id, row.last_seen_at) is None:
        return None
    return SessionMember(row.user_id, row.status, row.session_id)


@cache
def _live_member_statement():
    columns, joined, where = live_session_join()
    return select(*columns).select_from(joined).where(*where)


def live_member(token: object) -> SessionMember | None:
    """The same check as `load_user_from_token` (a live, unrevoked, not idle session of an
    active account, touched the same way) in one Core statement; None when it fails.
    Called by the chat socket handlers of `message:send` (the hottest event)."""
    if not isinstance(token, str) or not token or len(token) > 128:
        return None
    row = db.session.execute(_live_member_statement(), {"token_hash": hash_token(token)}).first()
    return member_from_row(row) if row is not None else None


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


def _live(user: User):
    idle = timedelta(days=current_app.config["SESSION_IDLE_DAYS"])
    return (
        UserSession.user_id == user.id,
        UserSession.revoked_at.is_(None),
        UserSession.last_seen_at > utcnow() - idle,
    )


def live_session_count(user: User) -> int:
    """How many devices `user` is logged in on; shown on the account page."""
    return db.session.scalar(select(func.count()).select_from(UserSession).where(*_live(user)))


def live_sessions(user: User) -> list[UserSession]:
    """`user`'s live sessions, most recently active first (the security page)."""
    return list(
        db.session.scalars(
            select(UserSession).where(*_live(user)).order_by(UserSession.last_seen_at.desc())
        )
    )


def revoke_session_of(user: User, session_id: int) -> UserSession:
    """Log one of `user`'s devices out from the security page; its sockets are disconnected
    after the commit. Raises NotFound for a session that is not theirs or already ended."""
    from community.auth.sockets import end_session_sockets

    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound(_("We could not find that device."))
    row.revoked_at = utcnow()
    on_commit(end_session_sockets, row.id)
    return row


_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
    ("Mac OS X", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
)  # fmt: skip


def device_name(user_agent: str) -> str:
    """A short, human name for a session's device ("Firefox on Android") from its
    User-Agent; the security page shows it. Unknown agents are "A browser"."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), None)
    system = next((name for token, name in _SYSTEMS if token in user_agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("A browser")
