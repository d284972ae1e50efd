"""Events as iCalendar (RFC 5545): one event's `.ics`, a member's private feed of the events
they are going to, and the feed's secret.

Built with `icalendar`. Times are written in the event's own IANA zone (DTSTART;TZID=...)
with a VTIMEZONE for it, so a calendar client puts 10:00 Copenhagen at 08:00 UTC in
summer and 09:00 UTC in winter. Every change of time, place or status raises the event's
`sequence` (services), written as SEQUENCE, and a cancelled event is STATUS:CANCELLED, so
clients move or strike the entry they already hold. The place goes through `place_for`:
a private address and the online link only for members going and hosts. No attendee
names or emails are ever written.

The feed's secret is never stored: it is an HMAC of the member's id and the feed's
`created_at` under SECRET_KEY, and the table keeps only its SHA-256 (the lookup key).
Regenerating the feed renews `created_at` and the hash, so the old URL answers 404.

A series (`community.events.series`) is one repeating entry: a master VEVENT with the
series' own UID, DTSTART at its first date, an RRULE (UNTIL in UTC at its last date) and
an EXDATE for each cancelled date (and, in a member's feed, each date they are not going
to), plus an override VEVENT with RECURRENCE-ID for each date that differs from the rest
(edited on its own). The per-event `.ics` of a series date gives that single date.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app
from sqlalchemy import select

from community.auth.models import User
from community.auth.roles import UserStatus
from community.connections.relations import blocked_ids_select
from community.core.database import get_or_create, lock_row, utcnow
from community.core.urls import external_url
from community.events import series as series_rules
from community.events.models import (
    CalendarFeed,
    Event,
    EventSeries,
    EventStatus,
    Rsvp,
    RsvpStatus,
    SeriesFrequency,
)
from community.events.services import Place, can_manage, place_for
from community.extensions import db

PRODID = "-//Alongside//Events//EN"
# How far back the personal feed reaches: recent events stay in the member's calendar.
FEED_PAST_DAYS = 90


# --- building the calendar ------------------------------------------------------------------


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def event_uid(event: Event) -> str:
    """The event's UID, the same in every file and feed so clients update one entry."""
    return f"event-{event.id}@{_host()}"


def event_page_url(event: Event) -> str:
    """The absolute URL of the event's page (calendar entries and mail link to it)."""
    return external_url("events.show", event_id=event.id)


def event_ics_url(event: Event) -> str:
    """The absolute URL of the event's `.ics` (for mail)."""
    return external_url("calendar.event_ics", event_id=event.id)


def series_uid(series_id: int) -> str:
    """The UID of a series' repeating entry (its overrides share it)."""
    return f"series-{series_id}@{_host()}"


def _vevent(
    viewer: User,
    event: Event,
    rsvp: Rsvp | None = None,
    *,
    uid: str | None = None,
    place: Place | None = None,
) -> icalendar.Event:
    zone = ZoneInfo(event.timezone)
    place = place or place_for(viewer, event, rsvp)
    vevent = icalendar.Event()
    vevent.add("uid", uid or event_uid(event))
    vevent.add("dtstamp", event.updated_at)
    vevent.add("created", event.created_at)
    vevent.add("last-modified", event.updated_at)
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))
    vevent.add("summary", event.title)
    page = event_page_url(event)
    description = f"{event.description}\n\n{page}" if event.description else page
    vevent.add("description", description)
    location = place.venue or place.online_url
    if location:
        vevent.add("location", location)
    vevent.add("url", page)
    vevent.add("sequence", event.sequence)
    cancelled = event.status == EventStatus.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return vevent


def _calendar(vevents: Iterable[icalendar.Event], name: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for vevent in vevents:
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar


_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _rrule(series: EventSeries, first: datetime, last: datetime) -> dict:
    """The series' rule as an RRULE value, ending (UNTIL, in UTC) at its last date."""
    day = _RRULE_DAYS[first.astimezone(ZoneInfo(series.timezone)).weekday()]
    rule: dict = {"freq": "WEEKLY", "until": last.astimezone(UTC)}
    if series.frequency == SeriesFrequency.BIWEEKLY:
        rule["interval"] = 2
    if series.frequency in (SeriesFrequency.WEEKLY, SeriesFrequency.BIWEEKLY):
        rule["byday"] = day
    elif series.frequency == SeriesFrequency.MONTHLY_DATE:
        rule["freq"] = "MONTHLY"
        rule["bymonthday"] = first.astimezone(ZoneInfo(series.timezone)).day
    else:
        rule["freq"] = "MONTHLY"
        rule["byday"] = f"{series.ordinal}{day}"
    return rule


def _series_vevents(
    viewer: User,
    series_id: int,
    dates: list[Event],
    *,
    rsvps: dict[int, Rsvp],
    skip: set[int],
    place_allowed: bool,
) -> list[icalendar.Event]:
    """A series as one repeating VEVENT plus its overrides. `skip`: dates written as
    EXDATE besides the cancelled ones (dates a member is not going to). `place_allowed`: the
    repeating entry may hold a private address or online link (hosts, members going to
    every date); overrides show their place as `viewer` may see it for that date. `dates`:
    every date of the series in the order of the rule (`series_rules.dates_of_series`)."""
    if not dates:
        return []
    series = dates[0].series
    zone = ZoneInfo(series.timezone)
    master_content = series_rules.master_content(dates)
    master_event = next(d for d in dates if series_rules.content_of(d) == master_content)
    first, last = dates[0].original_starts_at, dates[-1].original_starts_at
    length = master_event.ends_at - master_event.starts_at
    if place_allowed:
        place = Place(
            venue=master_event.venue or None,
            online_url=master_event.online_url or None,
            online=bool(master_event.online_url),
        )
    else:
        place = place_for(None, master_event)
    uid = series_uid(series_id)
    master = _vevent(viewer, master_event, uid=uid, place=place)
    for name in ("dtstart", "dtend", "sequence", "status", "transp"):
        del master[name]
    master.add("dtstart", first.astimezone(zone))
    master.add("dtend", (first + length).astimezone(zone))
    master.add("rrule", _rrule(series, first, last))
    everything_cancelled = all(d.status == EventStatus.CANCELLED for d in dates)
    master.add("sequence", series.sequence + max(d.sequence for d in dates))
    master.add("status", "CANCELLED" if everything_cancelled else "CONFIRMED")
    master.add("transp", "TRANSPARENT" if everything_cancelled else "OPAQUE")
    excluded = [
        d.original_starts_at.astimezone(zone)
        for d in dates
        if d.status == EventStatus.CANCELLED or d.id in skip
    ]
    if excluded and not everything_cancelled:
        master.add("exdate", excluded)
    vevents = [master]
    for d in dates:
        if d.status == EventStatus.CANCELLED or d.id in skip:
            continue
        if series_rules.is_override(d, master_content):
            override = _vevent(viewer, d, rsvps.get(d.id), uid=uid)
            del override["sequence"]  # never behind the series' own, which clients compare
            override.add("sequence", master["SEQUENCE"])
            override.add("recurrence-id", d.original_starts_at.astimezone(zone))
            vevents.append(override)
    return vevents


def series_ics(viewer: User, event: Event) -> bytes:
    """Every date of `event`'s series as one repeating entry (cancelled dates as EXDATE).
    The private address or online link goes in the repeating entry only for hosts and
    members going to every coming date. The caller checked `get_visible_event`."""
    allowed = can_manage(viewer, event) or series_rules.going_to_every_date(viewer, event.series_id)
    rsvps = {
        row.event_id: row
        for row in db.session.scalars(
            select(Rsvp)
            .join(Event, Event.id == Rsvp.event_id)
            .where(Event.series_id == event.series_id, Rsvp.user_id == viewer.id)
        )
    }
    dates = series_rules.dates_of_series([event.series_id])[event.series_id]
    vevents = _series_vevents(
        viewer, event.series_id, dates, rsvps=rsvps, skip=set(), place_allowed=allowed
    )
    return _calendar(vevents).to_ical()


def event_ics(viewer: User, event: Event) -> bytes:
    """One event as an iCalendar file, its place as `viewer` may see it. The caller has
    checked that `viewer` may see the event (`get_visible_event`)."""
    return _calendar([_vevent(viewer, event)]).to_ical()


def feed_ics(member: User, *, now: datetime | None = None) -> bytes:
    """`member`'s personal feed: every event they are going to (cancelled ones included, so
    clients strike them) that ended at most FEED_PAST_DAYS ago, soonest first."""
    since = (now or utcnow()) - timedelta(days=FEED_PAST_DAYS)
    rows = db.session.execute(
        select(Event, Rsvp)
        .join(Rsvp, Rsvp.event_id == Event.id)
        .where(
            Rsvp.user_id == member.id,
            Rsvp.status == RsvpStatus.GOING,
            Event.ends_at >= since,
        )
        .order_by(Event.starts_at, Event.id)
    ).all()
    hidden = set(db.session.scalars(blocked_ids_select(member.id)))
    rows = [
        (event, rsvp)
        for event, rsvp in rows
        if event.organiser_id not in hidden or can_manage(member, event)
    ]
    # A series the member goes to every coming date of is one repeating entry, with an
    # EXDATE for each date they are not going to; other series dates stay single entries.
    whole = series_rules.series_going_to_every_date(
        member, {event.series_id for event, _rsvp in rows if event.series_id is not None}, now=now
    )
    vevents = [_vevent(member, event, rsvp) for event, rsvp in rows if event.series_id not in whole]
    dates_by_series = series_rules.dates_of_series(whole)
    for series_id in sorted(whole):
        rsvps = {event.id: rsvp for event, rsvp in rows if event.series_id == series_id}
        dates = dates_by_series[series_id]
        not_going = {d.id for d in dates if d.id not in rsvps}
        vevents += _series_vevents(
            member, series_id, dates, rsvps=rsvps, skip=not_going, place_allowed=True
        )
    return _calendar(vevents, name="Alongside").to_ical()


# --- the feed's secret ----------------------------------------------------------------------


def _secret(user_id: int, created_at: datetime) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"calendar-feed:{user_id}:{created_at.isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _feed_of(user: User) -> CalendarFeed:
    now = utcnow()
    feed, _created = get_or_create(
        CalendarFeed,
        user_id=user.id,
        defaults={"created_at": now, "token_hash": _hash(_secret(user.id, now))},
    )
    return feed


def feed_url_for(user: User) -> str:
    """The absolute URL of `user`'s private feed, made on first use (flush, no commit).
    Called by the calendar settings page."""
    feed = _feed_of(user)
    return external_url("calendar.feed_ics", secret=_secret(feed.user_id, feed.created_at))


def regenerate_feed(user: User) -> str:
    """Give `user`'s feed a new secret, which kills the old URL; the new URL (flush, no
    commit). Called by the calendar settings page."""
    feed = lock_row(_feed_of(user))
    created_at = utcnow()
    if created_at <= feed.created_at:  # never the same instant, hence never the same secret
        created_at = feed.created_at + timedelta(microseconds=1)
    feed.created_at = created_at
    feed.token_hash = _hash(_secret(feed.user_id, feed.created_at))
    db.session.flush()
    return external_url("calendar.feed_ics", secret=_secret(feed.user_id, feed.created_at))


def member_for_secret(secret: str) -> User | None:
    """The active member whose feed `secret` opens, or None (a wrong or old secret)."""
    if not secret or len(secret) > 128:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(secret)))
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    return user
