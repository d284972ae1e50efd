"""Posts in the one search (kind "post", code 2; see `community.search`).

A post's document is its title (title) and its public text: the rendered body as plain
text, its tags, its kind's label and its city. A removed post is not indexed (and a post
deleted is unindexed by the flush that deletes it). Who finds a post is who may open it
(`queries.visible_posts` / `services.get_visible_post`): not removed, author not blocked
either way (moderators and admins included, as on the post page), and its group readable
(`readable_group_clause`) unless the viewer wrote it.
"""

from __future__ import annotations

import functools

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, Select, and_, bindparam, or_, select

from community.auth.models import User
from community.auth.roles import Role
from community.connections.relations import blocked_ids_select
from community.extensions import db
from community.groups.access import readable_group_clause
from community.groups.models import Group
from community.posts.forms import kind_label
from community.posts.models import Post, PostTag
from community.profiles import reference as ref
from community.profiles.models import Tag
from community.search.kinds import plain_text, tag_labels, tagged
from community.search.registry import (
    Asker,
    Document,
    Hit,
    Kind,
    Result,
    Watch,
    probe,
    register,
)


def _documents(connection: Connection, ids: list[int]) -> dict[int, Document]:
    rows = connection.execute(
        select(Post.id, Post.title, Post.body_html, Post.kind, Post.city).where(
            Post.id.in_(ids), Post.removed_at.is_(None)
        )
    ).all()
    tags = tag_labels(connection, PostTag, PostTag.post_id, ids)
    documents = {}
    for post_id, title, body_html, kind, city in rows:
        body = [
            plain_text(body_html),
            " ".join(tags.get(post_id, [])),
            kind_label(kind),
            ref.city_label(city),
        ]
        documents[post_id] = Document(title, "\n".join(part for part in body if part))
    return documents


def _visible(viewer: User, ref_id):
    """The SQL twin of `get_visible_post`, probed per candidate (`probe`)."""
    mine = Post.author_id == viewer.id
    return probe(
        select(Post.id).where(
            Post.id == ref_id,
            Post.removed_at.is_(None),
            or_(mine, Post.author_id.not_in(blocked_ids_select(viewer.id))),
            or_(mine, readable_group_clause(viewer, Post.group_id)),
        )
    )


@functools.lru_cache(maxsize=16)
def _present_statement(roles: frozenset[Role]) -> Select:
    """Built once per set of roles (`Asker`): run with `viewer_id` and `ids`."""
    asker = Asker(roles)
    return (
        select(Post.id, Post.kind, Post.city, Group.name.label("group_name"))
        .outerjoin(Group, and_(Group.id == Post.group_id, readable_group_clause(asker, Group.id)))
        .where(Post.id.in_(bindparam("ids", expanding=True)))
    )


def _present(viewer: User, hits: list[Hit]) -> list[Result]:
    """Kind label, the group's name (the post is visible, so is its group, unless it is the
    viewer's own post in a group they may no longer read) and the city."""
    params = {"viewer_id": viewer.id, "ids": [hit.ref_id for hit in hits]}
    rows = {
        row.id: row
        for row in db.session.connection().execute(_present_statement(viewer.roles), params)
    }
    results = []
    for hit in hits:
        row = rows.get(hit.ref_id)
        if row is None:
            continue
        meta = [kind_label(row.kind), row.group_name or "", ref.city_label(row.city)]
        results.append(
            Result(
                type="post",
                id=hit.ref_id,
                title=hit.title,
                snippet=hit.snippet,
                url=url_for("posts.show", post_id=hit.ref_id),
                meta=[line for line in meta if line],
            )
        )
    return results


POST = register(
    Kind(
        name="post",
        code=2,
        label=_l("Posts"),
        singular=_l("Post"),
        watches=(
            Watch(Post, lambda post: post.id, ("title", "body_html", "kind", "city", "removed_at")),
            Watch(PostTag, lambda row: row.post_id),
            Watch(Tag, lambda tag: tagged(PostTag.post_id, PostTag.tag_id, tag), ("label",)),
        ),
        all_ids=lambda connection: select(Post.id).order_by(Post.id),
        documents=_documents,
        visible=_visible,
        present=_present,
    )
)
