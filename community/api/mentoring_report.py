"""Mentoring outcomes and the report over the API."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("mentoring_report_api", __name__, description="Mentoring outcomes and the report")
