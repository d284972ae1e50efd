"""The home page and the health check."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from community.home import routes  # noqa: E402,F401
