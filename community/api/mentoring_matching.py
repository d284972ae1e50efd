"""Mentoring proposals over the API: the same rules as the matching pages
(`community.mentoring.proposals`).

`POST /mentoring/programmes/{id}/proposals {min_score, pins, forbids}` runs matching (the
programme's coordinator and admins), `GET /mentoring/proposals/{id}` reads a proposal and
`POST /mentoring/proposals/{id}/confirm` publishes its pairs. Other members get 403, a
missing programme or proposal 404, confirming a replaced or confirmed proposal 409, and a
pin that breaks a rule 422 with the reason under `error.fields.pins`.
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.extensions import db
from community.mentoring import proposals
from community.mentoring.fit import MAX_SCORE, PARTS
from community.mentoring.models import Proposal

blp = Blueprint("mentoring_matching_api", __name__, description="Mentoring proposals")

_ID_PAIR = ma.fields.List(
    Id(), validate=ma.validate.Length(equal=2), metadata={"description": "[mentor_id, mentee_id]"}
)


class RunSchema(ma.Schema):
    min_score = ma.fields.Float(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(min=0, max=MAX_SCORE),
        metadata={"description": "Pairs below this fit (0 to 100) are never proposed"},
    )
    pins = ma.fields.List(
        _ID_PAIR,
        load_default=list,
        validate=ma.validate.Length(max=proposals.MAX_PINS),
        metadata={"description": "Pairs to keep whatever else changes"},
    )
    forbids = ma.fields.List(
        _ID_PAIR,
        load_default=list,
        validate=ma.validate.Length(max=proposals.MAX_PINS),
        metadata={"description": "Pairs never to propose"},
    )


class ProposedPairSchema(ma.Schema):
    mentor_id = Id(required=True)
    mentee_id = Id(required=True)
    score = ma.fields.Float(required=True, metadata={"description": "0 to 100, the parts' sum"})
    parts = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Float(),
        required=True,
        metadata={"description": f"Points of each part that scored: {', '.join(PARTS)}"},
    )
    reasons = ma.fields.List(ma.fields.String(), required=True)
    pinned = ma.fields.Boolean(required=True)


class UnmatchedSchema(ma.Schema):
    mentee_id = Id(required=True)
    reason = ma.fields.String(required=True)


class ProposalSchema(ma.Schema):
    id = Id(required=True)
    programme_id = Id(required=True)
    status = ma.fields.String(
        required=True, metadata={"enum": ["draft", "confirmed", "superseded"]}
    )
    min_score = ma.fields.Float(required=True)
    pins = ma.fields.List(ma.fields.List(Id()), required=True)
    forbids = ma.fields.List(ma.fields.List(Id()), required=True)
    pairs = ma.fields.List(ma.fields.Nested(ProposedPairSchema), required=True)
    unmatched = ma.fields.List(ma.fields.Nested(UnmatchedSchema), required=True)
    lowest_score = ma.fields.Float(required=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)


class PublishedPairSchema(ma.Schema):
    id = Id(required=True, metadata={"description": "The pair's id"})
    mentor_id = Id(required=True)
    mentee_id = Id(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["awaiting_mentor", "active"]})


class ConfirmedSchema(ma.Schema):
    id = Id(required=True, metadata={"description": "The proposal's id"})
    status = ma.fields.String(required=True)
    pairs = ma.fields.List(ma.fields.Nested(PublishedPairSchema), required=True)


def present(proposal: Proposal) -> dict:
    return {
        "id": proposal.id,
        "programme_id": proposal.programme_id,
        "status": proposal.status,
        "min_score": proposal.min_score,
        "pins": proposal.pins,
        "forbids": proposal.forbids,
        "pairs": [
            {
                "mentor_id": pair.mentor_id,
                "mentee_id": pair.mentee_id,
                "score": pair.score,
                "parts": pair.parts,
                "reasons": pair.reasons,
                "pinned": pair.pinned,
            }
            for pair in proposal.pairs
        ],
        "unmatched": proposal.unmatched,
        "lowest_score": proposal.lowest_score,
        "created_at": proposal.created_at,
    }


@blp.post("/mentoring/programmes/<int:programme_id>/proposals")
@token_required
@blp.arguments(RunSchema)
@blp.response(201, ProposalSchema)
@blp.alt_response(403, description="Not the programme's coordinator")
@blp.alt_response(404, description="No such programme")
@blp.alt_response(422, description="A pin that breaks a rule (the message says which)")
@blp.doc(**TOKEN_DOC)
def run(data: dict, programme_id: int):
    """Run matching: as many mentees paired as possible, then the most total fit, with each
    pair's parts and reasons and each unmatched mentee's reason. Earlier drafts are replaced."""
    proposal = proposals.run_proposal(
        api_user(),
        programme_id,
        min_score=data["min_score"],
        pins=data["pins"],
        forbids=data["forbids"],
    )
    db.session.commit()
    return present(proposal)


@blp.get("/mentoring/proposals/<int:proposal_id>")
@token_required
@blp.response(200, ProposalSchema)
@blp.alt_response(403, description="Not the programme's coordinator")
@blp.alt_response(404, description="No such proposal")
@blp.doc(**TOKEN_DOC)
def show(proposal_id: int):
    """A proposal of a programme you coordinate."""
    return present(proposals.proposal_for(api_user(), proposal_id))


@blp.post("/mentoring/proposals/<int:proposal_id>/confirm")
@token_required
@blp.response(200, ConfirmedSchema)
@blp.alt_response(403, description="Not the programme's coordinator")
@blp.alt_response(404, description="No such proposal")
@blp.alt_response(409, description="Already confirmed, or a newer proposal replaced it")
@blp.doc(**TOKEN_DOC)
def confirm(proposal_id: int):
    """Publish the proposal's pairs: both sides are told; active pairs can chat at once."""
    pairs = proposals.confirm(api_user(), proposal_id)
    db.session.commit()
    return {
        "id": proposal_id,
        "status": "confirmed",
        "pairs": [
            {"id": p.id, "mentor_id": p.mentor_id, "mentee_id": p.mentee_id, "status": p.status}
            for p in pairs
        ],
    }
