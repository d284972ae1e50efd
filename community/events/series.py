"""Event series: weekly, every two weeks, monthly on a date, or monthly on a weekday ("first
Tuesday", "last Friday").

A series is an `EventSeries` row (the rule) and one `Event` per date, made and changed
through the single-event verbs of `community.events.services`, so each date keeps its own
capacity, RSVPs, waitlist and place rules. Dates are generated with `dateutil.rrule` in the
event's own time zone, so 10:00 stays 10:00 across a clock change. Each date keeps
`original_starts_at`, the instant the rule gave it (its iCalendar RECURRENCE-ID).

Editing or cancelling a date asks for a scope: only this date, this and following dates,
or all (upcoming) dates. Changing the time of several dates moves each to the new local
time on its own day. "This and following" splits the series when earlier dates stay as
they are (the earlier part keeps the old rule, the later part gets a new series), and so
does "all dates" when some dates are already past: a series' rule then stays true for
every date it holds, which is what calendars (RRULE, EXDATE) rely on.

Called by the event pages, the JSON API, the calendar export and the demo. Writes flush,
never commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_day_names
from dateutil import rrule
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid
from community.events import services
from community.events.models import (
    Event,
    EventSeries,
    EventStatus,
    Rsvp,
    RsvpStatus,
    SeriesFrequency,
)
from community.extensions import db

MAX_DATES = 52  # dates in one series, at most
MAX_SPAN = timedelta(days=366)  # from the first date to the last, at most
ORDINALS = (1, 2, 3, 4, -1)
ORDINAL_WORDS = {
    1: _l("first"),
    2: _l("second"),
    3: _l("third"),
    4: _l("fourth"),
    -1: _l("last"),
}
_RRULE_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


class Scope(StrEnum):
    """Which dates of a series an edit or a cancellation changes."""

    ONE = "one"
    FOLLOWING = "following"
    ALL = "all"


@dataclass
class RepeatData:
    """How a new event repeats. Exactly one end: `until` (the last possible date) or
    `count` (the number of dates). `ordinal` is for monthly_weekday only (1-4, -1 for the
    last); None takes it from the first date."""

    frequency: str
    until: date | None = None
    count: int | None = None
    ordinal: int | None = None
    rsvp_whole_series_allowed: bool = False


@dataclass(frozen=True)
class SeriesRsvpSummary:
    """What "going to every date" did: dates going, dates waitlisted, dates refused."""

    going: int
    waitlisted: int
    refused: int


# --- the rule ------------------------------------------------------------------------------


def weekday_ordinal(day: date) -> int:
    """Which occurrence of its weekday `day` is in its month: 1 to 5."""
    return (day.day - 1) // 7 + 1


def is_last_weekday(day: date) -> bool:
    """Whether `day` is the last of its weekday in its month."""
    return (day + timedelta(days=7)).month != day.month


def _rule(frequency: str, start: datetime, ordinal: int | None, **end) -> rrule.rrule:
    if frequency == SeriesFrequency.WEEKLY:
        return rrule.rrule(rrule.WEEKLY, dtstart=start, **end)
    if frequency == SeriesFrequency.BIWEEKLY:
        return rrule.rrule(rrule.WEEKLY, interval=2, dtstart=start, **end)
    if frequency == SeriesFrequency.MONTHLY_DATE:
        return rrule.rrule(rrule.MONTHLY, bymonthday=start.day, dtstart=start, **end)
    weekday = _RRULE_WEEKDAYS[start.weekday()](ordinal)
    return rrule.rrule(rrule.MONTHLY, byweekday=weekday, dtstart=start, **end)


def generate_dates(start: datetime, repeat: RepeatData) -> list[datetime]:
    """The dates of a series as naive wall-clock times (the time of `start` on each day),
    after validating `repeat` (Invalid naming "repeat.frequency", "repeat.until",
    "repeat.count" or "repeat.ordinal"). At least 2 and at most MAX_DATES dates, within
    MAX_SPAN of the first. Months without the day (the 31st) or the weekday (a fifth
    Tuesday) are skipped, as RFC 5545 does."""
    if repeat.frequency not in set(SeriesFrequency):
        raise Invalid(_("Choose how the event repeats."), "repeat.frequency")
    if repeat.until is None and repeat.count is None:
        raise Invalid(
            _("Say when the series ends: on a date, or after a number of dates."), "repeat.until"
        )
    if repeat.until is not None and repeat.count is not None:
        raise Invalid(_("Give either a last date or a number of dates, not both."), "repeat.count")
    ordinal = None
    if repeat.frequency == SeriesFrequency.MONTHLY_WEEKDAY:
        ordinal = repeat.ordinal
        if ordinal is None:
            ordinal = weekday_ordinal(start.date())
            ordinal = ordinal if ordinal <= 4 else -1
        if ordinal == 5:
            raise Invalid(
                _("Not every month has a fifth such weekday: choose the last one instead."),
                "repeat.ordinal",
            )
        if ordinal not in ORDINALS:
            raise Invalid(
                _("Choose the first to fourth, or the last, weekday of the month."),
                "repeat.ordinal",
            )
        matches = (
            is_last_weekday(start.date())
            if ordinal == -1
            else weekday_ordinal(start.date()) == ordinal
        )
        if not matches:
            raise Invalid(
                _("The first date must itself be on the chosen weekday of its month."),
                "repeat.ordinal",
            )
    last_allowed = start + MAX_SPAN
    if repeat.count is not None:
        if isinstance(repeat.count, bool) or not 2 <= repeat.count <= MAX_DATES:
            raise Invalid(_("Give from 2 to %(n)d dates.", n=MAX_DATES), "repeat.count")
        dates = list(_rule(repeat.frequency, start, ordinal, count=repeat.count))
        if dates[-1] > last_allowed:
            raise Invalid(_("A series can run for a year at most."), "repeat.count")
        return dates
    if repeat.until <= start.date():
        raise Invalid(_("The series must end after its first date."), "repeat.until")
    if repeat.until > last_allowed.date():
        raise Invalid(_("A series can run for a year at most."), "repeat.until")
    until = datetime.combine(repeat.until, time.max)
    dates = list(islice(_rule(repeat.frequency, start, ordinal, until=until), MAX_DATES + 1))
    if len(dates) > MAX_DATES:
        raise Invalid(
            _("That makes more than %(n)d dates: choose an earlier last date.", n=MAX_DATES),
            "repeat.until",
        )
    if len(dates) < 2:
        raise Invalid(_("That makes only one date: choose a later last date."), "repeat.until")
    return dates


# --- creating ------------------------------------------------------------------------------


def create_series(organiser: User, data: services.EventData, repeat: RepeatData) -> list[Event]:
    """Create a series and each of its dates (one `create_event` per date, so each is
    validated like a single event). Called by the new-event page, the API and the demo.
    Forbidden for non-organisers; Invalid naming the field for a bad rule or event."""
    if not services.can_create_events(organiser):
        raise Forbidden(_("Only organisers can create events."))
    for required in ("starts_at", "ends_at", "timezone"):
        if getattr(data, required) is None:
            raise Invalid(_("This field is required."), required)
    zone = services.parse_zone(data.timezone)
    starts = _local(data.starts_at, zone)
    ends = _local(data.ends_at, zone)
    if ends <= starts:
        raise Invalid(_("The event must end after it starts."), "ends_at")
    duration = ends - starts
    dates = generate_dates(starts.replace(second=0, microsecond=0), repeat)
    series = EventSeries(
        organiser_id=organiser.id,
        frequency=SeriesFrequency(repeat.frequency),
        ordinal=_ordinal_of(dates[0], repeat),
        timezone=zone.key,
        start_time=dates[0].time(),
        duration_minutes=max(1, round(duration.total_seconds() / 60)),
        until=repeat.until,
        count=repeat.count,
        rsvp_whole_series_allowed=bool(repeat.rsvp_whole_series_allowed),
        sequence=0,
    )
    db.session.add(series)
    db.session.flush()
    made = []
    for day in dates:
        event = services.create_event(
            organiser, replace(data, starts_at=day, ends_at=day + duration, timezone=zone.key)
        )
        event.series_id = series.id
        event.original_starts_at = event.starts_at
        made.append(event)
    db.session.flush()
    return made


def _ordinal_of(first: datetime, repeat: RepeatData) -> int | None:
    if repeat.frequency != SeriesFrequency.MONTHLY_WEEKDAY:
        return None
    if repeat.ordinal is not None:
        return repeat.ordinal
    ordinal = weekday_ordinal(first.date())
    return ordinal if ordinal <= 4 else -1


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    """`value` as a naive wall-clock time in `zone` (an aware value is converted)."""
    return value if value.tzinfo is None else value.astimezone(zone).replace(tzinfo=None)


# --- reading -------------------------------------------------------------------------------


def series_dates(series_id: int) -> list[Event]:
    """Every date of a series (cancelled ones included) in the order of the rule."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.series_id == series_id)
            .order_by(Event.original_starts_at, Event.id)
        )
    )


def dates_of_series(series_ids: Iterable[int]) -> dict[int, list[Event]]:
    """Every date of each of `series_ids` (cancelled ones included) in the order of the
    rule, by series id, each with its series loaded: one query for them all (the calendar
    feed)."""
    wanted = set(series_ids)
    if not wanted:
        return {}
    found: dict[int, list[Event]] = {series_id: [] for series_id in wanted}
    for event in db.session.scalars(
        select(Event)
        .where(Event.series_id.in_(wanted))
        .options(joinedload(Event.series))
        .order_by(Event.original_starts_at, Event.id)
    ):
        found[event.series_id].append(event)
    return found


def upcoming_dates(event: Event, *, now: datetime | None = None, limit: int = 8) -> list[Event]:
    """The next scheduled dates of `event`'s series (the event itself included), at most
    `limit`: for the event page."""
    if event.series_id is None:
        return []
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.series_id == event.series_id,
                Event.status == EventStatus.SCHEDULED,
                Event.starts_at > (now or utcnow()),
            )
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )


def last_date(series: EventSeries) -> date | None:
    """The local date of the series' last date."""
    last = db.session.scalar(
        select(Event.original_starts_at)
        .where(Event.series_id == series.id)
        .order_by(Event.original_starts_at.desc())
        .limit(1)
    )
    return None if last is None else last.astimezone(ZoneInfo(series.timezone)).date()


def describe(series: EventSeries) -> str:
    """ "every Tuesday at 10:00 until 30 March 2027": the rule in words (event page)."""
    locale = get_locale() or "en_GB"
    first = db.session.scalar(
        select(Event.original_starts_at)
        .where(Event.series_id == series.id)
        .order_by(Event.original_starts_at)
        .limit(1)
    )
    zone = ZoneInfo(series.timezone)
    weekday_index = first.astimezone(zone).weekday() if first else 0
    weekday = get_day_names("wide", locale=locale)[weekday_index]
    at = format_time(series.start_time, "HH:mm", locale=locale)
    if series.frequency == SeriesFrequency.WEEKLY:
        rule = _("every %(weekday)s at %(time)s", weekday=weekday, time=at)
    elif series.frequency == SeriesFrequency.BIWEEKLY:
        rule = _("every other %(weekday)s at %(time)s", weekday=weekday, time=at)
    elif series.frequency == SeriesFrequency.MONTHLY_DATE:
        day = first.astimezone(zone).day if first else 1
        rule = _("monthly on day %(day)d at %(time)s", day=day, time=at)
    else:
        rule = _(
            "on the %(ordinal)s %(weekday)s of every month at %(time)s",
            ordinal=ORDINAL_WORDS.get(series.ordinal or 1),
            weekday=weekday,
            time=at,
        )
    last = last_date(series)
    if last is None:
        return rule
    return _("%(rule)s until %(date)s", rule=rule, date=format_date(last, "d MMMM y", locale))


# --- changing ------------------------------------------------------------------------------


def _check_scope(scope: str) -> Scope:
    if scope not in set(Scope):
        raise Invalid(_("Choose which dates to change."), "scope")
    return Scope(scope)


def _targets(series: EventSeries, event: Event, scope: Scope, now: datetime) -> list[Event]:
    """The dates a FOLLOWING or ALL change applies to: `event` and the later dates, or every
    date not started yet. Splits the series when earlier dates stay out of it."""
    dates = series_dates(series.id)
    if scope == Scope.FOLLOWING:
        start_from = event.original_starts_at
    else:
        upcoming = [d.original_starts_at for d in dates if d.starts_at > now]
        if not upcoming:
            raise Conflict(_("Every date of this series has passed."), "scope")
        start_from = min(upcoming)
    targets = [d for d in dates if d.original_starts_at >= start_from]
    if len(targets) < len(dates):
        _split(series, targets)
    return targets


def _split(series: EventSeries, moved: list[Event]) -> EventSeries:
    """Move the dates `moved` (the later part of `series`) to a new series with the same
    rule; the old series keeps its earlier dates and now ends before them."""
    later = EventSeries(
        organiser_id=series.organiser_id,
        frequency=series.frequency,
        ordinal=series.ordinal,
        timezone=series.timezone,
        start_time=series.start_time,
        duration_minutes=series.duration_minutes,
        until=series.until,
        count=len(moved) if series.count is not None else None,
        rsvp_whole_series_allowed=series.rsvp_whole_series_allowed,
        sequence=0,
    )
    db.session.add(later)
    db.session.flush()
    for event in moved:
        event.series_id = later.id
        event.series = later
    first_moved = min(event.original_starts_at for event in moved)
    series.until = (first_moved.astimezone(ZoneInfo(series.timezone)) - timedelta(days=1)).date()
    series.count = None
    series.sequence += 1
    return later


def update_dates(
    actor: User,
    event: Event,
    data: services.EventData,
    scope: str = Scope.ONE,
    *,
    now: datetime | None = None,
) -> list[Event]:
    """Change one date of a series, this and the following dates, or all upcoming dates,
    through `update_event` for each (its rules and SEQUENCE apply once per date). Called by
    the edit page and the API (PATCH with `scope`). A single event takes any scope as "one".

    For several dates, a new time moves each date to that local time on its own day (the
    day itself can change only for one date: Invalid on "starts_at"); title, description,
    place and seats apply to each. Cancelled dates are kept (and follow the new time as the
    rule's instants). Forbidden for non-hosts; the first refusal of any date refuses all.
    """
    now = now or utcnow()
    scope = _check_scope(scope)
    if not services.can_manage(actor, event):
        raise Forbidden(_("Only the event's organiser can change it."))
    if event.series_id is None or scope == Scope.ONE:
        return [services.update_event(actor, event, data, now=now)]
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("This event was cancelled and can no longer be changed."), "status")
    series = lock_row(event.series)
    old_zone = ZoneInfo(series.timezone)
    zone = services.parse_zone(data.timezone) if data.timezone is not None else old_zone
    new_time, duration = _new_times(event, data, zone)
    targets = _targets(series, event, scope, now)
    target_series = targets[0].series
    for target in targets:
        original_day = target.original_starts_at.astimezone(old_zone).date()
        change = replace(data, starts_at=None, ends_at=None, timezone=None)
        if new_time is not None:
            day = target.starts_at.astimezone(ZoneInfo(target.timezone)).date()
            starts = datetime.combine(day, new_time)
            change = replace(data, starts_at=starts, ends_at=starts + duration, timezone=zone.key)
            target.original_starts_at = services.to_utc(
                datetime.combine(original_day, new_time), zone, "starts_at"
            )
        if target.status == EventStatus.SCHEDULED:
            services.update_event(actor, target, change, now=now)
    if new_time is not None:
        target_series.timezone = zone.key
        target_series.start_time = new_time
        target_series.duration_minutes = max(1, round(duration.total_seconds() / 60))
    target_series.sequence += 1
    db.session.flush()
    return targets


def _new_times(
    event: Event, data: services.EventData, zone: ZoneInfo
) -> tuple[time | None, timedelta]:
    """The new local start time and duration a several-date change gives, or (None, _)
    when it changes no time: none given, or the same as this date's (the edit form always
    sends this date's times; a date moved on its own must not move the others)."""
    if data.starts_at is None and data.ends_at is None and data.timezone is None:
        return None, timedelta(0)
    current_zone = ZoneInfo(event.timezone)
    current_start = event.starts_at.astimezone(current_zone).replace(tzinfo=None)
    current_end = event.ends_at.astimezone(current_zone).replace(tzinfo=None)
    starts = _local(data.starts_at, zone) if data.starts_at is not None else current_start
    ends = (
        _local(data.ends_at, zone)
        if data.ends_at is not None
        else starts + (current_end - current_start)
    )
    if starts == current_start and ends == current_end and zone.key == event.timezone:
        return None, timedelta(0)  # this date's time stays: the others keep theirs too
    if starts.date() != current_start.date():
        raise Invalid(_("To move a date to another day, change only this date."), "starts_at")
    if ends <= starts:
        raise Invalid(_("The event must end after it starts."), "ends_at")
    return starts.time().replace(second=0, microsecond=0), ends - starts


def cancel_dates(
    actor: User, event: Event, scope: str = Scope.ONE, *, now: datetime | None = None
) -> list[Event]:
    """Cancel one date, this and the following dates, or all upcoming dates of a series,
    through `cancel_event` for each (STATUS and SEQUENCE per date; calendars get EXDATEs).
    Called by the cancel page and the API (DELETE with `scope`). Forbidden for non-hosts."""
    now = now or utcnow()
    scope = _check_scope(scope)
    if not services.is_event_owner(actor, event):  # co-hosts may not cancel
        raise Forbidden(_("Only the event's organiser can cancel it."))
    if event.series_id is None or scope == Scope.ONE:
        cancelled = [services.cancel_event(actor, event)]
    else:
        series = lock_row(event.series)
        if scope == Scope.FOLLOWING:
            chosen = [
                d
                for d in series_dates(series.id)
                if d.original_starts_at >= event.original_starts_at
            ]
        else:
            chosen = [d for d in series_dates(series.id) if d.starts_at > now]
        cancelled = [
            services.cancel_event(actor, date_)
            for date_ in chosen
            if date_.status == EventStatus.SCHEDULED
        ]
    if event.series_id is not None:
        lock_row(event.series).sequence += 1
    db.session.flush()
    return cancelled


# --- members: every date at once --------------------------------------------------------------


def _open_dates(event: Event, now: datetime) -> list[Event]:
    return [
        d
        for d in series_dates(event.series_id)
        if d.status == EventStatus.SCHEDULED and d.starts_at > now
    ]


def rsvp_every_date(
    member: User,
    event: Event,
    guests: int = 0,
    *,
    now: datetime | None = None,
    confirm_by_mail: bool = True,
) -> SeriesRsvpSummary:
    """RSVP `member` with the same party to every upcoming date of `event`'s series, one
    `rsvp` per date (each date its own capacity: some may waitlist). A date that refuses
    the party (fewer guests allowed there, or extra seats not free for a going party) is
    left as it was and counted as refused. Called by the event page. Conflict when the
    organiser asks for RSVPs date by date. Only this date's RSVP is confirmed by mail (none
    with `confirm_by_mail=False`: the demo)."""
    now = now or utcnow()
    if event.series_id is None or not event.series.rsvp_whole_series_allowed:
        raise Conflict(_("The organiser asks members to RSVP date by date."), "series")
    going = waitlisted = refused = 0
    for date_ in _open_dates(event, now):
        try:
            with db.session.begin_nested():
                result = services.rsvp(
                    member,
                    date_,
                    guests,
                    now=now,
                    confirm_by_mail=confirm_by_mail and date_.id == event.id,
                )
        except (Conflict, Invalid):
            refused += 1
            continue
        if result.status == RsvpStatus.GOING:
            going += 1
        else:
            waitlisted += 1
    if not going and not waitlisted:
        raise Conflict(_("None of the coming dates could take your party."), "series")
    return SeriesRsvpSummary(going=going, waitlisted=waitlisted, refused=refused)


def cancel_every_rsvp(member: User, event: Event, *, now: datetime | None = None) -> int:
    """Cancel `member`'s RSVPs to every upcoming date of `event`'s series (`cancel_rsvp`
    per date: freed seats promote each date's waitlist). Returns how many were cancelled.
    Called by the event page."""
    now = now or utcnow()
    if event.series_id is None:
        raise Conflict(_("This event is not part of a series."), "series")
    cancelled = 0
    for date_ in _open_dates(event, now):
        row = services.rsvp_of(member, date_)
        if row is None or row.status == RsvpStatus.CANCELLED:
            continue
        services.cancel_rsvp(member, date_, now=now)
        cancelled += 1
    return cancelled


def going_to_every_date(member: User, series_id: int, *, now: datetime | None = None) -> bool:
    """Whether `member` is going to every upcoming scheduled date of the series (then their
    calendar feed holds the series as one repeating entry)."""
    return series_id in series_going_to_every_date(member, [series_id], now=now)


def series_going_to_every_date(
    member: User, series_ids: Iterable[int], *, now: datetime | None = None
) -> set[int]:
    """Those of `series_ids` whose every upcoming scheduled date `member` is going to (a
    series without such dates is not among them). Two queries, whatever the number of
    series or dates: for the personal calendar feed."""
    wanted = set(series_ids)
    if not wanted:
        return set()
    now = now or utcnow()
    open_dates = db.session.execute(
        select(Event.id, Event.series_id).where(
            Event.series_id.in_(wanted),
            Event.status == EventStatus.SCHEDULED,
            Event.starts_at > now,
        )
    ).all()
    if not open_dates:
        return set()
    going_ids = set(
        db.session.scalars(
            select(Rsvp.event_id).where(
                Rsvp.user_id == member.id,
                Rsvp.status == RsvpStatus.GOING,
                Rsvp.event_id.in_([row.id for row in open_dates]),
            )
        )
    )
    open_series = {row.series_id for row in open_dates}
    missing = {row.series_id for row in open_dates if row.id not in going_ids}
    return open_series - missing


def master_content(dates: list[Event]) -> tuple:
    """What most scheduled dates of a series share (title, description, place, length,
    time): the content of the series' repeating calendar entry. Dates that differ are
    exported as overrides."""
    scheduled = [d for d in dates if d.status == EventStatus.SCHEDULED] or dates
    counts = Counter(content_of(d) for d in scheduled)
    best = max(counts.values())
    return next(content_of(d) for d in scheduled if counts[content_of(d)] == best)


def content_of(event: Event) -> tuple:
    return (
        event.title,
        event.description,
        event.category,
        event.venue,
        event.venue_private,
        event.online_url,
        event.ends_at - event.starts_at,
    )


def is_override(event: Event, master: tuple) -> bool:
    """Whether `event` differs from its series' repeating entry (its own time or content)."""
    return event.starts_at != event.original_starts_at or content_of(event) != master
