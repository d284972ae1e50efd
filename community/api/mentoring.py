"""Mentoring programmes and applications over the API."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("mentoring_api", __name__, description="Mentoring programmes and applications")
