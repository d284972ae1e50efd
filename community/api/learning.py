"""Learning over the API: the same services and list query as the learning pages.

`GET|POST /learning`, `GET|PATCH /learning/{id}`, `GET|POST|PATCH /me/learning-plan` (PATCH:
the weekly reminder's day) and
`PATCH|DELETE /me/learning-plan/{entry_id}`. Items are for every member; adding and editing
them is for organisers, moderators and admins (403). A plan is its member's only: another
member's entry answers 404, as a missing one. Refusals are the services' ServiceError
kinds, answered by the one error handler.
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.auth.models import User
from community.extensions import db
from community.learning import queries, services
from community.learning.models import LearningItem, LearningPlanEntry
from community.profiles.reference import CITY_BY_SLUG
from community.profiles.services import MAX_TAG_LENGTH

blp = Blueprint("learning_api", __name__, description="Learning items and your learning plan")


# --- schemas -------------------------------------------------------------------------------


class ItemSchema(ma.Schema):
    id = Id(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(services.KINDS))
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True, metadata={"description": "Markdown source"})
    description_html = ma.fields.String(required=True, metadata={"description": "Sanitised"})
    provider = ma.fields.String(required=True)
    format = ma.fields.String(required=True, validate=ma.validate.OneOf(services.FORMATS))
    city = ma.fields.String(required=True, allow_none=True, metadata={"description": "Slug"})
    free = ma.fields.Boolean(required=True)
    cost_amount = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "Whole units; null: free"}
    )
    currency = ma.fields.String(required=True, allow_none=True)
    cost_from = ma.fields.Boolean(required=True, metadata={"description": "Prices start here"})
    funding = ma.fields.String(required=True)
    language = ma.fields.String(required=True, metadata={"description": "ISO 639-1"})
    skills = ma.fields.List(ma.fields.String(), required=True)
    link = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    edited_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    plan_status = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "Its status in your plan"}
    )
    can_edit = ma.fields.Boolean(required=True)


class ItemPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ItemSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class ItemQuerySchema(ma.Schema):
    kind = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *services.KINDS]))
    format = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *services.FORMATS]))
    language = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=3), metadata={"description": "ISO 639-1"}
    )
    skill = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_TAG_LENGTH))
    free = ma.fields.Boolean(load_default=False, metadata={"description": "Free items only"})
    city = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *CITY_BY_SLUG]))
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(
        load_default=queries.PAGE_SIZE, validate=ma.validate.Range(min=1, max=queries.MAX_LIMIT)
    )


class ItemPatchSchema(ma.Schema):
    """The fields an editor may change; anything else is 422. `city`, `funding` or `link`
    null clears it; `free: true` clears the cost."""

    class Meta:
        unknown = ma.RAISE

    kind = ma.fields.String(validate=ma.validate.OneOf(services.KINDS))
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=services.MAX_TITLE))
    description = ma.fields.String(validate=ma.validate.Length(min=1, max=services.MAX_DESCRIPTION))
    provider = ma.fields.String(validate=ma.validate.Length(min=1, max=services.MAX_PROVIDER))
    format = ma.fields.String(validate=ma.validate.OneOf(services.FORMATS))
    city = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(list(CITY_BY_SLUG)))
    free = ma.fields.Boolean()
    cost_amount = ma.fields.Integer(
        strict=True, validate=ma.validate.Range(min=0, max=services.MAX_COST)
    )
    currency = ma.fields.String(validate=ma.validate.OneOf(services.CURRENCIES))
    cost_from = ma.fields.Boolean()
    funding = ma.fields.String(
        allow_none=True, validate=ma.validate.Length(max=services.MAX_FUNDING)
    )
    language = ma.fields.String(validate=ma.validate.Length(min=2, max=3))
    skills = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_TAG_LENGTH)),
        validate=ma.validate.Length(max=services.MAX_SKILLS),
        metadata={"description": "The same tags as profiles' skills"},
    )
    link = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=services.MAX_LINK),
        metadata={"description": "http(s) only"},
    )


class ItemCreateSchema(ItemPatchSchema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(services.KINDS))
    title = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=services.MAX_TITLE)
    )
    description = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=services.MAX_DESCRIPTION)
    )
    provider = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=services.MAX_PROVIDER)
    )
    format = ma.fields.String(required=True, validate=ma.validate.OneOf(services.FORMATS))
    language = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=3))


class PlanEventSchema(ma.Schema):
    id = Id(required=True)
    title = ma.fields.String(required=True)
    starts_at = ma.fields.AwareDateTime(required=True)
    timezone = ma.fields.String(required=True)


class EntrySchema(ma.Schema):
    id = Id(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(services.STATUSES))
    item = ma.fields.Nested(ItemSchema, required=True, allow_none=True)
    event = ma.fields.Nested(PlanEventSchema, required=True, allow_none=True)
    weekly_goal_hours = ma.fields.Integer(required=True, allow_none=True)
    skills_gained = ma.fields.List(ma.fields.String(), required=True)
    evidence_link = ma.fields.String(required=True)
    added_to_profile = ma.fields.Boolean(required=True)
    done_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class PlanSchema(ma.Schema):
    doing = ma.fields.List(ma.fields.Nested(EntrySchema), required=True)
    want = ma.fields.List(ma.fields.Nested(EntrySchema), required=True)
    done = ma.fields.List(ma.fields.Nested(EntrySchema), required=True)
    weekly_goal_hours = ma.fields.Integer(
        required=True, metadata={"description": "The hours a week planned for what is under way"}
    )
    reminder_weekday = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "0 Monday … 6 Sunday (UTC)"}
    )


class EntryCreateSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    item_id = Id(metadata={"description": "A learning item (or give event_id)"})
    event_id = Id(metadata={"description": "A learning event you may see"})
    status = ma.fields.String(load_default="want", validate=ma.validate.OneOf(["want", "doing"]))
    weekly_goal_hours = ma.fields.Integer(
        strict=True,
        allow_none=True,
        validate=ma.validate.Range(min=1, max=services.MAX_GOAL_HOURS),
    )


class EntryPatchSchema(ma.Schema):
    """`status: "done"` marks it done with `skills_gained` (among those it builds),
    `evidence_link` and `add_to_profile` (the skills go on your profile only then)."""

    class Meta:
        unknown = ma.RAISE

    status = ma.fields.String(validate=ma.validate.OneOf(services.STATUSES))
    weekly_goal_hours = ma.fields.Integer(
        strict=True,
        allow_none=True,
        validate=ma.validate.Range(min=1, max=services.MAX_GOAL_HOURS),
    )
    skills_gained = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_TAG_LENGTH)),
        validate=ma.validate.Length(max=services.MAX_SKILLS),
    )
    evidence_link = ma.fields.String(validate=ma.validate.Length(max=services.MAX_LINK))
    add_to_profile = ma.fields.Boolean(load_default=False)


class PlanSettingsSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    reminder_weekday = ma.fields.Integer(
        strict=True,
        required=True,
        allow_none=True,
        validate=ma.validate.Range(min=0, max=6),
        metadata={"description": "0 Monday … 6 Sunday (UTC); null: no reminder"},
    )


# --- presenting ----------------------------------------------------------------------------


def _item_data(body: dict) -> services.ItemData:
    cleared = {name for name in ("city", "funding", "link") if name in body and body[name] is None}
    values = {name: value for name, value in body.items() if value is not None}
    return services.ItemData(**values, cleared=cleared)


def _present(viewer: User, item: LearningItem, planned: dict | None = None) -> dict:
    if planned is None:
        planned = queries.planned(viewer, [item.id])
    return {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "description_html": item.description_html,
        "provider": item.provider,
        "format": item.format,
        "city": item.city,
        "free": item.is_free,
        "cost_amount": item.cost_amount,
        "currency": item.currency,
        "cost_from": item.cost_from,
        "funding": item.funding,
        "language": item.language,
        "skills": [row.tag.label for row in item.skills],
        "link": item.link,
        "created_at": item.created_at,
        "edited_at": item.edited_at,
        "plan_status": planned.get(("item", item.id)),
        "can_edit": services.can_edit_item(viewer, item),
    }


def _present_entry(viewer: User, entry: LearningPlanEntry) -> dict:
    event = entry.event
    return {
        "id": entry.id,
        "status": entry.status,
        "item": _present(viewer, entry.item, {("item", entry.item.id): entry.status})
        if entry.item
        else None,
        "event": {
            "id": event.id,
            "title": event.title,
            "starts_at": event.starts_at,
            "timezone": event.timezone,
        }
        if event
        else None,
        "weekly_goal_hours": entry.weekly_goal_hours,
        "skills_gained": entry.skills_gained.split(", ") if entry.skills_gained else [],
        "evidence_link": entry.evidence_link,
        "added_to_profile": entry.added_to_profile,
        "done_at": entry.done_at,
    }


def _plan(me: User) -> dict:
    entries = queries.plan_entries(me)
    settings = services.plan_settings(me)
    return {
        **{status: [_present_entry(me, e) for e in rows] for status, rows in entries.items()},
        "weekly_goal_hours": sum(e.weekly_goal_hours or 0 for e in entries["doing"]),
        "reminder_weekday": settings.reminder_weekday if settings else None,
    }


# --- items ---------------------------------------------------------------------------------


@blp.get("/learning")
@token_required
@blp.arguments(ItemQuerySchema, location="query")
@blp.response(200, ItemPageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_items(query: dict):
    """Learning items, newest first, filtered; `plan_status` says where each stands in
    your plan."""
    me = api_user()
    filters = queries.LearningFilters(
        kind=query["kind"],
        format=query["format"],
        language=query["language"],
        skill=query["skill"],
        free=query["free"],
        city=query["city"],
    )
    page = queries.list_items(me, filters, query["cursor"], query["limit"])
    planned = queries.planned(me, [item.id for item in page.items])
    return {
        "items": [_present(me, item, planned) for item in page.items],
        "next_cursor": page.next_cursor,
    }


@blp.post("/learning")
@token_required
@blp.arguments(ItemCreateSchema)
@blp.response(201, ItemSchema)
@blp.alt_response(403, description="Only organisers, moderators and admins add learning")
@blp.doc(**TOKEN_DOC)
def create_item(body: dict):
    """Add a learning item (organisers, moderators, admins)."""
    me = api_user()
    item = services.create_item(me, _item_data(body))
    db.session.commit()
    return _present(me, item)


@blp.get("/learning/<int:item_id>")
@token_required
@blp.response(200, ItemSchema)
@blp.alt_response(404, description="No such item")
@blp.doc(**TOKEN_DOC)
def get_item(item_id: int):
    """One learning item."""
    me = api_user()
    return _present(me, services.get_item(me, item_id))


@blp.patch("/learning/<int:item_id>")
@token_required
@blp.arguments(ItemPatchSchema)
@blp.response(200, ItemSchema)
@blp.alt_response(403, description="Not one you may edit")
@blp.alt_response(404, description="No such item")
@blp.doc(**TOKEN_DOC)
def update_item(body: dict, item_id: int):
    """Change an item (who added it, moderators, admins); send only what changes."""
    me = api_user()
    item = services.get_item(me, item_id)
    services.update_item(me, item, _item_data(body))
    db.session.commit()
    return _present(me, item)


# --- my plan -------------------------------------------------------------------------------


@blp.get("/me/learning-plan")
@token_required
@blp.response(200, PlanSchema)
@blp.doc(**TOKEN_DOC)
def get_plan():
    """Your learning plan (only yours: nobody else can read it)."""
    return _plan(api_user())


@blp.post("/me/learning-plan")
@token_required
@blp.arguments(EntryCreateSchema)
@blp.response(201, EntrySchema)
@blp.alt_response(404, description="No such item, or an event you cannot see")
@blp.alt_response(409, description="Already in your plan")
@blp.doc(**TOKEN_DOC)
def add_entry(body: dict):
    """Put a learning item (`item_id`) or a learning event (`event_id`) into your plan."""
    me = api_user()
    entry = services.add_to_plan(
        me,
        item_id=body.get("item_id"),
        event_id=body.get("event_id"),
        status=body["status"],
        weekly_goal_hours=body.get("weekly_goal_hours"),
    )
    db.session.commit()
    return _present_entry(me, entry)


@blp.patch("/me/learning-plan")
@token_required
@blp.arguments(PlanSettingsSchema)
@blp.response(200, PlanSchema)
@blp.doc(**TOKEN_DOC)
def update_plan(body: dict):
    """Choose your weekly reminder's day (or null for none)."""
    me = api_user()
    services.set_reminder(me, body["reminder_weekday"])
    db.session.commit()
    return _plan(me)


@blp.patch("/me/learning-plan/<int:entry_id>")
@token_required
@blp.arguments(EntryPatchSchema)
@blp.response(200, EntrySchema)
@blp.alt_response(404, description="No such entry in your plan")
@blp.doc(**TOKEN_DOC)
def update_entry(body: dict, entry_id: int):
    """Change an entry's status or weekly goal; `status: "done"` with the skills gained."""
    me = api_user()
    entry = services.get_own_entry(me, entry_id)
    if body.get("status") == "done":
        services.mark_done(
            me,
            entry,
            skills=body.get("skills_gained") or [],
            evidence_link=body.get("evidence_link") or "",
            add_to_profile=body["add_to_profile"],
        )
    if "weekly_goal_hours" in body or body.get("status") in ("want", "doing"):
        services.update_entry(
            me,
            entry,
            status=body.get("status") if body.get("status") != "done" else None,
            weekly_goal_hours=body.get("weekly_goal_hours"),
            clear_goal="weekly_goal_hours" in body and body["weekly_goal_hours"] is None,
        )
    db.session.commit()
    return _present_entry(me, entry)


@blp.delete("/me/learning-plan/<int:entry_id>")
@token_required
@blp.response(204)
@blp.alt_response(404, description="No such entry in your plan")
@blp.doc(**TOKEN_DOC)
def delete_entry(entry_id: int):
    """Take an entry out of your plan (skills on your profile stay)."""
    me = api_user()
    services.remove_entry(me, services.get_own_entry(me, entry_id))
    db.session.commit()
