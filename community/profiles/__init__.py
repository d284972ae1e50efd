"""Profiles, the member directory and avatars."""

from flask import Blueprint

bp = Blueprint("profiles", __name__)

from community.profiles import reference as _ref  # noqa: E402
from community.profiles import routes  # noqa: E402,F401

bp.add_app_template_global(_ref.city_label, "city_label")
bp.add_app_template_global(_ref.country_name, "country_name")
bp.add_app_template_global(_ref.language_name, "language_name")
bp.add_app_template_global(_ref, "ref")
