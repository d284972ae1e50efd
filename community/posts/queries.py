"""The feed of posts and what the page shows around each one, in a fixed number of queries.

`list_posts` is the one list query (pages and API): what the viewer may see, by the same
rules as `services.get_visible_post` written as SQL (blocks both ways, private groups,
removed posts), filtered, newest first, keyset-paged so page 100 costs what page 1 costs.
`match_reasons` says which offers and requests match the viewer's own profile, and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.comments.models import Comment
from community.connections.models import Connection, ConnectionStatus
from community.connections.relations import blocked_ids_select
from community.core.pagination import Page, keyset
from community.extensions import db
from community.groups.access import not_hidden_group_clause, readable_group_clause
from community.groups.models import Group
from community.posts.models import Post, PostKind, PostTag
from community.posts.services import SUBJECT
from community.profiles.models import ProfileTag, Tag
from community.profiles.services import normalise_tag

PAGE_SIZE = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class PostFilters:
    kind: str = ""
    tag: str = ""
    city: str = ""
    group: str = ""  # a group's slug or id
    connections: bool = False

    def active(self) -> bool:
        return bool(self.kind or self.tag or self.city or self.group or self.connections)


def _connected_ids(user_id: int):
    return (
        select(Connection.high_id)
        .where(Connection.low_id == user_id, Connection.status == ConnectionStatus.ACCEPTED)
        .union(
            select(Connection.low_id).where(
                Connection.high_id == user_id, Connection.status == ConnectionStatus.ACCEPTED
            )
        )
    )


def find_group(viewer: User, reference: str) -> Group | None:
    """The group a `?group=` names (slug or id), if the viewer may read it."""
    reference = (reference or "").strip()[:80]
    if not reference:
        return None
    column = Group.id if reference.isascii() and reference.isdigit() else Group.slug
    value = int(reference) if column is Group.id and len(reference) < 10 else reference
    if column is Group.id and not isinstance(value, int):
        return None
    return db.session.scalar(
        select(Group).where(column == value, readable_group_clause(viewer, Group.id))
    )


def visible_posts(viewer: User):
    """SELECT of the posts `viewer` may see (the SQL twin of `get_visible_post`). Every
    condition is a negative one (not removed, not by someone blocked, not in a hidden group)
    so the feed walks `ix_posts_created_id` newest first and stops after a page, rather than
    gathering every post of the readable groups and sorting them."""
    return select(Post).where(
        Post.removed_at.is_(None),
        or_(Post.author_id == viewer.id, Post.author_id.not_in(blocked_ids_select(viewer.id))),
        or_(Post.author_id == viewer.id, not_hidden_group_clause(viewer, Post.group_id)),
    )


def list_posts(
    viewer: User, filters: PostFilters, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page[Post]:
    """A page of the posts `viewer` may see, newest first, filtered. BadCursor (400) for a
    cursor we did not make. A group the viewer may not read gives no posts (as a missing
    one does). Called by the feed page and `GET /api/v1/posts`."""
    statement = visible_posts(viewer).options(joinedload(Post.author))
    if filters.kind:
        statement = statement.where(Post.kind == filters.kind)
    if filters.city:
        statement = statement.where(Post.city == filters.city)
    if filters.tag:
        statement = statement.where(
            Post.id.in_(
                select(PostTag.post_id)
                .join(Tag, Tag.id == PostTag.tag_id)
                .where(Tag.name == normalise_tag(filters.tag))
            )
        )
    if filters.group:
        group = find_group(viewer, filters.group)
        statement = statement.where(Post.group_id == (group.id if group else -1))
    if filters.connections:
        statement = statement.where(Post.author_id.in_(_connected_ids(viewer.id)))
    return keyset(statement, [Post.created_at.desc(), Post.id.desc()], cursor, limit)


def comment_counts(viewer: User, post_ids: list[int]) -> dict[int, int]:
    """Live comments per post, leaving out those of members blocked either way (one query)."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        select(Comment.subject_id, func.count())
        .where(
            Comment.subject_type == SUBJECT,
            Comment.subject_id.in_(post_ids),
            Comment.deleted_at.is_(None),
            Comment.removed_at.is_(None),
            Comment.author_id.not_in(blocked_ids_select(viewer.id)),
        )
        .group_by(Comment.subject_id)
    )
    return dict(rows.all())


def group_names(posts: list[Post]) -> dict[int, Group]:
    """The groups of a page's posts by id (one query; the posts are already visible)."""
    ids = {post.group_id for post in posts if post.group_id}
    if not ids:
        return {}
    return {group.id: group for group in db.session.scalars(select(Group).where(Group.id.in_(ids)))}


def match_reasons(viewer: User, posts: list[Post]) -> dict[int, str]:
    """Why each offer or request matches the viewer, by post id: a request whose tags are
    among the viewer's skills ("Matches your skill: Danish tax"), an offer whose tags are
    among their interests ("Matches your interest: ..."). One query for any number of
    posts; the viewer's own posts never match."""
    candidates = [
        post
        for post in posts
        if post.kind in (PostKind.OFFER, PostKind.REQUEST) and post.author_id != viewer.id
    ]
    if not candidates:
        return {}
    mine: dict[str, set[int]] = defaultdict(set)
    for tag_id, kind in db.session.execute(
        select(ProfileTag.tag_id, ProfileTag.kind).where(ProfileTag.user_id == viewer.id)
    ):
        mine[kind].add(tag_id)
    reasons: dict[int, str] = {}
    for post in candidates:
        tags = [row.tag for row in post.tags]
        if post.kind == PostKind.REQUEST:
            shared = [tag.label for tag in tags if tag.id in mine["skill"]]
            if shared:
                reasons[post.id] = _("Matches your skill: %(tags)s", tags=", ".join(shared))
            continue
        shared = [tag.label for tag in tags if tag.id in mine["interest"]]
        if shared:
            reasons[post.id] = _("Matches your interest: %(tags)s", tags=", ".join(shared))
    return reasons
