"""The posts feature's notifications: posts as notification targets, and the kinds
"post.helpful", "post.answer" and "post.match". Imported by `community.posts.services`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import lazyload

from community.core.urls import site_path
from community.extensions import db
from community.notifications.kinds import (
    DAILY,
    NotificationKind,
    Seen,
    Target,
    about_target,
    register_kind,
    register_target,
)
from community.posts.models import Post
from community.posts.queries import visible_posts


def _load_posts(viewer, ids: list[int], seen: Seen) -> dict[int, Post]:
    """The posts of `ids` `viewer` may see (`visible_posts`, the SQL twin of
    `get_visible_post`): one query."""
    return {
        post.id: post
        for post in db.session.scalars(
            visible_posts(viewer).where(Post.id.in_(ids)).options(lazyload("*"))
        )
    }


register_target(Target("post", _load_posts))


def _post_url(notification, post: Post) -> str:
    return site_path("posts.show", post_id=post.id)


register_kind(
    NotificationKind(
        "post.helpful",
        _l("Someone found your post helpful"),
        "posts",
        DAILY,
        about_target(
            lambda n, post, seen: _(
                "%(name)s found your post “%(title)s” helpful.",
                name=seen.actor_name(n),
                title=post.title,
            ),
            _post_url,
            grouped=lambda count, n, post: _(
                "%(count)d members found your post “%(title)s” helpful.",
                count=count,
                title=post.title,
            ),
        ),
    )
)

register_kind(
    NotificationKind(
        "post.match",
        _l("Requests that match your skills"),
        "posts",
        DAILY,
        about_target(
            lambda n, post, seen: _(
                "%(name)s asked for help that matches your skills: “%(title)s”.",
                name=seen.actor_name(n),
                title=post.title,
            ),
            _post_url,
        ),
    )
)

register_kind(
    NotificationKind(
        "post.answer",
        _l("Your comment marked as the answer"),
        "posts",
        DAILY,
        # The target is the comment (loaded by the comments component, with its post).
        about_target(
            lambda n, found, seen: _(
                "%(name)s marked your comment as the answer to “%(title)s”.",
                name=seen.actor_name(n),
                title=found.title,
            ),
            lambda n, found: found.url,
        ),
    )
)
