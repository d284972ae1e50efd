"""The account verbs: register, confirm, log in, reset and change passwords, roles,
suspension. Pages, the API, the CLI and the tests call these; they flush and the caller
commits. Refusals are the core ServiceError kinds.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from limits import parse as parse_limit
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from community.auth.api_tokens import revoke_all_tokens
from community.auth.limits import account_mail_allowed_from_this_address, count_failed_login
from community.auth.models import User, UserRole
from community.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from community.auth.roles import GRANTABLE_ROLES, Role, UserStatus
from community.auth.sessions import revoke_all_sessions, start_session
from community.auth.tokens import make_confirm_token, make_reset_token
from community.core.database import get_or_create, lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, Unauthorized
from community.core.timezones import is_zone
from community.core.urls import external_url
from community.extensions import db
from community.mail.services import queue_mail, sent_since

log = logging.getLogger(__name__)


MAX_EMAIL = 254
MAX_DISPLAY_NAME = 80


def normalise_email(email: str) -> str:
    """Emails are compared and stored trimmed and lower-cased."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_account(
    email: str,
    display_name: str,
    password: str,
    *,
    confirmed: bool = False,
    roles: tuple[Role, ...] = (),
    timezone: str | None = None,
) -> User:
    """Create an account after checking the password rules. Raises Invalid (password) or
    Conflict (the address has an account, also when another request created it a moment ago).

    Called by registration (unconfirmed), `flask create-user` and the demo seed (confirmed).
    `timezone` is the browser's guess at sign-up: kept when it is a known IANA zone, else
    the account starts on UTC (the account page changes it).
    """
    email = normalise_email(email)
    display_name = " ".join(display_name.split())
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise Invalid(problem, "password")
    if find_user_by_email(email) is not None:
        raise Conflict(_("An account with this email address already exists."), "email")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        email_confirmed_at=utcnow() if confirmed else None,
        timezone=timezone if is_zone(timezone) else "UTC",
    )
    try:
        with db.session.begin_nested():  # two sign-ups with one address at once: one wins
            db.session.add(user)
    except IntegrityError as error:
        raise Conflict(_("An account with this email address already exists."), "email") from error
    for role in roles:
        if role != Role.MEMBER:
            db.session.add(UserRole(user_id=user.id, role=role))
    db.session.flush()
    return user


def register(
    email: str, display_name: str, password: str, timezone: str | None = None
) -> User | None:
    """Registration from the sign-up form.

    A new address gets an account and a confirmation link. An address that already has an
    account gets a mail telling its owner, and the caller shows the same page either way,
    so the form never reveals who is a member. Raises Invalid for a weak password.
    """
    email = normalise_email(email)
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise Invalid(problem, "password")
    existing = find_user_by_email(email)
    if existing is not None:
        hash_password(password)  # the same work as a new account, so timing tells nothing
        if not may_mail(existing, "already_registered"):
            return None
        queue_mail(
            existing.email,
            "already_registered",
            _("Someone tried to sign up with your address"),
            user=existing,
            login_url=external_url("auth.login"),
            reset_url=external_url("auth.forgot_password"),
        )
        return None
    try:
        user = create_account(email, display_name, password, timezone=timezone)
    except Conflict:  # registered a moment ago by a request racing this one
        return None
    send_confirmation(user)
    return user


def set_timezone(user: User, name: str | None) -> User:
    """Set the zone `user` reads online events and their own time in. Called by the account
    page and `PATCH /api/v1/me`. Invalid on "timezone" unless it is a known IANA name."""
    if not is_zone(name):
        raise Invalid(_("Choose a time zone from the list, such as Europe/Copenhagen."), "timezone")
    user.timezone = name
    db.session.flush()
    return user


def may_mail(user: User, kind: str) -> bool:
    """Whether a mail anyone can trigger for `user` (a confirmation link, "you already have
    an account") may go now: at most one every MAIL_GAP_MINUTES and MAILS_PER_DAY a day per
    account and kind, and ACCOUNT_MAILS_PER_IP a day from the asking address. Serialised
    on the account's row, so simultaneous requests cannot both pass. The caller answers the
    same whether or not a mail went (#13.4)."""
    config = current_app.config
    lock_row(user)
    now = utcnow()
    sent = sent_since(user.email, kind, now - timedelta(days=1))
    if len(sent) >= config["MAILS_PER_DAY"]:
        return False
    if sent and sent[0] > now - timedelta(minutes=config["MAIL_GAP_MINUTES"]):
        return False
    return account_mail_allowed_from_this_address()


def send_confirmation(user: User) -> bool:
    """Queue the confirmation mail with a signed, expiring link, unless `may_mail` says it is
    too soon or too many. Returns whether it was queued."""
    if not may_mail(user, "confirm_email"):
        return False
    queue_mail(
        user.email,
        "confirm_email",
        _("Confirm your email address for Alongside"),
        confirm_url=external_url("auth.confirm_email", token=make_confirm_token(user)),
        hours=current_app.config["CONFIRM_LINK_MAX_AGE"] // 3600,
    )
    return True


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


def log_in(email: str, password: str) -> User:
    """The login decision, the same for the login page and `POST /api/v1/tokens`.

    Returns the active, confirmed account whose password matches. Otherwise raises:
    Unauthorized for a wrong email or password (counted by the failed-login limits),
    Forbidden for a suspended account, or Forbidden for an unconfirmed one after queueing a
    fresh confirmation link (kept: the error asks the caller to commit). The caller then starts a session or
    issues a token.
    """
    user = authenticate(email, password)
    if user is None:
        count_failed_login()
        raise Unauthorized(_("The email address or password is not right."))
    if user.status != UserStatus.ACTIVE:
        raise Forbidden(_("This account is suspended. Write to the moderators."))
    if not user.is_confirmed:
        send_confirmation(user)
        raise Forbidden(
            _(
                "Please confirm your email address first: we have sent you a link. It can "
                "take a few minutes to arrive."
            ),
            commit=True,
        )
    return user


def tell_owner_of_lockout(email: str) -> None:
    """Mail the owner of `email` (if it is an active account) that logins from new devices
    are paused after many wrong passwords: at most once per lock window. Called when the
    per-account limit is hit."""
    user = find_user_by_email(email)
    if user is None or user.status != UserStatus.ACTIVE:
        return
    window = parse_limit(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])
    minutes = window.get_expiry() // 60
    if sent_since(user.email, "account_locked", utcnow() - timedelta(minutes=minutes)):
        return
    if not may_mail(user, "account_locked"):  # and no more than the daily cap
        return
    queue_mail(
        user.email,
        "account_locked",
        _("Your Alongside account was locked for %(n)d minutes", n=minutes),
        minutes=minutes,
        reset_url=external_url("auth.forgot_password"),
    )


def begin_login(user: User) -> None:
    """Start a server-side session for `user`; the route then calls `login_user`."""
    start_session(user)


def end_all_sessions(user: User) -> int:
    """Log `user` out everywhere: every browser session and every API token (the logout
    button, a password change or reset, a suspension). Their sockets are disconnected after
    the commit. Returns how many sessions and tokens were ended."""
    return revoke_all_sessions(user) + revoke_all_tokens(user)


def request_password_reset(email: str) -> None:
    """Queue a reset mail if the address belongs to an active account and `may_mail` allows
    one now; silent otherwise (the page answers the same)."""
    user = find_user_by_email(email)
    if user is None or user.status != UserStatus.ACTIVE or not may_mail(user, "reset_password"):
        return
    queue_mail(
        user.email,
        "reset_password",
        _("Reset your Alongside password"),
        user=user,
        reset_url=external_url("auth.reset_password", token=make_reset_token(user)),
        minutes=current_app.config["RESET_LINK_MAX_AGE"] // 60,
    )


def set_password(user: User, new_password: str) -> None:
    """Replace the password and end every session (the caller may start a new one).

    Called by reset (which also confirms the address: the link proved it) and change.
    """
    problem = password_problem(new_password, email=user.email, display_name=user.display_name)
    if problem:
        raise Invalid(problem, "password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(user)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password from the account page; needs the current one. Raises Invalid."""
    if not verify_password(user.password_hash, current_password):
        raise Invalid(_("Your current password is not right."), "current_password")
    if current_password == new_password:
        raise Invalid(_("Choose a password you have not used here."), "password")
    set_password(user, new_password)
    start_session(user)
    queue_mail(
        user.email,
        "password_changed",
        _("Your Alongside password was changed"),
        user=user,
        reset_url=external_url("auth.forgot_password"),
    )


def grant_role(user: User, role: Role, *, by: User | None = None) -> bool:
    """Give `user` a role; False if they already had it."""
    if role not in GRANTABLE_ROLES:
        raise Invalid(_("This role cannot be granted."), "role")
    if role in user.granted_roles:
        return False
    _row, created = get_or_create(
        UserRole, user_id=user.id, role=role, defaults={"granted_by_id": by.id if by else None}
    )
    db.session.expire(user, ["role_rows"])
    return created


def remove_role(user: User, role: Role, *, by: User | None = None) -> bool:
    """Take a role away; refuses to remove the last admin. False if they did not hold it."""
    if role not in user.granted_roles:
        return False
    if role == Role.ADMIN and admin_count(lock=True) <= 1:
        raise Conflict(_("This is the last admin: grant the role to someone else first."))
    db.session.execute(delete(UserRole).where(UserRole.user_id == user.id, UserRole.role == role))
    db.session.expire(user, ["role_rows"])
    db.session.flush()
    return True


def admin_count(*, lock: bool = False) -> int:
    """How many active admins there are. `lock=True` (before removing one) first locks the
    admin role rows, so two admins removing each other at once cannot leave none."""
    if lock:
        db.session.execute(
            update(UserRole).where(UserRole.role == Role.ADMIN).values(role=UserRole.role)
        )
    return db.session.scalar(
        select(func.count())
        .select_from(UserRole)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN, User.status == UserStatus.ACTIVE)
    )


def set_status(user: User, status: UserStatus, *, by: User | None = None) -> None:
    """Suspend or reactivate an account; suspension ends all its sessions at once."""
    if by is not None and by.id == user.id and status != UserStatus.ACTIVE:
        raise Conflict(_("You cannot suspend your own account."))
    if (
        status == UserStatus.SUSPENDED
        and Role.ADMIN in user.granted_roles
        and admin_count(lock=True) <= 1
    ):
        raise Conflict(_("This is the last admin: grant the role to someone else first."))
    user.status = status
    if status != UserStatus.ACTIVE:
        end_all_sessions(user)
    log.info("Account %s set to %s by %s", user.id, status, by.id if by else "cli")
    db.session.flush()
