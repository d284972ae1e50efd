"""The account verbs: register, confirm, authenticate, reset and change passwords, roles,
suspension. Routes, the CLI and the tests call these; they flush and the caller commits.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from community.auth.models import User, UserRole
from community.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from community.auth.roles import GRANTABLE_ROLES, Role, UserStatus
from community.auth.sessions import revoke_all_sessions, start_session
from community.auth.tokens import make_confirm_token, make_reset_token
from community.core.database import utcnow
from community.core.urls import external_url
from community.extensions import db
from community.mail.services import queue_mail

log = logging.getLogger(__name__)


class AccountError(ValueError):
    """A request the account rules refuse; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def normalise_email(email: str) -> str:
    """Emails are compared and stored trimmed and lower-cased."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _external_url(endpoint: str, **values) -> str:
    return external_url(endpoint, **values)


def create_account(
    email: str,
    display_name: str,
    password: str,
    *,
    confirmed: bool = False,
    roles: tuple[Role, ...] = (),
) -> User:
    """Create an account after checking the password rules. Raises AccountError.

    Called by registration (unconfirmed), `flask create-user` and the demo seed (confirmed).
    """
    email = normalise_email(email)
    display_name = " ".join(display_name.split())
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise AccountError(problem, "password")
    if find_user_by_email(email) is not None:
        raise AccountError(_("An account with this email address already exists."), "email")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    for role in roles:
        if role != Role.MEMBER:
            db.session.add(UserRole(user_id=user.id, role=role))
    db.session.flush()
    return user


def register(email: str, display_name: str, password: str) -> User | None:
    """Registration from the sign-up form.

    A new address gets an account and a confirmation link. An address that already has an
    account gets a mail telling its owner, and the caller shows the same page either way,
    so the form never reveals who is a member. Raises AccountError for a weak password.
    """
    email = normalise_email(email)
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise AccountError(problem, "password")
    existing = find_user_by_email(email)
    if existing is not None:
        hash_password(password)  # the same work as a new account, so timing tells nothing
        queue_mail(
            existing.email,
            "already_registered",
            _("Someone tried to sign up with your address"),
            user=existing,
            login_url=_external_url("auth.login"),
            reset_url=_external_url("auth.forgot_password"),
        )
        return None
    user = create_account(email, display_name, password)
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    """Queue the confirmation mail with a signed, expiring link."""
    queue_mail(
        user.email,
        "confirm_email",
        _("Confirm your email address for Alongside"),
        user=user,
        confirm_url=_external_url("auth.confirm_email", token=make_confirm_token(user)),
        hours=current_app.config["CONFIRM_LINK_MAX_AGE"] // 3600,
    )


def confirm_email(user: User) -> bool:
    """Mark the address confirmed; False if it already was."""
    if user.email_confirmed_at is not None:
        return False
    user.email_confirmed_at = utcnow()
    return True


def authenticate(email: str, password: str) -> User | None:
    """The account whose password matches, or None. Costs the same for unknown emails.

    Upgrades the stored hash when the configured cost has grown.
    """
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    assert user is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def begin_login(user: User) -> None:
    """Start a server-side session for `user`; the route then calls `login_user`."""
    start_session(user)


def end_all_sessions(user: User) -> int:
    """Log `user` out everywhere (the logout button does this). Returns sessions ended."""
    return revoke_all_sessions(user)


def request_password_reset(email: str) -> None:
    """Queue a reset mail if the address belongs to an active account; silent otherwise."""
    user = find_user_by_email(email)
    if user is None or user.status != UserStatus.ACTIVE:
        return
    queue_mail(
        user.email,
        "reset_password",
        _("Reset your Alongside password"),
        user=user,
        reset_url=_external_url("auth.reset_password", token=make_reset_token(user)),
        minutes=current_app.config["RESET_LINK_MAX_AGE"] // 60,
    )


def set_password(user: User, new_password: str) -> None:
    """Replace the password and end every session (the caller may start a new one).

    Called by reset (which also confirms the address: the link proved it) and change.
    """
    problem = password_problem(new_password, email=user.email, display_name=user.display_name)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoke_all_sessions(user)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password from the account page; needs the current one. Raises AccountError."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_("Your current password is not right."), "current_password")
    if current_password == new_password:
        raise AccountError(_("Choose a password you have not used here."), "password")
    set_password(user, new_password)
    start_session(user)
    queue_mail(
        user.email,
        "password_changed",
        _("Your Alongside password was changed"),
        user=user,
        reset_url=_external_url("auth.forgot_password"),
    )


def grant_role(user: User, role: Role, *, by: User | None = None) -> bool:
    """Give `user` a role; False if they already had it."""
    if role not in GRANTABLE_ROLES:
        raise AccountError(_("This role cannot be granted."), "role")
    if role in user.granted_roles:
        return False
    user.role_rows.append(UserRole(role=role, granted_by_id=by.id if by else None))
    db.session.flush()
    return True


def remove_role(user: User, role: Role, *, by: User | None = None) -> bool:
    """Take a role away; refuses to remove the last admin. False if they did not hold it."""
    if role not in user.granted_roles:
        return False
    if role == Role.ADMIN and admin_count() <= 1:
        raise AccountError(_("This is the last admin: grant the role to someone else first."))
    db.session.execute(delete(UserRole).where(UserRole.user_id == user.id, UserRole.role == role))
    db.session.expire(user, ["role_rows"])
    db.session.flush()
    return True


def admin_count() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(UserRole)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN, User.status == UserStatus.ACTIVE)
    )


def set_status(user: User, status: UserStatus, *, by: User | None = None) -> None:
    """Suspend or reactivate an account; suspension ends all its sessions at once."""
    if by is not None and by.id == user.id and status != UserStatus.ACTIVE:
        raise AccountError(_("You cannot suspend your own account."))
    if status == UserStatus.SUSPENDED and Role.ADMIN in user.granted_roles and admin_count() <= 1:
        raise AccountError(_("This is the last admin: grant the role to someone else first."))
    user.status = status
    if status != UserStatus.ACTIVE:
        revoke_all_sessions(user)
    log.info("Account %s set to %s by %s", user.id, status, by.id if by else "cli")
    db.session.flush()
