"""Home (what Alongside is, or a greeting for a member) and /healthz for load balancers."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from community.extensions import db
from community.home import bp


@bp.get("/")
def index():
    """Visitors learn what Alongside is; members are greeted and pointed to what they can do."""
    template = "home/member.html" if current_user.is_authenticated else "home/visitor.html"
    return render_template(template)


@bp.get("/healthz")
def healthz():
    """200 when the app and its database answer, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
