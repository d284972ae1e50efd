"""How comment times read: "2 hours ago", with the full date in the member's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask_babel import format_timedelta, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from community.core.database import utcnow


def comment_time(instant: datetime) -> str:
    """ "just now", "5 minutes ago", "3 days ago"."""
    delta = utcnow() - instant
    if delta < timedelta(minutes=1):
        return _("just now")
    return format_timedelta(-delta, granularity="minute", add_direction=True)


def comment_when(instant: datetime) -> str:
    """ "Tue 4 March 2027, 18:00" in the viewer's own time zone (UTC when unknown)."""
    try:
        zone = ZoneInfo(getattr(current_user, "timezone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return format_datetime(
        instant, "EEE d MMMM y, HH:mm", tzinfo=zone, locale=get_locale() or "en_GB"
    )
