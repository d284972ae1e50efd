"""Accounts: registration, confirmation, login and logout, password reset and change."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
settings_bp = Blueprint("settings", __name__, url_prefix="/settings")

from community.auth import routes  # noqa: E402,F401  (registers the views)
