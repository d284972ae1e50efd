"""Account forms; labels and hints are what a tired newcomer on a phone needs to read."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from community.auth.passwords import MAX_LENGTH, MIN_LENGTH
from community.auth.services import MAX_DISPLAY_NAME, MAX_EMAIL
from community.core.forms import max_length
from community.core.timezones import zone_choices


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _email_field() -> EmailField:
    return EmailField(
        _l("Email address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=MAX_EMAIL, message=_l("An email address has at most %(max)d characters.")),
            Email(_l("Enter an email address like name@example.com.")),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "inputmode": "email"},
    )


def _new_password_field(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(min=MIN_LENGTH, message=_l("Use at least %(min)d characters.", min=MIN_LENGTH)),
            Length(max=MAX_LENGTH, message=_l("Use at most %(max)d characters.", max=MAX_LENGTH)),
        ],
        description=_l(
            "At least %(n)d characters. A few unrelated words make a strong password that is "
            "easy to remember.",
            n=MIN_LENGTH,
        ),
        render_kw={
            "autocomplete": "new-password",
            "minlength": MIN_LENGTH,
            "maxlength": MAX_LENGTH,
        },
    )


class RegisterForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your name.")),
            max_length(MAX_DISPLAY_NAME),
        ],
        description=_l("How other members will see you. Your first name is enough."),
        render_kw={"autocomplete": "name"},
    )
    email = _email_field()
    password = _new_password_field(_l("Password"))
    # Filled by static/js/timezone.js from the browser; without JavaScript it stays empty
    # and the account starts on UTC.
    timezone = HiddenField(filters=[_strip])
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("New password"))
    submit = SubmitField(_l("Save new password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password_field(_l("New password"))
    submit = SubmitField(_l("Change password"))


class ResendConfirmationForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send a new link"))


class TimezoneForm(FlaskForm):
    timezone = SelectField(
        _l("Your time zone"),
        validate_choice=False,  # the service says what is wrong
        description=_l(
            "Online events and your own time next to in-person ones are shown in this zone."
        ),
    )

    def set_choices(self, current: str | None) -> None:
        self.timezone.choices = zone_choices(current)


class LogoutForm(FlaskForm):
    """Only the CSRF token: logging out is a POST."""

    submit = SubmitField(_l("Log out"))
