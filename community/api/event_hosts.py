"""Hosts' API for events that need approval, for RSVP questions and for the event's staff:
the same services as the attendee, questions and "Hosts and helpers" pages
(`events.approval`, `events.questions`, `events.staff`).

The staff list is for the event's hosts (`services.can_manage`); adding, changing and
removing co-hosts and door helpers is for its owner only (`services.is_event_owner`), as on
the staff page: anyone else gets the 404 of a missing event.

Requests and answers are for the event's hosts only (`services.can_manage`): anyone else,
door helpers included, gets the 404 of a missing event. The questions themselves are read
by anyone who may see the event (the RSVP form asks them).
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.events import MyRsvpSchema
from community.api.schemas import Id
from community.events import approval, questions, services, staff
from community.events.models import MAX_QUESTIONS, QuestionKind, StaffRole
from community.extensions import db

blp = Blueprint(
    "event_hosts_api", __name__, description="Event requests, questions and staff (hosts)"
)

KINDS = [kind.value for kind in QuestionKind]


class RequestSchema(ma.Schema):
    user_id = Id(required=True)
    display_name = ma.fields.String(required=True)
    guests = ma.fields.Integer(required=True)
    seats = ma.fields.Integer(required=True)
    requested_at = ma.fields.AwareDateTime(required=True, metadata={"description": "UTC"})
    answers = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "Answers to the event's questions, by question id"},
    )


class RequestListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RequestSchema), required=True)


class DeclineSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    message = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=approval.MAX_DECLINE_MESSAGE),
        metadata={"description": "Optional; sent to the member with the kind note"},
    )


class DeclinedSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "declined"})


class QuestionSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "Keep this existing question (its answers stay); null: new"},
    )
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    prompt = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=questions.MAX_PROMPT)
    )
    choices = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=questions.MAX_CHOICE)),
        load_default=list,
        validate=ma.validate.Length(max=questions.MAX_CHOICES),
        metadata={"description": "For `choice` questions: 2 or more"},
    )
    required = ma.fields.Boolean(load_default=False)


class QuestionListSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    questions = ma.fields.List(
        ma.fields.Nested(QuestionSchema),
        required=True,
        validate=ma.validate.Length(max=MAX_QUESTIONS),
        metadata={
            "description": "The whole list, in order. Questions left out are deleted with "
            "their answers; an answered question's kind cannot change (409)."
        },
    )


def _questions(event) -> dict:
    return {
        "questions": [
            {
                "id": q.id,
                "kind": q.kind,
                "prompt": q.prompt,
                "choices": q.choice_list,
                "required": q.required,
            }
            for q in questions.questions_of(event)
        ]
    }


@blp.get("/events/<int:event_id>/requests")
@token_required
@blp.response(200, RequestListSchema)
@blp.alt_response(404, description="No such event, or you are not one of its hosts")
@blp.doc(**TOKEN_DOC)
def list_requests(event_id: int):
    """Requests waiting for a host's answer, oldest first, with their answers (hosts)."""
    me = api_user()
    event = services.get_hosted_event(me, event_id, hidden=True)
    answers = questions.answers_for(me, event)
    return {
        "items": [
            {
                "user_id": row.user_id,
                "display_name": row.user.display_name,
                "guests": row.guests,
                "seats": row.seats,
                "requested_at": row.joined_at,
                "answers": {str(k): v for k, v in answers.get(row.id, {}).items()},
            }
            for row in approval.requests(me, event)
        ]
    }


@blp.post("/events/<int:event_id>/requests/<int:user_id>/accept")
@token_required
@blp.response(200, MyRsvpSchema, description="The member's RSVP now: going or waitlisted")
@blp.alt_response(404, description="No such event, or you are not one of its hosts")
@blp.alt_response(409, description="No request from that member, or the event started")
@blp.doc(**TOKEN_DOC)
def accept_request(event_id: int, user_id: int):
    """Accept a request (or one declined before): going when the seats are free, else the
    end of the waitlist (`position` says where)."""
    me = api_user()
    event = services.get_hosted_event(me, event_id, hidden=True)
    _row, state = approval.accept(me, event, user_id)
    db.session.commit()
    return {"status": state.status, "position": state.position, "seats": state.seats}


@blp.post("/events/<int:event_id>/requests/<int:user_id>/decline")
@token_required
@blp.arguments(DeclineSchema, required=False)
@blp.response(200, DeclinedSchema)
@blp.alt_response(404, description="No such event, or you are not one of its hosts")
@blp.alt_response(409, description="No request from that member, or the event started")
@blp.doc(**TOKEN_DOC)
def decline_request(body: dict, event_id: int, user_id: int):
    """Decline a request with an optional `message`; the member is told politely."""
    me = api_user()
    event = services.get_hosted_event(me, event_id, hidden=True)
    approval.decline(me, event, user_id, (body or {}).get("message", ""))
    db.session.commit()
    return {"status": "declined"}


@blp.get("/events/<int:event_id>/questions")
@token_required
@blp.response(200, QuestionListSchema)
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def get_questions(event_id: int):
    """The questions asked at RSVP (anyone who may see the event)."""
    return _questions(services.get_visible_event(api_user(), event_id))


@blp.put("/events/<int:event_id>/questions")
@token_required
@blp.arguments(QuestionListSchema)
@blp.response(200, QuestionListSchema)
@blp.alt_response(403, description="Not a host of this event")
@blp.alt_response(404, description="No such event, or one you cannot see")
@blp.alt_response(409, description="Changing the kind of a question that has answers")
@blp.doc(**TOKEN_DOC)
def put_questions(body: dict, event_id: int):
    """Set the questions (hosts): the whole list, at most three, in order."""
    me = api_user()
    event = services.get_hosted_event(me, event_id)
    questions.set_questions(
        me, event, [questions.QuestionSpec(**spec) for spec in body["questions"]]
    )
    db.session.commit()
    return _questions(event)


class StaffSchema(ma.Schema):
    user_id = Id(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": [role.value for role in StaffRole]})
    added_at = ma.fields.AwareDateTime(required=True, metadata={"description": "UTC"})


class StaffListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(StaffSchema), required=True)


class StaffRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    user_id = Id(required=True)
    role = ma.fields.String(
        required=True,
        metadata={
            "enum": [role.value for role in StaffRole],
            "description": "cohost: edits the event, messages attendees, manages RSVPs and "
            "sees answers; door_helper: the going list by name and check-in only",
        },
    )


def _staff(row) -> dict:
    return {
        "user_id": row.user_id,
        "display_name": row.user.display_name,
        "role": row.role,
        "added_at": row.created_at,
    }


@blp.get("/events/<int:event_id>/staff")
@token_required
@blp.response(200, StaffListSchema)
@blp.alt_response(404, description="No such event, or you are not one of its hosts")
@blp.doc(**TOKEN_DOC)
def list_staff(event_id: int):
    """The event's co-hosts, then its door helpers, each by when they were added (hosts)."""
    event = services.get_hosted_event(api_user(), event_id, hidden=True)
    return {"items": [_staff(row) for row in staff.staff_of(event)]}


@blp.post("/events/<int:event_id>/staff")
@token_required
@blp.arguments(StaffRequestSchema)
@blp.response(201, StaffSchema, description="Added")
@blp.alt_response(200, schema=StaffSchema, description="Their role changed (or was already so)")
@blp.alt_response(
    404,
    description="No such event, or you are not its owner (organiser, moderator); or no "
    "such member you may add (suspended, blocked either way)",
)
@blp.alt_response(409, description="The member is the event's organiser")
@blp.alt_response(422, description="An unknown role")
@blp.doc(**TOKEN_DOC)
def add_staff(body: dict, event_id: int):
    """Make a member a co-host or door helper, or change their role (the event's owner).
    Recorded in the staff history; the member is notified."""
    me = api_user()
    event = staff.owned_event(me, event_id)
    row, created = staff.assign(me, event, body["user_id"], body["role"])
    db.session.commit()
    return _staff(row), 201 if created else 200


@blp.delete("/events/<int:event_id>/staff/<int:user_id>")
@token_required
@blp.response(204)
@blp.alt_response(404, description="No such event, or you are not its owner")
@blp.alt_response(409, description="That member has no role on this event")
@blp.doc(**TOKEN_DOC)
def delete_staff(event_id: int, user_id: int):
    """Take a member's role on the event away (the event's owner); a door helper stops
    hearing the live check-in at once."""
    me = api_user()
    event = staff.owned_event(me, event_id)
    staff.remove_staff(me, event, user_id)
    db.session.commit()
