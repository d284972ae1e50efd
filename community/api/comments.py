"""Comments over the API: the same comment services as the pages.

A subject's comment endpoints (`GET|POST /events/{id}/comments` and `/posts/{id}/comments`) are made
by `subject_routes`; a comment itself is changed at `PATCH|DELETE /comments/{id}`.
Refusals are the services' ServiceError kinds, answered by the one error handler.
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.comments import services
from community.comments.models import Comment
from community.extensions import db

blp = Blueprint("comments_api", __name__, description="Comments on events and posts")


# --- schemas -------------------------------------------------------------------------------


class CommentAuthorSchema(ma.Schema):
    id = Id(required=True)
    display_name = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null when their profile is hidden from you"},
    )


class ReplySchema(ma.Schema):
    id = Id(required=True)
    parent_id = Id(
        required=True, allow_none=True, metadata={"description": "null for a top-level comment"}
    )
    author = ma.fields.Nested(CommentAuthorSchema, required=True)
    state = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["visible", "deleted", "removed"]),
        metadata={"description": "deleted by its author, or removed by a host or moderator"},
    )
    removed_by = ma.fields.String(
        required=True,
        allow_none=True,
        validate=ma.validate.OneOf(["host", "moderator"]),
        metadata={"description": "Who removed it (when removed)"},
    )
    body = ma.fields.String(
        required=True, metadata={"description": "Markdown source; empty unless visible"}
    )
    body_html = ma.fields.String(required=True, metadata={"description": "Sanitised HTML"})
    created_at = ma.fields.AwareDateTime(required=True, metadata={"description": "UTC"})
    edited_at = ma.fields.AwareDateTime(
        required=True, allow_none=True, metadata={"description": "The last edit; null if none"}
    )
    can_edit = ma.fields.Boolean(
        required=True, metadata={"description": "Yours: you may edit and delete it"}
    )
    can_remove = ma.fields.Boolean(
        required=True, metadata={"description": "You host the subject or moderate"}
    )


class CommentSchema(ReplySchema):
    replies = ma.fields.List(
        ma.fields.Nested(ReplySchema),
        required=True,
        metadata={"description": "Replies, oldest first (threads are one level deep)"},
    )


class CommentPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CommentSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class CommentQuerySchema(ma.Schema):
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(
        load_default=services.PAGE_SIZE, validate=ma.validate.Range(min=1, max=services.MAX_PAGE)
    )


class CommentBodySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    body = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=services.MAX_COMMENT_LENGTH),
        metadata={"description": "Markdown"},
    )


class CommentCreateSchema(CommentBodySchema):
    parent_id = Id(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The comment this replies to (a reply to a reply joins its thread)"
        },
    )


# --- presenting ----------------------------------------------------------------------------


def _present(listing: services.CommentList, comment: Comment, replies=None) -> dict:
    state = "removed" if comment.removed else "deleted" if comment.deleted else "visible"
    shown = state == "visible"
    answer = {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author": {"id": comment.author_id, "display_name": listing.name(comment)},
        "state": state,
        "removed_by": comment.removed_as if comment.removed else None,
        "body": comment.body if shown else "",
        "body_html": comment.body_html if shown else "",
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "can_edit": listing.can_edit(comment),
        "can_remove": listing.can_remove(comment),
    }
    if replies is not None:
        answer["replies"] = [_present(listing, reply) for reply in replies]
    return answer


def _present_one(comment: Comment) -> dict:
    """A comment just written or edited, as its author sees it."""
    me = api_user()
    found = services.get_comment(me, comment.id)
    listing = services.single(me, found)
    replies = None if comment.parent_id else listing.threads[0].replies if listing.threads else []
    return _present(listing, comment, replies)


def subject_routes(subject_type: str, path: str, param: str, noun: str) -> None:
    """`GET|POST {path}/comments` for a registered subject kind, where `path` names the
    subject's id as `<int:{param}>`; documented with `noun` ("event")."""

    @blp.get(f"{path}/comments", endpoint=f"list_{subject_type}_comments")
    @token_required
    @blp.arguments(CommentQuerySchema, location="query")
    @blp.response(200, CommentPageSchema)
    @blp.alt_response(400, description="The cursor is not valid")
    @blp.alt_response(404, description=f"No such {noun}, or one you cannot see")
    @blp.doc(
        **TOKEN_DOC,
        summary=f"The {noun}'s comments",
        description=(
            f"Top-level comments on the {noun}, oldest first, each with its replies. Comments of "
            "members you blocked, or who blocked you, are left out."
        ),
    )
    def list_comments(query: dict, **ids: int):
        listing = services.list_comments(
            api_user(), subject_type, ids[param], query["cursor"], query["limit"]
        )
        return {
            "items": [_present(listing, t.comment, t.replies) for t in listing.threads],
            "next_cursor": listing.page.next_cursor,
        }

    @blp.post(f"{path}/comments", endpoint=f"add_{subject_type}_comment")
    @token_required
    @blp.arguments(CommentCreateSchema)
    @blp.response(201, CommentSchema)
    @blp.alt_response(404, description=f"No such {noun} or parent comment, or one you cannot see")
    @blp.alt_response(
        409, description=f"The {noun} takes no new comments, or the parent was removed"
    )
    @blp.doc(
        **TOKEN_DOC,
        summary=f"Comment on the {noun}",
        description=(
            f"Comment on the {noun}, or reply to `parent_id`. The {noun}'s owner is notified "
            "(and the parent's author, for a reply)."
        ),
    )
    def add_comment(body: dict, **ids: int):
        comment = services.add_comment(
            api_user(), subject_type, ids[param], body["body"], body["parent_id"]
        )
        db.session.commit()
        return _present_one(comment)


subject_routes("event", "/events/<int:event_id>", "event_id", "event")
subject_routes("post", "/posts/<int:post_id>", "post_id", "post")


@blp.patch("/comments/<int:comment_id>")
@token_required
@blp.arguments(CommentBodySchema)
@blp.response(200, CommentSchema)
@blp.alt_response(403, description="Not your comment")
@blp.alt_response(404, description="No such comment, or one you cannot see")
@blp.alt_response(409, description="The comment was removed")
@blp.doc(**TOKEN_DOC)
def edit_comment(body: dict, comment_id: int):
    """Edit your comment; a real change sets `edited_at`."""
    me = api_user()
    found = services.get_comment(me, comment_id)
    services.edit_comment(me, found.comment, body["body"])
    db.session.commit()
    return _present_one(found.comment)


@blp.delete("/comments/<int:comment_id>")
@token_required
@blp.response(204)
@blp.alt_response(403, description="Neither your comment nor one you may remove")
@blp.alt_response(404, description="No such comment, or one you cannot see")
@blp.alt_response(409, description="Your comment was removed already")
@blp.doc(**TOKEN_DOC)
def delete_comment(comment_id: int):
    """Delete your comment, or, as a host of its subject or a moderator, remove someone
    else's (its thread then says who removed it)."""
    me = api_user()
    found = services.get_comment(me, comment_id)
    if found.comment.author_id == me.id:
        services.delete_comment(me, found.comment)
    else:
        services.remove_comment(me, found)
    db.session.commit()
