"""My network page and the connection and block actions (each a POST with CSRF)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.connections import bp, services
from community.connections.forms import ActionForm, ConnectForm
from community.connections.suggestions import suggest_people
from community.core.forms import run_action


@bp.get("/connections")
@login_required
def index():
    """My connections (paged by name), requests to answer, requests I sent, suggestions
    and blocked members."""
    return render_template(
        "connections/index.html",
        network=services.network(current_user, request.args.get("cursor")),
        suggestions=suggest_people(current_user),
        blocked=services.my_blocks(current_user, request.args.get("blocked")),
        form=ActionForm(),
        connect_form=ConnectForm(),
    )


@bp.post("/members/<int:user_id>/connect")
@login_required
def connect(user_id: int):
    """Send a connection request (or accept theirs, if they asked first)."""
    form = ConnectForm()
    return run_action(
        form,
        services.send_request,
        current_user,
        user_id,
        form.message.data or "",
        success=_("Your request is sent."),
        back=url_for("profiles.profile", user_id=user_id),
    )


@bp.post("/connections/<int:connection_id>/accept")
@login_required
def accept(connection_id: int):
    """Accept a request someone sent me."""
    return run_action(
        ActionForm(),
        services.accept_request,
        current_user,
        connection_id,
        success=_("You are now connected."),
        back=url_for("connections.index"),
    )


@bp.post("/connections/<int:connection_id>/decline")
@login_required
def decline(connection_id: int):
    """Decline a request quietly: the requester is not told."""
    return run_action(
        ActionForm(),
        services.decline_request,
        current_user,
        connection_id,
        success=_("Request declined. They will not be told."),
        back=url_for("connections.index"),
    )


@bp.post("/connections/<int:connection_id>/remove")
@login_required
def remove(connection_id: int):
    """Withdraw my request or end a connection."""
    return run_action(
        ActionForm(),
        services.withdraw_or_remove,
        current_user,
        connection_id,
        success=_("Done. The connection is removed."),
        back=url_for("connections.index"),
    )


@bp.post("/members/<int:user_id>/block")
@login_required
def block(user_id: int):
    """Block a member; they are not told."""
    return run_action(
        ActionForm(),
        services.block,
        current_user,
        user_id,
        success=_("Blocked. They can no longer find you, see your profile or contact you."),
        back=url_for("connections.index"),
    )


@bp.post("/members/<int:user_id>/unblock")
@login_required
def unblock(user_id: int):
    """Lift my block."""
    return run_action(
        ActionForm(),
        services.unblock,
        current_user,
        user_id,
        success=_("Unblocked."),
        back=url_for("connections.index"),
    )
