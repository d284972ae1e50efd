"""Gigs and applications over the API: the same services and list query as the gig pages.

`GET|POST /gigs`, `GET|PATCH /gigs/{id}`, `GET|POST /gigs/{id}/applications`,
`PATCH|DELETE /applications/{id}` and `GET /me/applications`. A gig one may not see (held or
refused, unless one posted it or moderates) answers 404, as a missing one; an application is
seen by its applicant and the gig's poster only (404 for everyone else). Refusals are the
services' ServiceError kinds, answered by the one error handler.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.auth.models import User
from community.core.errors import BadRequest, Forbidden, NotFound
from community.extensions import db
from community.gigs import applications, fit, queries, services
from community.gigs.models import GigApplication, GigStatus
from community.profiles.directory import visible_ids
from community.profiles.reference import CITY_BY_SLUG
from community.profiles.services import MAX_TAG_LENGTH

blp = Blueprint("gigs_api", __name__, description="Gigs and applications")

STATUSES = tuple(status.value for status in GigStatus if status != GigStatus.COMPLETED)


# --- schemas -------------------------------------------------------------------------------


class GigPersonSchema(ma.Schema):
    id = Id(required=True)
    display_name = ma.fields.String(required=True)


class GigFitSchema(ma.Schema):
    score = ma.fields.Integer(required=True, metadata={"description": "0 to 100"})
    reasons = ma.fields.List(ma.fields.String(), required=True)


class GigSchema(ma.Schema):
    id = Id(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(services.KINDS))
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True, metadata={"description": "Markdown source"})
    description_html = ma.fields.String(required=True, metadata={"description": "Sanitised"})
    deliverable = ma.fields.String(required=True)
    organisation = ma.fields.String(required=True, metadata={"description": "On behalf of"})
    who_can_take = ma.fields.String(
        required=True, validate=ma.validate.OneOf(services.WHO_CAN_TAKE)
    )
    skills = ma.fields.List(ma.fields.String(), required=True)
    languages = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "ISO 639-1"}
    )
    city = ma.fields.String(required=True, allow_none=True, metadata={"description": "Slug"})
    remote = ma.fields.Boolean(required=True)
    overlap_hours = ma.fields.Integer(required=True, allow_none=True)
    countries = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "Remote: ISO 3166-1 alpha-2; empty: anywhere"},
    )
    timezone = ma.fields.String(required=True, metadata={"description": "The poster's, IANA"})
    starts_on = ma.fields.Date(required=True, allow_none=True)
    ends_on = ma.fields.Date(required=True, allow_none=True)
    duration = ma.fields.String(required=True)
    hours_per_week = ma.fields.Integer(required=True, allow_none=True)
    compensation_amount = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: voluntary"}
    )
    currency = ma.fields.String(required=True, allow_none=True)
    compensation_period = ma.fields.String(required=True, allow_none=True)
    engagement = ma.fields.String(required=True)
    deadline = ma.fields.Date(
        required=True, allow_none=True, metadata={"description": "Last day to apply, in `timezone`"}
    )
    status = ma.fields.String(required=True)
    review = ma.fields.String(
        required=True, metadata={"description": "approved, pending or rejected"}
    )
    review_reason = ma.fields.String(
        required=True, metadata={"description": "For the poster and moderators; empty for others"}
    )
    poster = ma.fields.Nested(GigPersonSchema, required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    edited_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    can_edit = ma.fields.Boolean(required=True)
    can_apply = ma.fields.Boolean(required=True)
    my_application_id = ma.fields.Integer(required=True, allow_none=True)
    fit = ma.fields.Nested(
        GigFitSchema,
        metadata={"description": "With `for_you=true` only: how well the gig fits you, and why"},
    )


class GigPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(GigSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class GigQuerySchema(ma.Schema):
    kind = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *services.KINDS]))
    skill = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_TAG_LENGTH))
    language = ma.fields.String(load_default="", validate=ma.validate.Length(max=3))
    city = ma.fields.String(
        load_default="",
        validate=ma.validate.OneOf(["", *CITY_BY_SLUG]),
        metadata={"description": "A host-city slug"},
    )
    remote = ma.fields.Boolean(load_default=False, metadata={"description": "Remote gigs only"})
    who_can_take = ma.fields.String(
        load_default="", validate=ma.validate.OneOf(["", *services.WHO_CAN_TAKE])
    )
    pay = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", "paid", "voluntary"]))
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(
        load_default=queries.PAGE_SIZE, validate=ma.validate.Range(min=1, max=queries.MAX_LIMIT)
    )
    for_you = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "The open gigs that fit you best, best first, each with `fit`: one "
            "page of at most `limit`, without filters or cursor"
        },
    )


def _optional_string(limit: int, **kw) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=limit), **kw)


class GigPatchSchema(ma.Schema):
    """The fields a poster may change; PATCH sends any of them, anything else is 422. A
    null clears an optional one (dates, hours, deadline, compensation_amount); `status`
    marks it filled or closed, or reopens it."""

    class Meta:
        unknown = ma.RAISE

    kind = ma.fields.String(validate=ma.validate.OneOf(services.KINDS))
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=services.MAX_TITLE))
    description = ma.fields.String(validate=ma.validate.Length(min=1, max=services.MAX_DESCRIPTION))
    deliverable = _optional_string(services.MAX_DELIVERABLE)
    organisation = _optional_string(services.MAX_ORGANISATION)
    who_can_take = ma.fields.String(validate=ma.validate.OneOf(services.WHO_CAN_TAKE))
    skills = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_TAG_LENGTH)),
        validate=ma.validate.Length(max=services.MAX_SKILLS),
        metadata={"description": "The same tags as on profiles"},
    )
    languages = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=3)))
    city = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(list(CITY_BY_SLUG)))
    remote = ma.fields.Boolean()
    overlap_hours = ma.fields.Integer(allow_none=True)
    countries = ma.fields.List(ma.fields.String(validate=ma.validate.Length(equal=2)))
    starts_on = ma.fields.Date(allow_none=True)
    ends_on = ma.fields.Date(allow_none=True)
    duration = _optional_string(services.MAX_DURATION)
    hours_per_week = ma.fields.Integer(allow_none=True)
    compensation_amount = ma.fields.Integer(
        allow_none=True, metadata={"description": "null: voluntary"}
    )
    currency = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=3))
    compensation_period = ma.fields.String(
        allow_none=True, validate=ma.validate.OneOf(services.PERIODS)
    )
    engagement = ma.fields.String(validate=ma.validate.OneOf(services.ENGAGEMENTS))
    deadline = ma.fields.Date(allow_none=True)
    status = ma.fields.String(
        validate=ma.validate.OneOf(STATUSES), metadata={"description": "PATCH only"}
    )


class GigCreateSchema(GigPatchSchema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(services.KINDS))
    title = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=services.MAX_TITLE)
    )
    description = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=services.MAX_DESCRIPTION)
    )
    who_can_take = ma.fields.String(
        required=True, validate=ma.validate.OneOf(services.WHO_CAN_TAKE)
    )
    engagement = ma.fields.String(required=True, validate=ma.validate.OneOf(services.ENGAGEMENTS))


class ApplicationSchema(ma.Schema):
    id = Id(required=True)
    gig_id = Id(required=True)
    gig_title = ma.fields.String(required=True)
    applicant = ma.fields.Nested(GigPersonSchema, required=True)
    applicant_profile_visible = ma.fields.Boolean(required=True)
    message = ma.fields.String(required=True)
    link = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    decline_reason = ma.fields.String(
        required=True, metadata={"description": "The poster's private word to the applicant"}
    )
    created_at = ma.fields.AwareDateTime(required=True)
    status_changed_at = ma.fields.AwareDateTime(required=True)


class ApplicationPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ApplicationSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class ApplicationListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ApplicationSchema), required=True)


class ApplicationCreateSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    message = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=applications.MAX_MESSAGE)
    )
    link = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=applications.MAX_LINK),
        metadata={"description": "http(s) only"},
    )


class ApplicationPatchSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    status = ma.fields.String(
        required=True, validate=ma.validate.OneOf([str(s) for s in applications.POSTER_CHOICES])
    )
    reason = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=applications.MAX_REASON),
        metadata={"description": "Declined only: private, for the applicant"},
    )


class MyApplicationsQuerySchema(ma.Schema):
    cursor = ma.fields.String(load_default=None)
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=100))


# --- presenting ----------------------------------------------------------------------------

_CLEARABLE = ("starts_on", "ends_on", "deadline", "hours_per_week", "overlap_hours", "city")


def _gig_data(body: dict) -> services.GigData:
    cleared = {name for name in _CLEARABLE if name in body and body[name] is None}
    if "compensation_amount" in body and body["compensation_amount"] is None:
        cleared.add("compensation")
    values = {
        name: value for name, value in body.items() if value is not None and name not in ("status",)
    }
    return services.GigData(**values, cleared=cleared)


def present_gig(viewer: User, gig, mine: dict | None = None) -> dict:
    """One gig as `viewer` sees it; a list passes `mine` ({gig id: application id})."""
    if mine is None:
        own = applications.own_application(viewer, gig)
        mine = {gig.id: own.id} if own else {}
    may_see_review = services.is_poster(viewer, gig) or services.is_moderator(viewer)
    return {
        **{
            name: getattr(gig, name)
            for name in (
                "id", "kind", "title", "description", "description_html", "deliverable",
                "organisation", "who_can_take", "city", "remote", "overlap_hours", "timezone",
                "starts_on", "ends_on", "duration", "hours_per_week", "compensation_amount",
                "currency", "compensation_period", "engagement", "deadline", "status",
                "review", "created_at", "edited_at",
            )
        },
        "skills": [row.tag.label for row in gig.skills],
        "languages": [row.code for row in gig.languages],
        "countries": [row.code for row in gig.countries],
        "review_reason": gig.review_reason if may_see_review else "",
        "poster": {"id": gig.poster.id, "display_name": gig.poster.display_name},
        "can_edit": services.is_poster(viewer, gig),
        "can_apply": applications.can_apply(viewer, gig) and gig.id not in mine,
        "my_application_id": mine.get(gig.id),
    }  # fmt: skip


def _present_application(row: GigApplication, shown: set[int]) -> dict:
    return {
        "id": row.id,
        "gig_id": row.gig_id,
        "gig_title": row.gig.title,
        "applicant": {"id": row.applicant.id, "display_name": row.applicant.display_name},
        "applicant_profile_visible": row.applicant_id in shown,
        "message": row.message,
        "link": row.link,
        "status": row.status,
        "decline_reason": row.decline_reason,
        "created_at": row.created_at,
        "status_changed_at": row.status_changed_at,
    }


def _one_application(me: User, row: GigApplication) -> dict:
    return _present_application(row, visible_ids(me, {row.applicant_id}) | {me.id})


# --- gigs ----------------------------------------------------------------------------------


@blp.get("/gigs")
@token_required
@blp.arguments(GigQuerySchema, location="query")
@blp.response(200, GigPageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_gigs(query: dict):
    """Approved open gigs, newest first, filtered as the page's list; or, with
    `for_you=true`, those that fit you best (the "For you" page's ranking)."""
    me = api_user()
    if query["for_you"]:
        return _for_you(me, query)
    filters = queries.GigFilters(
        kind=query["kind"],
        skill=query["skill"],
        language=query["language"],
        place="remote" if query["remote"] else query["city"],
        who=query["who_can_take"],
        pay=query["pay"],
    )
    page = queries.list_gigs(me, filters, query["cursor"], query["limit"])
    ids = [gig.id for gig in page.items]
    mine = applications.my_application_ids(me, ids)
    return {
        "items": [present_gig(me, g, mine) for g in page.items],
        "next_cursor": page.next_cursor,
    }


_FILTERS = ("kind", "skill", "language", "city", "who_can_take", "pay", "remote", "cursor")


def _for_you(me: User, query: dict) -> dict:
    if any(query[name] for name in _FILTERS):
        raise BadRequest(_("“For you” ranks every open gig: leave out the filters and the cursor."))
    fits = fit.for_you(me, limit=query["limit"])
    mine = applications.my_application_ids(me, [item.gig.id for item in fits])
    items = [
        {**present_gig(me, item.gig, mine), "fit": {"score": item.score, "reasons": item.reasons}}
        for item in fits
    ]
    return {"items": items, "next_cursor": None}


@blp.post("/gigs")
@token_required
@blp.arguments(GigCreateSchema)
@blp.response(201, GigSchema)
@blp.doc(**TOKEN_DOC)
def create_gig(body: dict):
    """Post a gig. It shows at once, or waits for a moderator (`review: pending`, with
    `review_reason`)."""
    me = api_user()
    body.pop("status", None)
    gig = services.create_gig(me, _gig_data(body))
    db.session.commit()
    return present_gig(me, gig)


@blp.get("/gigs/<int:gig_id>")
@token_required
@blp.response(200, GigSchema)
@blp.alt_response(404, description="No such gig, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def get_gig(gig_id: int):
    """One gig."""
    me = api_user()
    return present_gig(me, services.get_visible_gig(me, gig_id))


@blp.patch("/gigs/<int:gig_id>")
@token_required
@blp.arguments(GigPatchSchema)
@blp.response(200, GigSchema)
@blp.alt_response(403, description="Not your gig")
@blp.alt_response(404, description="No such gig, or one you cannot see")
@blp.alt_response(409, description="Reopening past the deadline")
@blp.doc(**TOKEN_DOC)
def update_gig(body: dict, gig_id: int):
    """Change your gig (send only what changes). A change that asks applicants for money
    holds it for a moderator again. `status` marks it filled or closed, or reopens it."""
    me = api_user()
    gig = services.get_visible_gig(me, gig_id)
    if not services.is_poster(me, gig):
        raise Forbidden("Only its poster can change a gig.")
    status = body.pop("status", None)
    if body:
        gig = services.update_gig(me, gig, _gig_data(body))
    if status is not None:
        verb = {
            GigStatus.OPEN: services.reopen_gig,
            GigStatus.FILLED: services.mark_filled,
            GigStatus.CLOSED: services.close_gig,
        }[GigStatus(status)]
        gig = verb(me, gig)
    db.session.commit()
    return present_gig(me, gig)


# --- applications --------------------------------------------------------------------------


@blp.post("/gigs/<int:gig_id>/applications")
@token_required
@blp.arguments(ApplicationCreateSchema)
@blp.response(201, ApplicationSchema)
@blp.alt_response(404, description="No such gig, or one you cannot see")
@blp.alt_response(409, description="Already applied; your own gig; closed or past its deadline")
@blp.doc(**TOKEN_DOC)
def apply(body: dict, gig_id: int):
    """Apply with a message and an optional http(s) link (one application per gig)."""
    me = api_user()
    gig = services.get_visible_gig(me, gig_id)
    row = applications.apply(me, gig, body["message"], body["link"])
    db.session.commit()
    return _one_application(me, row)


@blp.get("/gigs/<int:gig_id>/applications")
@token_required
@blp.response(200, ApplicationListSchema)
@blp.alt_response(404, description="No such gig, or not yours")
@blp.doc(**TOKEN_DOC)
def list_applicants(gig_id: int):
    """The applications to your gig, oldest first (the poster only: 404 for anyone else)."""
    me = api_user()
    gig = services.get_visible_gig(me, gig_id)
    rows = applications.applicants(me, gig)
    shown = visible_ids(me, {row.applicant_id for row in rows})
    return {"items": [_present_application(row, shown) for row in rows]}


@blp.patch("/applications/<int:application_id>")
@token_required
@blp.arguments(ApplicationPatchSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(404, description="No such application, or not to your gig")
@blp.alt_response(409, description="Withdrawn or closed")
@blp.doc(**TOKEN_DOC)
def set_status(body: dict, application_id: int):
    """Shortlist, accept or decline (with an optional private reason) an application to
    your gig; the applicant is told."""
    me = api_user()
    row = applications.get_application(me, application_id)
    if row.gig.poster_id != me.id:
        raise NotFound("We could not find that application.")
    row = applications.set_status(me, row, body["status"], body["reason"])
    db.session.commit()
    return _one_application(me, row)


@blp.delete("/applications/<int:application_id>")
@token_required
@blp.response(200, ApplicationSchema)
@blp.alt_response(404, description="No such application, or not yours")
@blp.doc(**TOKEN_DOC)
def withdraw(application_id: int):
    """Withdraw your application (again changes nothing)."""
    me = api_user()
    row = applications.get_application(me, application_id)
    row = applications.withdraw(me, row)
    db.session.commit()
    return _one_application(me, row)


@blp.get("/me/applications")
@token_required
@blp.arguments(MyApplicationsQuerySchema, location="query")
@blp.response(200, ApplicationPageSchema)
@blp.doc(**TOKEN_DOC)
def my_applications(query: dict):
    """Your applications, newest first, with their status."""
    me = api_user()
    page = applications.my_applications(me, query["cursor"], query["limit"])
    return {
        "items": [_present_application(row, {me.id}) for row in page.items],
        "next_cursor": page.next_cursor,
    }
