"""How events read on a page: times in the event's own zone, zone and category names."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from community.events.models import EventCategory
from community.profiles.reference import CITIES

CATEGORY_LABELS = {
    EventCategory.NETWORKING: _l("Networking"),
    EventCategory.PROFESSIONAL_DEVELOPMENT: _l("Professional development"),
    EventCategory.LEARNING: _l("Learning"),
    EventCategory.SOCIAL: _l("Social"),
    EventCategory.FAMILY: _l("Family"),
    EventCategory.VOLUNTEERING: _l("Volunteering"),
}

# The zones an organiser picks from: those of the host cities, and UTC.
ZONES = sorted({city.timezone for city in CITIES} | {"UTC"})


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


def zone_label(zone: str) -> str:
    """ "Copenhagen" for Europe/Copenhagen: the city part of an IANA name."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def event_when(instant: datetime, zone: str, *, with_zone: bool = True) -> str:
    """ "Tue 4 March, 18:00 (Copenhagen)": `instant` as wall-clock time in `zone`."""
    text = format_datetime(
        instant, "EEE d MMMM, HH:mm", tzinfo=ZoneInfo(zone), locale=get_locale() or "en_GB"
    )
    return f"{text} ({zone_label(zone)})" if with_zone else text


def event_end(starts: datetime, ends: datetime, zone: str) -> str:
    """The end as the start would be read with it: "14:00" on the same day, else in full."""
    tz = ZoneInfo(zone)
    same_day = starts.astimezone(tz).date() == ends.astimezone(tz).date()
    if same_day:
        return format_datetime(ends, "HH:mm", tzinfo=tz, locale=get_locale() or "en_GB")
    return event_when(ends, zone, with_zone=False)
