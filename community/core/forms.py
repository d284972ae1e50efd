"""Small helpers between services and WTForms."""

from __future__ import annotations

from flask_wtf import FlaskForm


def add_form_error(form: FlaskForm, message: str, field: str | None = None) -> None:
    """Show a service's refusal next to the field it concerns, or at the top of the form."""
    if field and field in form._fields:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)
