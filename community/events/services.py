"""Event verbs: create, update and cancel an event; RSVP, change the party, cancel an RSVP,
promote from the waitlist; the attendee list.

Called by the event pages, the JSON API, the demo seeder and (later) the scheduled jobs.
Writes flush, never commit: the caller commits once. Refusals are `ServiceError` kinds
naming the field they concern.

Seats: `Event.seats_taken` is the sum of the seats (member + guests) of the going parties.
Every change to it happens after `lock_row(event)`, in the same transaction as the check
that allows it, so concurrent RSVPs queue on the event row and never overbook, on SQLite
and PostgreSQL alike.

The waitlist is served in join order (`joined_at`, then `id`), first fit: when seats free
up, the first waitlisted party that fits is promoted, then the next that fits in what is
left, so a party of 3 does not block a single behind it.

Promotion cut-off: within the event's `promotion_cutoff_hours` of the start (the
organiser's choice; unset, `EVENT_PROMOTION_CUTOFF_MINUTES`, config, default 120), freed
seats are no longer given away automatically (`promote` does nothing then): a member
promoted an hour before might never see the notice and leave the seat empty.
Instead every waitlisted party that fits is told a seat is free ("event.seat_free",
`notices.announce_free_seats`) and the first to claim it gets it (`claim_seat`, or
RSVPing again); a new RSVP may take it too.

Changes of time, place or status are told to going and waitlisted members by
`community.events.notices`: `update_event` records a pending notice (quick edits make one),
`cancel_event` tells them at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.connections.relations import is_blocked_either_way
from community.core.database import get_or_create, lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.core.markdown import render_markdown
from community.events import covers
from community.events.models import (
    MAX_GUESTS,
    Event,
    EventCategory,
    EventLanguage,
    EventStaff,
    EventStatus,
    EventTag,
    Rsvp,
    RsvpStatus,
    StaffRole,
)
from community.extensions import db
from community.notifications.services import notify
from community.profiles.reference import CITY_BY_SLUG, language_codes
from community.profiles.services import MAX_TAG_LENGTH, tags_by_name

# Field limits: forms and API schemas import these.
MAX_TITLE = 140
MAX_DESCRIPTION = 10_000
MAX_VENUE = 300
MAX_ONLINE_URL = 500
MAX_TIMEZONE = 64
MAX_CAPACITY = 100_000
MAX_REMOVAL_MESSAGE = 1_000
MAX_CUTOFF_HOURS = 168  # a week
MAX_EVENT_LANGUAGES = 6
MAX_EVENT_TAGS = 10
MAX_COVER_ALT = 200

# Changing any of these changes the event in members' calendars (iCalendar SEQUENCE).
_TIME_FIELDS = ("starts_at", "ends_at", "timezone")
_PLACE_FIELDS = ("venue", "venue_private", "online_url")


@dataclass
class EventData:
    """What an organiser sets on an event; None means "leave as it is" (on update).

    `starts_at` and `ends_at` are wall-clock times in `timezone` (naive datetimes); an aware
    datetime (the API's ISO 8601 with an offset) is taken as the instant it names.
    """

    title: str | None = None
    description: str | None = None
    category: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = None
    venue: str | None = None
    venue_private: bool | None = None
    online_url: str | None = None
    capacity: int | None = None
    guests_allowed: int | None = None
    group_id: int | None = None
    # Hours before the start when freed seats stop being given to the waitlist automatically.
    promotion_cutoff_hours: int | None = None
    city: str | None = None  # a host-city slug; in-person events only
    step_free: bool | None = None
    child_friendly: bool | None = None
    childcare: bool | None = None
    languages: list[str] | None = None  # ISO 639-1 codes, in order
    tags: list[str] | None = None  # labels, normalised into the profiles' Tag rows
    # RSVPs wait for a host's answer (`approval`). Turning it off leaves pending requests
    # as they are: a host still answers them.
    requires_approval: bool | None = None
    # Fields the caller explicitly wants cleared: "capacity" (unlimited), "venue",
    # "online_url", "group_id", "city", "languages", "tags", "promotion_cutoff_hours" (the
    # site's default).
    cleared: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class RsvpResult:
    """A member's RSVP after `rsvp`: going or waitlisted, the 1-based waitlist position
    (None when going), the seats the party takes, and whether this call made a new RSVP
    (a first one, or one coming back after cancelling) rather than repeating or changing."""

    status: str
    position: int | None
    seats: int
    new: bool = field(default=False, compare=False)


# --- permissions ---------------------------------------------------------------------------


def can_create_events(user: User) -> bool:
    """Organisers create events, and so do moderators and admins."""
    return user.status == UserStatus.ACTIVE and (
        user.has_role(Role.ORGANISER) or user.has_role(Role.MODERATOR)
    )


def can_manage(user: User, event: Event) -> bool:
    """Whether `user` may change `event`, see its attendees and their answers, message them
    and manage RSVPs and check-in: the organiser who created it (while they hold the
    organiser role), its co-hosts (`StaffRole.COHOST`), moderators and admins."""
    if user.status != UserStatus.ACTIVE:
        return False
    if is_event_owner(user, event):
        return True
    return staff_roles(user).get(event.id) == StaffRole.COHOST


def is_event_owner(user: User, event: Event) -> bool:
    """Whether `user` may change `event`'s staff (co-hosts and door helpers) and cancel
    it: its organiser (while they hold the organiser role), moderators and admins. Not
    co-hosts."""
    if user.status != UserStatus.ACTIVE:
        return False
    if user.has_role(Role.MODERATOR):
        return True
    return user.id == event.organiser_id and user.has_role(Role.ORGANISER)


def can_check_in(user: User, event: Event) -> bool:
    """Whether `user` may open `event`'s check-in page (the going list by name) and check
    people in or undo it: its hosts (`can_manage`) and door helpers. A door helper sees
    nothing else of the attendees: no answers, emails or other contact details."""
    if can_manage(user, event):
        return True
    return (
        user.status == UserStatus.ACTIVE
        and staff_roles(user).get(event.id) == StaffRole.DOOR_HELPER
    )


def staff_roles(user: User) -> dict[int, StaffRole]:
    """The events on which `user` is a co-host or door helper, by event id: one query per
    member and request (kept in `flask.g`, so lists that ask `can_manage` per event stay
    one query). Whoever changes a member's staff rows calls `forget_staff_roles`."""
    cache = g.setdefault("event_staff_roles", {})
    if user.id not in cache:
        cache[user.id] = {
            event_id: StaffRole(role)
            for event_id, role in db.session.execute(
                select(EventStaff.event_id, EventStaff.role).where(EventStaff.user_id == user.id)
            )
        }
    return cache[user.id]


def load_staff_roles(user_ids: Iterable[int]) -> None:
    """Fill the request's copy of staff roles (`staff_roles`) for many members in one
    query. Called before a bulk notice asks `can_manage` (through `place_for`) for each
    of an event's members."""
    cache = g.setdefault("event_staff_roles", {})
    wanted = [user_id for user_id in set(user_ids) if user_id not in cache]
    if not wanted:
        return
    for user_id in wanted:
        cache[user_id] = {}
    for start in range(0, len(wanted), 500):
        rows = db.session.execute(
            select(EventStaff.user_id, EventStaff.event_id, EventStaff.role).where(
                EventStaff.user_id.in_(wanted[start : start + 500])
            )
        )
        for user_id, event_id, role in rows:
            cache[user_id][event_id] = StaffRole(role)


def forget_staff_roles(user_id: int) -> None:
    """Drop the request's copy of `user_id`'s staff roles (`staff_roles`) after a change."""
    g.get("event_staff_roles", {}).pop(user_id, None)


# --- organisers' verbs ---------------------------------------------------------------------


def create_event(organiser: User, data: EventData) -> Event:
    """Create a scheduled event organised by `organiser`. Called by the new-event page, the
    API and the demo. Needs the organiser role (or moderator/admin): Forbidden otherwise.
    Every field is validated (`Invalid` naming it); title, category, times and time zone
    are required, and either a venue or an online link."""
    if not can_create_events(organiser):
        raise Forbidden(_("Only organisers can create events."))
    event = Event(
        organiser_id=organiser.id,
        title="",
        description="",
        description_html="",
        venue="",
        venue_private=False,
        online_url="",
        capacity=None,
        guests_allowed=0,
        seats_taken=0,
        status=EventStatus.SCHEDULED,
        sequence=0,
        step_free=False,
        child_friendly=False,
        childcare=False,
        cover_alt="",
        languages=[],
        tags=[],
    )
    for required in ("title", "category", "starts_at", "ends_at", "timezone"):
        if getattr(data, required) is None:
            raise Invalid(_("This field is required."), required)
    _check_group(organiser, event, data)
    _apply(event, data, creating=True)
    db.session.add(event)
    db.session.flush()
    sync_chat_room(event)
    return event


def update_event(
    actor: User, event: Event, data: EventData, *, now: datetime | None = None
) -> Event:
    """Change `event` with what `data` sets. Called by the edit page and the API (PATCH).

    Only its organiser, moderators and admins (Forbidden). A cancelled event cannot be
    edited (Conflict). Lowering the capacity below the seats already taken is refused
    (Conflict on "capacity": nobody is evicted silently); raising it, or moving the event
    out of the promotion cut-off, promotes waitlisted parties that now fit. A change of
    time, place or status raises `sequence` once and records a change notice for going and
    waitlisted members (`notices.record_change`: sent a few minutes later, once for several
    quick edits). Lowering `guests_allowed` applies to new RSVPs and party changes; parties
    already accepted keep their guests. `now` (tests) defaults to the current time.
    """
    from community.events import notices  # builds on this module

    if not can_manage(actor, event):
        raise Forbidden(_("Only the event's organiser can change it."))
    now = now or utcnow()
    event = lock_row(event)
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("This event was cancelled and can no longer be changed."), "status")
    _check_group(actor, event, data)
    changes = _apply(event, data, creating=False)
    if changes:
        notices.record_change(event, changes, now)
    _promote(event, now)
    db.session.flush()
    return event


def cancel_event(actor: User, event: Event, *, now: datetime | None = None) -> Event:
    """Cancel `event` (its RSVPs stay, so members can be told and calendars strike it).
    Called by the event page and the API (DELETE). Only its organiser, moderators and
    admins (Forbidden); cancelling twice changes nothing. Going and waitlisted members are
    told at once, in this transaction (with any change notice still pending)."""
    from community.events import notices  # builds on this module

    if not is_event_owner(actor, event):
        raise Forbidden(_("Only the event's organiser can cancel it."))
    event = lock_row(event)
    if event.status != EventStatus.CANCELLED:
        event.status = EventStatus.CANCELLED
        event.sequence += 1
        notices.record_change(event, {"status"}, now or utcnow(), at_once=True)
        db.session.flush()
    return event


def _check_group(actor: User, event: Event, data: EventData) -> None:
    """An event goes into a group only by one of the group's active organisers (Invalid on
    "group_id" otherwise, the same for a missing group); keeping its current group needs
    nothing."""
    from community.groups.services import check_event_group  # groups build on events

    if "group_id" in data.cleared or data.group_id is None:
        return
    if data.group_id != event.group_id:
        check_event_group(actor, data.group_id)


def _apply(event: Event, data: EventData, *, creating: bool) -> set[str]:
    """Validate `data` and set it on `event`; bumps `sequence` when time or place change.
    Returns what changed of those: "time", "place" (empty when neither did)."""
    before = {name: getattr(event, name) for name in (*_TIME_FIELDS, *_PLACE_FIELDS)}

    if data.title is not None:
        title = " ".join(data.title.split())
        if not title:
            raise Invalid(_("Give the event a title."), "title")
        if len(title) > MAX_TITLE:
            raise Invalid(too_long(MAX_TITLE), "title")
        event.title = title
    if data.description is not None:
        if len(data.description) > MAX_DESCRIPTION:
            raise Invalid(too_long(MAX_DESCRIPTION), "description")
        event.description = data.description.strip()
        event.description_html = render_markdown(event.description)
    if data.category is not None:
        if data.category not in set(EventCategory):
            raise Invalid(_("Choose one of the categories."), "category")
        event.category = EventCategory(data.category)
    if "group_id" in data.cleared:
        event.group_id = None
    elif data.group_id is not None:
        event.group_id = data.group_id

    _apply_times(event, data, creating=creating)
    _apply_place(event, data)
    _apply_facts(event, data)

    if "capacity" in data.cleared:
        event.capacity = None
    elif data.capacity is not None:
        capacity = data.capacity
        if isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
            raise Invalid(
                _("Give a capacity from 1 to %(n)d seats, or none.", n=MAX_CAPACITY), "capacity"
            )
        if capacity < event.seats_taken:
            raise Conflict(
                _(
                    "%(taken)d seats are already taken; cancel RSVPs before lowering the "
                    "capacity to %(n)d.",
                    taken=event.seats_taken,
                    n=capacity,
                ),
                "capacity",
            )
        event.capacity = capacity
    if data.guests_allowed is not None:
        guests = data.guests_allowed
        if isinstance(guests, bool) or not 0 <= guests <= MAX_GUESTS:
            raise Invalid(_("Allow from 0 to %(n)d guests.", n=MAX_GUESTS), "guests_allowed")
        event.guests_allowed = guests

    if "promotion_cutoff_hours" in data.cleared:
        event.promotion_cutoff_hours = None
    elif data.promotion_cutoff_hours is not None:
        hours = data.promotion_cutoff_hours
        if isinstance(hours, bool) or not isinstance(hours, int):
            raise Invalid(_("Give a number of hours."), "promotion_cutoff_hours")
        if not 0 <= hours <= MAX_CUTOFF_HOURS:
            raise Invalid(
                _("Give from 0 to %(n)d hours.", n=MAX_CUTOFF_HOURS), "promotion_cutoff_hours"
            )
        event.promotion_cutoff_hours = hours

    changed = {
        group
        for group, names in (("time", _TIME_FIELDS), ("place", _PLACE_FIELDS))
        if any(getattr(event, name) != before[name] for name in names)
    }
    if creating:
        return set()
    if changed:
        event.sequence += 1
    return changed


def parse_zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (Invalid on "timezone" when it is not one)."""
    if not name or len(name) > MAX_TIMEZONE:
        raise Invalid(_("Choose a time zone such as Europe/Copenhagen."), "timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(_("Choose a time zone such as Europe/Copenhagen."), "timezone") from None


def to_utc(value: datetime, zone: ZoneInfo, name: str) -> datetime:
    """`value` (wall-clock time in `zone`, or an aware instant) as an aware UTC datetime.

    A wall-clock time skipped by a clock change (02:30 on a spring-forward night) is
    refused; an ambiguous one (the autumn hour that happens twice) is the first of the two.
    """
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    local = value.replace(tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != value:
        raise Invalid(_("That time does not exist there: the clocks change then."), name)
    return instant


def _apply_times(event: Event, data: EventData, *, creating: bool) -> None:
    """Start, end and time zone. A new zone alone keeps the event's wall-clock times."""
    if data.starts_at is None and data.ends_at is None and data.timezone is None:
        return
    zone = parse_zone(data.timezone if data.timezone is not None else event.timezone)
    old_zone = zone if creating else ZoneInfo(event.timezone)
    starts = data.starts_at or event.starts_at.astimezone(old_zone).replace(tzinfo=None)
    ends = data.ends_at or event.ends_at.astimezone(old_zone).replace(tzinfo=None)
    starts_utc = to_utc(starts, zone, "starts_at")
    ends_utc = to_utc(ends, zone, "ends_at")
    if ends_utc <= starts_utc:
        raise Invalid(_("The event must end after it starts."), "ends_at")
    event.timezone = zone.key
    event.starts_at = starts_utc
    event.ends_at = ends_utc


def _apply_place(event: Event, data: EventData) -> None:
    """Venue (with its privacy) or online link: exactly one of the two."""
    venue = "" if "venue" in data.cleared else event.venue
    online_url = "" if "online_url" in data.cleared else event.online_url
    if data.venue is not None:
        venue = " ".join(data.venue.split())
        if len(venue) > MAX_VENUE:
            raise Invalid(too_long(MAX_VENUE), "venue")
    if data.online_url is not None:
        online_url = data.online_url.strip()
        if len(online_url) > MAX_ONLINE_URL:
            raise Invalid(too_long(MAX_ONLINE_URL), "online_url")
        parts = urlsplit(online_url)
        if online_url and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise Invalid(_("Give a link starting with https://."), "online_url")
    if bool(venue) == bool(online_url):
        field_name = "online_url" if online_url else "venue"
        raise Invalid(_("Give either a venue or an online link (one of the two)."), field_name)
    event.venue = venue
    event.online_url = online_url
    if data.venue_private is not None:
        event.venue_private = bool(data.venue_private)
    if not venue:
        event.venue_private = False


def _apply_facts(event: Event, data: EventData) -> None:
    """City (in-person events only), access facts, languages spoken and tags."""
    if "city" in data.cleared:
        event.city = None
    elif data.city is not None:
        if data.city and data.city not in CITY_BY_SLUG:
            raise Invalid(_("Choose a city from the list."), "city")
        event.city = data.city or None
    if event.online_url:
        event.city = None
    for name in ("step_free", "child_friendly", "childcare", "requires_approval"):
        value = getattr(data, name)
        if value is not None:
            setattr(event, name, bool(value))
    if data.languages is not None or "languages" in data.cleared:
        codes = list(dict.fromkeys(data.languages or []))
        if len(codes) > MAX_EVENT_LANGUAGES:
            raise Invalid(_("Choose at most %(n)d languages.", n=MAX_EVENT_LANGUAGES), "languages")
        if any(code not in language_codes() for code in codes):
            raise Invalid(_("Choose languages from the list."), "languages")
        # Rows that stay are kept (the unique key never sees a delete-then-insert).
        current = {row.code: row for row in event.languages}
        rows = []
        for index, code in enumerate(codes):
            row = current.get(code) or EventLanguage(code=code)
            row.position = index
            rows.append(row)
        event.languages = rows
    if data.tags is not None or "tags" in data.cleared:
        labels = [label for label in data.tags or [] if label.strip()]
        if len(labels) > MAX_EVENT_TAGS:
            raise Invalid(_("Add at most %(n)d tags.", n=MAX_EVENT_TAGS), "tags")
        if any(len(label.strip()) > MAX_TAG_LENGTH for label in labels):
            raise Invalid(_("Keep each tag under %(n)d characters.", n=MAX_TAG_LENGTH), "tags")
        current_tags = {row.tag_id: row for row in event.tags}
        tag_rows = []
        for index, tag in enumerate(tags_by_name(labels)):
            row = current_tags.get(tag.id) or EventTag(tag=tag)
            row.position = index
            tag_rows.append(row)
        event.tags = tag_rows


def set_cover(actor: User, event: Event, encoded: bytes | None, alt: str | None) -> Event:
    """Set, replace or keep the cover image of `event` and its text alternative. Called by
    the editor and `PUT /api/v1/events/{id}/cover`, with `encoded` from
    `covers.process_cover` (decoded before any row lock is taken) or None to keep the image.

    Only hosts (Forbidden). An event with a cover needs alt text (Invalid on "cover_alt").
    The new file is written and the replaced one deleted after the commit (`on_commit`).
    """
    if not can_manage(actor, event):
        raise Forbidden(_("Only the event's organiser can change it."))
    text = " ".join((alt or "").split()) if alt is not None else event.cover_alt
    if len(text) > MAX_COVER_ALT:
        raise Invalid(too_long(MAX_COVER_ALT), "cover_alt")
    if (encoded is not None or event.cover_name) and not text:
        raise Invalid(_("Describe the image for members who cannot see it."), "cover_alt")
    event.cover_alt = text
    if encoded is not None:
        covers.replace(event, encoded)
    db.session.flush()
    return event


def remove_cover(actor: User, event: Event) -> Event:
    """Take the cover image off `event` (the file goes after the commit). Hosts only."""
    if not can_manage(actor, event):
        raise Forbidden(_("Only the event's organiser can change it."))
    covers.replace(event, None)
    event.cover_alt = ""
    db.session.flush()
    return event


# --- members' verbs ------------------------------------------------------------------------


def cutoff(event: Event) -> timedelta:
    """How long before `event` starts freed seats stop going to the waitlist by themselves:
    the organiser's choice, else the site's EVENT_PROMOTION_CUTOFF_MINUTES."""
    if event.promotion_cutoff_hours is not None:
        return timedelta(hours=event.promotion_cutoff_hours)
    return timedelta(minutes=current_app.config["EVENT_PROMOTION_CUTOFF_MINUTES"])


def _open_for_rsvp(event: Event, now: datetime) -> None:
    """Refuse a cancelled event or one that has started (Conflict)."""
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("This event was cancelled."), "event")
    if event.starts_at <= now:
        raise Conflict(_("This event has already started."), "event")


def rsvp(
    member: User,
    event: Event,
    guests: int = 0,
    *,
    now: datetime | None = None,
    confirm_by_mail: bool = True,
) -> RsvpResult:
    """RSVP `member` with `guests` guests to `event`, or change their party. Called by the
    event page, the API and the demo (`now` lets the demo replay past RSVPs and tests move
    the clock; it defaults to the current time).

    Under `lock_row(event)`. Refuses a cancelled or started event (Conflict) and more guests
    than the event allows (Invalid on "guests"). The rules, from the member's point of view:

    - A new party (or one coming back after cancelling, which joins the line anew) is
      going when its seats are free, otherwise it joins the end of the waitlist.
    - Repeating the same party answers the current state and changes nothing; a waitlisted
      party that repeats it claims seats that are free for it (inside the cut-off, where
      freed seats wait to be claimed).
    - A going party that shrinks stays going and its freed seats promote the waitlist. A
      going party that grows stays going if the extra seats are free; if they are not, the
      change is refused (Conflict on "guests") and the party keeps the seats it has: moving
      it to the waitlist would hand its seats to others and could leave the member with
      none, and nobody behind it loses anything by the refusal.
    - A waitlisted party that changes size keeps its place in line (`joined_at`); it is
      promoted at once if it now fits and promotion is open.

    A new RSVP (not a repeat or a change) is confirmed by mail with the event's details and
    its calendar link (`reminders.mail_rsvp_confirmation`); the demo seeder turns that off.
    """
    if isinstance(guests, bool) or not isinstance(guests, int) or guests < 0:
        raise Invalid(_("Give a number of guests from 0 up."), "guests")
    event = lock_row(event)
    # The line's order is the order parties get the lock: a clock read before it would let
    # a request that waited on the lock slip ahead of parties already told their place.
    now = now or utcnow()
    _open_for_rsvp(event, now)
    if guests > event.guests_allowed:
        if event.guests_allowed == 0:
            raise Invalid(_("This event does not allow guests."), "guests")
        raise Invalid(
            _("This event allows up to %(n)d guests per member.", n=event.guests_allowed),
            "guests",
        )
    seats = 1 + guests
    row, created = get_or_create(
        Rsvp,
        event_id=event.id,
        user_id=member.id,
        defaults={"guests": guests, "status": RsvpStatus.CANCELLED, "joined_at": now},
    )
    free = event.seats_free
    is_new = created or row.status == RsvpStatus.CANCELLED
    if row.status == RsvpStatus.DECLINED:
        raise Conflict(
            _("A host has declined your request for this event, so you cannot ask again."),
            "event",
        )
    if row.status == RsvpStatus.REQUESTED or (
        is_new and event.requires_approval and not can_manage(member, event)
    ):
        from community.events import approval  # builds on this module

        return replace(approval.request(member, event, row, guests, now), new=is_new)
    if is_new:
        row.guests = guests
        take_seats_or_wait(event, row, now)
        if confirm_by_mail:
            from community.events.reminders import mail_rsvp_confirmation  # builds on services

            mail_rsvp_confirmation(member, event)
    elif row.status == RsvpStatus.GOING:
        change = seats - row.seats
        if change > 0 and free is not None and change > free:
            raise Conflict(
                _(
                    "Only %(n)d more seats are free; your party keeps its %(seats)d seats.",
                    n=free,
                    seats=row.seats,
                ),
                "guests",
            )
        if change:
            row.guests = guests
            event.seats_taken += change
            if change < 0:
                _seats_freed(event, now)
    else:  # waitlisted: keep the place in line, claim seats that are free for the party
        row.guests = guests
        if free is None or seats <= free:
            row.status = RsvpStatus.GOING
            event.seats_taken += seats
        else:
            _promote(event, now)
    db.session.flush()
    sync_chat_room(event)
    return replace(rsvp_state(row), new=is_new)


def cancel_rsvp(member: User, event: Event, *, now: datetime | None = None) -> Rsvp | None:
    """Cancel `member`'s RSVP to `event`: a going party frees its seats, which promote the
    waitlist (outside the cut-off). Called by the event page and the API (DELETE). Refuses
    an event that has started (Conflict); cancelling without an RSVP changes nothing
    (returns None)."""
    event = lock_row(event)
    now = now or utcnow()
    if event.starts_at <= now:
        raise Conflict(_("This event has already started."), "event")
    row = db.session.scalar(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == member.id)
    )
    if row is None or row.status in (RsvpStatus.CANCELLED, RsvpStatus.DECLINED):
        return row  # a declined member stays declined (they may not ask again)
    was_going = row.status == RsvpStatus.GOING
    if was_going:
        event.seats_taken -= row.seats
    row.status = RsvpStatus.CANCELLED
    if was_going:
        _seats_freed(event, now)
    db.session.flush()
    sync_chat_room(event)
    return row


def take_seats_or_wait(event: Event, row: Rsvp, now: datetime) -> None:
    """Seat a party that joins the list now (a new RSVP, or a request a host accepted):
    going when its seats are free, otherwise the end of the waitlist. The caller holds
    `lock_row(event)`, so concurrent parties queue on the event row and never overbook."""
    free = event.seats_free
    row.joined_at = now
    if free is None or row.seats <= free:
        row.status = RsvpStatus.GOING
        event.seats_taken += row.seats
    else:
        row.status = RsvpStatus.WAITLISTED


def may_claim_seat(event: Event, state: RsvpResult | None) -> bool:
    """Whether to offer "Claim the free seat" to a member whose RSVP is `state`: they are
    waitlisted, the event is scheduled and not started, it is inside its promotion cut-off
    and enough seats are free for their party. Called by the event page; `claim_seat`
    decides under the lock."""
    if state is None or state.status != RsvpStatus.WAITLISTED:
        return False
    if event.status != EventStatus.SCHEDULED or event.starts_at <= utcnow():
        return False
    free = event.seats_free
    return in_cutoff(event) and (free is None or free >= state.seats)


def claim_seat(member: User, event: Event, *, now: datetime | None = None) -> RsvpResult:
    """A waitlisted `member` claims seats freed inside the promotion cut-off (the "Claim the
    free seat" button). Called by the event page. Under `lock_row(event)`, so of several
    members claiming the same seat the first wins; the others are refused with a Conflict
    that says so, and stay waitlisted in their place. Refuses a cancelled or started event
    (Conflict) and a member who is not waitlisted (Conflict)."""
    now = now or utcnow()
    event = lock_row(event)
    _open_for_rsvp(event, now)
    row = rsvp_of(member, event)
    if row is None or row.status != RsvpStatus.WAITLISTED:
        raise Conflict(_("Only members on the waitlist can claim a free seat."), "event")
    free = event.seats_free
    if free is not None and row.seats > free:
        position = rsvp_state(row).position
        raise Conflict(
            _(
                "Someone claimed the free seat first. You are still on the waitlist, "
                "number %(n)d, and we will tell you if another seat frees up.",
                n=position,
            ),
            "event",
        )
    row.status = RsvpStatus.GOING
    event.seats_taken += row.seats
    db.session.flush()
    sync_chat_room(event)
    return rsvp_state(row)


def remove_attendee(
    actor: User,
    event: Event,
    user_id: int,
    message: str = "",
    *,
    now: datetime | None = None,
) -> Rsvp:
    """A host removes a going or waitlisted member from `event`, with an optional message
    to them. Called by the attendee page. Only hosts (NotFound for others, as for the
    attendee list). Under `lock_row(event)`: a going party's seats are freed, which promotes
    the waitlist (or, inside the cut-off, tells it a seat is free). The removed member gets
    a notification and a mail with the message. Refuses a started event (Conflict), a
    message over MAX_REMOVAL_MESSAGE (Invalid on "message") and a member who is not on the
    list (Conflict). They may RSVP again later, like anyone who cancelled."""
    from community.events import notices  # builds on this module

    now = now or utcnow()
    if not can_manage(actor, event):
        raise NotFound(_("We could not find that event."))
    message = (message or "").strip()
    if len(message) > MAX_REMOVAL_MESSAGE:
        raise Invalid(too_long(MAX_REMOVAL_MESSAGE), "message")
    event = lock_row(event)
    if event.starts_at <= now:
        raise Conflict(_("This event has already started."), "event")
    row = db.session.scalar(
        select(Rsvp)
        .where(Rsvp.event_id == event.id, Rsvp.user_id == user_id)
        .options(joinedload(Rsvp.user))
    )
    if row is None or row.status == RsvpStatus.CANCELLED:
        raise Conflict(_("That member is not on this event's list any more."), "user_id")
    was_going = row.status == RsvpStatus.GOING
    if was_going:
        event.seats_taken -= row.seats
    row.status = RsvpStatus.CANCELLED
    notices.tell_removed(row.user, event, message, actor)
    if was_going:
        _seats_freed(event, now)
    db.session.flush()
    sync_chat_room(event)
    return row


def promote(event: Event, *, now: datetime | None = None) -> list[Rsvp]:
    """Give free seats of `event` to the waitlist: in join order, each waitlisted party that
    fits in what is free, until nothing fits. Each promoted member is notified
    ("event.promoted"). Does nothing for a cancelled or started event, or within the
    promotion cut-off. Called by the services above after seats free up, and by jobs."""
    event = lock_row(event)
    promoted = _promote(event, now or utcnow())
    db.session.flush()
    if promoted:
        sync_chat_room(event)
    return promoted


def _promote(event: Event, now: datetime) -> list[Rsvp]:
    """`promote` for a caller that already holds the event's row lock."""
    if event.status == EventStatus.CANCELLED or event.starts_at - cutoff(event) <= now:
        return []
    free = event.seats_free
    if free is not None and free <= 0:
        return []
    db.session.flush()
    promoted = []
    for row in _waitlist(event):
        if free is not None and row.seats > free:
            continue
        row.status = RsvpStatus.GOING
        event.seats_taken += row.seats
        if free is not None:
            free -= row.seats
        notify(row.user_id, "event.promoted", target_type="event", target_id=event.id)
        promoted.append(row)
        if free == 0:
            break
    return promoted


def sync_chat_room(event: Event) -> None:
    """Bring the event's chat room in line with who is going (and its organiser). Called by
    every verb above that changes who is going, inside its transaction, after its flush."""
    from community.chat.services import sync_event_room  # chat builds on events

    sync_event_room(event)


def in_cutoff(event: Event, now: datetime | None = None) -> bool:
    """Whether `event` is within its promotion cut-off: freed seats wait to be claimed."""
    return event.starts_at - cutoff(event) <= (now or utcnow())


def _seats_freed(event: Event, now: datetime) -> None:
    """After a going party gave seats back (under the event's row lock): outside the cut-off
    promote the waitlist; inside it tell every waitlisted party that fits that seats are
    free to claim (once for this freeing)."""
    from community.events import notices  # builds on this module

    if event.status == EventStatus.CANCELLED or event.starts_at <= now:
        return
    if in_cutoff(event, now):
        notices.announce_free_seats(event, _waitlist(event))
    else:
        _promote(event, now)


def _waitlist(event: Event) -> list[Rsvp]:
    return list(
        db.session.scalars(
            select(Rsvp)
            .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITLISTED)
            .order_by(Rsvp.joined_at, Rsvp.id)
        )
    )


# --- reading -------------------------------------------------------------------------------


def rsvp_state(row: Rsvp, positions: dict[int, int] | None = None) -> RsvpResult:
    """The status, waitlist position and seats of an RSVP (the API's answer). `positions`
    (from `waitlist_positions`) saves the count query per row in lists."""
    position = None
    if row.status == RsvpStatus.WAITLISTED:
        if positions is None:
            positions = waitlist_positions([row])
        position = positions[row.id]
    return RsvpResult(status=RsvpStatus(row.status), position=position, seats=row.seats)


def waitlist_positions(rows: Iterable[Rsvp]) -> dict[int, int]:
    """The 1-based waitlist position of each waitlisted RSVP in `rows`, by RSVP id, in one
    query (a count of the parties ahead in `joined_at`, `id` order)."""
    ids = [row.id for row in rows if row.status == RsvpStatus.WAITLISTED]
    if not ids:
        return {}
    ahead = aliased(Rsvp)
    count_ahead = (
        select(func.count())
        .select_from(ahead)
        .where(
            ahead.event_id == Rsvp.event_id,
            ahead.status == RsvpStatus.WAITLISTED,
            or_(
                ahead.joined_at < Rsvp.joined_at,
                and_(ahead.joined_at == Rsvp.joined_at, ahead.id < Rsvp.id),
            ),
        )
        .scalar_subquery()
    )
    found = db.session.execute(select(Rsvp.id, count_ahead).where(Rsvp.id.in_(ids)))
    return {rsvp_id: before + 1 for rsvp_id, before in found}


def attendees(event: Event) -> list[Rsvp]:
    """The going parties, then the waitlisted ones, each in join order, with their members
    loaded. For the attendee page, the API and the CSV export (hosts only: callers check
    `can_manage`)."""
    going_first = (Rsvp.status != RsvpStatus.GOING).asc()
    return list(
        db.session.scalars(
            select(Rsvp)
            .where(
                Rsvp.event_id == event.id,
                Rsvp.status.in_((RsvpStatus.GOING, RsvpStatus.WAITLISTED)),
            )
            .options(joinedload(Rsvp.user))
            .order_by(going_first, Rsvp.joined_at, Rsvp.id)
        )
    )


# --- who sees what (pages, API, feeds and mail all ask these) --------------------------------


def get_visible_event(viewer: User | None, event_id: int) -> Event:
    """The event `event_id` if `viewer` may see it, else NotFound (the same for a missing
    one). Events are for logged-in members; an event whose organiser and the viewer have
    blocked each other is hidden from the viewer (hosts always see their own). Called by
    every event page and API endpoint before anything else."""
    from community.groups.access import can_read  # groups build on events

    event = db.session.get(Event, event_id)
    if event is None or viewer is None or viewer.status != UserStatus.ACTIVE:
        raise NotFound(_("We could not find that event."))
    if (
        event.group_id is not None
        and not can_read(viewer, event.group)
        and not can_check_in(viewer, event)  # its staff see it in a private group too
    ):
        raise NotFound(_("We could not find that event."))
    if not can_manage(viewer, event) and is_blocked_either_way(viewer.id, event.organiser_id):
        raise NotFound(_("We could not find that event."))
    return event


def get_hosted_event(viewer: User | None, event_id: int, *, hidden: bool = False) -> Event:
    """The event `event_id` for one of its hosts (`can_manage`): NotFound for those who may
    not see it, Forbidden for members who may see it but do not host it. Called by the
    editor and cancel pages. `hidden=True` (attendee details: the list, CSV, removing and
    messaging attendees, the attendees endpoint) answers NotFound to non-hosts too, the
    same as for a missing event, so who is coming never leaks."""
    event = get_visible_event(viewer, event_id)
    if not can_manage(viewer, event):
        if hidden:
            raise NotFound(_("We could not find that event."))
        raise Forbidden(_("Only the event's hosts can do this."))
    return event


def rsvp_of(member: User | None, event: Event) -> Rsvp | None:
    """`member`'s RSVP row for `event` (cancelled ones included), or None."""
    if member is None:
        return None
    return db.session.scalar(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == member.id)
    )


def can_see_place(
    viewer: User | None, event: Event, rsvp: Rsvp | None = None, *, known: bool = False
) -> bool:
    """Whether `viewer` may see a private address and the online link: the event's hosts
    and members who are going (not waitlisted). `rsvp` saves a query when the caller has
    the viewer's row already; `known=True` says it is their row even when None (no RSVP),
    as lists that load every row at once know."""
    if viewer is None:
        return False
    row = rsvp if rsvp is not None or known else rsvp_of(viewer, event)
    # Going first: a bulk notice asks this for every member, and going needs no query.
    return (row is not None and row.status == RsvpStatus.GOING) or can_manage(viewer, event)


@dataclass(frozen=True)
class Place:
    """Where an event happens, as far as one viewer may know it."""

    venue: str | None  # None: a private address they may not see yet
    online_url: str | None  # None: online, but the link is for those going
    online: bool


def place_for(
    viewer: User | None, event: Event, rsvp: Rsvp | None = None, *, known: bool = False
) -> Place:
    """The event's place as `viewer` may see it: a public venue for every member; a private
    address and the online link only for hosts and members going (`can_see_place`). Every
    page, API answer, feed and mail shows the place through this."""
    allowed = can_see_place(viewer, event, rsvp, known=known)
    venue = event.venue if event.venue and (allowed or not event.venue_private) else None
    link = event.online_url if event.online_url and allowed else None
    return Place(venue=venue, online_url=link, online=bool(event.online_url))


# Registers this feature's notification kinds (the registry is complete once services load).
from community.events import notifications as _notifications  # noqa: E402,F401
