"""Admin pages: list accounts, grant and remove roles, suspend and reactivate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.admin import bp
from community.admin.forms import RoleChangeForm, StatusChangeForm
from community.admin.services import list_users
from community.auth import services as accounts
from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.auth.sockets import end_user_sockets
from community.core.inputs import parse_id
from community.core.permissions import role_required
from community.extensions import db


def _get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("")
@role_required(Role.ADMIN)
def users():
    """The account list with search, each row with its roles and actions."""
    query = request.args.get("q", "")[:100]
    after = request.args.get("after", type=parse_id)
    page = list_users(query, after)
    return render_template(
        "admin/users.html",
        page=page,
        query=query,
        role_form=RoleChangeForm(),
        status_form=StatusChangeForm(),
        grantable=[role for role in Role if role != Role.MEMBER],
    )


@bp.post("/users/<int:user_id>/roles")
@role_required(Role.ADMIN)
def change_role(user_id: int):
    """Grant or remove one role."""
    user = _get_user_or_404(user_id)
    form = RoleChangeForm()
    if not form.validate_on_submit():
        abort(400)
    role = Role(form.role.data)
    try:
        if form.action.data == "grant":
            changed = accounts.grant_role(user, role, by=current_user)
            message = _("%(name)s is now %(role)s.", name=user.display_name, role=role.value)
        else:
            changed = accounts.remove_role(user, role, by=current_user)
            message = _("%(name)s is no longer %(role)s.", name=user.display_name, role=role.value)
    except accounts.AccountError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(message if changed else _("Nothing changed."), "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))


@bp.post("/users/<int:user_id>/status")
@role_required(Role.ADMIN)
def change_status(user_id: int):
    """Suspend (which logs the account out everywhere) or reactivate."""
    user = _get_user_or_404(user_id)
    form = StatusChangeForm()
    if not form.validate_on_submit():
        abort(400)
    status = UserStatus(form.status.data)
    try:
        accounts.set_status(user, status, by=current_user)
    except accounts.AccountError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        if status == UserStatus.SUSPENDED:
            end_user_sockets(user.id)
            flash(_("%(name)s is suspended and logged out.", name=user.display_name), "success")
        else:
            flash(_("%(name)s can log in again.", name=user.display_name), "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))
