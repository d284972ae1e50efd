"""My network page and the connection and block actions (each a POST with CSRF)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.connections import bp, services
from community.connections.forms import ActionForm, ConnectForm
from community.connections.suggestions import suggest_people
from community.core.urls import safe_next_url
from community.extensions import db


def _back(default: str):
    return redirect(safe_next_url(request.form.get("next"), default))


def _run(action, *args, success: str, default: str):
    """Validate the CSRF form, run a service verb, commit, flash, go back."""
    form = ConnectForm() if action is services.send_request else ActionForm()
    if not form.validate_on_submit():
        abort(400)
    extra = (form.message.data or "",) if action is services.send_request else ()
    try:
        action(current_user, *args, *extra)
    except services.ConnectionError as error:
        if error.code == "not_found":
            abort(404)
        flash(error.message, "error")
        return _back(default)
    db.session.commit()
    flash(success, "success")
    return _back(default)


@bp.get("/connections")
@login_required
def index():
    """My connections, requests to answer, requests I sent, suggestions and blocked members."""
    return render_template(
        "connections/index.html",
        lists=services.connection_lists(current_user),
        suggestions=suggest_people(current_user),
        blocked=services.my_blocks(current_user),
        form=ActionForm(),
        connect_form=ConnectForm(),
    )


@bp.post("/members/<int:user_id>/connect")
@login_required
def connect(user_id: int):
    """Send a connection request (or accept theirs, if they asked first)."""
    return _run(
        services.send_request,
        user_id,
        success=_("Your request is sent."),
        default=url_for("profiles.profile", user_id=user_id),
    )


@bp.post("/connections/<int:connection_id>/accept")
@login_required
def accept(connection_id: int):
    return _run(
        services.accept_request,
        connection_id,
        success=_("You are now connected."),
        default=url_for("connections.index"),
    )


@bp.post("/connections/<int:connection_id>/decline")
@login_required
def decline(connection_id: int):
    return _run(
        services.decline_request,
        connection_id,
        success=_("Request declined. They will not be told."),
        default=url_for("connections.index"),
    )


@bp.post("/connections/<int:connection_id>/remove")
@login_required
def remove(connection_id: int):
    """Withdraw my request or end a connection."""
    return _run(
        services.withdraw_or_remove,
        connection_id,
        success=_("Done. The connection is removed."),
        default=url_for("connections.index"),
    )


@bp.post("/members/<int:user_id>/block")
@login_required
def block(user_id: int):
    """Block a member; they are not told."""
    return _run(
        services.block,
        user_id,
        success=_("Blocked. They can no longer find you, see your profile or contact you."),
        default=url_for("connections.index"),
    )


@bp.post("/members/<int:user_id>/unblock")
@login_required
def unblock(user_id: int):
    return _run(
        services.unblock,
        user_id,
        success=_("Unblocked."),
        default=url_for("connections.index"),
    )
