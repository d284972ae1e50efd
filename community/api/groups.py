"""Groups and their members over the API: the same service verbs as the group pages.

A private group is the same 404 as a missing one to anyone who is not its active member
(moderators and admins see it). Refusals are the services' ServiceError kinds, answered by
the one error handler.
"""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.auth.models import User
from community.extensions import db
from community.groups import services
from community.groups.access import membership_of
from community.groups.models import Group, GroupMembership, GroupVisibility
from community.profiles.reference import CITY_BY_SLUG

blp = Blueprint("groups_api", __name__, description="Groups and their members")

VISIBILITIES = [value.value for value in GroupVisibility]


class MyMembershipSchema(ma.Schema):
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(["member", "organiser"]))
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["active", "requested"]),
        metadata={"description": "requested: waiting for an organiser's approval"},
    )


class GroupSchema(ma.Schema):
    id = Id(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True, metadata={"description": "Markdown source"})
    description_html = ma.fields.String(required=True, metadata={"description": "Sanitised"})
    city = ma.fields.String(required=True, allow_none=True, metadata={"description": "City slug"})
    visibility = ma.fields.String(required=True, validate=ma.validate.OneOf(VISIBILITIES))
    member_count = ma.fields.Integer(required=True)
    cover_url = ma.fields.String(required=True, allow_none=True)
    cover_alt = ma.fields.String(required=True)
    my_membership = ma.fields.Nested(
        MyMembershipSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Your membership or request; null when you have none"},
    )
    can_manage = ma.fields.Boolean(
        required=True, metadata={"description": "Whether you organise it (or moderate)"}
    )
    invite_url = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The invite link, for those who manage the group (null for "
            "everyone else); POST .../invite-link makes a new one"
        },
    )


class GroupPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(GroupSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class GroupQuerySchema(ma.Schema):
    q = ma.fields.String(load_default="", validate=ma.validate.Length(max=services.MAX_SEARCH))
    city = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *CITY_BY_SLUG]))
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))


class GroupCreateSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    name = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=services.MAX_NAME)
    )
    description = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=services.MAX_DESCRIPTION)
    )
    city = ma.fields.String(
        load_default="",
        validate=ma.validate.OneOf(["", *CITY_BY_SLUG]),
        metadata={"description": "A host-city slug, or empty for an interest group"},
    )
    visibility = ma.fields.String(
        load_default=GroupVisibility.PUBLIC.value, validate=ma.validate.OneOf(VISIBILITIES)
    )


class MemberActionSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    user_id = Id(
        load_default=None,
        metadata={
            "description": "POST: an organiser approves this member's request. DELETE: an "
            "organiser declines this member's request, or removes this member (without it, "
            "you leave)"
        },
    )
    successor_id = Id(
        load_default=None,
        metadata={"description": "DELETE as the last organiser: the member who takes over"},
    )


class MembershipSchema(ma.Schema):
    user_id = Id(required=True)
    role = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    member_count = ma.fields.Integer(required=True)


def _present(viewer: User, group: Group, mine: GroupMembership | None = None, *, known=False):
    if not known:
        mine = membership_of(viewer, group.id)
    can_manage = services.can_manage_group(viewer, group)
    return {
        "id": group.id,
        "slug": group.slug,
        "name": group.name,
        "description": group.description,
        "description_html": group.description_html,
        "city": group.city,
        "visibility": group.visibility,
        "member_count": group.member_count,
        "cover_url": url_for("groups.cover", name=group.cover_name, _external=True)
        if group.cover_name
        else None,
        "cover_alt": group.cover_alt,
        "my_membership": {"role": mine.role, "status": mine.status} if mine else None,
        "can_manage": can_manage,
        "invite_url": services.invite_url(group) if can_manage else None,
    }


def _membership(row: GroupMembership, group: Group) -> dict:
    return {
        "user_id": row.user_id,
        "role": row.role,
        "status": row.status,
        "member_count": group.member_count,
    }


@blp.get("/groups")
@token_required
@blp.arguments(GroupQuerySchema, location="query")
@blp.response(200, GroupPageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_groups(query: dict):
    """The groups you may see (private ones only if you are a member), yours first."""
    me = api_user()
    filters = services.GroupFilters(q=query["q"], city=query["city"])
    page = services.list_groups(me, filters, query["cursor"], query["limit"])
    mine = services.my_group_ids(me, [group.id for group in page.items])
    return {
        "items": [_present(me, g, mine.get(g.id), known=True) for g in page.items],
        "next_cursor": page.next_cursor,
    }


@blp.post("/groups")
@token_required
@blp.arguments(GroupCreateSchema)
@blp.response(201, GroupSchema)
@blp.alt_response(403, description="Only organisers (and moderators) create groups")
@blp.doc(**TOKEN_DOC)
def create_group(body: dict):
    """Start a group (organisers, moderators and admins); you are its first organiser."""
    me = api_user()
    group = services.create_group(me, services.GroupData(**body))
    db.session.commit()
    return _present(me, group)


@blp.get("/groups/<int:group_id>")
@token_required
@blp.response(200, GroupSchema)
@blp.alt_response(404, description="No such group, or a private one you are not in")
@blp.doc(**TOKEN_DOC)
def get_group(group_id: int):
    """One group."""
    me = api_user()
    return _present(me, services.get_visible_group_by_id(me, group_id))


@blp.post("/groups/<int:group_id>/members")
@token_required
@blp.arguments(MemberActionSchema)
@blp.response(201, MembershipSchema)
@blp.alt_response(403, description="A private group you may not join this way, or not an organiser")
@blp.alt_response(404, description="No such group, or a private one you are not in")
@blp.alt_response(409, description="No such request to approve")
@blp.doc(**TOKEN_DOC)
def add_member(body: dict, group_id: int):
    """Join a public group (no body). An organiser sends `user_id` to approve a request.
    Private groups are joined through their invite link on the website."""
    me = api_user()
    group = services.get_visible_group_by_id(me, group_id)
    if body["user_id"] is not None and body["user_id"] != me.id:
        row = services.approve_request(me, group, body["user_id"])
    else:
        row = services.join_group(me, group)
    db.session.commit()
    return _membership(row, group)


@blp.delete("/groups/<int:group_id>/members")
@token_required
@blp.arguments(MemberActionSchema)
@blp.response(204)
@blp.alt_response(403, description="Not an organiser of the group")
@blp.alt_response(404, description="No such group, or a private one you are not in")
@blp.alt_response(
    409, description="The last organiser must name a successor; no such member or request"
)
@blp.doc(**TOKEN_DOC)
def remove_member(body: dict, group_id: int):
    """Leave the group (or withdraw your request); an organiser sends `user_id` to decline
    that member's request or remove them."""
    me = api_user()
    if body["user_id"] is not None and body["user_id"] != me.id:
        group = services.get_visible_group_by_id(me, group_id)
        services.turn_away(me, group, body["user_id"])
    else:
        group = db.session.get(Group, group_id)
        if group is None or membership_of(me, group.id) is None:
            group = services.get_visible_group_by_id(me, group_id)
        services.leave_group(me, group, body["successor_id"])
    db.session.commit()


class InviteLinkSchema(ma.Schema):
    url = ma.fields.String(
        required=True,
        metadata={"description": "The new invite link; every older one now answers 404"},
    )


@blp.post("/groups/<int:group_id>/invite-link")
@token_required
@blp.response(200, InviteLinkSchema)
@blp.alt_response(403, description="Not an organiser of the group")
@blp.alt_response(404, description="No such group, or a private one you are not in")
@blp.doc(**TOKEN_DOC)
def new_invite_link(group_id: int):
    """Make a new invite link for the group (its organisers, moderators and admins): the
    old link stops working at once. No body."""
    me = api_user()
    group = services.get_visible_group_by_id(me, group_id)
    url = services.rotate_invite_link(me, group)
    db.session.commit()
    return {"url": url}
