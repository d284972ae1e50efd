"""Calendar routes: one event's `.ics`, a member's private feed, and the feed's settings.

A blueprint of its own (`calendar`), beside the events pages: the `.ics` answers at
`/events/<id>.ics` (a series' every date at `/events/<id>/series.ics`), the feed at `/calendar/<secret>.ics` (no login: the secret is the key),
the settings at `/settings/calendar`.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SubmitField

from community.events import calendar
from community.events.services import get_visible_event
from community.extensions import db

calendar_bp = Blueprint("calendar", __name__)


class RegenerateFeedForm(FlaskForm):
    """Only the CSRF token: regenerating the feed's address is a POST."""

    submit = SubmitField()


def _ics(body: bytes, filename: str, *, cache: str) -> Response:
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = cache
    return response


@calendar_bp.get("/events/<int:event_id>.ics")
@login_required
def event_ics(event_id: int):
    """One event as an iCalendar file, its place as the member may see it."""
    event = get_visible_event(current_user, event_id)
    body = calendar.event_ics(current_user, event)
    return _ics(body, f"event-{event.id}.ics", cache="private, no-store")


@calendar_bp.get("/events/<int:event_id>/series.ics")
@login_required
def series_ics(event_id: int):
    """Every date of the event's series as one repeating calendar entry."""
    event = get_visible_event(current_user, event_id)
    if event.series_id is None:
        abort(404)
    body = calendar.series_ics(current_user, event)
    return _ics(body, f"series-{event.series_id}.ics", cache="private, no-store")


@calendar_bp.get("/calendar/<secret>.ics")
def feed_ics(secret: str):
    """A member's private feed of the events they are going to; 404 for a wrong or old
    secret, the same as for a missing page."""
    member = calendar.member_for_secret(secret)
    if member is None:
        abort(404)
    response = _ics(calendar.feed_ics(member), "alongside.ics", cache="private, max-age=300")
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@calendar_bp.get("/settings/calendar")
@login_required
def settings():
    """The member's feed address, with how to add it and a button for a new one."""
    feed_url = calendar.feed_url_for(current_user)
    db.session.commit()
    return render_template(
        "events/calendar_settings.html", feed_url=feed_url, form=RegenerateFeedForm()
    )


@calendar_bp.post("/settings/calendar")
@login_required
def regenerate():
    """A new feed address; the old one stops working at once."""
    form = RegenerateFeedForm()
    if not form.validate_on_submit():
        abort(400)
    calendar.regenerate_feed(current_user)
    db.session.commit()
    flash(_("Your calendar has a new address. Add it to your calendar app again."), "success")
    return redirect(url_for("calendar.settings"))
