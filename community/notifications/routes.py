"""The notifications pages: `/notifications` (newest first, grouped, paged), opening one
(marks it read and goes to the thing), marking one or all read; and the bell in the header
(a template global). Views stay thin: `services` does the work."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.forms import run_action
from community.core.urls import safe_next_url
from community.extensions import db
from community.notifications import services
from community.notifications.forms import NotificationForm

bp = Blueprint("notifications", __name__)
PAGE_SIZE = 30


@bp.app_template_global()
def notification_bell() -> dict:
    """The bell's count (visible unread ones, at most "99+") and where the live catch-up
    starts (the newest id), once a request; nothing for visitors."""
    if not current_user.is_authenticated:
        return {}
    if "notification_bell" not in g:
        g.notification_bell = {
            "unread": services.unread_count(current_user),
            "cap": services.UNREAD_CAP,
            "last_id": services.latest_id(current_user),
        }
    return g.notification_bell


@bp.get("/notifications")
@login_required
def index():
    """My notifications, newest first, several unread ones about the same thing on one line."""
    unread_only = request.args.get("unread") == "1"
    page = services.page_of(
        current_user, request.args.get("cursor"), PAGE_SIZE, unread_only=unread_only
    )
    return render_template(
        "notifications/index.html",
        page=page,
        lines=services.group_lines(page.items),
        unread_only=unread_only,
        form=NotificationForm(),
    )


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_one(notification_id: int):
    """Mark the line read and go to the thing it is about (a path on this site)."""
    form = NotificationForm()
    if not form.validate_on_submit():
        return redirect(url_for("notifications.index"))
    target = services.open_notification(current_user, notification_id, form.also_ids())
    db.session.commit()
    return redirect(safe_next_url(target, url_for("notifications.index")))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_one(notification_id: int):
    """Mark one line read (its grouped ones too); back to the list."""
    form = NotificationForm()
    return run_action(
        form,
        lambda: services.mark_read_ids(current_user, [notification_id, *form.also_ids()]),
        success=_("Marked as read."),
        back=url_for("notifications.index"),
    )


@bp.post("/notifications/read-all")
@login_required
def read_all():
    """Mark every notification read; back to the list."""
    return run_action(
        NotificationForm(),
        services.mark_all_read,
        current_user,
        success=_("All notifications are marked as read."),
        back=url_for("notifications.index"),
    )
