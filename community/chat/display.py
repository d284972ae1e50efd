"""How chat pages show times and message text (template filters, registered by the
chat blueprint)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask_babel import get_locale
from flask_login import current_user

from community.core.database import utcnow
from community.core.linkify import linkify_text


def _zone() -> ZoneInfo:
    try:
        return ZoneInfo(getattr(current_user, "timezone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def chat_time(instant: datetime | None) -> str:
    """ "14:05" today, "3 Mar, 14:05" this year, "3 Mar 2025" before, in the viewer's zone."""
    if instant is None:
        return ""
    zone = _zone()
    local, now = instant.astimezone(zone), utcnow().astimezone(zone)
    locale = get_locale() or "en_GB"
    if local.date() == now.date():
        return format_datetime(instant, "HH:mm", tzinfo=zone, locale=locale)
    if local.year == now.year:
        return format_datetime(instant, "d MMM, HH:mm", tzinfo=zone, locale=locale)
    return format_datetime(instant, "d MMM y", tzinfo=zone, locale=locale)


def chat_when(instant: datetime | None) -> str:
    """ "Tue 4 March 2027, 18:00" in the viewer's zone (the time's title)."""
    if instant is None:
        return ""
    return format_datetime(
        instant, "EEE d MMMM y, HH:mm", tzinfo=_zone(), locale=get_locale() or "en_GB"
    )


def iso(instant: datetime | None) -> str:
    return instant.isoformat(timespec="seconds") if instant else ""


FILTERS = {
    "chat_text": linkify_text,
    "chat_time": chat_time,
    "chat_when": chat_when,
    "chat_iso": iso,
}
