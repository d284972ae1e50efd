"""GET /search: one box for members, posts, events and groups (every registered kind)."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import format_decimal
from flask_login import current_user, login_required

from community.core.errors import ServiceError
from community.search import bp
from community.search.registry import KINDS, TYPES
from community.search.services import search


@bp.app_template_global()
def search_count(number: int, capped: bool) -> str:
    """A tab's count: "12", or "100+" when counting stopped (`SearchResults.capped`)."""
    return f"{format_decimal(number)}+" if capped else format_decimal(number)


@bp.get("/search")
@login_required
def index():
    """Results for `q`, with a tab per type and its count; an unknown `type` shows all. A
    refused query (empty, too long, only punctuation) is shown as the box's error."""
    q = (request.args.get("q") or "").strip()
    type_ = request.args.get("type")
    if type_ not in KINDS:
        type_ = None
    results, error = None, None
    if q:
        try:
            results = search(current_user, q, type_, request.args.get("cursor"))
        except ServiceError as refusal:
            if refusal.field != "q":
                raise
            error = refusal.message
    tabs = [name for name in TYPES if name in KINDS]
    return render_template(
        "search/index.html",
        q=q,
        type=type_,
        results=results,
        error=error,
        tabs=tabs,
        kinds=KINDS,
    ), (400 if error else 200)
