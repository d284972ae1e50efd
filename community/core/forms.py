"""Helpers between services and pages: a service's refusal becomes a form error or a flash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Length

from community.core.errors import Forbidden, NotFound, ServiceError
from community.core.urls import safe_next_url
from community.extensions import db


def max_length(limit: int) -> Length:
    """A WTForms length check with the same words as the services' `too_long`."""
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


def add_form_error(form: FlaskForm, message: str, field: str | None = None) -> None:
    """Show a message next to the field it concerns, or at the top of the form."""
    if field and field in form._fields:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


def show_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Undo the refused change and show the refusal inside the form, keeping what was typed.

    Called by page views that catch a ServiceError from the service they called. A refusal
    that keeps its side record (`commit=True`) is committed instead.
    """
    error.settle()
    add_form_error(form, error.message, error.field)


def flash_service_error(error: ServiceError) -> None:
    """Undo the refused change and say why in a flash message (pages without a form field
    to show it next to: buttons, admin actions)."""
    error.settle()
    flash(error.message, "error")


def run_action(
    form: FlaskForm,
    action: Callable[..., Any],
    *args: Any,
    success: str | Callable[[Any], str],
    back: str,
    invalid: str | Callable[[FlaskForm], str] | None = None,
):
    """A button's POST: check its CSRF form, run the service verb, commit, flash, go back.

    Used by pages whose buttons change one thing (connect, accept, block, RSVP ...). A
    refusal the member can act on (conflict, invalid) is flashed on the page they came from;
    NotFound and Forbidden go to the one error handler, so a hidden thing answers like a
    missing one. `success` is the flash, or makes it from what the verb returned; a form
    that does not validate is a 400, or with `invalid` that message flashed on the way
    back (a callable makes it from the form's own errors; a failed CSRF check is then still
    a 400). `back` is where to return unless the form names a safe `next` on this site.
    """
    if not form.validate_on_submit():
        csrf = getattr(form, "csrf_token", None)
        if invalid is None or (callable(invalid) and csrf is not None and csrf.errors):
            abort(400)
        flash(invalid(form) if callable(invalid) else invalid, "error")
        return redirect(back)
    try:
        result = action(*args)
    except (NotFound, Forbidden):
        raise
    except ServiceError as error:
        flash_service_error(error)
    else:
        db.session.commit()
        flash(success(result) if callable(success) else success, "success")
    return redirect(safe_next_url(request.form.get("next"), back))
