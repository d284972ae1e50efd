"""Post verbs: write, edit and delete one's own post, remove one (moderators, admins and
the organisers of its group), the "helpful" reaction and its undo, the answer mark on a
question, and the daily "a request matches your skills" notice.

Called by the post pages, the JSON API and the demo seeder. Writes flush, never commit:
the caller commits once. Refusals are `ServiceError` kinds naming the field they concern.

Who sees a post (`get_visible_post`, and the feed's SQL in `queries.py`, which says the
same): logged-in active members, unless its author and the viewer blocked each other, its
group is private and the viewer is not a member (moderators and admins see every group),
or it was removed. A post one may not see answers the same NotFound as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.comments.models import Comment
from community.connections.relations import blocked_ids_select, is_blocked_either_way
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.core.markdown import render_markdown
from community.extensions import db
from community.groups import access as groups
from community.groups.models import Group, GroupMembership, MembershipStatus
from community.notifications.services import notify
from community.posts.models import MatchNotice, Post, PostHelpful, PostKind, PostTag
from community.profiles.models import ProfileTag
from community.profiles.reference import CITY_BY_SLUG
from community.profiles.services import MAX_TAG_LENGTH, tags_by_name

MAX_TITLE = 140
MAX_BODY = 20_000
MAX_POST_TAGS = 10
KINDS = tuple(kind.value for kind in PostKind)
SUBJECT = "post"  # the comments component's subject kind


@dataclass
class PostData:
    """What a writer sends; None leaves a field as it is (edits), `cleared` names the
    optional fields set to nothing (city, group)."""

    kind: str | None = None
    title: str | None = None
    body: str | None = None
    tags: list[str] | None = None
    city: str | None = None
    group_id: int | None = None
    cleared: set[str] = field(default_factory=set)


# --- who may do what -------------------------------------------------------------------------


def _active(user: User | None) -> bool:
    return user is not None and user.status == UserStatus.ACTIVE


def is_moderator(user: User | None) -> bool:
    return _active(user) and (user.has_role(Role.MODERATOR) or user.has_role(Role.ADMIN))


def can_remove(user: User | None, post: Post) -> bool:
    """Moderators and admins, and the organisers of the post's group, remove posts."""
    if not _active(user):
        return False
    if is_moderator(user):
        return True
    return post.group_id is not None and groups.is_group_organiser(user, post.group_id)


def can_edit(user: User | None, post: Post) -> bool:
    return _active(user) and post.author_id == user.id and post.removed_at is None


def get_visible_post(viewer: User | None, post_id: int) -> Post:
    """The post `post_id` if `viewer` may see it, else NotFound (the same as for a missing
    one). Called by every post page, the API and the comments component before anything."""
    gone = NotFound(_("We could not find that post."))
    post = db.session.get(Post, post_id)
    if post is None or not _active(viewer) or post.removed_at is not None:
        raise gone
    if post.author_id == viewer.id:
        return post
    if post.group_id is not None:
        group = db.session.get(Group, post.group_id)
        if group is not None and not groups.can_read(viewer, group):
            raise gone
    if is_blocked_either_way(viewer.id, post.author_id):
        raise gone
    return post


def get_own_post(viewer: User | None, post_id: int) -> Post:
    """The post for its author (edit, delete): Forbidden for others who may see it."""
    post = get_visible_post(viewer, post_id)
    if post.author_id != viewer.id:
        raise Forbidden(_("Only its author can change a post."))
    return post


def postable_groups(user: User) -> list[Group]:
    """The groups `user` may post in: those they are an active member of, by name."""
    return list(
        db.session.scalars(
            select(Group)
            .join(GroupMembership, GroupMembership.group_id == Group.id)
            .where(
                GroupMembership.user_id == user.id,
                GroupMembership.status == MembershipStatus.ACTIVE,
            )
            .order_by(Group.name)
        )
    )


# --- writing ---------------------------------------------------------------------------------


def create_post(author: User, data: PostData) -> Post:
    """Publish a post. Called by the new-post page, the API and the demo.

    Invalid on "kind", "title", "body", "tags", "city" or "group_id"; a group the author is
    not an active member of is refused on "group_id" (NotFound when they may not even see
    it). A new request tells members whose skills it matches (at most once a day each).
    """
    if not _active(author):
        raise Forbidden(_("Your account cannot post."))
    if not data.kind:
        raise Invalid(_("Choose what kind of post this is."), "kind")
    post = Post(author_id=author.id, created_at=utcnow())
    _apply(author, post, data, creating=True)
    db.session.add(post)
    db.session.flush()
    if post.kind == PostKind.REQUEST:
        notify_matching_members(post)
    return post


def update_post(editor: User, post: Post, data: PostData) -> Post:
    """Change one's own post; a real change sets the "edited" mark. Called by the edit page
    and the API (PATCH). Forbidden for anyone but the author."""
    if not can_edit(editor, post):
        raise Forbidden(_("Only its author can edit a post."))
    before = _snapshot(post)
    _apply(editor, post, data, creating=False)
    if post.kind != PostKind.QUESTION:
        post.answer_comment_id = None  # only questions have answers
    if _snapshot(post) != before:
        post.edited_at = utcnow()
    db.session.flush()
    return post


def _snapshot(post: Post) -> tuple:
    return (
        post.kind,
        post.title,
        post.body,
        post.city,
        post.group_id,
        tuple(row.tag_id for row in post.tags),
    )


def _apply(user: User, post: Post, data: PostData, *, creating: bool) -> None:
    if data.kind is not None:
        if data.kind not in KINDS:
            raise Invalid(_("Choose what kind of post this is."), "kind")
        post.kind = data.kind
    if data.title is not None or creating:
        title = " ".join((data.title or "").split())
        if not title:
            raise Invalid(_("Give the post a title."), "title")
        if len(title) > MAX_TITLE:
            raise Invalid(too_long(MAX_TITLE), "title")
        post.title = title
    if data.body is not None or creating:
        body = (data.body or "").strip()
        if not body:
            raise Invalid(_("Write what you want to say."), "body")
        if len(body) > MAX_BODY:
            raise Invalid(too_long(MAX_BODY), "body")
        post.body = body
        post.body_html = render_markdown(body)
    if "city" in data.cleared:
        post.city = None
    elif data.city is not None:
        if data.city and data.city not in CITY_BY_SLUG:
            raise Invalid(_("Choose a city from the list."), "city")
        post.city = data.city or None
    if "group_id" in data.cleared:
        post.group_id = None
    elif data.group_id is not None and data.group_id != post.group_id:
        post.group_id = _group_to_post_in(user, data.group_id).id
    if data.tags is not None:
        labels = [label for label in data.tags if label.strip()]
        if len(labels) > MAX_POST_TAGS:
            raise Invalid(_("Add at most %(n)d tags.", n=MAX_POST_TAGS), "tags")
        if any(len(label.strip()) > MAX_TAG_LENGTH for label in labels):
            raise Invalid(_("Keep each tag under %(n)d characters.", n=MAX_TAG_LENGTH), "tags")
        current = {row.tag_id: row for row in post.tags}
        rows = []
        for index, tag in enumerate(tags_by_name(labels)):
            row = current.get(tag.id) or PostTag(tag=tag, tag_id=tag.id)
            row.position = index
            rows.append(row)
        post.tags = rows


def _group_to_post_in(user: User, group_id: int) -> Group:
    group = db.session.get(Group, group_id)
    if group is None or not groups.can_read(user, group):
        raise NotFound(_("We could not find that group."), "group_id")
    if not groups.is_member(user, group.id):
        raise Invalid(_("Join the group before you post in it."), "group_id")
    return group


def delete_post(author: User, post: Post) -> None:
    """Delete one's own post with its comments and reactions. Called by the delete page and
    the API. Forbidden for anyone but the author (moderators remove instead)."""
    if post.author_id != author.id:
        raise Forbidden(_("Only its author can delete a post."))
    post = lock_row(post)
    post.answer_comment_id = None
    db.session.flush()
    db.session.execute(
        delete(Comment)
        .where(Comment.subject_type == SUBJECT, Comment.subject_id == post.id)
        .where(Comment.parent_id.is_not(None))
    )
    db.session.execute(
        delete(Comment).where(Comment.subject_type == SUBJECT, Comment.subject_id == post.id)
    )
    db.session.delete(post)
    db.session.flush()


def remove_post(actor: User, post: Post) -> None:
    """Remove a post as a moderator, an admin or an organiser of its group: no one sees it
    any more, but it is kept for the record. Removing twice changes nothing. Called by the
    remove page and the API (DELETE by someone other than the author)."""
    if not can_remove(actor, post):
        raise Forbidden(_("Only moderators and the group's organisers can remove posts."))
    post = lock_row(post)
    if post.removed_at is None:
        post.removed_at = utcnow()
        post.removed_by_id = actor.id
        db.session.flush()


# --- helpful -----------------------------------------------------------------------------------


def mark_helpful(member: User, post: Post) -> Post:
    """Say the post helped (once per member; again changes nothing). Counted under the
    post's row lock; the author hears of it. Conflict on one's own post."""
    if post.author_id == member.id:
        raise Conflict(_("You cannot mark your own post as helpful."))
    post = lock_row(post)
    found = db.session.scalar(
        select(PostHelpful).where(PostHelpful.post_id == post.id, PostHelpful.user_id == member.id)
    )
    if found is not None:
        return post
    db.session.add(PostHelpful(post_id=post.id, user_id=member.id, created_at=utcnow()))
    post.helpful_count += 1
    db.session.flush()
    notify(
        post.author_id,
        "post.helpful",
        actor_id=member.id,
        target_type="post",
        target_id=post.id,
        title=post.title,
    )
    return post


def unmark_helpful(member: User, post: Post) -> Post:
    """Take back one's "helpful" (nothing to take back changes nothing)."""
    post = lock_row(post)
    result = db.session.execute(
        delete(PostHelpful).where(PostHelpful.post_id == post.id, PostHelpful.user_id == member.id)
    )
    if result.rowcount:
        post.helpful_count -= 1
        db.session.flush()
    return post


def found_helpful(member: User, post_ids: list[int]) -> set[int]:
    """Which of `post_ids` `member` marked helpful (one query)."""
    if not post_ids:
        return set()
    return set(
        db.session.scalars(
            select(PostHelpful.post_id).where(
                PostHelpful.user_id == member.id, PostHelpful.post_id.in_(post_ids)
            )
        )
    )


# --- the answer ----------------------------------------------------------------------------


def mark_answer(author: User, post: Post, comment_id: int) -> Post:
    """Mark a comment on one's own question as its answer (replacing an earlier mark); its
    writer hears of it. Forbidden for anyone but the author; Conflict for other kinds;
    NotFound on "comment_id" for a comment that is not a live one on this post."""
    if post.author_id != author.id:
        raise Forbidden(_("Only the question's author can mark the answer."))
    if post.kind != PostKind.QUESTION:
        raise Conflict(_("Only questions have an answer to mark."))
    comment = db.session.get(Comment, comment_id)
    if (
        comment is None
        or comment.subject_type != SUBJECT
        or comment.subject_id != post.id
        or not comment.live
        or is_blocked_either_way(author.id, comment.author_id)
    ):
        raise NotFound(_("We could not find that comment."), "comment_id")
    post = lock_row(post)
    if post.answer_comment_id == comment.id:
        return post
    post.answer_comment_id = comment.id
    db.session.flush()
    if comment.author_id != author.id:
        notify(
            comment.author_id,
            "post.answer",
            actor_id=author.id,
            target_type="comment",
            target_id=comment.id,
            post_id=post.id,
            title=post.title,
        )
    return post


def clear_answer(author: User, post: Post) -> Post:
    """Take the answer mark off one's own question."""
    if post.author_id != author.id:
        raise Forbidden(_("Only the question's author can mark the answer."))
    post = lock_row(post)
    post.answer_comment_id = None
    db.session.flush()
    return post


# --- the daily matching notice -----------------------------------------------------------------


def notify_matching_members(post: Post) -> int:
    """Tell members whose skills include one of a new request's tags, at most once per
    member and UTC day: each notice first claims the member's (user, day) row, and a
    member whose claim exists already (an earlier request, or one posted at this very
    moment) is skipped. Members who may not see the post are never told. Returns how many
    were told."""
    tag_ids = [row.tag_id for row in post.tags]
    if not tag_ids:
        return 0
    today = utcnow().date()
    statement = (
        select(ProfileTag.user_id)
        .join(User, User.id == ProfileTag.user_id)
        .where(
            ProfileTag.kind == "skill",
            ProfileTag.tag_id.in_(tag_ids),
            ProfileTag.user_id != post.author_id,
            ProfileTag.user_id.not_in(blocked_ids_select(post.author_id)),
            User.status == UserStatus.ACTIVE,
        )
        .distinct()
    )
    if post.group_id is not None:
        group = db.session.get(Group, post.group_id)
        if group is not None and group.is_private:
            statement = statement.where(
                ProfileTag.user_id.in_(
                    select(GroupMembership.user_id).where(
                        GroupMembership.group_id == group.id,
                        GroupMembership.status == MembershipStatus.ACTIVE,
                    )
                )
            )
    candidates = set(db.session.scalars(statement))
    if not candidates:
        return 0
    claimed = set(
        db.session.scalars(
            select(MatchNotice.user_id).where(
                MatchNotice.day == today, MatchNotice.user_id.in_(candidates)
            )
        )
    )
    told = 0
    for user_id in sorted(candidates - claimed):
        try:
            with db.session.begin_nested():
                db.session.add(MatchNotice(user_id=user_id, day=today, post_id=post.id))
        except IntegrityError:
            continue  # another request claimed today's notice at the same moment
        notify(
            user_id,
            "post.match",
            actor_id=post.author_id,
            target_type="post",
            target_id=post.id,
            title=post.title,
        )
        told += 1
    return told


# Registers this feature's notification kinds (the registry is complete once services load).
from community.posts import notifications as _notifications  # noqa: E402,F401
