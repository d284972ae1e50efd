"""Mentoring proposals over the API."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("mentoring_matching_api", __name__, description="Mentoring proposals")
