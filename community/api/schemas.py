"""Request and response schemas shared by the API blueprints (and so by the OpenAPI document).

Response schemas list exactly what may leave the server: the private fields (nationality,
work permit, family situation) exist only in `MeSchema`, which only the owner receives.
"""

from __future__ import annotations

import marshmallow as ma

from community.auth.services import MAX_DISPLAY_NAME
from community.core.database import MAX_ID
from community.core.urls import external_url
from community.presence.services import is_hidden as presence_hidden
from community.profiles import reference as ref
from community.profiles.directory import MAX_PAGE, MAX_SEARCH
from community.profiles.services import (
    MAX_BIO,
    MAX_FAMILY_SITUATION,
    MAX_HEADLINE,
    MAX_LANGUAGES,
    MAX_TAG_LENGTH,
    MAX_TAGS,
)


class Id(ma.fields.Integer):
    """A row id: a JSON integer (not a string, float or boolean) the id columns can hold.

    Out of range answers 422 naming the field, before a query could fail on it.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(strict=True, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


def _tags(profile, kind):
    return [row.tag.label for row in profile.tags if row.kind == kind] if profile else []


class LanguageSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "ISO 639-1", "example": "da"})
    level = ma.fields.String(
        required=True, validate=ma.validate.OneOf([level.value for level in ref.LanguageLevel])
    )


class MemberSummarySchema(ma.Schema):
    """A member as a directory card shows them."""

    id = Id(required=True)
    display_name = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null when their profile is hidden from you"},
    )
    headline = ma.fields.String(required=True)
    host_city = ma.fields.String(allow_none=True, metadata={"description": "City slug"})
    avatar_url = ma.fields.String(allow_none=True)
    reasons = ma.fields.List(
        ma.fields.String(), metadata={"description": "Why this member may be relevant to you"}
    )
    connected = ma.fields.Boolean()
    presence = ma.fields.String(
        allow_none=True,
        validate=ma.validate.OneOf(["online", "away", "offline"]),
        metadata={
            "description": (
                "Whether they are online now, as their profile page shows it: `online`, "
                "`away` or `offline`; null when they hide it, when you hide yours, when you "
                "may not see it, and for yourself. Only `GET /members` and "
                "`GET /members/{id}` carry it."
            )
        },
    )


class MemberSchema(MemberSummarySchema):
    """A member's public profile, as the viewer may see it."""

    bio = ma.fields.String(required=True, metadata={"description": "Markdown source"})
    bio_html = ma.fields.String(required=True, metadata={"description": "Sanitised HTML"})
    home_country = ma.fields.String(allow_none=True, metadata={"description": "ISO 3166-1 alpha-2"})
    professional_field = ma.fields.String(allow_none=True)
    education_level = ma.fields.String(allow_none=True)
    availability = ma.fields.String(allow_none=True)
    skills = ma.fields.List(ma.fields.String())
    interests = ma.fields.List(ma.fields.String())
    languages = ma.fields.List(ma.fields.Nested(LanguageSchema))
    looking_for = ma.fields.List(ma.fields.String())


class MeSchema(MemberSchema):
    """My own profile, with my private fields and my settings."""

    email = ma.fields.String(required=True)
    roles = ma.fields.List(ma.fields.String())
    visibility = ma.fields.String(required=True)
    nationality = ma.fields.String(allow_none=True)
    work_permit = ma.fields.String(allow_none=True)
    family_situation = ma.fields.String(required=True)
    timezone = ma.fields.String(
        required=True,
        metadata={"description": "IANA zone online events are shown in", "example": "Europe/Oslo"},
    )
    hide_presence = ma.fields.Boolean(
        required=True,
        metadata={"description": "Never show or send whether I am online (nor show me others')"},
    )


def _choice(values):
    return ma.validate.OneOf(list(values))


def _tag_list() -> ma.fields.List:
    return ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_TAG_LENGTH)),
        validate=ma.validate.Length(max=MAX_TAGS),
    )


class MePatchSchema(ma.Schema):
    """The fields PATCH /me accepts; anything else (role, status, email ...) is refused (422)."""

    class Meta:
        unknown = ma.RAISE

    display_name = ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_DISPLAY_NAME))
    headline = ma.fields.String(validate=ma.validate.Length(max=MAX_HEADLINE))
    bio = ma.fields.String(validate=ma.validate.Length(max=MAX_BIO))
    home_country = ma.fields.String(allow_none=True, validate=ma.validate.Length(equal=2))
    host_city = ma.fields.String(allow_none=True, validate=_choice(ref.CITY_BY_SLUG))
    professional_field = ma.fields.String(
        allow_none=True, validate=_choice(ref.PROFESSIONAL_FIELDS)
    )
    education_level = ma.fields.String(allow_none=True, validate=_choice(ref.EducationLevel))
    availability = ma.fields.String(allow_none=True, validate=_choice(ref.Availability))
    visibility = ma.fields.String(validate=_choice(ref.Visibility))
    skills = _tag_list()
    interests = _tag_list()
    languages = ma.fields.List(
        ma.fields.Nested(LanguageSchema), validate=ma.validate.Length(max=MAX_LANGUAGES)
    )
    looking_for = ma.fields.List(ma.fields.String(validate=_choice(ref.LookingFor)))
    hide_presence = ma.fields.Boolean()
    nationality = ma.fields.String(allow_none=True, validate=ma.validate.Length(equal=2))
    work_permit = ma.fields.String(allow_none=True, validate=_choice(ref.WorkPermit))
    family_situation = ma.fields.String(validate=ma.validate.Length(max=MAX_FAMILY_SITUATION))
    timezone = ma.fields.String(
        validate=ma.validate.Length(min=1, max=64),
        metadata={"description": "An IANA zone name (422 naming the field when unknown)"},
    )


class MemberQuerySchema(ma.Schema):
    q = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_SEARCH))
    skill = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_TAG_LENGTH))
    language = ma.fields.String(load_default="", validate=ma.validate.Length(max=3))
    city = ma.fields.String(load_default="", validate=ma.validate.Length(max=40))
    looking_for = ma.fields.String(load_default="", validate=ma.validate.Length(max=16))
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_PAGE))


class MemberPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MemberSummarySchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


def avatar_url(profile) -> str | None:
    if profile is None or not profile.avatar_name:
        return None
    return external_url("profiles.avatar", name=profile.avatar_name)


_NOT_GIVEN = object()


def member_summary(
    user, profile, reasons=(), connected=False, sight="full", presence=_NOT_GIVEN
) -> dict:
    """A member as a card shows them. `sight` (connections' Sight) limits it for members the
    viewer did not find through the directory: "name" keeps only the name, "none" nothing
    but the id, so an id never buys a hidden member's name, headline, city or photo.
    `presence` (from `presence.services.statuses`, None: not shown) is added when given."""
    card = _summary(user, profile, reasons, connected, sight)
    if presence is not _NOT_GIVEN:
        card["presence"] = presence
    return card


def _summary(user, profile, reasons, connected, sight) -> dict:
    if sight != "full":
        return {
            "id": user.id,
            "display_name": user.display_name if sight == "name" else None,
            "headline": "",
            "host_city": None,
            "avatar_url": None,
            "reasons": [],
            "connected": connected,
        }
    return {
        "id": user.id,
        "display_name": user.display_name,
        "headline": profile.headline if profile else "",
        "host_city": profile.host_city if profile else None,
        "avatar_url": avatar_url(profile),
        "reasons": list(reasons),
        "connected": connected,
    }


def member_detail(user, profile, **summary) -> dict:
    return {
        **member_summary(user, profile, **summary),
        "bio": profile.bio if profile else "",
        "bio_html": profile.bio_html if profile else "",
        "home_country": profile.home_country if profile else None,
        "professional_field": profile.professional_field if profile else None,
        "education_level": profile.education_level if profile else None,
        "availability": profile.availability if profile else None,
        "skills": _tags(profile, "skill"),
        "interests": _tags(profile, "interest"),
        "languages": [{"code": r.code, "level": r.level} for r in profile.languages]
        if profile
        else [],
        "looking_for": [r.value for r in profile.looking_for] if profile else [],
    }


def me_detail(user, profile) -> dict:
    return {
        **member_detail(user, profile),
        "email": user.email,
        "roles": sorted(user.roles),
        "visibility": profile.visibility if profile else ref.Visibility.MEMBERS.value,
        "nationality": profile.nationality if profile else None,
        "work_permit": profile.work_permit if profile else None,
        "family_situation": profile.family_situation if profile else "",
        "timezone": user.timezone,
        "hide_presence": presence_hidden(user.id),
    }
