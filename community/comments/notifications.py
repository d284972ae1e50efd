"""The comments component's notifications: comments as notification targets (with the
subject they hang on), and the kinds "comment.new" and "comment.reply". Imported by
`community.comments.services`.

A comment is visible as a target by the rule of `services.get_comment`: not deleted, its
subject visible (the subject feature's own target loader, e.g. `visible_posts`), and
neither its author nor its thread's author blocked either way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.comments.models import Comment
from community.comments.registry import kind_of
from community.core.errors import NotFound
from community.extensions import db
from community.notifications.kinds import (
    DAILY,
    NotificationKind,
    Seen,
    Target,
    about_target,
    load_targets,
    register_kind,
    register_target,
)


@dataclass(frozen=True)
class CommentTarget:
    """A comment the viewer may see, with its subject: `title` names the subject, `url`
    links to the comment on the subject's page, `group_subject` is what several comments
    about the same thing share (for "3 new comments on your post")."""

    comment: Comment
    subject: Any
    title: str
    url: str
    group_subject: tuple


def _load_comments(viewer, ids: list[int], seen: Seen) -> dict[int, CommentTarget]:
    """The comments of `ids` `viewer` may see (two queries, plus the subjects' loaders)."""
    comments = list(
        db.session.scalars(select(Comment).where(Comment.id.in_(ids), Comment.deleted_at.is_(None)))
    )
    parent_ids = {c.parent_id for c in comments if c.parent_id is not None}
    parent_authors = (
        dict(
            db.session.execute(
                select(Comment.id, Comment.author_id).where(Comment.id.in_(parent_ids))
            ).all()
        )
        if parent_ids
        else {}
    )
    wanted: dict[str, set[int]] = defaultdict(set)
    for comment in comments:
        wanted[comment.subject_type].add(comment.subject_id)
    load_targets(viewer, wanted, seen)
    found: dict[int, CommentTarget] = {}
    for comment in comments:
        subject = seen.plain(comment.subject_type, comment.subject_id)
        if subject is None:
            continue
        authors = {comment.author_id, parent_authors.get(comment.parent_id)} - {None, viewer.id}
        if authors & seen.blocked:
            continue
        try:
            kind = kind_of(comment.subject_type)
        except NotFound:
            continue
        found[comment.id] = CommentTarget(
            comment,
            subject,
            kind.title(subject),
            f"{kind.url(subject)}#comment-{comment.id}",
            (comment.subject_type, comment.subject_id),
        )
    return found


register_target(Target("comment", _load_comments))

register_kind(
    NotificationKind(
        "comment.new",
        _l("New comments on your posts and events"),
        "comments",
        DAILY,
        about_target(
            lambda n, found, seen: _(
                "%(name)s commented on “%(title)s”.", name=seen.actor_name(n), title=found.title
            ),
            lambda n, found: found.url,
            grouped=lambda count, n, found: _(
                "%(count)d new comments on “%(title)s”.", count=count, title=found.title
            ),
        ),
    )
)

register_kind(
    NotificationKind(
        "comment.reply",
        _l("Replies to your comments"),
        "comments",
        DAILY,
        about_target(
            lambda n, found, seen: _(
                "%(name)s replied to your comment on “%(title)s”.",
                name=seen.actor_name(n),
                title=found.title,
            ),
            lambda n, found: found.url,
            grouped=lambda count, n, found: _(
                "%(count)d new replies to your comments on “%(title)s”.",
                count=count,
                title=found.title,
            ),
        ),
    )
)
