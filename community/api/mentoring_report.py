"""Mentoring outcomes and the report over the API: the same services as the outcome page
and the report page (`community.mentoring.outcomes`, `community.mentoring.report`).

- `GET|POST /mentoring/programmes/{id}/outcomes`: the mentee's own outcome history (newest
  first) / record one. Only the programme's accepted mentees: 404 for everyone else, as for
  a missing programme.
- `GET /mentoring/programmes/{id}/report`: the coordinator's report (the programme's
  coordinator and admins; 403 for other members), every figure with its denominator and
  definition, as on the page.
- `GET /mentoring/programmes/{id}/report?audience=public`: what may leave the programme
  (active mentees, found work, no outcome yet, the outcomes per kind) with groups under 5
  suppressed: such a figure has `count: null`, `suppressed: true` and `shown: "fewer than
  5"` (and a denominator that is suppressed is `denominator: null`,
  `denominator_shown: "fewer than 5"`). A second cell is suppressed when one could be
  worked out from a total (`report.public_summary`).
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.extensions import db
from community.mentoring import outcomes
from community.mentoring import report as reports
from community.mentoring.access import coordinated_programme, programme_for
from community.mentoring.models import Checkpoint, MentoringOutcome, Outcome

blp = Blueprint("mentoring_report_api", __name__, description="Mentoring outcomes and the report")


# --- schemas -------------------------------------------------------------------------------


class OutcomeSchema(ma.Schema):
    id = Id(required=True)
    outcome = ma.fields.String(
        required=True, validate=ma.validate.OneOf([o.value for o in Outcome])
    )
    label = ma.fields.String(required=True, metadata={"description": "The outcome in words"})
    note = ma.fields.String(required=True)
    checkpoint = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf([c.value for c in Checkpoint]),
        metadata={"description": "The prompt it answered: end, 3m, 6m, 12m; any: unprompted"},
    )
    pair_id = Id(required=True, allow_none=True)
    recorded_at = ma.fields.AwareDateTime(required=True)


class OutcomeHistorySchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OutcomeSchema), required=True)
    checkpoints = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "What `checkpoint` may be: any, and the checkpoints asked"},
    )


class OutcomeCreateSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    outcome = ma.fields.String(
        required=True, validate=ma.validate.OneOf([o.value for o in Outcome])
    )
    note = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=outcomes.MAX_NOTE),
        metadata={"description": "Optional; the reason, required for `stopped`"},
    )
    checkpoint = ma.fields.String(
        load_default=Checkpoint.ANY.value,
        validate=ma.validate.OneOf([c.value for c in Checkpoint]),
        metadata={"description": "The prompt this answers (one already asked), or any"},
    )


class ReportQuerySchema(ma.Schema):
    audience = ma.fields.String(
        load_default="coordinator",
        validate=ma.validate.OneOf(["coordinator", "public"]),
        metadata={"description": "public: small groups suppressed, for people outside"},
    )


class FigureSchema(ma.Schema):
    section = ma.fields.String(required=True)
    measure = ma.fields.String(required=True, metadata={"description": "A stable key"})
    label = ma.fields.String(required=True)
    count = ma.fields.Raw(
        required=True,
        allow_none=True,
        metadata={"type": ["number", "null"], "description": "null when suppressed"},
    )
    denominator = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: none, or suppressed"}
    )
    suppressed = ma.fields.Boolean(required=True, metadata={"description": "A group under 5"})
    shown = ma.fields.String(
        required=True, metadata={"description": 'As shown: "4 of 10", or "fewer than 5"'}
    )
    denominator_shown = ma.fields.String(required=True, allow_none=True)
    definition = ma.fields.String(required=True)


class ReasonSchema(ma.Schema):
    reason = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)


class CheckpointSchema(ma.Schema):
    checkpoint = ma.fields.String(required=True)
    groups = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "work, learning, searching, left: each mentee's latest answer"},
    )


class ReportSchema(ma.Schema):
    programme_id = Id(required=True)
    audience = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["coordinator", "public"])
    )
    headline = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "null for the public audience"}
    )
    figures = ma.fields.List(ma.fields.Nested(FigureSchema), required=True)
    left_reasons = ma.fields.List(
        ma.fields.Nested(ReasonSchema), required=True, metadata={"description": "Empty if public"}
    )
    checkpoints = ma.fields.List(
        ma.fields.Nested(CheckpointSchema),
        required=True,
        metadata={"description": "Empty if public"},
    )


# --- presenting ----------------------------------------------------------------------------


def _present_outcome(row: MentoringOutcome) -> dict:
    return {
        "id": row.id,
        "outcome": row.outcome,
        "label": outcomes.outcome_label(row.outcome),
        "note": row.note,
        "checkpoint": row.checkpoint,
        "pair_id": row.pair_id,
        "recorded_at": row.recorded_at,
    }


def _coordinator_report(report: reports.Report) -> dict:
    return {
        "programme_id": report.programme.id,
        "audience": "coordinator",
        "headline": report.headline,
        "figures": [
            {
                "section": f.section,
                "measure": f.measure,
                "label": f.label,
                "count": f.count,
                "denominator": f.denominator,
                "suppressed": False,
                "shown": f.text,
                "denominator_shown": None if f.denominator is None else str(f.denominator),
                "definition": f.definition,
            }
            for f in report.figures
        ],
        "left_reasons": [{"reason": r, "count": n} for r, n in report.left_reasons],
        "checkpoints": [{"checkpoint": c, "groups": groups} for c, groups in report.by_checkpoint],
    }


def _public_report(programme_id: int, report: reports.Report, summary: reports.PublicSummary):
    active = summary.active_mentees

    def figure(section: str, measure: str, label: str, cell: reports.Cell, denominator=active):
        return {
            "section": section,
            "measure": measure,
            "label": label,
            "count": cell.count,
            "denominator": None if denominator is None else denominator.count,
            "suppressed": cell.suppressed,
            "shown": cell.text,
            "denominator_shown": None if denominator is None else denominator.text,
            "definition": report.figure(measure).definition,
        }

    return {
        "programme_id": programme_id,
        "audience": "public",
        "headline": None,
        "figures": [
            figure("enrolment", "mentees_active", report.figure("mentees_active").label, active,
                   None),
            figure("work", "found_work", report.figure("found_work").label, summary.found_work),
            figure("work", "no_outcome", report.figure("no_outcome").label, summary.no_outcome),
            *(figure("outcomes", f"outcome_{kind}", outcomes.outcome_name(kind), cell)
              for kind, cell in summary.outcomes.items()),
        ],
        "left_reasons": [],
        "checkpoints": [],
    }  # fmt: skip


# --- endpoints -----------------------------------------------------------------------------


@blp.get("/mentoring/programmes/<int:programme_id>/outcomes")
@token_required
@blp.response(200, OutcomeHistorySchema)
@blp.alt_response(404, description="No such programme, or you are not one of its mentees")
@blp.doc(**TOKEN_DOC)
def list_outcomes(programme_id: int):
    """Your outcomes in the programme, newest first (an accepted mentee's own)."""
    me = api_user()
    programme, application = outcomes.mentee_programme(me, programme_id)
    return {
        "items": [_present_outcome(row) for row in outcomes.outcome_history(programme, me.id)],
        "checkpoints": [c.value for c in outcomes.answerable_checkpoints(application)],
    }


@blp.post("/mentoring/programmes/<int:programme_id>/outcomes")
@token_required
@blp.arguments(OutcomeCreateSchema)
@blp.response(201, OutcomeSchema)
@blp.alt_response(404, description="No such programme, or you are not one of its mentees")
@blp.doc(**TOKEN_DOC)
def record_outcome(body: dict, programme_id: int):
    """Record where you are now (`note` is the reason, required for `stopped`;
    `checkpoint` the prompt it answers)."""
    me = api_user()
    programme = programme_for(me, programme_id)
    row = outcomes.record_outcome(me, programme, body["outcome"], body["note"], body["checkpoint"])
    db.session.commit()
    return _present_outcome(row)


@blp.get("/mentoring/programmes/<int:programme_id>/report")
@token_required
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
@blp.alt_response(403, description="Only the programme's coordinator and admins")
@blp.alt_response(404, description="No such programme")
@blp.doc(**TOKEN_DOC)
def get_report(query: dict, programme_id: int):
    """The programme's report, as on the report page.

    The coordinator's figures each have their denominator and definition.
    `audience=public` gives the figures that may leave the programme: a group under 5 is
    `count: null, suppressed: true, shown: "fewer than 5"` (a suppressed denominator is
    `denominator: null, denominator_shown: "fewer than 5"`), and a second cell is
    suppressed too when the first could be worked out from a total.
    """
    programme = coordinated_programme(api_user(), programme_id)
    report = reports.build_report(programme)
    if query["audience"] == "public":
        return _public_report(programme.id, report, reports.public_summary(programme, report))
    return _coordinator_report(report)
