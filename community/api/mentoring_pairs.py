"""Mentoring pairs over the API: the same rules as the pair pages (`community.mentoring.pairs`).

For the pair's mentor and mentee (everyone else, the coordinator included, gets 404 as for a
missing pair): `GET /mentoring/pairs` (mine), `GET /mentoring/pairs/{id}`,
`PUT /mentoring/pairs/{id}/fit`, `GET|POST /mentoring/pairs/{id}/goals`,
`PATCH|DELETE /mentoring/pairs/{id}/goals/{goal_id}`, `GET|POST /mentoring/pairs/{id}/meetings`,
`PATCH|DELETE /mentoring/pairs/{id}/meetings/{meeting_id}` and the mentor's
`PUT /mentoring/pairs/{id}/feedback`. For the programme's coordinator and admins (403 for other
members): `GET /mentoring/programmes/{id}/pairs` (counts, dates and fit answers only: never
topics, next steps, goal texts or notes), `POST /mentoring/pairs/{id}/end` and
`POST /mentoring/pairs/{id}/nudge`.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id, member_summary
from community.core.errors import Invalid
from community.extensions import db
from community.mentoring import pairs
from community.mentoring.models import PairGoal, PairMeeting

blp = Blueprint(
    "mentoring_pairs_api",
    __name__,
    description="Mentoring pairs: fit answers, goals, meetings, feedback",
)


# --- schemas -------------------------------------------------------------------------------


class MentoringPairPersonSchema(ma.Schema):
    id = Id(required=True)
    display_name = ma.fields.String(required=True, allow_none=True)
    headline = ma.fields.String(required=True)
    avatar_url = ma.fields.String(required=True, allow_none=True)
    profile_visible = ma.fields.Boolean(required=True)


class MentoringPairSummarySchema(ma.Schema):
    id = Id(required=True)
    programme_id = Id(required=True)
    programme_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"description": "Mine: mentor or mentee"})
    status = ma.fields.String(required=True)
    mentor_id = Id(required=True)
    mentee_id = Id(required=True)
    other_id = Id(required=True)
    other_name = ma.fields.String(required=True)
    score = ma.fields.Float(required=True)
    started_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    ended_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class MentoringPairListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MentoringPairSummarySchema), required=True)


class MentoringPairQuestionAnswerSchema(ma.Schema):
    question = ma.fields.String(required=True)
    answer = ma.fields.String(required=True)


class MentoringPairAnswersSchema(ma.Schema):
    role = ma.fields.String(required=True)
    field = ma.fields.String(required=True, allow_none=True)
    education_level = ma.fields.String(required=True, allow_none=True)
    experience_years = ma.fields.Integer(required=True, allow_none=True)
    qualifications = ma.fields.String(required=True)
    languages = ma.fields.List(ma.fields.String(), required=True)
    industries = ma.fields.List(ma.fields.String(), required=True)
    interests = ma.fields.List(ma.fields.String(), required=True)
    goals = ma.fields.String(required=True)
    offer = ma.fields.String(required=True)
    wishes = ma.fields.String(required=True)
    availability = ma.fields.String(required=True)
    questions = ma.fields.List(ma.fields.Nested(MentoringPairQuestionAnswerSchema), required=True)


class MentoringPairFitSchema(ma.Schema):
    answer = ma.fields.String(required=True, validate=ma.validate.OneOf(pairs.FIT_ANSWERS))
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=pairs.MAX_NOTE))


class MentoringPairFitBothSchema(ma.Schema):
    mine = ma.fields.Nested(MentoringPairFitSchema, required=True, allow_none=True)
    theirs = ma.fields.Nested(MentoringPairFitSchema, required=True, allow_none=True)


class MentoringPairGoalSchema(ma.Schema):
    id = Id(required=True)
    text = ma.fields.String(required=True)
    review = ma.fields.String(required=True, allow_none=True)
    created_by_id = Id(required=True, allow_none=True)


class MentoringPairGoalListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MentoringPairGoalSchema), required=True)
    review_open = ma.fields.Boolean(required=True)


class MentoringPairGoalNewSchema(ma.Schema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=pairs.MAX_GOAL))


class MentoringPairGoalPatchSchema(ma.Schema):
    text = ma.fields.String(validate=ma.validate.Length(min=1, max=pairs.MAX_GOAL))
    review = ma.fields.String(validate=ma.validate.OneOf(pairs.GOAL_REVIEWS))


class MentoringPairMeetingSchema(ma.Schema):
    id = Id(required=True)
    held_on = ma.fields.Date(required=True)
    topics = ma.fields.String(required=True)
    next_steps = ma.fields.String(required=True)
    logged_by_id = Id(required=True, allow_none=True)


class MentoringPairMeetingListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MentoringPairMeetingSchema), required=True)


class MentoringPairMeetingNewSchema(ma.Schema):
    held_on = ma.fields.Date(required=True, metadata={"description": "Not in the future"})
    topics = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=pairs.MAX_TOPICS)
    )
    next_steps = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=pairs.MAX_NEXT_STEPS)
    )


class MentoringPairMeetingPatchSchema(ma.Schema):
    held_on = ma.fields.Date()
    topics = ma.fields.String(validate=ma.validate.Length(min=1, max=pairs.MAX_TOPICS))
    next_steps = ma.fields.String(validate=ma.validate.Length(max=pairs.MAX_NEXT_STEPS))


class MentoringPairFeedbackSchema(ma.Schema):
    rating = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=5))
    comment = ma.fields.String(load_default="", validate=ma.validate.Length(max=pairs.MAX_COMMENT))


class MentoringPairDetailSchema(MentoringPairSummarySchema):
    other = ma.fields.Nested(MentoringPairPersonSchema, required=True)
    parts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), required=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)
    answers = ma.fields.Nested(
        MentoringPairAnswersSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The other side's application (never whom they avoid)"},
    )
    fit = ma.fields.Nested(MentoringPairFitBothSchema, required=True)
    goals = ma.fields.List(ma.fields.Nested(MentoringPairGoalSchema), required=True)
    meetings = ma.fields.List(
        ma.fields.Nested(MentoringPairMeetingSchema),
        required=True,
        metadata={"description": "Newest first"},
    )
    feedback = ma.fields.Nested(
        MentoringPairFeedbackSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The mentor's own; always null for the mentee"},
    )
    review_open = ma.fields.Boolean(required=True)
    conversation_id = Id(required=True, allow_none=True)


class MentoringPairSideFitSchema(ma.Schema):
    mentor = ma.fields.String(required=True, allow_none=True)
    mentee = ma.fields.String(required=True, allow_none=True)


class MentoringPairStatsSchema(ma.Schema):
    id = Id(required=True)
    mentor_id = Id(required=True)
    mentee_id = Id(required=True)
    mentor_name = ma.fields.String(required=True)
    mentee_name = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    score = ma.fields.Float(required=True)
    meetings = ma.fields.Integer(required=True)
    last_meeting = ma.fields.Date(required=True, allow_none=True)
    fit = ma.fields.Nested(MentoringPairSideFitSchema, required=True)
    stale = ma.fields.Boolean(
        required=True, metadata={"description": "Active, no meeting logged for six weeks"}
    )
    nudged_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    feedback_rating = ma.fields.Integer(required=True, allow_none=True)
    goals = ma.fields.Integer(required=True)
    goals_met = ma.fields.Integer(required=True)
    goals_partly = ma.fields.Integer(required=True)
    goals_not_met = ma.fields.Integer(required=True)


class MentoringProgrammePairsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MentoringPairStatsSchema), required=True)
    average_rating = ma.fields.Float(required=True, allow_none=True)


class MentoringPairEndSchema(ma.Schema):
    reason = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=pairs.MAX_REASON)
    )


class MentoringPairEndedSchema(ma.Schema):
    id = Id(required=True)
    status = ma.fields.String(required=True)
    ended_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class MentoringPairNudgedSchema(ma.Schema):
    id = Id(required=True)
    nudged_at = ma.fields.AwareDateTime(required=True)


# --- presenting ----------------------------------------------------------------------------


def _summary(pair, role: str, other, programme) -> dict:
    return {
        "id": pair.id,
        "programme_id": programme.id,
        "programme_name": programme.name,
        "role": role,
        "status": pair.status,
        "mentor_id": pair.mentor_id,
        "mentee_id": pair.mentee_id,
        "other_id": other.id,
        "other_name": other.display_name,
        "score": pair.score,
        "started_at": pair.started_at,
        "ended_at": pair.ended_at,
    }


def _fit(row) -> dict | None:
    return None if row is None else {"answer": row.answer, "note": row.note}


def _goal(goal: PairGoal) -> dict:
    return {
        "id": goal.id,
        "text": goal.text,
        "review": goal.review,
        "created_by_id": goal.created_by_id,
    }


def _meeting(meeting: PairMeeting) -> dict:
    return {
        "id": meeting.id,
        "held_on": meeting.held_on,
        "topics": meeting.topics,
        "next_steps": meeting.next_steps,
        "logged_by_id": meeting.logged_by_id,
    }


ANSWER_FIELDS = (
    "role", "field", "education_level", "experience_years", "qualifications", "languages",
    "industries", "interests", "goals", "offer", "wishes", "availability",
)  # fmt: skip


def _answers(answers: pairs.Answers | None) -> dict | None:
    """The other side's application as `pairs.answers_of` gives it (never their avoids)."""
    if answers is None:
        return None
    shown = {name: getattr(answers, name) for name in ANSWER_FIELDS}
    shown["questions"] = [{"question": q, "answer": a} for q, a in answers.questions]
    return shown


def _detail(me, view: pairs.PairView) -> dict:
    card = member_summary(
        view.other, view.other_profile, sight="full" if view.other_visible else "name"
    )
    return {
        **_summary(view.pair, view.role, view.other, view.programme),
        "other": {
            "id": view.other.id,
            "display_name": view.other.display_name,
            "headline": card["headline"],
            "avatar_url": card["avatar_url"],
            "profile_visible": view.other_visible,
        },
        "parts": dict(view.pair.parts or {}),
        "reasons": list(view.pair.reasons or []),
        "answers": _answers(view.answers),
        "fit": {"mine": _fit(view.fit.get(me.id)), "theirs": _fit(view.fit.get(view.other.id))},
        "goals": [_goal(goal) for goal in view.goals],
        "meetings": [_meeting(meeting) for meeting in view.meetings],
        "feedback": None
        if view.feedback is None
        else {"rating": view.feedback.rating, "comment": view.feedback.comment},
        "review_open": view.review_open,
        "conversation_id": view.conversation_id,
    }


# --- the pair's own ------------------------------------------------------------------------

NOT_YOURS = "No such pair, or not yours"


@blp.get("/mentoring/pairs")
@token_required
@blp.response(200, MentoringPairListSchema)
@blp.doc(**TOKEN_DOC)
def my_pairs():
    """Your mentoring pairs, as mentor or mentee, live ones first."""
    rows = pairs.my_pairs(api_user())
    return {"items": [_summary(row.pair, row.role, row.other, row.programme) for row in rows]}


@blp.get("/mentoring/pairs/<int:pair_id>")
@token_required
@blp.response(200, MentoringPairDetailSchema)
@blp.alt_response(404, description=NOT_YOURS)
@blp.doc(**TOKEN_DOC)
def pair(pair_id: int):
    """Your pair: the other side, why you were matched, fit answers, goals, meetings and (the
    mentor's own) feedback."""
    me = api_user()
    return _detail(me, pairs.pair_view(me, pair_id))


@blp.put("/mentoring/pairs/<int:pair_id>/fit")
@token_required
@blp.arguments(MentoringPairFitSchema)
@blp.response(200, MentoringPairFitSchema)
@blp.alt_response(404, description=NOT_YOURS)
@blp.alt_response(409, description="The pair is no longer active")
@blp.doc(**TOKEN_DOC)
def answer_fit(body: dict, pair_id: int):
    """Your answer to "is this a good fit?" (yes, deciding, no); a "no" tells the
    coordinator."""
    row = pairs.answer_fit(api_user(), pair_id, body["answer"], body["note"])
    db.session.commit()
    return _fit(row)


@blp.get("/mentoring/pairs/<int:pair_id>/goals")
@token_required
@blp.response(200, MentoringPairGoalListSchema)
@blp.alt_response(404, description=NOT_YOURS)
@blp.doc(**TOKEN_DOC)
def goals(pair_id: int):
    """The pair's goals, in their order."""
    view = pairs.pair_view(api_user(), pair_id)
    return {"items": [_goal(goal) for goal in view.goals], "review_open": view.review_open}


@blp.post("/mentoring/pairs/<int:pair_id>/goals")
@token_required
@blp.arguments(MentoringPairGoalNewSchema)
@blp.response(201, MentoringPairGoalSchema)
@blp.alt_response(404, description=NOT_YOURS)
@blp.alt_response(409, description="The pair is no longer active")
@blp.doc(**TOKEN_DOC)
def add_goal(body: dict, pair_id: int):
    """Add a goal (up to 8 a pair, 300 characters each)."""
    goal = pairs.add_goal(api_user(), pair_id, body["text"])
    db.session.commit()
    return _goal(goal)


@blp.patch("/mentoring/pairs/<int:pair_id>/goals/<int:goal_id>")
@token_required
@blp.arguments(MentoringPairGoalPatchSchema)
@blp.response(200, MentoringPairGoalSchema)
@blp.alt_response(404, description="No such goal in a pair of yours")
@blp.alt_response(409, description="Not active, or reviews are not open yet")
@blp.doc(**TOKEN_DOC)
def edit_goal(body: dict, pair_id: int, goal_id: int):
    """Reword a goal (`text`) or review it (`review`: met, partly, not_met; from 30 days
    before the programme's end)."""
    if not body:
        raise Invalid(_("Send the goal's text or its review."), "text")
    me = api_user()
    goal = None
    if "text" in body:
        goal = pairs.edit_goal(me, pair_id, goal_id, body["text"])
    if "review" in body:
        goal = pairs.review_goal(me, pair_id, goal_id, body["review"])
    db.session.commit()
    return _goal(goal)


@blp.delete("/mentoring/pairs/<int:pair_id>/goals/<int:goal_id>")
@token_required
@blp.response(204)
@blp.alt_response(404, description="No such goal in a pair of yours")
@blp.doc(**TOKEN_DOC)
def remove_goal(pair_id: int, goal_id: int):
    """Remove a goal."""
    pairs.remove_goal(api_user(), pair_id, goal_id)
    db.session.commit()


@blp.get("/mentoring/pairs/<int:pair_id>/meetings")
@token_required
@blp.response(200, MentoringPairMeetingListSchema)
@blp.alt_response(404, description=NOT_YOURS)
@blp.doc(**TOKEN_DOC)
def meetings(pair_id: int):
    """The pair's meetings, newest first."""
    view = pairs.pair_view(api_user(), pair_id)
    return {"items": [_meeting(meeting) for meeting in view.meetings]}


@blp.post("/mentoring/pairs/<int:pair_id>/meetings")
@token_required
@blp.arguments(MentoringPairMeetingNewSchema)
@blp.response(201, MentoringPairMeetingSchema)
@blp.alt_response(404, description=NOT_YOURS)
@blp.alt_response(409, description="The pair is no longer active")
@blp.doc(**TOKEN_DOC)
def log_meeting(body: dict, pair_id: int):
    """Log a meeting: not in the future, not before the programme starts."""
    meeting = pairs.log_meeting(
        api_user(), pair_id, body["held_on"], body["topics"], body["next_steps"]
    )
    db.session.commit()
    return _meeting(meeting)


@blp.patch("/mentoring/pairs/<int:pair_id>/meetings/<int:meeting_id>")
@token_required
@blp.arguments(MentoringPairMeetingPatchSchema)
@blp.response(200, MentoringPairMeetingSchema)
@blp.alt_response(403, description="The other side logged it")
@blp.alt_response(404, description="No such meeting in a pair of yours")
@blp.doc(**TOKEN_DOC)
def edit_meeting(body: dict, pair_id: int, meeting_id: int):
    """Change a meeting you logged (the fields you send)."""
    me = api_user()
    _pair, meeting = pairs.own_meeting(me, pair_id, meeting_id)
    meeting = pairs.edit_meeting(
        me, pair_id, meeting_id,
        body.get("held_on", meeting.held_on),
        body.get("topics", meeting.topics),
        body.get("next_steps", meeting.next_steps),
    )  # fmt: skip
    db.session.commit()
    return _meeting(meeting)


@blp.delete("/mentoring/pairs/<int:pair_id>/meetings/<int:meeting_id>")
@token_required
@blp.response(204)
@blp.alt_response(403, description="The other side logged it")
@blp.alt_response(404, description="No such meeting in a pair of yours")
@blp.doc(**TOKEN_DOC)
def delete_meeting(pair_id: int, meeting_id: int):
    """Delete a meeting you logged."""
    pairs.delete_meeting(api_user(), pair_id, meeting_id)
    db.session.commit()


@blp.put("/mentoring/pairs/<int:pair_id>/feedback")
@token_required
@blp.arguments(MentoringPairFeedbackSchema)
@blp.response(200, MentoringPairFeedbackSchema)
@blp.alt_response(403, description="Only the mentor gives feedback")
@blp.alt_response(404, description=NOT_YOURS)
@blp.doc(**TOKEN_DOC)
def give_feedback(body: dict, pair_id: int):
    """The mentor's rating (1 to 5) and comment; the mentee never sees it."""
    row = pairs.give_feedback(api_user(), pair_id, body["rating"], body["comment"])
    db.session.commit()
    return {"rating": row.rating, "comment": row.comment}


# --- the coordinator -----------------------------------------------------------------------


@blp.get("/mentoring/programmes/<int:programme_id>/pairs")
@token_required
@blp.response(200, MentoringProgrammePairsSchema)
@blp.alt_response(403, description="Not the programme's coordinator")
@blp.alt_response(404, description="No such programme")
@blp.doc(**TOKEN_DOC)
def programme_pairs(programme_id: int):
    """The programme's pairs for its coordinator: counts, dates, fit answers, the stale
    marker and the mentor's rating; never topics, next steps, goal texts or notes."""
    listing = pairs.coordinator_pairs(api_user(), programme_id)
    return {
        "items": [
            {
                "id": row.pair_id,
                "mentor_id": row.mentor_id,
                "mentee_id": row.mentee_id,
                "mentor_name": listing.names.get(row.mentor_id, ""),
                "mentee_name": listing.names.get(row.mentee_id, ""),
                "status": row.status,
                "score": row.score,
                "meetings": row.meetings,
                "last_meeting": row.last_meeting,
                "fit": dict(row.fit),
                "stale": row.stale(listing.today),
                "nudged_at": row.nudged_at,
                "feedback_rating": row.feedback_rating,
                "goals": row.goals,
                "goals_met": row.goals_met,
                "goals_partly": row.goals_partly,
                "goals_not_met": row.goals_not_met,
            }
            for row in listing.rows
        ],
        "average_rating": listing.average_rating,
    }


@blp.post("/mentoring/pairs/<int:pair_id>/end")
@token_required
@blp.arguments(MentoringPairEndSchema)
@blp.response(200, MentoringPairEndedSchema)
@blp.alt_response(403, description="Not the programme's coordinator")
@blp.alt_response(404, description="No such pair")
@blp.alt_response(409, description="Not active, or nobody answered no")
@blp.doc(**TOKEN_DOC)
def end_pair(body: dict, pair_id: int):
    """End a pair where a side answered "no", so matching can pair the mentee again."""
    ended = pairs.end_pair(api_user(), pair_id, body["reason"])
    db.session.commit()
    return {"id": ended.id, "status": ended.status, "ended_at": ended.ended_at}


@blp.post("/mentoring/pairs/<int:pair_id>/nudge")
@token_required
@blp.response(200, MentoringPairNudgedSchema)
@blp.alt_response(403, description="Not the programme's coordinator")
@blp.alt_response(404, description="No such pair")
@blp.alt_response(409, description="Not active, or nudged less than a week ago")
@blp.doc(**TOKEN_DOC)
def nudge(pair_id: int):
    """Remind both sides to meet (at most once a week per pair)."""
    nudged = pairs.nudge(api_user(), pair_id)
    db.session.commit()
    return {"id": nudged.id, "nudged_at": nudged.nudged_at}
