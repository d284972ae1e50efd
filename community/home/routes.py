"""Home (what Alongside is, or a greeting for a member) and /healthz for load balancers."""

from __future__ import annotations

from flask import current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from community.connections.services import incoming_request_count
from community.connections.suggestions import suggest_people
from community.core import control
from community.events.news import unread_event_news
from community.events.queries import (
    connections_events,
    connections_going,
    my_rsvps,
    upcoming_for,
)
from community.events.services import place_for
from community.extensions import db
from community.home import bp
from community.profiles.services import completeness, get_profile


@bp.get("/")
def index():
    """Visitors learn what Alongside is; members see unread news about their events (each
    links to the event page, which marks it read), their next events, events their
    connections are going to, requests waiting for them, people to meet and what their
    profile still lacks."""
    if not current_user.is_authenticated:
        return render_template("home/visitor.html")
    profile = get_profile(current_user.id)
    mine = upcoming_for(current_user)
    theirs = connections_events(current_user)
    return render_template(
        "home/member.html",
        news=unread_event_news(current_user),
        my_events=mine,
        friends_events=theirs,
        rsvps=my_rsvps(current_user, mine),
        friends=connections_going(current_user, mine + theirs),
        places={event.id: place_for(None, event) for event in mine + theirs},
        profile=profile,
        completeness=completeness(current_user, profile),
        waiting=incoming_request_count(current_user),
        suggestions=suggest_people(current_user, limit=3),
    )


@bp.get("/healthz")
def healthz():
    """200 when the app and its database answer and, with REDIS_URL, Redis answers and this
    process's queue listener (events and socket commands of the other processes) runs; 503
    otherwise, naming what is down."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    report = {"status": "ok", "database": "ok"}
    if current_app.config.get("REDIS_URL"):
        report["redis"] = "ok" if control.redis_answers(current_app) else "unreachable"
        report["queue_listener"] = control.queue_status()
        if report["redis"] != "ok" or report["queue_listener"] != "ok":
            report["status"] = "unavailable"
            return jsonify(report), 503
    return jsonify(report)
