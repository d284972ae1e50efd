"""Completing a gig over the API: the same rules as the gig page (`community.gigs.completion`).

`POST /gigs/{id}/complete` (the poster), `GET /gigs/{id}/feedback` (my side of each pair:
what I wrote, and what they wrote about me once revealed), `PUT /gigs/{id}/feedback/{user_id}`,
`PUT /gigs/{id}/references/{user_id}` (the poster), `PATCH /me/references/{id}` (the
member shows it on their profile) and `GET /members/{id}/references` (the verified entries a
member shows). A gig one may not see answers 404, as a missing one.
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.gigs import GigSchema, present_gig
from community.api.schemas import Id
from community.extensions import db
from community.gigs import completion, services
from community.gigs.models import GigFeedback, GigReference
from community.profiles.services import get_visible_member

blp = Blueprint("gig_completion_api", __name__, description="Completed gigs: feedback, references")


class FeedbackSchema(ma.Schema):
    rating = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=5))
    comment = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=completion.MAX_COMMENT)
    )


class FeedbackPairSchema(ma.Schema):
    other_id = Id(required=True)
    mine = ma.fields.Nested(FeedbackSchema, required=True, allow_none=True)
    theirs = ma.fields.Nested(
        FeedbackSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Once both have written, or 14 days after completion"},
    )
    waiting = ma.fields.Boolean(
        required=True, metadata={"description": "They have written; not shown to you yet"}
    )


class FeedbackListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(FeedbackPairSchema), required=True)


class ReferenceWriteSchema(ma.Schema):
    hours = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(min=1, max=completion.MAX_HOURS),
    )
    skills_used = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=completion.MAX_SKILLS_USED)
    )
    statement = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=completion.MAX_STATEMENT)
    )


class ReferenceSchema(ma.Schema):
    id = Id(required=True)
    gig_id = Id(required=True)
    gig_title = ma.fields.String(required=True)
    member_id = Id(required=True)
    hours = ma.fields.Integer(required=True, allow_none=True)
    skills_used = ma.fields.String(required=True)
    statement = ma.fields.String(required=True)
    on_profile = ma.fields.Boolean(required=True)
    sample_link = ma.fields.String(required=True)
    sample_note = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


class ReferenceListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ReferenceSchema), required=True)


class ReferenceShowSchema(ma.Schema):
    shown = ma.fields.Boolean(required=True)
    sample_link = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=completion.MAX_LINK)
    )
    sample_note = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=completion.MAX_NOTE)
    )


def _feedback(row: GigFeedback | None) -> dict | None:
    return None if row is None else {"rating": row.rating, "comment": row.comment}


def _reference(row: GigReference) -> dict:
    return {
        "id": row.id,
        "gig_id": row.gig_id,
        "gig_title": row.gig.title,
        **{
            name: getattr(row, name)
            for name in ("member_id", "hours", "skills_used", "statement", "on_profile",
                         "sample_link", "sample_note", "created_at")
        },
    }  # fmt: skip


@blp.post("/gigs/<int:gig_id>/complete")
@token_required
@blp.response(200, GigSchema)
@blp.alt_response(403, description="Not your gig")
@blp.alt_response(404, description="No such gig, or one you cannot see")
@blp.alt_response(409, description="Already completed, closed, or nobody accepted")
@blp.doc(**TOKEN_DOC)
def complete(gig_id: int):
    """Mark your gig completed: the members you accepted are asked for their feedback."""
    me = api_user()
    gig = completion.complete(me, services.get_visible_gig(me, gig_id))
    db.session.commit()
    return present_gig(me, gig)


@blp.get("/gigs/<int:gig_id>/feedback")
@token_required
@blp.response(200, FeedbackListSchema)
@blp.alt_response(404, description="No such gig, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def feedback(gig_id: int):
    """Your feedback pairs on a completed gig (none if you did not take part)."""
    me = api_user()
    views = completion.feedback_for(me, services.get_visible_gig(me, gig_id))
    return {
        "items": [
            {"other_id": view.other_id, "mine": _feedback(view.mine),
             "theirs": _feedback(view.theirs), "waiting": view.waiting}
            for view in views
        ]
    }  # fmt: skip


@blp.put("/gigs/<int:gig_id>/feedback/<int:user_id>")
@token_required
@blp.arguments(FeedbackSchema)
@blp.response(200, FeedbackSchema)
@blp.alt_response(404, description="No such gig, or no pair of yours with that member")
@blp.alt_response(409, description="Not completed, or already revealed")
@blp.doc(**TOKEN_DOC)
def give_feedback(body: dict, gig_id: int, user_id: int):
    """Your feedback on the other side of a completed gig; changeable until revealed."""
    me = api_user()
    gig = services.get_visible_gig(me, gig_id)
    row = completion.give_feedback(me, gig, user_id, body["rating"], body["comment"])
    db.session.commit()
    return _feedback(row)


@blp.put("/gigs/<int:gig_id>/references/<int:user_id>")
@token_required
@blp.arguments(ReferenceWriteSchema)
@blp.response(200, ReferenceSchema)
@blp.alt_response(403, description="Not your gig")
@blp.alt_response(404, description="No such gig, or that member did not work on it")
@blp.alt_response(409, description="Not completed")
@blp.doc(**TOKEN_DOC)
def write_reference(body: dict, gig_id: int, user_id: int):
    """Your reference for a member you accepted on your completed gig."""
    me = api_user()
    gig = services.get_visible_gig(me, gig_id)
    row = completion.write_reference(me, gig, user_id, **body)
    db.session.commit()
    return _reference(row)


@blp.patch("/me/references/<int:reference_id>")
@token_required
@blp.arguments(ReferenceShowSchema)
@blp.response(200, ReferenceSchema)
@blp.alt_response(404, description="No reference of yours")
@blp.doc(**TOKEN_DOC)
def show_reference(body: dict, reference_id: int):
    """Show (or hide) a reference about you on your profile, with a work sample."""
    me = api_user()
    row = completion.show_on_profile(me, reference_id, **body)
    db.session.commit()
    return _reference(row)


@blp.get("/members/<int:user_id>/references")
@token_required
@blp.response(200, ReferenceListSchema)
@blp.alt_response(404, description="No such member, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def member_references(user_id: int):
    """The verified work a member shows on their profile."""
    member, _profile = get_visible_member(api_user(), user_id)
    return {"items": [_reference(row) for row in completion.profile_entries(member.id)]}
