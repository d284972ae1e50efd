"""Notifications over the API: the same services as `/notifications` and the live bell.

`GET /notifications` pages the member's notifications newest first (`unread=true` for the
unread ones), leaving out those about something they may no longer see, each worded as on
the page; `POST /notifications/read` marks `ids` (only the member's own; others' ids change
nothing) or `all` read and answers the bell's count.
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.extensions import db
from community.notifications import services

blp = Blueprint("notifications_api", __name__, description="My notifications")


class NotificationSchema(ma.Schema):
    """A notification as the socket event `notification:new` and the catch-up send it."""

    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"example": "comment.new"})
    text = ma.fields.String(required=True, metadata={"description": "Plain text, to escape"})
    url = ma.fields.String(required=True, metadata={"description": "A path on this site"})
    actor_name = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null: nobody acted, or their profile is hidden from me"},
    )
    created_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    read = ma.fields.Boolean(required=True)


class NotificationPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NotificationSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
    unread = ma.fields.Integer(
        required=True,
        metadata={"description": f"Unread ones I may see, counted up to {services.UNREAD_CAP + 1}"},
    )


class NotificationQuerySchema(ma.Schema):
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(load_default=30, validate=ma.validate.Range(min=1, max=100))
    unread = ma.fields.Boolean(load_default=False, metadata={"description": "Unread ones only"})


class NotificationReadSchema(ma.Schema):
    """Either `ids` or `all: true`."""

    class Meta:
        unknown = ma.RAISE

    ids = ma.fields.List(
        ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1)),
        validate=ma.validate.Length(min=1, max=services.MAX_PAGE),
    )
    all = ma.fields.Boolean()

    @ma.validates_schema
    def one_of(self, data: dict, **_kwargs) -> None:
        if bool(data.get("ids")) == bool(data.get("all")):
            raise ma.ValidationError("Send either ids or all: true.", "ids")


class NotificationReadResultSchema(ma.Schema):
    marked = ma.fields.Integer(required=True, metadata={"description": "How many changed"})
    unread = ma.fields.Integer(required=True)


@blp.get("/notifications")
@token_required
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_notifications(query: dict):
    """My notifications, newest first; those about what I may no longer see are left out."""
    me = api_user()
    page = services.page_of(me, query["cursor"], query["limit"], unread_only=query["unread"])
    return {
        "items": [services.payload(described) for described in page.items],
        "next_cursor": page.next_cursor,
        "unread": services.unread_count(me),
    }


@blp.post("/notifications/read")
@token_required
@blp.arguments(NotificationReadSchema)
@blp.response(200, NotificationReadResultSchema)
@blp.doc(**TOKEN_DOC)
def mark_read(body: dict):
    """Mark `ids` (my own; others' change nothing) or `all` of mine read."""
    me = api_user()
    if body.get("all"):
        marked = services.mark_all_read(me)
    else:
        marked = services.mark_read_ids(me, body["ids"])
    db.session.commit()
    return {"marked": marked, "unread": services.unread_count(me)}
