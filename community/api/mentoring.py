"""Mentoring programmes and applications over the API: the same services as the pages.

`GET|POST /mentoring/programmes`, `GET|PATCH /mentoring/programmes/{id}`,
`GET|POST /mentoring/programmes/{id}/applications`,
`GET|PATCH /mentoring/programmes/{id}/applications/{application_id}` and
`GET /me/mentoring/applications`. Every logged-in member reads programmes; coordinators
create them; the programme's coordinator and admins change them and read and decide the
applications (403 for other members). An application is seen by its applicant and the
coordinator only: 404 for everyone else. Refusals are the services' ServiceError kinds,
answered by the one error handler (422 naming the field, 409 for a second application or
an edit past the deadline).
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.auth.models import User
from community.core.errors import Forbidden, Invalid
from community.extensions import db
from community.mentoring import access, applications, programmes
from community.mentoring.models import ApplicationStatus, MentoringApplication, Programme
from community.profiles import reference as ref
from community.profiles.reference import CITY_BY_SLUG
from community.profiles.services import MAX_TAG_LENGTH

blp = Blueprint("mentoring_api", __name__, description="Mentoring programmes and applications")


# --- schemas -------------------------------------------------------------------------------


class MentoringPersonSchema(ma.Schema):
    id = Id(required=True)
    display_name = ma.fields.String(required=True)


class MentoringQuestionSchema(ma.Schema):
    id = Id(dump_only=True)
    text = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=programmes.MAX_QUESTION)
    )
    asked_of = ma.fields.String(
        load_default="both", validate=ma.validate.OneOf(programmes.QUESTION_FOR)
    )


class MentoringFiguresSchema(ma.Schema):
    mentors_applied = ma.fields.Integer(required=True)
    mentors_accepted = ma.fields.Integer(required=True)
    mentees_applied = ma.fields.Integer(required=True)
    mentees_accepted = ma.fields.Integer(required=True)


class MentoringProgrammeSchema(ma.Schema):
    id = Id(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True, metadata={"description": "Markdown source"})
    description_html = ma.fields.String(required=True, metadata={"description": "Sanitised"})
    city = ma.fields.String(required=True, allow_none=True, metadata={"description": "Slug"})
    online = ma.fields.Boolean(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    application_deadline = ma.fields.Date(
        required=True, metadata={"description": "The last day to apply, in `timezone`"}
    )
    timezone = ma.fields.String(required=True, metadata={"description": "IANA"})
    default_capacity = ma.fields.Integer(required=True)
    mentors_accept = ma.fields.Boolean(required=True)
    questions = ma.fields.List(ma.fields.Nested(MentoringQuestionSchema), required=True)
    phase = ma.fields.String(
        required=True, metadata={"description": "open, upcoming, running or ended"}
    )
    coordinator = ma.fields.Nested(MentoringPersonSchema, required=True, allow_none=True)
    figures = ma.fields.Nested(MentoringFiguresSchema, required=True)
    can_apply = ma.fields.Boolean(required=True)
    can_manage = ma.fields.Boolean(required=True)
    my_application_id = ma.fields.Integer(required=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)
    edited_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class MentoringProgrammePageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MentoringProgrammeSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class MentoringPageQuerySchema(ma.Schema):
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(
        load_default=programmes.PAGE_SIZE,
        validate=ma.validate.Range(min=1, max=programmes.MAX_LIMIT),
    )


class MentoringProgrammePatchSchema(ma.Schema):
    """The fields a coordinator may change; PATCH sends any of them, anything else is 422.
    `questions` replaces the list (at most 5)."""

    class Meta:
        unknown = ma.RAISE

    name = ma.fields.String(validate=ma.validate.Length(min=1, max=programmes.MAX_NAME))
    description = ma.fields.String(validate=ma.validate.Length(max=programmes.MAX_DESCRIPTION))
    city = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(list(CITY_BY_SLUG)))
    online = ma.fields.Boolean()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    application_deadline = ma.fields.Date()
    timezone = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    default_capacity = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=programmes.MAX_CAPACITY)
    )
    mentors_accept = ma.fields.Boolean()
    questions = ma.fields.List(
        ma.fields.Nested(MentoringQuestionSchema),
        validate=ma.validate.Length(max=programmes.MAX_QUESTIONS),
    )


class MentoringProgrammeCreateSchema(MentoringProgrammePatchSchema):
    name = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=programmes.MAX_NAME)
    )
    description = ma.fields.String(
        required=True, validate=ma.validate.Length(max=programmes.MAX_DESCRIPTION)
    )
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    application_deadline = ma.fields.Date(required=True)
    default_capacity = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=0, max=programmes.MAX_CAPACITY)
    )
    online = ma.fields.Boolean(load_default=False)
    timezone = ma.fields.String(load_default="UTC", validate=ma.validate.Length(min=1, max=64))


class MentoringAnswerSchema(ma.Schema):
    question_id = Id(required=True)
    text = ma.fields.String(required=True, validate=ma.validate.Length(max=applications.MAX_ANSWER))


def _tag_list() -> ma.fields.List:
    return ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_TAG_LENGTH)),
        validate=ma.validate.Length(max=applications.MAX_TAGS),
        metadata={"description": "The same tags as on profiles"},
    )


def _text(limit: int = applications.MAX_TEXT) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=limit))


class MentoringApplicationSchema(ma.Schema):
    id = Id(required=True)
    programme_id = Id(required=True)
    user = ma.fields.Nested(MentoringPersonSchema, required=True)
    role = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    field = ma.fields.String(required=True, allow_none=True)
    education_level = ma.fields.String(required=True, allow_none=True)
    experience_years = ma.fields.Integer(required=True, allow_none=True)
    qualifications = ma.fields.String(required=True)
    languages = ma.fields.List(ma.fields.String(), required=True)
    industries = ma.fields.List(ma.fields.String(), required=True)
    interests = ma.fields.List(ma.fields.String(), required=True)
    goals = ma.fields.String(required=True)
    offer = ma.fields.String(required=True)
    prefers_field = ma.fields.String(required=True)
    prefers_language = ma.fields.String(required=True, allow_none=True)
    wishes = ma.fields.String(required=True)
    availability = ma.fields.String(required=True)
    capacity = ma.fields.Integer(required=True, allow_none=True)
    avoid_user_ids = ma.fields.List(
        Id(),
        required=True,
        metadata={"description": "People not to be paired with: the applicant and coordinator"},
    )
    answers = ma.fields.List(ma.fields.Nested(MentoringAnswerSchema), required=True)
    withdraw_reason = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


class MentoringApplicationListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MentoringApplicationSchema), required=True)


class MentoringApplicationPageSchema(MentoringApplicationListSchema):
    next_cursor = ma.fields.String(allow_none=True, required=True)


class CoordinatorApplicationsQuerySchema(ma.Schema):
    role = ma.fields.String(load_default=None, validate=ma.validate.OneOf(applications.ROLES))
    status = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf([s.value for s in ApplicationStatus])
    )
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(
        load_default=applications.APPLICATIONS_PAGE, validate=ma.validate.Range(min=1, max=100)
    )


class MentoringApplicationPatchSchema(ma.Schema):
    """The applicant changes any field until the deadline, or withdraws (`status:
    "withdrawn"` with `withdraw_reason`); the coordinator sends only `status: "accepted"`
    or `"declined"`."""

    class Meta:
        unknown = ma.RAISE

    role = ma.fields.String(validate=ma.validate.OneOf(applications.ROLES))
    field = ma.fields.String(validate=ma.validate.OneOf(list(ref.PROFESSIONAL_FIELDS)))
    education_level = ma.fields.String(
        allow_none=True, validate=ma.validate.OneOf([e.value for e in ref.EducationLevel])
    )
    experience_years = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=0, max=60))
    qualifications = _text()
    languages = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=2, max=3)),
        validate=ma.validate.Length(min=1, max=applications.MAX_LANGUAGES),
        metadata={"description": "ISO 639-1 codes; at least one"},
    )
    industries = _tag_list()
    interests = _tag_list()
    goals = _text()
    offer = _text()
    prefers_field = ma.fields.String(validate=ma.validate.OneOf(applications.PREFERENCES))
    prefers_language = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=3))
    wishes = _text()
    availability = _text(applications.MAX_AVAILABILITY)
    capacity = ma.fields.Integer(validate=ma.validate.Range(min=0, max=10))
    avoid_user_ids = ma.fields.List(Id(), validate=ma.validate.Length(max=applications.MAX_AVOIDS))
    answers = ma.fields.List(ma.fields.Nested(MentoringAnswerSchema))
    status = ma.fields.String(
        validate=ma.validate.OneOf([*applications.DECISIONS, ApplicationStatus.WITHDRAWN.value]),
        metadata={"description": "accepted / declined (coordinator), withdrawn (applicant)"},
    )
    withdraw_reason = _text(applications.MAX_REASON)


class MentoringApplicationCreateSchema(MentoringApplicationPatchSchema):
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(applications.ROLES))
    field = ma.fields.String(
        required=True, validate=ma.validate.OneOf(list(ref.PROFESSIONAL_FIELDS))
    )
    languages = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=2, max=3)),
        required=True,
        validate=ma.validate.Length(min=1, max=applications.MAX_LANGUAGES),
        metadata={"description": "ISO 639-1 codes; at least one"},
    )


# --- presenting ----------------------------------------------------------------------------


def present_programme(
    viewer: User,
    programme: Programme,
    figures: programmes.Figures | None = None,
    mine: dict[int, int] | None = None,
) -> dict:
    """One programme as `viewer` sees it; a list passes `figures` and `mine` ({programme
    id: application id}) loaded for the whole page."""
    if figures is None:
        figures = programmes.figures([programme.id])[programme.id]
    if mine is None:
        own = applications.own_application(viewer, programme)
        mine = {programme.id: own.id} if own else {}
    coordinator = programme.coordinator
    return {
        **{
            name: getattr(programme, name)
            for name in (
                "id", "name", "description", "description_html", "city", "online",
                "starts_on", "ends_on", "application_deadline", "timezone",
                "default_capacity", "mentors_accept", "created_at", "edited_at",
            )
        },
        "questions": [
            {"id": q.id, "text": q.text, "asked_of": q.asked_of} for q in programme.questions
        ],
        "phase": programmes.phase(programme),
        "coordinator": {"id": coordinator.id, "display_name": coordinator.display_name}
        if coordinator
        else None,
        "figures": figures,
        "can_apply": programme.id not in mine
        and applications.why_not_apply(viewer, programme) is None,
        "can_manage": access.may_coordinate(viewer, programme),
        "my_application_id": mine.get(programme.id),
    }  # fmt: skip


def present_application(row: MentoringApplication) -> dict:
    """An application for its applicant or the coordinator (the only ones who get it)."""
    return {
        **{
            name: getattr(row, name)
            for name in (
                "id", "programme_id", "role", "status", "field", "education_level",
                "experience_years", "qualifications", "goals", "offer", "prefers_field",
                "prefers_language", "wishes", "availability", "capacity", "withdraw_reason",
                "created_at", "updated_at",
            )
        },
        "user": {"id": row.user.id, "display_name": row.user.display_name},
        "languages": [lang.code for lang in row.languages],
        "industries": [t.tag.label for t in row.tags if t.kind == "industry"],
        "interests": [t.tag.label for t in row.tags if t.kind == "interest"],
        "avoid_user_ids": [a.avoided_user_id for a in row.avoids],
        "answers": [{"question_id": a.question_id, "text": a.text} for a in row.answers],
    }  # fmt: skip


def _programme_data(body: dict) -> programmes.ProgrammeData:
    values = dict(body)
    if "city" in values and values["city"] is None:
        values["city"] = ""
    if "questions" in values:
        values["questions"] = [
            programmes.QuestionData(q["text"], q.get("asked_of", "both"))
            for q in values["questions"]
        ]
    return programmes.ProgrammeData(**values)


def _application_data(body: dict) -> applications.ApplicationData:
    values = {k: v for k, v in body.items() if k not in ("status", "withdraw_reason")}
    cleared = {
        n for n in ("experience_years", "education_level") if n in values and values[n] is None
    }
    for name in cleared:
        values.pop(name)
    if "prefers_language" in values and values["prefers_language"] is None:
        values["prefers_language"] = ""
    if "answers" in values:
        values["answers"] = {a["question_id"]: a["text"] for a in values["answers"]}
    return applications.ApplicationData(**values, cleared=cleared)


# --- programmes ----------------------------------------------------------------------------


@blp.get("/mentoring/programmes")
@token_required
@blp.arguments(MentoringPageQuerySchema, location="query")
@blp.response(200, MentoringProgrammePageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_programmes(query: dict):
    """The programmes: open for applications first, then upcoming and running, then ended."""
    me = api_user()
    page = programmes.list_programmes(query["cursor"], query["limit"])
    ids = [p.id for p in page.items]
    figures = programmes.figures(ids)
    mine = dict(
        db.session.execute(
            select(MentoringApplication.programme_id, MentoringApplication.id).where(
                MentoringApplication.user_id == me.id, MentoringApplication.programme_id.in_(ids)
            )
        ).all()
    ) if ids else {}  # fmt: skip
    return {
        "items": [present_programme(me, p, figures[p.id], mine) for p in page.items],
        "next_cursor": page.next_cursor,
    }


@blp.post("/mentoring/programmes")
@token_required
@blp.arguments(MentoringProgrammeCreateSchema)
@blp.response(201, MentoringProgrammeSchema)
@blp.alt_response(403, description="Only coordinators create programmes")
@blp.doc(**TOKEN_DOC)
def create_programme(body: dict):
    """Create a programme (coordinators and admins); you coordinate it."""
    me = api_user()
    programme = programmes.create_programme(me, _programme_data(body))
    db.session.commit()
    return present_programme(me, programme)


@blp.get("/mentoring/programmes/<int:programme_id>")
@token_required
@blp.response(200, MentoringProgrammeSchema)
@blp.alt_response(404, description="No such programme")
@blp.doc(**TOKEN_DOC)
def get_programme(programme_id: int):
    """One programme."""
    me = api_user()
    return present_programme(me, access.programme_for(me, programme_id))


@blp.patch("/mentoring/programmes/<int:programme_id>")
@token_required
@blp.arguments(MentoringProgrammePatchSchema)
@blp.response(200, MentoringProgrammeSchema)
@blp.alt_response(403, description="Not your programme")
@blp.alt_response(404, description="No such programme")
@blp.doc(**TOKEN_DOC)
def update_programme(body: dict, programme_id: int):
    """Change a programme you coordinate (send only what changes)."""
    me = api_user()
    programme = access.coordinated_programme(me, programme_id)
    programmes.update_programme(me, programme, _programme_data(body))
    db.session.commit()
    return present_programme(me, programme)


# --- applications --------------------------------------------------------------------------


@blp.post("/mentoring/programmes/<int:programme_id>/applications")
@token_required
@blp.arguments(MentoringApplicationCreateSchema)
@blp.response(201, MentoringApplicationSchema)
@blp.alt_response(404, description="No such programme")
@blp.alt_response(409, description="Already applied, past the deadline, or your own programme")
@blp.doc(**TOKEN_DOC)
def apply(body: dict, programme_id: int):
    """Apply as mentor or mentee (one application per programme)."""
    me = api_user()
    programme = access.programme_for(me, programme_id)
    if "status" in body or "withdraw_reason" in body:
        raise Invalid(_("A new application has no status to set."), "status")
    row = applications.apply(me, programme, _application_data(body))
    db.session.commit()
    return present_application(row)


@blp.get("/mentoring/programmes/<int:programme_id>/applications")
@token_required
@blp.arguments(CoordinatorApplicationsQuerySchema, location="query")
@blp.response(200, MentoringApplicationPageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.alt_response(403, description="Not your programme")
@blp.doc(**TOKEN_DOC)
def list_applications(query: dict, programme_id: int):
    """The applications to a programme you coordinate, by role, status and date, a page at
    a time (`role` and `status` filter)."""
    me = api_user()
    programme = access.coordinated_programme(me, programme_id)
    page = applications.applications_of(
        me, programme, query["role"], query["status"], query["cursor"], query["limit"]
    )
    return {"items": [present_application(r) for r in page.items], "next_cursor": page.next_cursor}


@blp.get("/mentoring/programmes/<int:programme_id>/applications/<int:application_id>")
@token_required
@blp.response(200, MentoringApplicationSchema)
@blp.alt_response(404, description="No such application, or not yours")
@blp.doc(**TOKEN_DOC)
def get_application(programme_id: int, application_id: int):
    """Your application, or one to a programme you coordinate."""
    me = api_user()
    programme = access.programme_for(me, programme_id)
    return present_application(applications.application_for(me, programme, application_id))


@blp.patch("/mentoring/programmes/<int:programme_id>/applications/<int:application_id>")
@token_required
@blp.arguments(MentoringApplicationPatchSchema)
@blp.response(200, MentoringApplicationSchema)
@blp.alt_response(403, description="Not yours to change this way")
@blp.alt_response(404, description="No such application, or not yours")
@blp.alt_response(409, description="Past the deadline, or withdrawn")
@blp.doc(**TOKEN_DOC)
def update_application(body: dict, programme_id: int, application_id: int):
    """The applicant edits until the deadline or withdraws (`status: "withdrawn"` with a
    `withdraw_reason`); the coordinator accepts or declines (`status` alone)."""
    me = api_user()
    programme = access.programme_for(me, programme_id)
    row = applications.application_for(me, programme, application_id)
    status = body.pop("status", None)
    reason = body.pop("withdraw_reason", None)
    mine = row.user_id == me.id
    if status in applications.DECISIONS:
        if body or reason is not None:
            raise Invalid(_("Send the status alone."), "status")
        row = applications.decide(me, row, status)
    elif not mine:
        raise Forbidden(_("Only the applicant can change an application."))
    elif status == ApplicationStatus.WITHDRAWN:
        row = applications.withdraw(me, row, reason or "")
    else:
        row = applications.update_application(me, row, _application_data(body))
    db.session.commit()
    return present_application(row)


@blp.get("/me/mentoring/applications")
@token_required
@blp.arguments(MentoringPageQuerySchema, location="query")
@blp.response(200, MentoringApplicationPageSchema)
@blp.doc(**TOKEN_DOC)
def my_applications(query: dict):
    """Your mentoring applications, newest first."""
    me = api_user()
    page = applications.my_applications(me, query["cursor"], query["limit"])
    return {"items": [present_application(r) for r in page.items], "next_cursor": page.next_cursor}
