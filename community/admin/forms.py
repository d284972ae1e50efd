"""Admin forms: every change is a POST with CSRF."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired

from community.auth.roles import GRANTABLE_ROLES, UserStatus


class RoleChangeForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, role.value.title()) for role in GRANTABLE_ROLES],
    )
    action = HiddenField(validators=[DataRequired(), AnyOf(["grant", "remove"])])
    submit = SubmitField(_l("Save"))


class StatusChangeForm(FlaskForm):
    status = HiddenField(
        validators=[DataRequired(), AnyOf([UserStatus.ACTIVE.value, UserStatus.SUSPENDED.value])]
    )
    submit = SubmitField(_l("Save"))
