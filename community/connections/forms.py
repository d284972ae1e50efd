"""Connection actions are POSTs with CSRF; only the request has a field of its own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from community.connections.services import MAX_REQUEST_MESSAGE
from community.core.forms import max_length


class ConnectForm(FlaskForm):
    message = TextAreaField(
        _l("Add a note (optional)"),
        validators=[max_length(MAX_REQUEST_MESSAGE)],
        description=_l("Say why you would like to connect."),
        render_kw={"rows": 2, "maxlength": MAX_REQUEST_MESSAGE},
    )
    next = HiddenField()


class ActionForm(FlaskForm):
    """Accept, decline, withdraw, block, unblock: just the CSRF token and where to go back."""

    next = HiddenField()
