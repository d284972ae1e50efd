"""Home (what Alongside is, or a greeting for a member) and /healthz for load balancers."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from community.connections.services import incoming_request_count
from community.connections.suggestions import suggest_people
from community.extensions import db
from community.home import bp
from community.profiles.services import completeness, get_profile


@bp.get("/")
def index():
    """Visitors learn what Alongside is; members see requests waiting for them, people to
    meet and what their profile still lacks."""
    if not current_user.is_authenticated:
        return render_template("home/visitor.html")
    profile = get_profile(current_user.id)
    return render_template(
        "home/member.html",
        profile=profile,
        completeness=completeness(current_user, profile),
        waiting=incoming_request_count(current_user),
        suggestions=suggest_people(current_user, limit=3),
    )


@bp.get("/healthz")
def healthz():
    """200 when the app and its database answer, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
