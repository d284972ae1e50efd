"""GET|PATCH /api/v1/me, GET /api/v1/members and /api/v1/members/{id}."""

from __future__ import annotations

from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import (
    MemberPageSchema,
    MemberQuerySchema,
    MemberSchema,
    MePatchSchema,
    MeSchema,
    me_detail,
    member_detail,
    member_summary,
)
from community.auth.services import set_timezone
from community.connections.relations import are_connected
from community.extensions import db
from community.presence.services import set_hidden, statuses
from community.profiles.directory import DirectoryFilters, relevance_reasons, search_members
from community.profiles.services import (
    ProfileData,
    get_profile,
    get_visible_member,
    update_profile,
)

blp = Blueprint("members", __name__, description="Me, the directory and profiles")


@blp.get("/me")
@token_required
@blp.response(200, MeSchema)
@blp.doc(**TOKEN_DOC)
def get_me():
    """My account and whole profile, private fields included."""
    user = api_user()
    return me_detail(user, get_profile(user.id))


@blp.patch("/me")
@token_required
@blp.arguments(MePatchSchema)
@blp.response(200, MeSchema)
@blp.alt_response(422, description="A field was refused; `error.fields` says which")
@blp.doc(**TOKEN_DOC)
def patch_me(changes: dict):
    """Change my profile. Only the documented fields are accepted; null clears a field."""
    user = api_user()
    languages = changes.pop("languages", None)
    timezone = changes.pop("timezone", None)
    hide_presence = changes.pop("hide_presence", None)
    if timezone is not None:
        set_timezone(user, timezone)
    data = ProfileData(**{k: v for k, v in changes.items() if v is not None})
    data.cleared = {k for k, v in changes.items() if v is None}
    if languages is not None:
        data.languages = [(row["code"], row["level"]) for row in languages]
    update_profile(user, data)
    if hide_presence is not None:
        set_hidden(user, hide_presence)
    db.session.commit()
    return me_detail(user, get_profile(user.id))


@blp.get("/members")
@token_required
@blp.arguments(MemberQuerySchema, location="query")
@blp.response(200, MemberPageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_members(query: dict):
    """The directory: members I may see, newest first, with the reasons they may matter and
    whether they are online (as their profile pages show it)."""
    filters = DirectoryFilters(
        q=query["q"],
        skill=query["skill"],
        language=query["language"],
        city=query["city"],
        looking_for=query["looking_for"],
    )
    viewer = api_user()
    page = search_members(viewer, filters, query["cursor"], query["limit"])
    # One call for the page, by the rule the profile page uses.
    presence = statuses(viewer, [card.user.id for card in page.items])
    return {
        "items": [
            member_summary(
                card.user,
                card.profile,
                card.reasons,
                card.connected,
                presence=presence.get(card.user.id),
            )
            for card in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@blp.get("/members/<int:user_id>")
@token_required
@blp.response(200, MemberSchema)
@blp.alt_response(404, description="No such member, or not visible to you")
@blp.doc(**TOKEN_DOC)
def get_member(user_id: int):
    """One member's profile, if I may see it (otherwise the same 404 as a missing member),
    with whether they are online as their profile page shows it."""
    viewer = api_user()
    member, profile = get_visible_member(viewer, user_id)
    return member_detail(
        member,
        profile,
        reasons=relevance_reasons(get_profile(viewer.id), profile),
        connected=are_connected(viewer.id, member.id),
        presence=statuses(viewer, [member.id]).get(member.id),
    )
