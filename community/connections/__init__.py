"""Connections between members, blocks, and people you may want to meet."""

from flask import Blueprint

bp = Blueprint("connections", __name__)

from community.connections import routes  # noqa: E402,F401
