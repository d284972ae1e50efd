"""Profile verbs and rules: load, update, who may see a profile, how complete it is.

Called by the profile pages, the directory, suggestions and the API. Writes flush; the
caller commits.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.auth.services import MAX_DISPLAY_NAME
from community.connections.relations import are_connected, is_blocked_either_way
from community.core.database import get_or_create
from community.core.errors import Invalid, NotFound, too_long
from community.core.markdown import render_markdown
from community.extensions import db
from community.profiles import reference as ref
from community.profiles.models import Profile, ProfileLanguage, ProfileLookingFor, ProfileTag, Tag

# Field limits: the profile form and the API schemas import these.
MAX_HEADLINE = 120
MAX_BIO = 4000
MAX_FAMILY_SITUATION = 300
MAX_TAGS = 25
MAX_TAG_LENGTH = 40
MAX_LANGUAGES = 12


@dataclass
class ProfileData:
    """Everything a member can set on their profile; None means "leave as it is"."""

    display_name: str | None = None
    headline: str | None = None
    bio: str | None = None
    home_country: str | None = None
    host_city: str | None = None
    professional_field: str | None = None
    education_level: str | None = None
    availability: str | None = None
    visibility: str | None = None
    skills: list[str] | None = None
    interests: list[str] | None = None
    languages: list[tuple[str, str]] | None = None  # (ISO 639-1 code, level)
    looking_for: list[str] | None = None
    nationality: str | None = None
    work_permit: str | None = None
    family_situation: str | None = None
    # Fields the caller explicitly wants cleared (set to empty), e.g. from a PATCH with null.
    cleared: set[str] = field(default_factory=set)


def _profile_options():
    return (
        selectinload(Profile.tags).joinedload(ProfileTag.tag),
        selectinload(Profile.languages),
        selectinload(Profile.looking_for),
    )


def get_profile(user_id: int) -> Profile | None:
    """The profile of `user_id` with its tags, languages and looking-for loaded."""
    return db.session.scalar(
        select(Profile).where(Profile.user_id == user_id).options(*_profile_options())
    )


def load_profiles(user_ids: list[int]) -> dict[int, Profile]:
    """Profiles for many members in a fixed number of queries (directory, suggestions)."""
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(Profile).where(Profile.user_id.in_(user_ids)).options(*_profile_options())
    )
    return {profile.user_id: profile for profile in rows}


def get_or_create_profile(user: User) -> Profile:
    profile = get_profile(user.id)
    if profile is None:
        profile = Profile(user_id=user.id, tags=[], languages=[], looking_for=[])
        db.session.add(profile)
        db.session.flush()
    return profile


def normalise_tag(text: str) -> str:
    """The comparable form of a tag: Unicode-normalised, single spaces, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    return " ".join(text.split()).casefold()[:MAX_TAG_LENGTH]


def clean_tag_label(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())[:MAX_TAG_LENGTH]


def tags_by_name(labels: list[str]) -> list[Tag]:
    """The Tag rows for `labels` (created when new), in order, without duplicates. Shared by
    profiles and events, so both point at the same rows.

    Two members adding the same new tag at once both get the one row (`get_or_create`).
    """
    wanted: dict[str, str] = {}
    for label in labels:
        name = normalise_tag(label)
        if name and name not in wanted:
            wanted[name] = clean_tag_label(label)
    if not wanted:
        return []
    existing = {
        tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(wanted)))
    }
    for name in sorted(wanted):  # one order for everyone: two saves never deadlock
        if name not in existing:
            existing[name], _created = get_or_create(
                Tag, name=name, defaults={"label": wanted[name]}
            )
    return [existing[name] for name in wanted]


def _choice(value: str | None, allowed, field_name: str, message) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        raise Invalid(str(message), field_name)
    return value


def validate(data: ProfileData) -> None:
    """Refuse values outside the reference lists or limits. Raises Invalid."""
    _choice(
        data.home_country,
        ref.country_codes(),
        "home_country",
        _l("Choose a country from the list."),
    )
    _choice(
        data.nationality, ref.country_codes(), "nationality", _l("Choose a country from the list.")
    )
    _choice(data.host_city, ref.CITY_BY_SLUG, "host_city", _l("Choose a city from the list."))
    _choice(
        data.professional_field,
        ref.PROFESSIONAL_FIELDS,
        "professional_field",
        _l("Choose a field from the list."),
    )
    _choice(
        data.education_level,
        set(ref.EducationLevel),
        "education_level",
        _l("Choose a level from the list."),
    )
    _choice(
        data.availability,
        set(ref.Availability),
        "availability",
        _l("Choose an option from the list."),
    )
    _choice(
        data.work_permit, set(ref.WorkPermit), "work_permit", _l("Choose an option from the list.")
    )
    if data.visibility is not None and data.visibility not in set(ref.Visibility):
        raise Invalid(_("Choose who can see your profile."), "visibility")
    if data.display_name is not None and not data.display_name.strip():
        raise Invalid(_("Enter your name."), "display_name")
    for name, limit in (
        ("display_name", MAX_DISPLAY_NAME),
        ("headline", MAX_HEADLINE),
        ("bio", MAX_BIO),
        ("family_situation", MAX_FAMILY_SITUATION),
    ):
        value = getattr(data, name)
        if value is not None and len(value) > limit:
            raise Invalid(too_long(limit), name)
    for name in ("skills", "interests"):
        tags = getattr(data, name)
        if tags is not None:
            if len(tags) > MAX_TAGS:
                raise Invalid(_("Add at most %(n)d.", n=MAX_TAGS), name)
            if any(len(t) > MAX_TAG_LENGTH for t in tags):
                raise Invalid(_("Keep each one under %(n)d characters.", n=MAX_TAG_LENGTH), name)
    if data.looking_for is not None and any(v not in set(ref.LookingFor) for v in data.looking_for):
        raise Invalid(_("Choose from the list."), "looking_for")
    if data.languages is not None:
        if len(data.languages) > MAX_LANGUAGES:
            raise Invalid(_("Add at most %(n)d languages.", n=MAX_LANGUAGES), "languages")
        for code, level in data.languages:
            if code not in ref.language_codes():
                raise Invalid(_("Choose a language from the list."), "languages")
            if level not in set(ref.LanguageLevel):
                raise Invalid(_("Choose a level for each language."), "languages")


SCALAR_FIELDS = (
    "headline", "home_country", "host_city", "professional_field", "education_level",
    "availability", "visibility", "nationality", "work_permit", "family_situation",
)  # fmt: skip
NULLABLE_FIELDS = {
    "home_country", "host_city", "professional_field", "education_level", "availability",
    "nationality", "work_permit",
}  # fmt: skip


def update_profile(user: User, data: ProfileData) -> Profile:
    """Apply `data` to `user`'s profile after validation. Raises Invalid. Flushes."""
    validate(data)
    profile = get_or_create_profile(user)
    visibility_before = profile.visibility
    if data.display_name is not None:
        user.display_name = " ".join(data.display_name.split())
    for name in SCALAR_FIELDS:
        value = getattr(data, name)
        if name in data.cleared:
            value = None if name in NULLABLE_FIELDS else ""
        elif value is None:
            continue
        if value == "" and name in NULLABLE_FIELDS:
            value = None
        if isinstance(value, str) and name in {"headline", "family_situation"}:
            value = value.strip()
        setattr(profile, name, value)
    if data.bio is not None or "bio" in data.cleared:
        profile.bio = (data.bio or "").strip()
        profile.bio_html = render_markdown(profile.bio)
    for kind, labels in (("skill", data.skills), ("interest", data.interests)):
        if labels is None and kind + "s" not in data.cleared:
            continue
        # Rows that stay are kept (unique constraints never see a delete-then-insert).
        current = {row.tag_id: row for row in profile.tags if row.kind == kind}
        wanted = []
        for index, tag in enumerate(tags_by_name(labels or [])):
            row = current.get(tag.id) or ProfileTag(tag=tag, kind=kind)
            row.position = index
            wanted.append(row)
        profile.tags = [row for row in profile.tags if row.kind != kind] + wanted
    if data.languages is not None or "languages" in data.cleared:
        current_languages = {row.code: row for row in profile.languages}
        chosen: dict[str, str] = {}
        for code, level in data.languages or []:
            chosen.setdefault(code, level)
        rows = []
        for index, (code, level) in enumerate(chosen.items()):
            row = current_languages.get(code) or ProfileLanguage(code=code)
            row.level, row.position = level, index
            rows.append(row)
        profile.languages = rows
    if data.looking_for is not None or "looking_for" in data.cleared:
        current_looking = {row.value: row for row in profile.looking_for}
        profile.looking_for = [
            current_looking.get(value) or ProfileLookingFor(value=value)
            for value in dict.fromkeys(data.looking_for or [])
        ]
    db.session.flush()
    if profile.visibility != visibility_before:
        from community.presence.services import viewers_changed  # presence builds on profiles

        viewers_changed(user.id)
    return profile


def can_view_profile(viewer: User | None, owner: User, profile: Profile | None) -> bool:
    """May `viewer` (None: anonymous) see `owner`'s profile? The same rule for page and API.

    Owners always; nobody sees an inactive account's profile (admins excepted); blocks hide
    both ways; then the owner's visibility: public, members (logged in) or connections.
    """
    if viewer is not None and viewer.id == owner.id:
        return True
    is_admin = viewer is not None and viewer.has_role(Role.ADMIN)
    if owner.status != UserStatus.ACTIVE or not owner.is_confirmed:
        return is_admin
    if viewer is not None and is_blocked_either_way(viewer.id, owner.id):
        return False
    visibility = profile.visibility if profile else ref.Visibility.MEMBERS
    if visibility == ref.Visibility.PUBLIC:
        return True
    if viewer is None:
        return False
    if visibility == ref.Visibility.MEMBERS or is_admin:
        return True
    return are_connected(viewer.id, owner.id)


def get_visible_member(viewer: User | None, user_id: int) -> tuple[User, Profile | None]:
    """The member `user_id` and their profile, if `viewer` may see them (`can_view_profile`).

    Raises NotFound otherwise, the same for a missing member as for a hidden one. Called by
    the profile page and `GET /api/v1/members/{id}`.
    """
    member = db.session.get(User, user_id)
    profile = get_profile(user_id) if member is not None else None
    if member is None or not can_view_profile(viewer, member, profile):
        raise NotFound(_("We could not find that member."))
    return member, profile


@dataclass
class Completeness:
    percent: int
    missing: list[str]


def completeness(user: User, profile: Profile | None) -> Completeness:
    """How much of the profile is filled in, and what to add next, in words."""
    checks = [
        (bool(profile and profile.avatar_name), _("a photo")),
        (bool(profile and profile.headline), _("a headline")),
        (bool(profile and profile.bio), _("a few words about you")),
        (bool(profile and profile.host_city), _("the city you live in")),
        (bool(profile and profile.home_country), _("your home country")),
        (bool(profile and profile.languages), _("the languages you speak")),
        (bool(profile and any(t.kind == "skill" for t in profile.tags)), _("your skills")),
        (bool(profile and any(t.kind == "interest" for t in profile.tags)), _("your interests")),
        (bool(profile and profile.looking_for), _("what you are looking for")),
        (bool(profile and profile.professional_field), _("your professional field")),
    ]
    done = sum(1 for ok, _label in checks if ok)
    return Completeness(round(100 * done / len(checks)), [label for ok, label in checks if not ok])


_SUGGESTION_TTL = 120.0
_suggestion_cache: dict[tuple[str, str, int], tuple[float, list[str]]] = {}


def tag_suggestions(kind: str, limit: int = 200) -> list[str]:
    """The most used labels of `kind`, for the form's <datalist>; cached for two minutes
    per database (an aggregate over every profile is not worth running on each page)."""
    key = (str(db.engine.url), kind, limit)
    cached = _suggestion_cache.get(key)
    now = time.monotonic()
    if cached and cached[0] > now:
        return cached[1]
    labels = _count_tag_labels(kind, limit)
    _suggestion_cache[key] = (now + _SUGGESTION_TTL, labels)
    return labels


def _count_tag_labels(kind: str, limit: int) -> list[str]:
    from sqlalchemy import func

    rows = db.session.execute(
        select(Tag.label, func.count(ProfileTag.id).label("uses"))
        .join(ProfileTag, ProfileTag.tag_id == Tag.id)
        .where(ProfileTag.kind == kind)
        .group_by(Tag.id, Tag.label)
        .order_by(func.count(ProfileTag.id).desc(), Tag.label)
        .limit(limit)
    ).all()
    return [label for label, _uses in rows]
