"""Connection actions are POSTs with CSRF; only the request has a field of its own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length


class ConnectForm(FlaskForm):
    message = TextAreaField(
        _l("Add a note (optional)"),
        validators=[Length(max=300, message=_l("Use at most 300 characters."))],
        description=_l("Say why you would like to connect."),
        render_kw={"rows": 2, "maxlength": 300},
    )
    next = HiddenField()


class ActionForm(FlaskForm):
    """Accept, decline, withdraw, block, unblock: just the CSRF token and where to go back."""

    next = HiddenField()
