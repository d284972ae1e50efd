"""Mentoring pairs: fit answers, goals, meetings, feedback over the API."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "mentoring_pairs_api",
    __name__,
    description="Mentoring pairs: fit answers, goals, meetings, feedback",
)
