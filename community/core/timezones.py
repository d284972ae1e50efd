"""Time zones: IANA names members and events use, their short labels, and the list a
member picks their own zone from."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def zone_label(zone: str) -> str:
    """ "Copenhagen" for Europe/Copenhagen: the city part of an IANA name."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def member_zone(name: str | None) -> str:
    """A member's zone name as stored, or UTC when missing or unknown (never raises)."""
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
_ZONES: list[str] = []


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The IANA zones a member picks from on the account page ("Copenhagen
    (Europe/Copenhagen)"): UTC and the regional zones, plus `current` if it is another
    valid name (a browser may report an older alias such as Asia/Calcutta)."""
    if not _ZONES:
        _ZONES.extend(sorted(z for z in _known_zones() if z.startswith(_REGIONS)))
    zones = ["UTC", *_ZONES]
    if current and current not in zones and is_zone(current):
        zones.append(current)
    return [(zone, f"{zone_label(zone)} ({zone})" if "/" in zone else zone) for zone in zones]


def is_zone(name: str | None) -> bool:
    """Whether `name` is an IANA zone this system knows."""
    return bool(name) and len(name) <= 64 and name in _known_zones()
