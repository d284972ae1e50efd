"""How events read on a page and in mail: the one rule for which clock an event's time is
shown on, zone and category names.

The rule (`display_zone`, `event_time`): an in-person event is shown in the venue's zone,
with the member's own time in brackets when their clock differs then; an online event is
shown in the member's zone (`User.timezone`, set on the account page). Cards, the event
page and mails all go through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from community.core.timezones import member_zone, zone_label
from community.events.models import EventCategory
from community.profiles.reference import CITIES

if TYPE_CHECKING:
    from community.events.models import Event

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


def display_zone(event: Event, viewer_zone: str | None) -> str:
    """The zone `event` is shown in: the venue's for an in-person event, the member's for
    an online one."""
    if event.online_url:
        return member_zone(viewer_zone)
    return event.timezone


@dataclass(frozen=True)
class EventTime:
    """An event's time as one member reads it."""

    zone: str  # the zone it is shown in
    starts: str  # "Tue 4 March, 18:00 (Copenhagen)"
    ends: str  # "20:00", or in full when another day
    own: str | None  # the member's own clock when it differs: "17:00 London time"

    def __str__(self) -> str:
        return f"{self.starts} ({self.own})" if self.own else self.starts


def event_time(event: Event, viewer_zone: str | None) -> EventTime:
    """`event`'s start (and end) by the one rule, for a member whose zone is `viewer_zone`
    (None or "UTC" for a member who never set one)."""
    zone = display_zone(event, viewer_zone)
    own = None
    mine = member_zone(viewer_zone)
    if mine != zone:
        here, there = ZoneInfo(zone), ZoneInfo(mine)
        if here.utcoffset(event.starts_at) != there.utcoffset(event.starts_at):
            same_day = (
                event.starts_at.astimezone(here).date() == event.starts_at.astimezone(there).date()
            )
            pattern = "HH:mm" if same_day else "EEE d MMMM, HH:mm"
            text = format_datetime(
                event.starts_at, pattern, tzinfo=there, locale=get_locale() or "en_GB"
            )
            own = str(_l("%(time)s %(zone)s time", time=text, zone=zone_label(mine)))
    return EventTime(
        zone=zone,
        starts=event_when(event.starts_at, zone),
        ends=event_end(event.starts_at, event.ends_at, zone),
        own=own,
    )
