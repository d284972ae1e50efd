"""Group verbs: create and edit a group, its cover; join, ask to join, approve or decline a
request, remove a member, add a co-organiser, renew the invite link, leave. And the reading helpers pages and the
API share (`get_visible_group`, `list_groups`, `list_members`, ...).

Called by the group pages, the JSON API and the demo seeder. Writes flush, never commit:
the caller commits once. Refusals are `ServiceError` kinds naming the field they concern.

Who may do what:
- Create a group: members with the organiser role, moderators and admins.
- Edit it, see and answer join requests, remove members, make a member a co-organiser,
  see, share and renew the invite link: the group's active organisers, moderators and admins.
- Join: any active member joins a public group at once. A private group is invisible to
  non-members (the same 404 as a missing group); one of its organisers shares its invite
  link (`/groups/<slug>/join/<token>`, `invite_token`), and whoever opens it may ask to
  join; an organiser approves or declines the request. The link is a keyed hash of the
  group's id and its `invite_version`, so it cannot be guessed; an organiser makes a new
  one (`rotate_invite_link`), and every older link stops working at once.
- Leave: any member. The last organiser of a group with other members must name a
  successor among them (who becomes an organiser); the only member of a group cannot leave
  it (the group would have nobody to look after it).

`member_count` counts active memberships and changes only under `lock_row(group)`, in the
transaction with the check that allows it; concurrent joins insert through
`get_or_create`, so two requests at once make one membership and one count.

Every change of a group or of who is in it calls `sync_group_chat_room(group)` in the same
transaction: the chat issue fills it in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.connections.relations import blocked_ids_select
from community.core.database import get_or_create, lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.core.markdown import render_markdown
from community.core.pagination import Page, keyset
from community.extensions import db
from community.groups import covers
from community.groups.access import (
    can_read,
    is_group_organiser,
    membership_of,
    readable_group_clause,
    sees_everything,
)
from community.groups.models import (
    Group,
    GroupMembership,
    GroupVisibility,
    MembershipRole,
    MembershipStatus,
)
from community.notifications.services import notify
from community.profiles.reference import CITY_BY_SLUG

# Field limits: forms and API schemas import these.
MAX_NAME = 80
MAX_DESCRIPTION = 5_000
MAX_COVER_ALT = 200
MAX_SEARCH = 80
PAGE_SIZE = 20
MEMBERS_SHOWN = 12
MAX_SLUG = 80
# Paths under /groups/ that a group's slug must not take.
RESERVED_SLUGS = frozenset({"new", "covers"})


@dataclass
class GroupData:
    """What an organiser sets on a group; None means "leave as it is" (on update)."""

    name: str | None = None
    description: str | None = None
    city: str | None = None  # a host-city slug, or "" for none
    visibility: str | None = None  # "public" or "private"


@dataclass
class GroupFilters:
    """The groups list's GET form; empty values filter nothing."""

    q: str = ""
    city: str = ""

    def active(self) -> bool:
        return bool(self.q.strip() or self.city)


# --- the chat hook -------------------------------------------------------------------------


def sync_group_chat_room(group: Group) -> None:
    """Bring the group's chat room in line with the group and its active members.

    Creates the room with the group, adds new members, and takes out those who left or were
    removed (their open sockets leave the room after the commit). Called by every verb
    below that creates a group or changes who is in it (create, join, approve, leave,
    remove, a new co-organiser), inside that verb's transaction, after the change is
    flushed.
    """
    from community.chat.models import ConversationKind
    from community.chat.services import sync_room

    active = set(
        db.session.scalars(
            select(GroupMembership.user_id).where(
                GroupMembership.group_id == group.id,
                GroupMembership.status == MembershipStatus.ACTIVE,
            )
        )
    )
    sync_room(ConversationKind.GROUP_ROOM, "group_id", group.id, active)


# --- permissions ---------------------------------------------------------------------------


def can_create_groups(user: User | None) -> bool:
    """Organisers create groups, and so do moderators and admins."""
    return (
        user is not None
        and user.status == UserStatus.ACTIVE
        and (user.has_role(Role.ORGANISER) or user.has_role(Role.MODERATOR))
    )


def can_manage_group(user: User | None, group: Group) -> bool:
    """The group's active organisers, moderators and admins."""
    if user is None or user.status != UserStatus.ACTIVE:
        return False
    return sees_everything(user) or is_group_organiser(user, group.id)


def _require_manager(actor: User, group: Group) -> None:
    if not can_read(actor, group):
        raise NotFound(_("We could not find that group."))
    if not can_manage_group(actor, group):
        raise Forbidden(_("Only the group's organisers can do this."))


# --- loading -------------------------------------------------------------------------------


def get_visible_group(viewer: User | None, slug: str) -> Group:
    """The group `slug` if `viewer` may see it, else NotFound (the same for a missing one
    and for a private group `viewer` is not an active member of). Called by every group
    page before anything else."""
    group = db.session.scalar(select(Group).where(Group.slug == slug)) if slug else None
    return _visible(viewer, group)


def get_visible_group_by_id(viewer: User | None, group_id: int) -> Group:
    """`get_visible_group` by id (the API)."""
    return _visible(viewer, db.session.get(Group, group_id))


def _visible(viewer: User | None, group: Group | None) -> Group:
    if (
        group is None
        or viewer is None
        or viewer.status != UserStatus.ACTIVE
        or not can_read(viewer, group)
    ):
        raise NotFound(_("We could not find that group."))
    return group


def get_group_to_leave(viewer: User | None, slug: str) -> Group:
    """The group `slug` for leaving it: one `viewer` may see, or a private one they asked
    to join (to withdraw the request). NotFound otherwise."""
    group = db.session.scalar(select(Group).where(Group.slug == slug)) if slug else None
    if group is not None and viewer is not None and membership_of(viewer, group.id) is not None:
        return group
    return _visible(viewer, group)


def get_group_for_invite(viewer: User | None, slug: str, token: str) -> Group:
    """The group `slug` for someone holding its invite link: NotFound unless `token` is the
    group's (the same 404 as a missing group, so a wrong token tells nothing)."""
    group = db.session.scalar(select(Group).where(Group.slug == slug)) if slug else None
    if group is None or viewer is None or viewer.status != UserStatus.ACTIVE:
        raise NotFound(_("We could not find that group."))
    if not hmac.compare_digest(invite_token(group), token or ""):
        raise NotFound(_("We could not find that group."))
    return group


def invite_token(group: Group) -> str:
    """The secret part of the group's invite link: a keyed hash of its id and its
    `invite_version` (version 0 hashes the id alone: the links shared before links could be
    renewed keep working until an organiser renews them)."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"group-invite:{group.id}"
    if group.invite_version:
        message += f":{group.invite_version}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


def invite_url(group: Group) -> str:
    """The full invite link (`/groups/<slug>/join/<token>`) an organiser shares."""
    return url_for("groups.invite", slug=group.slug, token=invite_token(group), _external=True)


def rotate_invite_link(actor: User, group: Group) -> str:
    """Make a new invite link for `group`: every link shared before it answers the
    missing-group 404 from now on (requests already sent stay waiting). Returns the new
    link. Called by the group's "Make a new link" page and `POST
    /api/v1/groups/{id}/invite-link`. The group's organisers, moderators and admins
    (Forbidden for other readers, NotFound for those who may not see the group). Under the
    group's row lock, so two renewals at once make two versions, never one reused."""
    _require_manager(actor, group)
    group = lock_row(group)
    group.invite_version += 1
    db.session.flush()
    return invite_url(group)


# --- creating and editing ------------------------------------------------------------------


def slugify(name: str) -> str:
    """A URL slug for `name`: ASCII letters, digits and hyphens ("group" when none is left)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    slug = slug[: MAX_SLUG - 8].strip("-") or "group"
    return f"{slug}-group" if slug in RESERVED_SLUGS else slug


def create_group(creator: User, data: GroupData) -> Group:
    """Create a group with `creator` as its first organiser (and only member). Called by the
    new-group page, the API and the demo. Needs the organiser role, or moderator/admin
    (Forbidden otherwise). Name is required. The slug comes from the name, made unique
    with a number ("parents-2"), and never changes afterwards."""
    if not can_create_groups(creator):
        raise Forbidden(_("Only organisers can create groups."))
    if data.name is None:
        raise Invalid(_("Give the group a name."), "name")
    group = Group(
        name="",
        description="",
        description_html="",
        visibility=GroupVisibility.PUBLIC,
        cover_alt="",
        created_by_id=creator.id,
        member_count=1,
    )
    _apply(group, data)
    base = slugify(group.name)
    taken = set(
        db.session.scalars(
            select(Group.slug).where((Group.slug == base) | Group.slug.like(f"{base}-%"))
        )
    )
    number = 1
    while True:
        group.slug = base if number == 1 else f"{base}-{number}"
        number += 1
        if group.slug in taken:
            continue
        try:
            with db.session.begin_nested():  # a racing create may take the slug first
                db.session.add(group)
        except IntegrityError:  # the savepoint's rollback took the group out again
            continue
        break
    db.session.add(
        GroupMembership(
            group_id=group.id,
            user_id=creator.id,
            role=MembershipRole.ORGANISER,
            status=MembershipStatus.ACTIVE,
            joined_at=utcnow(),
        )
    )
    db.session.flush()
    sync_group_chat_room(group)
    return group


def update_group(actor: User, group: Group, data: GroupData) -> Group:
    """Change the group's name, description, city or visibility (the slug stays). Called
    by the edit page. The group's organisers, moderators and admins (Forbidden for other
    readers, NotFound for those who may not see it). Making a group private keeps its
    members; pending requests of a group made public are approved."""
    _require_manager(actor, group)
    group = lock_row(group)
    was_private = group.is_private
    _apply(group, data)
    if was_private and not group.is_private:
        requested = list(
            db.session.scalars(
                select(GroupMembership).where(
                    GroupMembership.group_id == group.id,
                    GroupMembership.status == MembershipStatus.REQUESTED,
                )
            )
        )
        for row in requested:
            _activate(group, row)
        if requested:
            sync_group_chat_room(group)
    db.session.flush()
    return group


def _apply(group: Group, data: GroupData) -> None:
    if data.name is not None:
        name = " ".join(data.name.split())
        if not name:
            raise Invalid(_("Give the group a name."), "name")
        if len(name) > MAX_NAME:
            raise Invalid(too_long(MAX_NAME), "name")
        group.name = name
    if data.description is not None:
        if len(data.description) > MAX_DESCRIPTION:
            raise Invalid(too_long(MAX_DESCRIPTION), "description")
        group.description = data.description.strip()
        group.description_html = render_markdown(group.description)
    if data.city is not None:
        if data.city and data.city not in CITY_BY_SLUG:
            raise Invalid(_("Choose a city from the list."), "city")
        group.city = data.city or None
    if data.visibility is not None:
        if data.visibility not in set(GroupVisibility):
            raise Invalid(_("Choose public or private."), "visibility")
        group.visibility = GroupVisibility(data.visibility)


def set_cover(actor: User, group: Group, encoded: bytes | None, alt: str | None) -> Group:
    """Set the cover image (`encoded`: from `covers.process_cover`, or None to keep the
    current one) and its text. The file is written after the commit. Organisers only."""
    _require_manager(actor, group)
    if alt is not None:
        alt = " ".join(alt.split())
        if len(alt) > MAX_COVER_ALT:
            raise Invalid(too_long(MAX_COVER_ALT), "cover_alt")
    if encoded is not None:
        if not (alt or group.cover_alt):
            raise Invalid(
                _("Say what the image shows, for members who cannot see it."), "cover_alt"
            )
        covers.replace(group, encoded)
    if alt is not None and (group.cover_name or encoded is not None):
        group.cover_alt = alt
    db.session.flush()
    return group


def remove_cover(actor: User, group: Group) -> Group:
    """Take the cover image away (the file is deleted after the commit). Organisers only."""
    _require_manager(actor, group)
    covers.replace(group, None)
    group.cover_alt = ""
    db.session.flush()
    return group


# --- membership ----------------------------------------------------------------------------


def _activate(group: Group, row: GroupMembership) -> None:
    """Make `row` an active membership (the caller holds the group's row lock)."""
    row.status = MembershipStatus.ACTIVE
    row.joined_at = utcnow()
    group.member_count += 1


def join_group(member: User, group: Group) -> GroupMembership:
    """`member` joins the public `group` at once (joining again changes nothing; a request
    they made while it was private becomes a membership). Called by the group page and the
    API (POST members). A private group: NotFound to non-members (they may not see it;
    they ask through the invite link, `request_to_join`)."""
    if member.status != UserStatus.ACTIVE or not can_read(member, group):
        raise NotFound(_("We could not find that group."))
    if group.is_private:
        row = membership_of(member, group.id)
        if row is not None:
            return row  # already a member (they can read it)
        raise Forbidden(_("This group is private: ask an organiser for its invite link."))
    return _join_or_request(member, group, MembershipStatus.ACTIVE)


def request_to_join(member: User, group: Group) -> GroupMembership:
    """`member`, holding the group's invite link, asks to join: a request the organisers
    approve for a private group (they are told), active at once for a public one. Asking
    twice changes nothing. Called by the invite page (after `get_group_for_invite`) and by
    the API for members who can read the group."""
    if member.status != UserStatus.ACTIVE:
        raise NotFound(_("We could not find that group."))
    if not group.is_private:
        return _join_or_request(member, group, MembershipStatus.ACTIVE)
    return _join_or_request(member, group, MembershipStatus.REQUESTED)


def _join_or_request(member: User, group: Group, status: str) -> GroupMembership:
    group = lock_row(group)
    row, created = get_or_create(
        GroupMembership,
        group_id=group.id,
        user_id=member.id,
        defaults={"role": MembershipRole.MEMBER, "status": MembershipStatus.REQUESTED},
    )
    if row.status == MembershipStatus.ACTIVE:
        return row
    if status == MembershipStatus.ACTIVE:
        _activate(group, row)
        db.session.flush()
        sync_group_chat_room(group)
    elif created:
        for organiser_id in _organiser_ids(group):
            notify(
                organiser_id,
                "group.join_requested",
                actor_id=member.id,
                target_type="group",
                target_id=group.id,
            )
    db.session.flush()
    return row


def _organiser_ids(group: Group) -> list[int]:
    return list(
        db.session.scalars(
            select(GroupMembership.user_id).where(
                GroupMembership.group_id == group.id,
                GroupMembership.status == MembershipStatus.ACTIVE,
                GroupMembership.role == MembershipRole.ORGANISER,
            )
        )
    )


def _row_of(group: Group, user_id: int) -> GroupMembership | None:
    return db.session.scalar(
        select(GroupMembership).where(
            GroupMembership.group_id == group.id, GroupMembership.user_id == user_id
        )
    )


def approve_request(actor: User, group: Group, user_id: int) -> GroupMembership:
    """An organiser approves `user_id`'s request: they become an active member and are
    told. Conflict when there is no such request (withdrawn, or answered by another
    organiser a moment ago)."""
    _require_manager(actor, group)
    group = lock_row(group)
    row = _row_of(group, user_id)
    if row is None or row.status != MembershipStatus.REQUESTED:
        raise Conflict(_("There is no request from that member any more."), "user_id")
    _activate(group, row)
    notify(
        user_id, "group.join_approved", actor_id=actor.id, target_type="group", target_id=group.id
    )
    db.session.flush()
    sync_group_chat_room(group)
    return row


def decline_request(actor: User, group: Group, user_id: int) -> None:
    """An organiser declines `user_id`'s request (it is deleted; they may ask again)."""
    _require_manager(actor, group)
    group = lock_row(group)
    row = _row_of(group, user_id)
    if row is None or row.status != MembershipStatus.REQUESTED:
        raise Conflict(_("There is no request from that member any more."), "user_id")
    db.session.delete(row)
    db.session.flush()


def member_to_remove(actor: User, group: Group, user_id: int) -> GroupMembership:
    """The active membership of `user_id` that `actor` is about to remove, for the page
    that asks first: the same checks as `remove_member` (NotFound, Forbidden, Invalid for
    oneself, Conflict when they are not in the group), without changing anything."""
    _require_manager(actor, group)
    if user_id == actor.id:
        raise Invalid(_("To leave the group, use Leave."), "user_id")
    row = _row_of(group, user_id)
    if row is None or row.status != MembershipStatus.ACTIVE:
        raise Conflict(_("That member is not in this group any more."), "user_id")
    return row


def remove_member(actor: User, group: Group, user_id: int) -> None:
    """An organiser takes `user_id` out of the group (they may join or ask again). To
    leave, organisers use `leave_group`: removing oneself is refused (Invalid)."""
    _require_manager(actor, group)
    if user_id == actor.id:
        raise Invalid(_("To leave the group, use Leave."), "user_id")
    group = lock_row(group)
    row = _row_of(group, user_id)
    if row is None or row.status != MembershipStatus.ACTIVE:
        raise Conflict(_("That member is not in this group any more."), "user_id")
    if row.role == MembershipRole.ORGANISER and len(_organiser_ids(group)) == 1:
        raise Conflict(_("A group needs an organiser: make someone else one first."), "user_id")
    db.session.delete(row)
    group.member_count -= 1
    db.session.flush()
    sync_group_chat_room(group)


def turn_away(actor: User, group: Group, user_id: int) -> None:
    """An organiser takes `user_id` out: declines their join request if they asked
    (`decline_request`), otherwise removes them as a member (`remove_member`, with its
    rules). Called by `DELETE /api/v1/groups/{id}/members` with a `user_id`."""
    _require_manager(actor, group)
    row = _row_of(group, user_id)
    if row is not None and row.status == MembershipStatus.REQUESTED:
        decline_request(actor, group, user_id)
    else:
        remove_member(actor, group, user_id)


def make_organiser(actor: User, group: Group, user_id: int) -> GroupMembership:
    """An organiser makes the active member `user_id` a co-organiser (they are told)."""
    _require_manager(actor, group)
    group = lock_row(group)
    row = _row_of(group, user_id)
    if row is None or row.status != MembershipStatus.ACTIVE:
        raise Conflict(_("That member is not in this group any more."), "user_id")
    if row.role != MembershipRole.ORGANISER:
        row.role = MembershipRole.ORGANISER
        notify(
            user_id,
            "group.made_organiser",
            actor_id=actor.id,
            target_type="group",
            target_id=group.id,
        )
        db.session.flush()
        sync_group_chat_room(group)
    return row


@dataclass(frozen=True)
class Leaving:
    """What the leave page shows `member`: their membership, the members who could take
    over (the first `limit`, organisers first), and whether they are the last organiser,
    who must name one of them (`leave_group` enforces it)."""

    membership: GroupMembership | None
    successors: list[GroupMembership]
    last_organiser: bool


def leaving(member: User, group: Group, limit: int) -> Leaving:
    """The leave page's choices for `member` (see `Leaving`). Called by the groups pages."""
    mine = membership_of(member, group.id)
    successors = [row for row in list_members(group, None, limit).items if row.user_id != member.id]
    last_organiser = (
        mine is not None
        and mine.role == MembershipRole.ORGANISER
        and mine.status == MembershipStatus.ACTIVE
        and not any(row.role == MembershipRole.ORGANISER for row in successors)
    )
    return Leaving(mine, successors, last_organiser)


def leave_group(member: User, group: Group, successor_id: int | None = None) -> None:
    """`member` leaves `group`, or withdraws their request. The last organiser of a group
    with other members names `successor_id` (an active member, made an organiser): without
    one, Conflict on "successor_id". The only member cannot leave (Conflict). Leaving a
    group one is not in changes nothing."""
    group = lock_row(group)
    row = _row_of(group, member.id)
    if row is None:
        return
    if row.status == MembershipStatus.REQUESTED:
        db.session.delete(row)
        db.session.flush()
        return
    if row.role == MembershipRole.ORGANISER and _organiser_ids(group) == [member.id]:
        if group.member_count <= 1:
            raise Conflict(
                _("You are the group's only member, so it needs you. Invite someone first."),
                "successor_id",
            )
        successor = _row_of(group, successor_id) if successor_id else None
        if successor is None or successor.status != MembershipStatus.ACTIVE:
            raise Conflict(
                _("You are the group's last organiser: choose a member to take over."),
                "successor_id",
            )
        successor.role = MembershipRole.ORGANISER
        notify(
            successor.user_id,
            "group.made_organiser",
            actor_id=member.id,
            target_type="group",
            target_id=group.id,
        )
    db.session.delete(row)
    group.member_count -= 1
    db.session.flush()
    sync_group_chat_room(group)


# --- reading -------------------------------------------------------------------------------


def _mine(viewer: User):
    return select(GroupMembership.group_id).where(
        GroupMembership.user_id == viewer.id, GroupMembership.status == MembershipStatus.ACTIVE
    )


def list_groups(
    viewer: User, filters: GroupFilters, cursor: str | None, limit: int = PAGE_SIZE
) -> Page[Group]:
    """A page of the groups `viewer` may see (private ones only to their members,
    moderators and admins), the viewer's own groups first, then by name. The text box
    searches the search index (name, description, city; stemming, prefix on the last
    word). One query."""
    from community.search.services import matching_ids  # search builds on groups

    mine = case((Group.id.in_(_mine(viewer)), 0), else_=1)
    statement = select(Group, mine.label("mine")).where(readable_group_clause(viewer, Group.id))
    q = filters.q.strip()
    if q:
        statement = statement.where(Group.id.in_(matching_ids("group", q[:MAX_SEARCH])))
    if filters.city:
        statement = statement.where(Group.city == filters.city)
    page = keyset(
        statement,
        [mine.asc(), Group.name.asc(), Group.id.asc()],
        cursor,
        limit,
        key=lambda row: (row.mine, row.Group.name, row.Group.id),
        scalars=False,
    )
    page.items = [row.Group for row in page.items]
    return page


def my_group_ids(viewer: User, group_ids: list[int]) -> dict[int, GroupMembership]:
    """`viewer`'s membership rows (active or requested) among `group_ids` (one query)."""
    if not group_ids:
        return {}
    rows = db.session.scalars(
        select(GroupMembership).where(
            GroupMembership.user_id == viewer.id, GroupMembership.group_id.in_(group_ids)
        )
    )
    return {row.group_id: row for row in rows}


def list_members(
    group: Group, cursor: str | None, limit: int = PAGE_SIZE, *, viewer: User | None = None
) -> Page[GroupMembership]:
    """Active members, organisers first, then in joining order, with their accounts
    loaded (one query). Callers check `get_visible_group` first. With a `viewer` (the group
    page and its members list), members they blocked or were blocked by are left out, as
    the directory leaves them out."""
    statement = (
        select(GroupMembership)
        .where(
            GroupMembership.group_id == group.id,
            GroupMembership.status == MembershipStatus.ACTIVE,
        )
        .options(joinedload(GroupMembership.user).lazyload(User.role_rows))
    )
    if viewer is not None:
        statement = statement.where(GroupMembership.user_id.not_in(blocked_ids_select(viewer.id)))
    return keyset(
        statement,
        [GroupMembership.role.desc(), GroupMembership.joined_at.asc(), GroupMembership.id.asc()],
        cursor,
        limit,
    )


def pending_requests(group: Group, limit: int = 50) -> list[GroupMembership]:
    """Requests waiting for an organiser, oldest first, with the members loaded."""
    return list(
        db.session.scalars(
            select(GroupMembership)
            .where(
                GroupMembership.group_id == group.id,
                GroupMembership.status == MembershipStatus.REQUESTED,
            )
            .options(joinedload(GroupMembership.user).lazyload(User.role_rows))
            .order_by(GroupMembership.created_at, GroupMembership.id)
            .limit(limit)
        )
    )


def waiting_requests(mine: dict[int, GroupMembership]) -> dict[int, int]:
    """How many join requests wait in each group `mine` (from `my_group_ids`) says the
    viewer organises, by group id; groups with none are left out. The groups list shows
    them on the cards. One query, none when the viewer organises none of them."""
    organised = [
        group_id
        for group_id, row in mine.items()
        if row.status == MembershipStatus.ACTIVE and row.role == MembershipRole.ORGANISER
    ]
    if not organised:
        return {}
    rows = db.session.execute(
        select(GroupMembership.group_id, func.count())
        .where(
            GroupMembership.group_id.in_(organised),
            GroupMembership.status == MembershipStatus.REQUESTED,
        )
        .group_by(GroupMembership.group_id)
    )
    return {group_id: count for group_id, count in rows}


def count_requests(group: Group) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(GroupMembership)
        .where(
            GroupMembership.group_id == group.id,
            GroupMembership.status == MembershipStatus.REQUESTED,
        )
    )


def organised_groups(user: User) -> list[Group]:
    """The groups where `user` is an active organiser, by name (the event form's choices)."""
    return list(
        db.session.scalars(
            select(Group)
            .join(GroupMembership, GroupMembership.group_id == Group.id)
            .where(
                GroupMembership.user_id == user.id,
                GroupMembership.status == MembershipStatus.ACTIVE,
                GroupMembership.role == MembershipRole.ORGANISER,
            )
            .order_by(Group.name, Group.id)
        )
    )


def check_event_group(user: User, group_id: int) -> None:
    """The events service's check on an event's group: `user` must be an active organiser
    of group `group_id` (Invalid on "group_id" otherwise, the same for a missing group)."""
    if (
        isinstance(group_id, bool)
        or not isinstance(group_id, int)
        or not is_group_organiser(user, group_id)
    ):
        raise Invalid(_("Choose one of the groups you organise."), "group_id")


# Registers this feature's notification kinds (the registry is complete once services load).
from community.groups import notifications as _notifications  # noqa: E402,F401
