"""Comment verbs: add (or reply), edit and delete one's own, remove (hosts and moderators),
and the list of a subject's comments as one viewer may see it.

Called by the comment pages, the JSON API, the demo seeder and the features that show
comments (the event page now, posts next). Writes flush, never commit: the caller commits
once. Refusals are `ServiceError` kinds naming the field they concern.

Who sees what: a comment is seen by whoever may see its subject (the subject kind's
`load`), except that a member never sees the comments of someone they blocked or who
blocked them; a hidden top-level comment hides its thread. Authors are named as far as
their profile's visibility allows the viewer (`profiles.directory.visible_ids`); the
subject's owner is always named, as their subject's page names them already.

Threads are one level deep: a reply to a reply attaches to the top-level comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.comments.models import Comment, RemovedAs
from community.comments.registry import SubjectKind, kind_of
from community.connections.relations import blocked_ids_select, is_blocked_either_way
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.core.markdown import render_markdown
from community.core.pagination import Page, encode_cursor, keyset
from community.extensions import db
from community.notifications.services import notify

MAX_COMMENT_LENGTH = 5_000
PAGE_SIZE = 30  # top-level comments per page (each with all its replies)
MAX_PAGE = 100


# --- permissions ---------------------------------------------------------------------------


def can_moderate(viewer: User, kind: SubjectKind, subject: Any) -> bool:
    """Whether `viewer` may remove comments on `subject`: moderators and admins always, and
    whoever the subject's feature says hosts it (an event's organiser)."""
    if viewer.status != UserStatus.ACTIVE:
        return False
    return viewer.has_role(Role.MODERATOR) or kind.can_moderate(viewer, subject)


@dataclass(frozen=True)
class Found:
    """A comment with its subject, as loaded for one viewer."""

    comment: Comment
    kind: SubjectKind
    subject: Any


def get_comment(viewer: User | None, comment_id: int) -> Found:
    """The comment `comment_id` with its subject, if `viewer` may see it: they may see the
    subject, and neither its author nor (for a reply) its thread's author blocked them or
    was blocked by them. NotFound otherwise, and for a deleted comment (it is gone).
    Called by the comment pages and the API before every change."""
    gone = NotFound(_("We could not find that comment."))
    comment = db.session.get(Comment, comment_id)
    if comment is None or viewer is None or comment.deleted:
        raise gone
    kind = kind_of(comment.subject_type)
    subject = kind.load(viewer, comment.subject_id)
    authors = {comment.author_id}
    if comment.parent_id is not None:
        parent = db.session.get(Comment, comment.parent_id)
        authors.add(parent.author_id)
    for author_id in authors - {viewer.id}:
        if is_blocked_either_way(viewer.id, author_id):
            raise gone
    return Found(comment, kind, subject)


def get_own_comment(viewer: User, comment_id: int) -> Found:
    """`get_comment` for its author only (the edit and delete pages): Forbidden for others,
    Conflict once it was removed."""
    found = get_comment(viewer, comment_id)
    if found.comment.author_id != viewer.id:
        raise Forbidden(_("Only its author can change a comment."))
    if found.comment.removed:
        raise Conflict(_("This comment was removed by a moderator or host."))
    return found


def get_moderated_comment(viewer: User, comment_id: int) -> Found:
    """`get_comment` for those who may remove it (the remove page): Forbidden for others."""
    found = get_comment(viewer, comment_id)
    if not can_moderate(viewer, found.kind, found.subject):
        raise Forbidden(_("Only hosts and moderators can remove comments."))
    return found


# --- verbs ---------------------------------------------------------------------------------


def _clean_body(body: str | None) -> tuple[str, str]:
    """The Markdown source, trimmed, and its sanitised HTML; Invalid on "body" when empty
    or over MAX_COMMENT_LENGTH."""
    text = (body or "").strip()
    if not text:
        raise Invalid(_("Write your comment first."), "body")
    if len(text) > MAX_COMMENT_LENGTH:
        raise Invalid(too_long(MAX_COMMENT_LENGTH), "body")
    return text, render_markdown(text)


def add_comment(
    author: User,
    subject_type: str,
    subject_id: int,
    body: str,
    parent_id: int | None = None,
) -> Comment:
    """Comment on a subject, or reply to `parent_id` (a reply to a reply joins the thread of
    the top-level comment). Called by the comment form, the API and the demo.

    NotFound when the author may not see the subject or the parent; Conflict when the
    subject takes no new comments (a cancelled event) or the parent was removed; Invalid on
    "body". Records "comment.reply" for the parent's author and "comment.new" for the
    subject's owner (once each, never to the author themself).
    """
    kind = kind_of(subject_type)
    subject = kind.load(author, subject_id)
    reason = kind.closed(subject)
    if reason:
        raise Conflict(reason)
    text, html = _clean_body(body)
    parent = None
    if parent_id is not None:
        try:
            found = get_comment(author, parent_id)
        except NotFound as error:
            raise NotFound(error.message, "parent_id") from None
        parent = found.comment
        if parent.subject_type != subject_type or parent.subject_id != subject_id:
            raise NotFound(_("We could not find that comment."), "parent_id")
        if parent.parent_id is not None:
            parent = db.session.get(Comment, parent.parent_id)
        parent = lock_row(parent)  # a removal or delete at the same moment waits, or wins
        if not parent.live:
            raise Conflict(_("That comment was removed, so it takes no replies."))
    comment = Comment(
        subject_type=subject_type,
        subject_id=subject_id,
        author_id=author.id,
        parent_id=parent.id if parent else None,
        body=text,
        body_html=html,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    _notify(author, kind, subject, comment, parent)
    return comment


def _notify(author: User, kind: SubjectKind, subject: Any, comment: Comment, parent) -> None:
    told = {author.id}
    details = {
        "subject_type": kind.name,
        "subject_id": comment.subject_id,
        "title": kind.title(subject),
    }
    if parent is not None and parent.author_id not in told:
        notify(
            parent.author_id,
            "comment.reply",
            actor_id=author.id,
            target_type="comment",
            target_id=comment.id,
            **details,
        )
        told.add(parent.author_id)
    owner_id = kind.owner_id(subject)
    if owner_id not in told:
        notify(
            owner_id,
            "comment.new",
            actor_id=author.id,
            target_type="comment",
            target_id=comment.id,
            **details,
        )


def edit_comment(editor: User, comment: Comment, body: str) -> Comment:
    """Change the text of one's own comment; a real change sets the "edited" mark.
    Called by the edit page and the API (PATCH). Forbidden for anyone but the author;
    Conflict once it was removed; Invalid on "body"."""
    if comment.author_id != editor.id:
        raise Forbidden(_("Only its author can edit a comment."))
    comment = lock_row(comment)  # not edited back into view while being removed
    if comment.removed:
        raise Conflict(_("This comment was removed, so it can no longer be edited."))
    if comment.deleted:
        raise NotFound(_("We could not find that comment."))
    text, html = _clean_body(body)
    if text != comment.body:
        comment.body = text
        comment.body_html = html
        comment.edited_at = utcnow()
        db.session.flush()
    return comment


def delete_comment(author: User, comment: Comment) -> None:
    """Delete one's own comment: its text is erased; while replies remain the thread shows
    "comment deleted" in its place, otherwise it disappears. Called by the delete page and
    the API. Forbidden for anyone but the author (hosts and moderators remove instead);
    Conflict once it was removed; deleting twice changes nothing."""
    if comment.author_id != author.id:
        raise Forbidden(_("Only its author can delete a comment."))
    comment = lock_row(comment)
    if comment.removed:
        raise Conflict(_("This comment was already removed by a moderator."))
    if comment.deleted:
        return
    comment.deleted_at = utcnow()
    comment.body = ""
    comment.body_html = ""
    db.session.flush()


def remove_comment(actor: User, found: Found) -> None:
    """Remove a comment as a host of its subject or a moderator: its text is no longer shown
    (the thread shows "removed by a host" or "removed by a moderator" in its place) but is
    kept for the record. Called by the remove page and the API. Forbidden for others;
    removing twice changes nothing."""
    if not can_moderate(actor, found.kind, found.subject):
        raise Forbidden(_("Only hosts and moderators can remove comments."))
    comment = lock_row(found.comment)
    if comment.removed or comment.deleted:
        return
    comment.removed_at = utcnow()
    comment.removed_by_id = actor.id
    comment.removed_as = RemovedAs.MODERATOR if actor.has_role(Role.MODERATOR) else RemovedAs.HOST
    db.session.flush()


# --- the list ------------------------------------------------------------------------------


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class CommentList:
    """A page of a subject's threads as one viewer sees them, with what they may do."""

    kind: SubjectKind
    subject: Any
    subject_id: int
    page: Page
    threads: list[Thread]
    names: dict[int, str]  # author id -> the name the viewer may see
    profiles: set[int]  # authors whose profile the viewer may open
    viewer_id: int
    owner_id: int
    moderator: bool
    closed: str | None
    # Words a subject's page pins on some comments (a post's answer), by comment id.
    marks: dict[int, str] = field(default_factory=dict)

    def name(self, comment: Comment) -> str | None:
        """The author's name, or None when their profile is hidden from the viewer."""
        return self.names.get(comment.author_id)

    def can_edit(self, comment: Comment) -> bool:
        return comment.author_id == self.viewer_id and comment.live

    def can_remove(self, comment: Comment) -> bool:
        return self.moderator and comment.live

    def can_reply(self) -> bool:
        return not self.closed


def list_comments(
    viewer: User,
    subject_type: str,
    subject_id: int,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    *,
    subject: Any = None,
) -> CommentList:
    """A page of `limit` top-level comments, oldest first, each with all its replies
    (oldest first). Called by the subject's page (which passes the `subject` it already
    loaded for this viewer through the same kind's `load`) and the API.

    NotFound when the viewer may not see the subject; BadCursor (400) for a cursor we did
    not make. Costs the same number of queries whatever the number of comments: one for
    the page, one for the replies, three for the authors' visibility.
    """
    kind = kind_of(subject_type)
    if subject is None:
        subject = kind.load(viewer, subject_id)
    hidden = blocked_ids_select(viewer.id)
    reply = aliased(Comment)
    shown_reply = exists().where(
        reply.parent_id == Comment.id,
        reply.deleted_at.is_(None),
        reply.author_id.not_in(hidden),
    )
    statement = (
        select(Comment)
        .where(
            Comment.subject_type == subject_type,
            Comment.subject_id == subject_id,
            Comment.parent_id.is_(None),
            Comment.author_id.not_in(hidden),
            or_(Comment.deleted_at.is_(None), shown_reply),
        )
        .options(joinedload(Comment.author))
    )
    page = keyset(statement, [Comment.created_at, Comment.id], cursor, limit)
    return _listing(viewer, kind, subject, subject_id, page)


def single(viewer: User, found: Found) -> CommentList:
    """A one-thread CommentList for the comment in `found` (with its replies when it is a
    top-level one): what the API answers after writing or editing a comment."""
    comment = found.comment
    top = comment.parent_id is None
    page = Page([comment] if top else [], None)
    also = () if top else (comment,)
    return _listing(viewer, found.kind, found.subject, comment.subject_id, page, also)


def _listing(
    viewer: User,
    kind: SubjectKind,
    subject: Any,
    subject_id: int,
    page: Page,
    also: tuple[Comment, ...] = (),
) -> CommentList:
    """The CommentList of `page`'s top-level comments: their replies in one query, and the
    authors' names (of those and of `also`) as far as the viewer may see them."""
    hidden = blocked_ids_select(viewer.id)
    threads = {comment.id: Thread(comment) for comment in page.items}
    if threads:
        replies = db.session.scalars(
            select(Comment)
            .where(
                Comment.parent_id.in_(list(threads)),
                Comment.deleted_at.is_(None),
                Comment.author_id.not_in(hidden),
            )
            .options(joinedload(Comment.author))
            .order_by(Comment.created_at, Comment.id)
        )
        for row in replies:
            threads[row.parent_id].replies.append(row)
    authors = {
        comment.author_id: comment.author
        for thread in threads.values()
        for comment in (thread.comment, *thread.replies)
    }
    authors.update({comment.author_id: comment.author for comment in also})
    owner_id = kind.owner_id(subject)
    from community.profiles.directory import visible_ids  # profiles build on connections

    profiles = visible_ids(viewer, set(authors))
    named = profiles | {viewer.id, owner_id}
    return CommentList(
        kind=kind,
        subject=subject,
        subject_id=subject_id,
        page=page,
        threads=list(threads.values()),
        names={i: user.display_name for i, user in authors.items() if i in named},
        profiles=profiles,
        viewer_id=viewer.id,
        owner_id=owner_id,
        moderator=can_moderate(viewer, kind, subject),
        closed=kind.closed(subject),
    )


def cursor_for(comment: Comment, limit: int = PAGE_SIZE) -> str | None:
    """The cursor of the page that shows `comment`'s thread, or None for the first page: a
    page that starts with its thread when more than `limit` threads come before it. Used
    to send a member back to the comment they just wrote."""
    top = db.session.get(Comment, comment.parent_id) if comment.parent_id else comment
    before = and_(
        Comment.subject_type == top.subject_type,
        Comment.subject_id == top.subject_id,
        Comment.parent_id.is_(None),
        or_(
            Comment.created_at < top.created_at,
            and_(Comment.created_at == top.created_at, Comment.id < top.id),
        ),
    )
    earlier = db.session.scalar(select(func.count()).select_from(Comment).where(before))
    if earlier < limit:
        return None
    previous = db.session.execute(
        select(Comment.created_at, Comment.id)
        .where(before)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(1)
    ).one()
    return encode_cursor({"k": [previous.created_at.isoformat(), previous.id], "d": "n"})


# Registers this feature's notification kinds (the registry is complete once services load).
from community.comments import notifications as _notifications  # noqa: E402,F401
