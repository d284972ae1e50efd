"""Events and RSVPs over the API: the same service verbs as the event pages.

Every event answer shows its place through `events.services.place_for`, so a private
address and the online link leave the server only for the event's hosts and members going.
Refusals are the services' ServiceError kinds, answered by the one error handler.
"""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_smorest import Blueprint
from flask_smorest.fields import Upload

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.auth.models import User
from community.core.database import MAX_ID
from community.events import queries, questions, series, services
from community.events.covers import process_cover
from community.events.models import (
    MAX_GUESTS,
    Event,
    EventCategory,
    Rsvp,
    RsvpStatus,
    SeriesFrequency,
)
from community.extensions import db
from community.profiles.reference import CITY_BY_SLUG
from community.profiles.services import MAX_TAG_LENGTH

blp = Blueprint("events_api", __name__, description="Events and RSVPs")

CATEGORIES = [category.value for category in EventCategory]


# --- schemas -------------------------------------------------------------------------------


class OrganiserSchema(ma.Schema):
    id = Id(required=True)
    display_name = ma.fields.String(required=True)


class PlaceSchema(ma.Schema):
    venue = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "null for an online event, or a private address you may not see "
            "(hosts and members going see it)"
        },
    )
    venue_private = ma.fields.Boolean(
        required=True, metadata={"description": "The address is shown only to those going"}
    )
    online = ma.fields.Boolean(required=True)
    online_url = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The link, for hosts and members going only; else null"},
    )


class MyRsvpSchema(ma.Schema):
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(
            [RsvpStatus.GOING, RsvpStatus.WAITLISTED, RsvpStatus.REQUESTED, RsvpStatus.DECLINED]
        ),
        metadata={
            "description": "requested: waiting for a host (events that need approval; no "
            "seat yet); declined: a host said no (you cannot ask again)"
        },
    )
    position = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "1-based place on the waitlist; null when going"},
    )
    seats = ma.fields.Integer(required=True, metadata={"description": "You plus your guests"})


class EventSchema(ma.Schema):
    id = Id(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True, metadata={"description": "Markdown source"})
    description_html = ma.fields.String(required=True, metadata={"description": "Sanitised"})
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORIES))
    starts_at = ma.fields.AwareDateTime(required=True, metadata={"description": "UTC"})
    ends_at = ma.fields.AwareDateTime(required=True, metadata={"description": "UTC"})
    timezone = ma.fields.String(required=True, metadata={"example": "Europe/Copenhagen"})
    place = ma.fields.Nested(PlaceSchema, required=True)
    capacity = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: unlimited"}
    )
    guests_allowed = ma.fields.Integer(required=True)
    promotion_cutoff_hours = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Hours before the start; null: the site's default"},
    )
    seats_taken = ma.fields.Integer(required=True)
    seats_left = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: unlimited"}
    )
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(["scheduled", "cancelled"]))
    sequence = ma.fields.Integer(
        required=True, metadata={"description": "Rises on every change of time, place or status"}
    )
    organiser = ma.fields.Nested(OrganiserSchema, required=True)
    my_rsvp = ma.fields.Nested(
        MyRsvpSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Your RSVP, or null when you have none (or cancelled it)"},
    )
    can_manage = ma.fields.Boolean(
        required=True, metadata={"description": "Whether you may change it and see attendees"}
    )
    series_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The series this date belongs to; null for a single event"},
    )
    city = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "Host-city slug; null online"}
    )
    group_id = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "The group it belongs to"}
    )
    step_free = ma.fields.Boolean(required=True)
    child_friendly = ma.fields.Boolean(required=True)
    childcare = ma.fields.Boolean(required=True)
    languages = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "ISO 639-1 codes"}
    )
    tags = ma.fields.List(ma.fields.String(), required=True)
    cover_url = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The cover image (fetch it with your bearer token)"},
    )
    cover_alt = ma.fields.String(required=True, metadata={"description": "The image's text"})
    requires_approval = ma.fields.Boolean(
        required=True, metadata={"description": "RSVPs are requests a host answers"}
    )


class CoverUploadSchema(ma.Schema):
    cover = Upload(required=True, metadata={"description": "JPEG, PNG, WebP or GIF, 5 MB"})


class CoverAltSchema(ma.Schema):
    cover_alt = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=services.MAX_COVER_ALT),
        metadata={"description": "What the image shows, for members who cannot see it"},
    )


class EventPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(EventSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class EventQuerySchema(ma.Schema):
    when = ma.fields.String(
        load_default="upcoming",
        validate=ma.validate.OneOf(["upcoming", "past"]),
        metadata={"description": "upcoming (not ended, soonest first) or past (latest first)"},
    )
    q = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))
    category = ma.fields.String(load_default=None, validate=ma.validate.OneOf(CATEGORIES))
    online = ma.fields.Boolean(
        load_default=None, metadata={"description": "true: online only; false: in person only"}
    )
    city = ma.fields.String(
        load_default="",
        validate=ma.validate.OneOf(["", *CITY_BY_SLUG]),
        metadata={"description": "A host-city slug"},
    )
    language = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=3),
        metadata={"description": "An ISO 639-1 code spoken at the event"},
    )
    date_from = ma.fields.Date(
        load_default=None, metadata={"description": "Starting on or after (UTC day)"}
    )
    date_to = ma.fields.Date(
        load_default=None, metadata={"description": "Starting on or before (UTC day)"}
    )
    free_seats = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only events with free seats"}
    )
    step_free = ma.fields.Boolean(load_default=False)
    child_friendly = ma.fields.Boolean(load_default=False)
    childcare = ma.fields.Boolean(load_default=False)
    group_id = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only this group's events"},
    )
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))


class EventPatchSchema(ma.Schema):
    """The fields an organiser may set; PATCH sends any of them, anything else is 422.

    Times are ISO 8601 with an offset (a time without one is refused, naming the field).
    `capacity: null` makes it unlimited; `venue: null` or `online_url: null` clears that
    one (an event has a venue or an online link, exactly one)."""

    class Meta:
        unknown = ma.RAISE

    title = ma.fields.String(validate=ma.validate.Length(min=1, max=services.MAX_TITLE))
    description = ma.fields.String(validate=ma.validate.Length(max=services.MAX_DESCRIPTION))
    category = ma.fields.String(validate=ma.validate.OneOf(CATEGORIES))
    starts_at = ma.fields.AwareDateTime(metadata={"example": "2027-03-04T18:00:00+01:00"})
    ends_at = ma.fields.AwareDateTime(metadata={"example": "2027-03-04T20:00:00+01:00"})
    timezone = ma.fields.String(
        validate=ma.validate.Length(min=1, max=services.MAX_TIMEZONE),
        metadata={"description": "IANA name", "example": "Europe/Copenhagen"},
    )
    capacity = ma.fields.Integer(
        strict=True,
        allow_none=True,
        validate=ma.validate.Range(min=1, max=services.MAX_CAPACITY),
        metadata={"description": "Seats (members plus guests); null: unlimited"},
    )
    guests_allowed = ma.fields.Integer(
        strict=True, validate=ma.validate.Range(min=0, max=MAX_GUESTS)
    )
    venue = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=services.MAX_VENUE))
    venue_private = ma.fields.Boolean(
        metadata={"description": "Show the address only to hosts and members going"}
    )
    online_url = ma.fields.String(
        allow_none=True, validate=ma.validate.Length(max=services.MAX_ONLINE_URL)
    )
    promotion_cutoff_hours = ma.fields.Integer(
        strict=True,
        allow_none=True,
        validate=ma.validate.Range(min=0, max=services.MAX_CUTOFF_HOURS),
        metadata={
            "description": "Hours before the start when freed seats stop going to the "
            "waitlist automatically (then the first to claim gets them); null: the site's "
            "default (2 hours)"
        },
    )
    city = ma.fields.String(
        allow_none=True,
        validate=ma.validate.OneOf(list(CITY_BY_SLUG)),
        metadata={"description": "Host-city slug of an in-person event; null clears it"},
    )
    group_id = Id(
        allow_none=True,
        metadata={
            "description": "A group you organise (its members see the event); null clears it"
        },
    )
    step_free = ma.fields.Boolean()
    child_friendly = ma.fields.Boolean()
    childcare = ma.fields.Boolean()
    requires_approval = ma.fields.Boolean(
        metadata={
            "description": "RSVPs become requests a host accepts or declines; turning it "
            "off leaves open requests waiting for a host"
        }
    )
    languages = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=2, max=3)),
        validate=ma.validate.Length(max=services.MAX_EVENT_LANGUAGES),
        metadata={"description": 'ISO 639-1 codes, e.g. ["en", "da"]'},
    )
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_TAG_LENGTH)),
        validate=ma.validate.Length(max=services.MAX_EVENT_TAGS),
        metadata={"description": "The same tags as on profiles"},
    )


class RepeatSchema(ma.Schema):
    """How a new event repeats: each date becomes an event of its own (own seats and
    RSVPs). Give exactly one end: `until` (the last possible date) or `count`."""

    class Meta:
        unknown = ma.RAISE

    frequency = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf([f.value for f in SeriesFrequency]),
        metadata={
            "description": "weekly, biweekly (every two weeks), monthly_date (the same day "
            "of the month) or monthly_weekday (such as the first Tuesday)"
        },
    )
    ordinal = ma.fields.Integer(
        strict=True,
        validate=ma.validate.OneOf(list(series.ORDINALS)),
        metadata={
            "description": "monthly_weekday only: 1-4 (first to fourth) or -1 (last); "
            "default from starts_at, which must itself be that weekday"
        },
    )
    until = ma.fields.Date(metadata={"description": "Last possible date (local), within a year"})
    count = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=2, max=series.MAX_DATES),
        metadata={"description": f"Number of dates, 2 to {series.MAX_DATES}"},
    )
    rsvp_whole_series_allowed = ma.fields.Boolean(
        load_default=False, metadata={"description": "Members may RSVP to every date at once"}
    )


class ScopeQuerySchema(ma.Schema):
    scope = ma.fields.String(
        load_default=series.Scope.ONE,
        validate=ma.validate.OneOf([s.value for s in series.Scope]),
        metadata={
            "description": "For a date of a series: one (this date), following (this and "
            "later dates) or all (every coming date)"
        },
    )


class EventCreateSchema(EventPatchSchema):
    """A new event: title, category, times and time zone are required, and a venue or an
    online link. With `repeat`, a series: the answer is its first date."""

    title = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=services.MAX_TITLE)
    )
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORIES))
    starts_at = ma.fields.AwareDateTime(
        required=True, metadata={"example": "2027-03-04T18:00:00+01:00"}
    )
    ends_at = ma.fields.AwareDateTime(
        required=True, metadata={"example": "2027-03-04T20:00:00+01:00"}
    )
    timezone = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=services.MAX_TIMEZONE),
        metadata={"description": "IANA name", "example": "Europe/Copenhagen"},
    )
    repeat = ma.fields.Nested(RepeatSchema, metadata={"description": "Makes it a series"})


class RsvpRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    guests = ma.fields.Integer(
        strict=True,
        load_default=0,
        validate=ma.validate.Range(min=0, max=MAX_GUESTS),
        metadata={"description": "Guests you bring (the event may allow fewer)"},
    )
    answers = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{1,10}$")),
        values=ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500)),
        load_default=None,
        metadata={
            "description": "Answers to the event's questions by question id (yes/no "
            'questions: "yes" or "no"); leave out to keep your stored answers'
        },
    )


class SeriesRsvpSchema(ma.Schema):
    going = ma.fields.Integer(required=True, metadata={"description": "Dates you are going to"})
    waitlisted = ma.fields.Integer(
        required=True, metadata={"description": "Dates whose waitlist you joined"}
    )
    refused = ma.fields.Integer(
        required=True,
        metadata={"description": "Dates that could not take the party (fewer guests allowed)"},
    )


class AttendeeSchema(ma.Schema):
    user_id = Id(required=True)
    display_name = ma.fields.String(required=True)
    guests = ma.fields.Integer(required=True)
    seats = ma.fields.Integer(required=True)
    status = ma.fields.String(
        required=True, validate=ma.validate.OneOf([RsvpStatus.GOING, RsvpStatus.WAITLISTED])
    )
    position = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "On the waitlist; null: going"}
    )
    answers = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "Answers to the event's questions, by question id"},
    )


class AttendeeListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AttendeeSchema), required=True)


# --- presenting ----------------------------------------------------------------------------


def _event_data(body: dict) -> services.EventData:
    """The API body as the services' EventData: an explicit null clears a field."""
    nullable = ("capacity", "venue", "online_url", "city", "promotion_cutoff_hours", "group_id")
    cleared = {name for name in nullable if name in body}
    cleared = {name for name in cleared if body[name] is None}
    values = {name: value for name, value in body.items() if value is not None}
    return services.EventData(**values, cleared=cleared)


def _present(
    viewer: User,
    event: Event,
    row: Rsvp | None = None,
    *,
    known: bool = False,
    positions: dict[int, int] | None = None,
) -> dict:
    """One event as `viewer` may see it. `known` says `row` is already the viewer's RSVP
    (or None), and `positions` holds the waitlist positions of a list's rows, saving
    queries per event in lists."""
    if not known:
        row = services.rsvp_of(viewer, event)
    place = services.place_for(viewer, event, row, known=True)
    mine = None
    if row is not None and row.status != RsvpStatus.CANCELLED:
        state = services.rsvp_state(row, positions)
        mine = {"status": state.status, "position": state.position, "seats": state.seats}
    return {
        "id": event.id,
        "title": event.title,
        "description": event.description,
        "description_html": event.description_html,
        "category": event.category,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "timezone": event.timezone,
        "place": {
            "venue": place.venue,
            "venue_private": event.venue_private,
            "online": place.online,
            "online_url": place.online_url,
        },
        "capacity": event.capacity,
        "guests_allowed": event.guests_allowed,
        "promotion_cutoff_hours": event.promotion_cutoff_hours,
        "seats_taken": event.seats_taken,
        "seats_left": event.seats_free,
        "status": event.status,
        "sequence": event.sequence,
        "organiser": {"id": event.organiser.id, "display_name": event.organiser.display_name},
        "my_rsvp": mine,
        "can_manage": services.can_manage(viewer, event),
        "series_id": event.series_id,
        "city": event.city,
        "group_id": event.group_id,
        "step_free": event.step_free,
        "child_friendly": event.child_friendly,
        "childcare": event.childcare,
        "languages": [row.code for row in event.languages],
        "tags": [row.tag.label for row in event.tags],
        "cover_url": url_for("events.cover", name=event.cover_name, _external=True)
        if event.cover_name
        else None,
        "cover_alt": event.cover_alt,
        "requires_approval": event.requires_approval,
    }


# --- events --------------------------------------------------------------------------------


@blp.get("/events")
@token_required
@blp.arguments(EventQuerySchema, location="query")
@blp.response(200, EventPageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_events(query: dict):
    """Scheduled events: upcoming ones soonest first, or `when=past` latest first."""
    me = api_user()
    online = query["online"]
    filters = queries.EventFilters(
        past=query["when"] == "past",
        q=query["q"],
        category=query["category"] or "",
        mode="" if online is None else ("online" if online else "in_person"),
        include_cancelled=False,
        city=query["city"],
        language=query["language"],
        date_from=query["date_from"],
        date_to=query["date_to"],
        free_seats=query["free_seats"],
        step_free=query["step_free"],
        child_friendly=query["child_friendly"],
        childcare=query["childcare"],
        group_id=query["group_id"],
    )
    page = queries.list_events(me, filters, query["cursor"], query["limit"])
    mine = queries.my_rsvps(me, page.items)
    positions = services.waitlist_positions(mine.values())
    return {
        "items": [
            _present(me, e, mine.get(e.id), known=True, positions=positions) for e in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@blp.post("/events")
@token_required
@blp.arguments(EventCreateSchema)
@blp.response(201, EventSchema)
@blp.alt_response(403, description="Only organisers (and moderators) create events")
@blp.doc(**TOKEN_DOC)
def create_event(body: dict):
    """Create an event (organisers, moderators and admins)."""
    me = api_user()
    repeat = body.pop("repeat", None)
    if repeat is None:
        event = services.create_event(me, _event_data(body))
    else:
        event = series.create_series(me, _event_data(body), series.RepeatData(**repeat))[0]
    db.session.commit()
    return _present(me, event)


@blp.get("/events/<int:event_id>")
@token_required
@blp.response(200, EventSchema)
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def get_event(event_id: int):
    """One event (its private address and online link only for hosts and members going)."""
    me = api_user()
    return _present(me, services.get_visible_event(me, event_id))


@blp.patch("/events/<int:event_id>")
@token_required
@blp.arguments(EventPatchSchema)
@blp.arguments(ScopeQuerySchema, location="query")
@blp.response(200, EventSchema)
@blp.alt_response(403, description="Not a host of this event")
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.alt_response(409, description="Cancelled, or a capacity below the seats taken")
@blp.doc(**TOKEN_DOC)
def update_event(body: dict, query: dict, event_id: int):
    """Change an event (its organiser, moderators and admins). Send only what changes. For a
    date of a series, `scope` says which dates change."""
    me = api_user()
    event = services.get_visible_event(me, event_id)
    series.update_dates(me, event, _event_data(body), query["scope"])
    db.session.commit()
    return _present(me, event)


@blp.delete("/events/<int:event_id>")
@token_required
@blp.arguments(ScopeQuerySchema, location="query")
@blp.response(204)
@blp.alt_response(403, description="Not a host of this event")
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def cancel_event(query: dict, event_id: int):
    """Cancel an event (its RSVPs are kept; cancelling twice changes nothing). For a date
    of a series, `scope` says which dates."""
    me = api_user()
    series.cancel_dates(me, services.get_visible_event(me, event_id), query["scope"])
    db.session.commit()


@blp.put("/events/<int:event_id>/cover")
@token_required
@blp.arguments(CoverUploadSchema, location="files")
@blp.arguments(CoverAltSchema, location="form")
@blp.response(200, EventSchema)
@blp.alt_response(400, description="Not an image we can read")
@blp.alt_response(403, description="Not a host of this event")
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.alt_response(413, description="Larger than 5 MB")
@blp.doc(**TOKEN_DOC)
def put_cover(files: dict, form: dict, event_id: int):
    """Set or replace the cover image (multipart: `cover` file, `cover_alt` text). The image
    is re-encoded and its metadata dropped."""
    me = api_user()
    event = services.get_hosted_event(me, event_id)
    encoded = process_cover(files["cover"].read())
    services.set_cover(me, event, encoded, form["cover_alt"])
    db.session.commit()
    return _present(me, event)


@blp.delete("/events/<int:event_id>/cover")
@token_required
@blp.response(204)
@blp.alt_response(403, description="Not a host of this event")
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def delete_cover(event_id: int):
    """Remove the cover image."""
    me = api_user()
    services.remove_cover(me, services.get_hosted_event(me, event_id))
    db.session.commit()


# --- RSVPs ---------------------------------------------------------------------------------


@blp.post("/events/<int:event_id>/rsvp")
@token_required
@blp.arguments(RsvpRequestSchema, required=False)
@blp.response(201, MyRsvpSchema, description="A new RSVP (or one coming back after cancelling)")
@blp.alt_response(200, schema=MyRsvpSchema, description="An RSVP repeated or its party changed")
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.alt_response(409, description="Cancelled or started, or the extra seats are not free")
@blp.doc(**TOKEN_DOC)
def rsvp(body: dict, event_id: int):
    """RSVP with `guests` guests (0 when absent) and `answers`, or change the party: going
    when the seats are free, else the waitlist; `requested` on an event that needs approval."""
    me = api_user()
    event = services.get_visible_event(me, event_id)
    body = body or {}
    result = questions.rsvp_with_answers(me, event, body.get("guests", 0), body.get("answers"))
    db.session.commit()
    answer = {"status": result.status, "position": result.position, "seats": result.seats}
    return answer, 201 if result.new else 200


@blp.delete("/events/<int:event_id>/rsvp")
@token_required
@blp.response(204)
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.alt_response(409, description="The event has started")
@blp.doc(**TOKEN_DOC)
def cancel_rsvp(event_id: int):
    """Cancel my RSVP (its seats go to the waitlist); without one, nothing changes."""
    me = api_user()
    services.cancel_rsvp(me, services.get_visible_event(me, event_id))
    db.session.commit()


@blp.post("/events/<int:event_id>/series-rsvp")
@token_required
@blp.arguments(RsvpRequestSchema, required=False)
@blp.response(200, SeriesRsvpSchema)
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.alt_response(409, description="Not a series that takes RSVPs to every date")
@blp.doc(**TOKEN_DOC)
def rsvp_every_date(body: dict, event_id: int):
    """RSVP with `guests` guests to every coming date of this event's series (when its
    organiser allows it): each date has its own seats, so some dates may waitlist."""
    me = api_user()
    event = services.get_visible_event(me, event_id)
    summary = series.rsvp_every_date(me, event, (body or {}).get("guests", 0))
    db.session.commit()
    return {
        "going": summary.going,
        "waitlisted": summary.waitlisted,
        "refused": summary.refused,
    }


@blp.delete("/events/<int:event_id>/series-rsvp")
@token_required
@blp.response(204)
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.alt_response(409, description="Not part of a series")
@blp.doc(**TOKEN_DOC)
def cancel_every_rsvp(event_id: int):
    """Cancel my RSVPs to every coming date of this event's series."""
    me = api_user()
    series.cancel_every_rsvp(me, services.get_visible_event(me, event_id))
    db.session.commit()


@blp.get("/events/<int:event_id>/attendees")
@token_required
@blp.response(200, AttendeeListSchema)
@blp.alt_response(404, description="No such event, or you are not one of its hosts")
@blp.doc(**TOKEN_DOC)
def list_attendees(event_id: int):
    """The going parties, then the waitlist, each in join order (hosts only: anyone else
    gets the 404 of a missing event, as on the attendee page)."""
    me = api_user()
    event = services.get_hosted_event(me, event_id, hidden=True)
    answers = questions.answers_for(me, event)
    items, waiting = [], 0
    for row in services.attendees(event):
        position = None
        if row.status == RsvpStatus.WAITLISTED:
            waiting += 1
            position = waiting
        items.append(
            {
                "user_id": row.user_id,
                "display_name": row.user.display_name,
                "guests": row.guests,
                "seats": row.seats,
                "status": row.status,
                "position": position,
                "answers": {str(k): v for k, v in answers.get(row.id, {}).items()},
            }
        )
    return {"items": items}
