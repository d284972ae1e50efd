"""Check-in over the API (#18): the door list, checking in and undoing it, and my ticket.
The same `events.checkin` verbs as the check-in page; refusals are its ServiceError kinds,
answered by the one error handler (an unknown code or another event's: 404; a member not
going or the door closed: 409; a guest the party does not have: 422)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.events import checkin, services
from community.events.models import MAX_GUESTS
from community.extensions import db

blp = Blueprint("checkins_api", __name__, description="Check-in at the door and tickets")


class PersonSchema(ma.Schema):
    guest = ma.fields.Integer(
        required=True, metadata={"description": "0: the member; 1 to n: their guests"}
    )
    checked_in = ma.fields.Boolean(required=True)
    checked_in_at = ma.fields.String(
        required=True, allow_none=True, metadata={"format": "date-time", "description": "UTC"}
    )
    checked_in_by = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "The helper's display name"}
    )


class PartySchema(ma.Schema):
    rsvp_id = Id(required=True)
    user_id = Id(required=True)
    name = ma.fields.String(required=True, metadata={"description": "The member's display name"})
    guests = ma.fields.Integer(required=True)
    people = ma.fields.List(ma.fields.Nested(PersonSchema), required=True)


class CountsSchema(ma.Schema):
    checked_in = ma.fields.Integer(required=True, metadata={"description": "People, guests too"})
    expected = ma.fields.Integer(required=True, metadata={"description": "People going"})


class DoorListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PartySchema), required=True)
    counts = ma.fields.Nested(CountsSchema, required=True)


class CheckinSchema(ma.Schema):
    guest = ma.fields.Integer(required=True, metadata={"description": "Who of the party"})
    created = ma.fields.Boolean(
        required=True, metadata={"description": "false: they were already checked in"}
    )
    party = ma.fields.Nested(PartySchema, required=True)
    counts = ma.fields.Nested(CountsSchema, required=True)


class CheckinRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    code = ma.fields.String(
        validate=ma.validate.Length(max=40),
        metadata={"description": "A ticket's code, any case, spaces allowed (`k7m 2qx`)"},
    )
    user_id = Id(metadata={"description": "A going member, instead of a code"})
    guest = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=0, max=MAX_GUESTS),
        metadata={"description": "0: the member; 1 to n: a guest; absent: the next not in"},
    )

    @ma.validates_schema
    def one_of(self, data: dict, **kwargs) -> None:
        if ("code" in data) == ("user_id" in data):
            raise ma.ValidationError("Send either code or user_id.", "code")


class UndoRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    user_id = Id(required=True)
    guest = ma.fields.Integer(
        strict=True, load_default=0, validate=ma.validate.Range(min=0, max=MAX_GUESTS)
    )


class TicketSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "K7M2QX"})
    spoken = ma.fields.String(required=True, metadata={"example": "K7M 2QX"})
    url = ma.fields.String(required=True, metadata={"description": "What the QR code encodes"})
    qr_svg = ma.fields.String(required=True, metadata={"description": "The QR code as SVG"})
    guests = ma.fields.Integer(required=True)


def _counts(event) -> dict:
    counts = checkin.door_counts(event)
    return {"checked_in": counts.checked_in, "expected": counts.expected}


@blp.get("/events/<int:event_id>/checkins")
@token_required
@blp.response(200, DoorListSchema)
@blp.alt_response(404, description="No such event, or you may not check people in")
@blp.doc(**TOKEN_DOC)
def door_list(event_id: int):
    """The going parties by name, each person with their check-in state (hosts and door
    helpers; names and party sizes only)."""
    event = checkin.get_checkin_event(api_user(), event_id)
    parties = checkin.door_list(event)
    return {"items": [checkin.party_payload(p) for p in parties], "counts": _counts(event)}


@blp.post("/events/<int:event_id>/checkins")
@token_required
@blp.arguments(CheckinRequestSchema)
@blp.response(201, CheckinSchema, description="Checked in now")
@blp.alt_response(200, schema=CheckinSchema, description="Already checked in (by whom, when)")
@blp.alt_response(404, description="No such event, or no ticket of it has that code")
@blp.alt_response(409, description="Not going, or check-in is not open (the message says when)")
@blp.doc(**TOKEN_DOC)
def check_in(body: dict, event_id: int):
    """Check one person in by ticket `code` or `user_id`; `guest` picks who of the party
    (default: the next not yet in). Check-in opens 2 hours before the start and closes 12
    hours after the end."""
    me = api_user()
    event = checkin.get_checkin_event(me, event_id)
    result = checkin.check_in(
        me, event, code=body.get("code"), user_id=body.get("user_id"), guest=body.get("guest")
    )
    db.session.commit()
    answer = {
        "guest": result.guest,
        "created": result.created,
        "party": checkin.party_payload(result.party),
        "counts": _counts(event),
    }
    return answer, 201 if result.created else 200


@blp.delete("/events/<int:event_id>/checkins")
@token_required
@blp.arguments(UndoRequestSchema)
@blp.response(200, PartySchema, description="The party after the undo")
@blp.alt_response(404, description="No such event, or you may not check people in")
@blp.alt_response(409, description="That member is not going")
@blp.doc(**TOKEN_DOC)
def undo(body: dict, event_id: int):
    """Undo one person's check-in (nothing changes when they were not checked in)."""
    me = api_user()
    event = checkin.get_checkin_event(me, event_id)
    party = checkin.undo_check_in(me, event, body["user_id"], body["guest"])
    db.session.commit()
    return checkin.party_payload(party)


@blp.get("/events/<int:event_id>/ticket")
@token_required
@blp.response(200, TicketSchema)
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.alt_response(409, description="You are not going (waitlisted, requested, cancelled)")
@blp.doc(**TOKEN_DOC)
def ticket(event_id: int):
    """My ticket: the code to read out and the QR code (SVG) of the check-in link."""
    me = api_user()
    found = checkin.ticket_for(me, services.get_visible_event(me, event_id))
    db.session.commit()
    return {
        "code": found.code,
        "spoken": found.spoken,
        "url": found.url,
        "qr_svg": found.svg,
        "guests": found.rsvp.guests,
    }
