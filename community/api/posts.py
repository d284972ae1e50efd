"""Skill-sharing posts over the API: the same services and feed query as the post pages.

`GET|POST /posts`, `GET|PATCH|DELETE /posts/{id}`, `POST|DELETE /posts/{id}/helpful` and
`PUT|DELETE /posts/{id}/answer` live here; `GET|POST /posts/{id}/comments` come from the
comments API's `subject_routes`. A post one may not see answers 404, as a missing one.
Refusals are the services' ServiceError kinds, answered by the one error handler.
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.auth.models import User
from community.extensions import db
from community.posts import queries, services
from community.posts.models import Post
from community.profiles.reference import CITY_BY_SLUG
from community.profiles.services import MAX_TAG_LENGTH

blp = Blueprint("posts_api", __name__, description="Skill-sharing posts")


# --- schemas -------------------------------------------------------------------------------


class PostAuthorSchema(ma.Schema):
    id = Id(required=True)
    display_name = ma.fields.String(required=True)


class PostSchema(ma.Schema):
    id = Id(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(services.KINDS))
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True, metadata={"description": "Markdown source"})
    body_html = ma.fields.String(required=True, metadata={"description": "Sanitised"})
    tags = ma.fields.List(ma.fields.String(), required=True)
    city = ma.fields.String(required=True, allow_none=True, metadata={"description": "Slug"})
    group_id = ma.fields.Integer(required=True, allow_none=True)
    author = ma.fields.Nested(PostAuthorSchema, required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    edited_at = ma.fields.AwareDateTime(
        required=True, allow_none=True, metadata={"description": "null: never edited"}
    )
    helpful_count = ma.fields.Integer(required=True)
    helpful_by_me = ma.fields.Boolean(required=True)
    answer_comment_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "A question's comment its author marked as the answer"},
    )
    match_reason = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Why this offer or request matches your profile, or null"},
    )
    can_edit = ma.fields.Boolean(required=True)
    can_remove = ma.fields.Boolean(required=True)


class PostPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PostSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class PostQuerySchema(ma.Schema):
    kind = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *services.KINDS]))
    tag = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_TAG_LENGTH))
    city = ma.fields.String(
        load_default="",
        validate=ma.validate.OneOf(["", *CITY_BY_SLUG]),
        metadata={"description": "A host-city slug"},
    )
    group = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=80),
        metadata={"description": "A group's slug or id (a group you cannot see: no posts)"},
    )
    connections = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only posts by your connections"}
    )
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(
        load_default=queries.PAGE_SIZE, validate=ma.validate.Range(min=1, max=queries.MAX_LIMIT)
    )


class PostPatchSchema(ma.Schema):
    """The fields an author may change; PATCH sends any of them, anything else is 422.
    `city: null` or `group_id: null` clears it."""

    class Meta:
        unknown = ma.RAISE

    kind = ma.fields.String(validate=ma.validate.OneOf(services.KINDS))
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=services.MAX_TITLE))
    body = ma.fields.String(validate=ma.validate.Length(min=1, max=services.MAX_BODY))
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_TAG_LENGTH)),
        validate=ma.validate.Length(max=services.MAX_POST_TAGS),
        metadata={"description": "The same tags as on profiles"},
    )
    city = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(list(CITY_BY_SLUG)))
    group_id = Id(allow_none=True, metadata={"description": "A group you are an active member of"})


class PostCreateSchema(PostPatchSchema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(services.KINDS))
    title = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=services.MAX_TITLE)
    )
    body = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=services.MAX_BODY)
    )


class AnswerSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    comment_id = Id(required=True)


# --- presenting ----------------------------------------------------------------------------


def _post_data(body: dict) -> services.PostData:
    cleared = {name for name in ("city", "group_id") if name in body and body[name] is None}
    values = {name: value for name, value in body.items() if value is not None}
    return services.PostData(**values, cleared=cleared)


def _present(
    viewer: User, post: Post, *, helped: set[int] | None = None, reasons: dict | None = None
) -> dict:
    """One post as `viewer` sees it; a list passes `helped` and `reasons` it computed for
    the whole page at once."""
    if helped is None:
        helped = services.found_helpful(viewer, [post.id])
    if reasons is None:
        reasons = queries.match_reasons(viewer, [post])
    return {
        "id": post.id,
        "kind": post.kind,
        "title": post.title,
        "body": post.body,
        "body_html": post.body_html,
        "tags": [row.tag.label for row in post.tags],
        "city": post.city,
        "group_id": post.group_id,
        "author": {"id": post.author.id, "display_name": post.author.display_name},
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "helpful_count": post.helpful_count,
        "helpful_by_me": post.id in helped,
        "answer_comment_id": post.answer_comment_id,
        "match_reason": reasons.get(post.id),
        "can_edit": services.can_edit(viewer, post),
        "can_remove": services.can_remove(viewer, post),
    }


# --- endpoints -----------------------------------------------------------------------------


@blp.get("/posts")
@token_required
@blp.arguments(PostQuerySchema, location="query")
@blp.response(200, PostPageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_posts(query: dict):
    """The posts you may see, newest first, filtered; offers and requests that match your
    profile carry a `match_reason`."""
    me = api_user()
    filters = queries.PostFilters(
        kind=query["kind"],
        tag=query["tag"],
        city=query["city"],
        group=query["group"],
        connections=query["connections"],
    )
    page = queries.list_posts(me, filters, query["cursor"], query["limit"])
    helped = services.found_helpful(me, [post.id for post in page.items])
    reasons = queries.match_reasons(me, page.items)
    return {
        "items": [_present(me, p, helped=helped, reasons=reasons) for p in page.items],
        "next_cursor": page.next_cursor,
    }


@blp.post("/posts")
@token_required
@blp.arguments(PostCreateSchema)
@blp.response(201, PostSchema)
@blp.alt_response(404, description="No such group, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def create_post(body: dict):
    """Publish a post (in a group only when you are an active member of it)."""
    me = api_user()
    post = services.create_post(me, _post_data(body))
    db.session.commit()
    return _present(me, post)


@blp.get("/posts/<int:post_id>")
@token_required
@blp.response(200, PostSchema)
@blp.alt_response(404, description="No such post, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def get_post(post_id: int):
    """One post."""
    me = api_user()
    return _present(me, services.get_visible_post(me, post_id))


@blp.patch("/posts/<int:post_id>")
@token_required
@blp.arguments(PostPatchSchema)
@blp.response(200, PostSchema)
@blp.alt_response(403, description="Not your post")
@blp.alt_response(404, description="No such post, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def update_post(body: dict, post_id: int):
    """Change your post (send only what changes); a real change sets `edited_at`."""
    me = api_user()
    post = services.get_visible_post(me, post_id)
    services.update_post(me, post, _post_data(body))
    db.session.commit()
    return _present(me, post)


@blp.delete("/posts/<int:post_id>")
@token_required
@blp.response(204)
@blp.alt_response(403, description="Neither your post nor one you may remove")
@blp.alt_response(404, description="No such post, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def delete_post(post_id: int):
    """Delete your post; moderators, admins and the organisers of its group remove it."""
    me = api_user()
    post = services.get_visible_post(me, post_id)
    if post.author_id == me.id:
        services.delete_post(me, post)
    else:
        services.remove_post(me, post)
    db.session.commit()


@blp.post("/posts/<int:post_id>/helpful")
@token_required
@blp.response(200, PostSchema)
@blp.alt_response(404, description="No such post, or one you cannot see")
@blp.alt_response(409, description="Your own post")
@blp.doc(**TOKEN_DOC)
def mark_helpful(post_id: int):
    """Say the post helped you (once; again changes nothing)."""
    me = api_user()
    post = services.mark_helpful(me, services.get_visible_post(me, post_id))
    db.session.commit()
    return _present(me, post)


@blp.delete("/posts/<int:post_id>/helpful")
@token_required
@blp.response(200, PostSchema)
@blp.alt_response(404, description="No such post, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def unmark_helpful(post_id: int):
    """Take back your "helpful" (without one, nothing changes)."""
    me = api_user()
    post = services.unmark_helpful(me, services.get_visible_post(me, post_id))
    db.session.commit()
    return _present(me, post)


@blp.put("/posts/<int:post_id>/answer")
@token_required
@blp.arguments(AnswerSchema)
@blp.response(200, PostSchema)
@blp.alt_response(403, description="Not your question")
@blp.alt_response(404, description="No such post or comment, or one you cannot see")
@blp.alt_response(409, description="Not a question")
@blp.doc(**TOKEN_DOC)
def mark_answer(body: dict, post_id: int):
    """Mark a comment on your question as its answer."""
    me = api_user()
    post = services.get_visible_post(me, post_id)
    post = services.mark_answer(me, post, body["comment_id"])
    db.session.commit()
    return _present(me, post)


@blp.delete("/posts/<int:post_id>/answer")
@token_required
@blp.response(200, PostSchema)
@blp.alt_response(403, description="Not your question")
@blp.alt_response(404, description="No such post, or one you cannot see")
@blp.doc(**TOKEN_DOC)
def clear_answer(post_id: int):
    """Take the answer mark off your question."""
    me = api_user()
    post = services.clear_answer(me, services.get_visible_post(me, post_id))
    db.session.commit()
    return _present(me, post)
