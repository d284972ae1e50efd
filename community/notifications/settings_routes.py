"""Pages of notification email: the settings page and the unsubscribe link.

The unsubscribe link works without logging in: GET shows what it would stop and a button
(mail scanners follow links, so GET changes nothing); POST stops it, from that button or
from a mail client's RFC 8058 one-click request (no CSRF token: the signed link is the
credential, and it can do nothing but turn one kind's email off for one member).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.auth.tokens import TokenError
from community.core.errors import ServiceError
from community.core.forms import show_service_error
from community.extensions import csrf, db
from community.notifications import preferences
from community.notifications.mailing import kinds_of, read_unsubscribe_token
from community.notifications.settings_forms import chosen, field_name, notification_settings_form

bp = Blueprint("notification_mail", __name__)


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    """My delivery choice per kind, grouped by category; saving stores what changed."""
    current = preferences.settings_for(current_user.id)
    labels = {kind: preferences.label(kind) for kind in current}
    form = notification_settings_form(current, labels)
    if form.validate_on_submit():
        try:
            preferences.update_settings(current_user.id, chosen(form, current))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notification_mail.settings"))
    groups = preferences.grouped(current)
    return render_template(
        "notifications/settings.html",
        form=form,
        groups=[
            (category, [form[field_name(kind)] for kind in kinds]) for category, kinds in groups
        ],
    )


def _link_problem(error: TokenError):
    return render_template("notifications/unsubscribe_problem.html", reason=error.reason), 400


@bp.get("/notifications/unsubscribe/<token>")
def unsubscribe(token: str):
    """What this link stops, and a button to stop it (nothing changes on GET)."""
    try:
        link = read_unsubscribe_token(token)
    except TokenError as error:
        return _link_problem(error)
    return render_template("notifications/unsubscribe.html", link=link, token=token, done=False)


@bp.post("/notifications/unsubscribe/<token>")
@csrf.exempt
def unsubscribe_now(token: str):
    """Stop email of the link's kind for the link's member: the page's button or RFC 8058
    one-click (`List-Unsubscribe=One-Click`). Repeating it changes nothing more."""
    try:
        link = read_unsubscribe_token(token)
    except TokenError as error:
        return _link_problem(error)
    preferences.stop_email(link.user.id, kinds_of(link))
    db.session.commit()
    return render_template("notifications/unsubscribe.html", link=link, token=token, done=True)
