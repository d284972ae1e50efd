"""Administration: the list of accounts, roles and suspension."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from community.admin import routes  # noqa: E402,F401
