"""Rate limits on the account endpoints, shared with the API's token endpoint later.

Failed logins count per account and per IP: only a failure is deducted (the route sets
`g.login_failed`), so members who type their password right are never slowed down.
"""

from __future__ import annotations

from flask import current_app, g, request

from community.extensions import limiter


def count_failed_login() -> None:
    """Count this request against the failed-login limits (called by `services.log_in`)."""
    g.login_failed = True


def _login_failed(response) -> bool:
    return bool(g.get("login_failed"))


def _account_key() -> str:
    body = request.get_json(silent=True)
    email = request.form.get("email") or (body.get("email") if isinstance(body, dict) else "")
    return "account:" + str(email or "").strip().lower()[:254]


failed_logins_per_account = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    scope="failed-login-account",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_login_failed,
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
