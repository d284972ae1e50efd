"""Account pages. Thin: validate the form, call a service, commit, flash, redirect."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from community.auth import bp, services, settings_bp
from community.auth.api_tokens import expires_at, live_tokens, revoke_token_of
from community.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
    ResendConfirmationForm,
    ResetPasswordForm,
    TimezoneForm,
)
from community.auth.limits import (
    account_mails_per_ip,
    failed_logins_per_account,
    failed_logins_per_device,
    failed_logins_per_ip,
    registrations_per_ip,
    remember_device,
)
from community.auth.roles import UserStatus
from community.auth.sessions import (
    device_name,
    live_session_count,
    live_sessions,
    revoke_session_of,
)
from community.auth.tokens import TokenError, user_from_confirm_token, user_from_reset_token
from community.core.errors import ServiceError
from community.core.forms import run_action, show_service_error
from community.core.urls import safe_next_url
from community.extensions import db


@bp.route("/register", methods=["GET", "POST"])
@registrations_per_ip
def register():
    """Sign-up form. Answers the same for new and known addresses (no account enumeration)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register(
                form.email.data, form.display_name.data, form.password.data, form.timezone.data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("auth.check_email", kind="confirm"))
    return render_template("auth/register.html", form=form)


@bp.get("/check-email")
def check_email():
    """After sign-up, reset or resend: tell the visitor to look in their inbox."""
    kind = "reset" if request.args.get("kind") == "reset" else "confirm"
    return render_template("auth/check_email.html", kind=kind, form=ResendConfirmationForm())


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """GET shows a button, POST confirms: mail scanners that open links change nothing."""
    try:
        user = user_from_confirm_token(token)
    except TokenError as error:
        return render_template(
            "auth/link_problem.html", reason=error.reason, form=ResendConfirmationForm()
        ), 400
    form = LogoutForm()  # just the CSRF token
    if request.method == "POST" and form.validate_on_submit():
        services.confirm_email(user)
        db.session.commit()
        flash(_("Thank you, your email address is confirmed. You can log in now."), "success")
        return redirect(url_for("auth.login", email=user.email))
    return render_template("auth/confirm.html", user=user, form=form)


@bp.route("/confirm", methods=["POST"])
@account_mails_per_ip
def resend_confirmation():
    """Send a fresh confirmation link; the same answer whether or not the address is known."""
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and not user.is_confirmed and user.status == UserStatus.ACTIVE:
            services.send_confirmation(user)
            db.session.commit()
        return redirect(url_for("auth.check_email", kind="confirm"))
    return render_template("auth/check_email.html", kind="confirm", form=form), 400


@bp.route("/login", methods=["GET", "POST"])
@failed_logins_per_account
@failed_logins_per_device
@failed_logins_per_ip
def login():
    """Log in with email and password; failures count towards the rate limits."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.email.data = request.args.get("email", "")[:254]
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.log_in(form.email.data, form.password.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            services.begin_login(user)
            db.session.commit()
            login_user(user)
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            response = redirect(safe_next_url(form.next.data, url_for("home.index")))
            remember_device(response, user)
            return response
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out: ends every session of this account, on every device."""
    form = LogoutForm()
    if current_user.is_authenticated and form.validate_on_submit():
        services.end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        flash(_("You are logged out on all your devices."), "success")
    return redirect(url_for("home.index"))


@bp.route("/reset", methods=["GET", "POST"])
@account_mails_per_ip
def forgot_password():
    """Ask for a reset link; the answer never says whether the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return redirect(url_for("auth.check_email", kind="reset"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a reset link; the link works once."""
    try:
        user = user_from_reset_token(token)
    except TokenError as error:
        return render_template("auth/link_problem.html", reason=error.reason, reset=True), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            services.confirm_email(user)  # the link proved the address
            active = user.status == UserStatus.ACTIVE
            if active:
                services.begin_login(user)
            db.session.commit()
            if active:
                login_user(user)
                flash(_("Your new password is saved and you are logged in."), "success")
                response = redirect(url_for("home.index"))
                remember_device(response, user)  # the old password's cookies are void now
                return response
            flash(_("Your new password is saved."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, user=user)


@settings_bp.route("", methods=["GET", "POST"])
@login_required
def account():
    """The account page: who I am, my roles, where I am logged in, what I can change; its
    one form sets my time zone."""
    zone_form = TimezoneForm(timezone=current_user.timezone)
    zone_form.set_choices(current_user.timezone)
    if zone_form.validate_on_submit():
        try:
            services.set_timezone(current_user, zone_form.timezone.data)
        except ServiceError as error:
            show_service_error(zone_form, error)
        else:
            db.session.commit()
            flash(_("Your time zone is saved."), "success")
            return redirect(url_for("settings.account"))
    return render_template(
        "auth/account.html",
        sessions=live_session_count(current_user),
        form=LogoutForm(),
        zone_form=zone_form,
    )


@settings_bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other device is logged out, this one stays in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            response = redirect(url_for("settings.account"))
            remember_device(response, current_user)  # the old password's cookies are void now
            return response
    return render_template("auth/change_password.html", form=form)


@settings_bp.get("/security")
@login_required
def security():
    """Where I am logged in and which apps hold a token, each with a button to end it."""
    return render_template(
        "auth/security.html",
        sessions=live_sessions(current_user),
        tokens=live_tokens(current_user),
        token_expiry=expires_at,
        device_name=device_name,
        form=LogoutForm(),
    )


@settings_bp.post("/security/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """Log one device out (this one too, if chosen); its live connections close at once."""
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    this_device = current_user.current_session.id == session_id
    revoke_session_of(current_user, session_id)
    db.session.commit()
    if this_device:
        logout_user()
        flash(_("You are logged out on this device."), "success")
        return redirect(url_for("auth.login"))
    flash(_("That device is logged out."), "success")
    return redirect(url_for("settings.security"))


@settings_bp.post("/security/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one app's API token; the app has to log in again."""
    return run_action(
        LogoutForm(),
        revoke_token_of,
        current_user,
        token_id,
        success=_("The app's access is revoked."),
        back=url_for("settings.security"),
    )
