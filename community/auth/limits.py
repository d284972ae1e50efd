"""Rate limits on the account endpoints, shared by the login page and the API's tokens.

Failed logins count per account and per IP: only a failure is deducted (`services.log_in`
calls `count_failed_login`), so members who type their password right are never slowed
down. A browser that logged in to the account before has a budget of its own instead of the
account's, and the owner is mailed when strangers lock the account (#13.9).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import Response, current_app, g, has_request_context, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse

from community.extensions import db, limiter


def account_mail_allowed_from_this_address() -> bool:
    """Spend one of this IP's daily account mails (ACCOUNT_MAILS_PER_IP); False when none is
    left. Outside a request (the CLI) there is no address to count."""
    if not has_request_context() or not limiter.enabled:
        return True
    item = parse(current_app.config["ACCOUNT_MAILS_PER_IP"])
    return limiter.limiter.hit(item, "account-mails-ip", get_remote_address())


def count_failed_login() -> None:
    """Count this request against the failed-login limits (called by `services.log_in`)."""
    g.login_failed = True


def _login_failed(response) -> bool:
    return bool(g.get("login_failed"))


def _submitted_email() -> str:
    body = request.get_json(silent=True)
    email = request.form.get("email") or (body.get("email") if isinstance(body, dict) else "")
    return str(email or "").strip().lower()[:254]


def _account_key() -> str:
    return "account:" + _submitted_email()


# --- known devices (OWASP "device cookies") --------------------------------------------------
# A browser that logged in to an account gets a signed cookie naming that account. When
# strangers have spent the account's failed-login budget, that browser still gets in (it has a
# budget of its own), so nobody can lock an owner out just by knowing their address.


DEVICE_DAYS = 365


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="alongside.device")


def _account_tag(email: str) -> str:
    """A keyed fingerprint of an address: the cookie names the account without showing it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def _password_tag(password_hash: str) -> str:
    """A short fingerprint of the password hash: a new password retires every device cookie."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def remember_device(response: Response, user) -> None:
    """Mark this browser as one that logged in to `user`'s account with their current
    password (called after a login). Valid for a year, or until the password changes."""
    value = _device_serializer().dumps(
        {
            "a": _account_tag(user.email),
            "p": _password_tag(user.password_hash),
            "d": secrets.token_urlsafe(12),
        }
    )
    response.set_cookie(
        current_app.config["DEVICE_COOKIE_NAME"],
        value,
        max_age=int(timedelta(days=DEVICE_DAYS).total_seconds()),
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )


def _known_device() -> str | None:
    """The id of this browser's device cookie if it vouches for the submitted account: made
    by us within DEVICE_DAYS, for this address, with the account's current password."""
    if "known_device" not in g:
        g.known_device = None
        raw = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"], "")
        try:
            data = (
                _device_serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
                if raw and len(raw) < 500
                else None
            )
        except BadSignature:  # SignatureExpired included
            data = None
        email = _submitted_email()
        if isinstance(data, dict) and email and data.get("a") == _account_tag(email):
            from community.auth.services import find_user_by_email

            user = find_user_by_email(email)
            if user is not None and data.get("p") == _password_tag(user.password_hash):
                g.known_device = str(data.get("d"))
    return g.known_device


def _tell_owner_of_lockout(limit) -> None:
    """on_breach of the per-account limit: mail the owner (once per lock) in a transaction of
    its own, as the request itself is refused."""
    from community.auth.services import tell_owner_of_lockout

    tell_owner_of_lockout(_submitted_email())
    db.session.commit()


failed_logins_per_account = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    scope="failed-login-account",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_login_failed,
    exempt_when=lambda: _known_device() is not None,
    on_breach=_tell_owner_of_lockout,
)
failed_logins_per_device = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    scope="failed-login-device",
    key_func=lambda: f"device:{_known_device()}",
    methods=["POST"],
    deduct_when=_login_failed,
    exempt_when=lambda: _known_device() is None,
)
failed_logins_per_ip = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
    scope="failed-login-ip",
    methods=["POST"],
    deduct_when=_login_failed,
)
registrations_per_ip = limiter.shared_limit(
    lambda: current_app.config["REGISTER_LIMIT_PER_IP"], scope="register-ip", methods=["POST"]
)
account_mails_per_ip = limiter.shared_limit(
    lambda: current_app.config["RESET_LIMIT_PER_IP"], scope="account-mail-ip", methods=["POST"]
)
