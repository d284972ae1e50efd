"""The member directory: filters, visibility, blocks, keyset pages and "why this person".

A page costs a fixed number of queries whatever its size: one for the members, three for
their tags, languages and looking-for, and a few for the viewer's own profile and relations.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, exists, func, or_, select, true
from sqlalchemy.sql.selectable import SelectBase

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.connections.models import Block
from community.connections.relations import related_ids
from community.core.pagination import Page, keyset
from community.extensions import db
from community.profiles import reference as ref
from community.profiles.models import Profile, ProfileLanguage, ProfileLookingFor, ProfileTag, Tag
from community.profiles.services import get_profile, load_profiles, normalise_tag
from community.search.services import matching_ids

MAX_PAGE = 50
MAX_SEARCH = 80  # characters of a name or headline search


@dataclass
class DirectoryFilters:
    q: str = ""
    skill: str = ""
    language: str = ""
    city: str = ""
    looking_for: str = ""

    def active(self) -> bool:
        return any((self.q, self.skill, self.language, self.city, self.looking_for))


@dataclass
class MemberCard:
    user: User
    profile: Profile | None
    reasons: list[str] = field(default_factory=list)
    connected: bool = False


def _any(ids: AbstractSet[int] | SelectBase) -> bool:
    """Whether `ids` may name anyone: a non-empty set, or any SELECT."""
    return not isinstance(ids, AbstractSet) or bool(ids)


def visible_to_clause(
    viewer: User, connected: AbstractSet[int] | SelectBase, blocked: AbstractSet[int] | SelectBase
):
    """SQL for "profiles this viewer may find": the same rule as `can_view_profile`.
    `connected` and `blocked` are the viewer's ids (`related_ids`) or SELECTs of them
    (`connected_ids_select`, `blocked_ids_select`: no round trips first, for search)."""
    visibility = func.coalesce(Profile.visibility, ref.Visibility.MEMBERS.value)
    allowed = [visibility.in_([ref.Visibility.PUBLIC.value, ref.Visibility.MEMBERS.value])]
    if viewer.has_role(Role.ADMIN):
        allowed = [true()]
    elif _any(connected):
        allowed.append(and_(visibility == ref.Visibility.CONNECTIONS.value, User.id.in_(connected)))
    clauses = [
        User.status == UserStatus.ACTIVE,
        User.email_confirmed_at.is_not(None),
        User.id != viewer.id,
        or_(*allowed),
    ]
    if _any(blocked):
        clauses.append(User.id.not_in(blocked))
    return and_(*clauses)


def visible_ids(viewer: User, ids, *, despite_my_block: bool = False) -> set[int]:
    """Which of `ids` `viewer` may see the profile of: `can_view_profile` for many members at
    once, in SQL (three queries). `despite_my_block` leaves out the viewer's own blocks (the
    blocked list shows the names of those the viewer could see before blocking them).

    Called wherever an answer mentions members the viewer did not find through the directory:
    connection requests, the network page, blocks (#13.3: a name or headline is shown only
    to those allowed to see it).
    """
    ids = {member_id for member_id in ids if member_id != viewer.id}
    if not ids:
        return set()
    connected, _pending, blocked = related_ids(viewer.id)
    if despite_my_block:
        blocked = set(
            db.session.scalars(select(Block.blocker_id).where(Block.blocked_id == viewer.id))
        )
    statement = (
        select(User.id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(User.id.in_(ids), visible_to_clause(viewer, connected, blocked))
    )
    return set(db.session.scalars(statement))


def search_members(
    viewer: User, filters: DirectoryFilters, cursor: str | None = None, limit: int = 20
) -> Page[MemberCard]:
    """One page of members `viewer` may find, newest first. Raises BadCursor."""
    limit = max(1, min(limit, MAX_PAGE))
    connected, _pending, blocked = related_ids(viewer.id)
    statement = (
        select(User, Profile)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(visible_to_clause(viewer, connected, blocked))
    )
    if filters.q:
        # The search index (name, headline, skills, interests, city, bio): stemmed words,
        # the last one also as a prefix. Visibility stays the clause above.
        statement = statement.where(User.id.in_(matching_ids("member", filters.q[:MAX_SEARCH])))
    if filters.skill:
        statement = statement.where(
            exists(
                select(ProfileTag.id)
                .join(Tag, Tag.id == ProfileTag.tag_id)
                .where(
                    ProfileTag.user_id == User.id,
                    ProfileTag.kind == "skill",
                    Tag.name == normalise_tag(filters.skill),
                )
            )
        )
    if filters.language:
        statement = statement.where(
            exists(
                select(ProfileLanguage.id).where(
                    ProfileLanguage.user_id == User.id, ProfileLanguage.code == filters.language
                )
            )
        )
    if filters.city:
        statement = statement.where(Profile.host_city == filters.city)
    if filters.looking_for:
        statement = statement.where(
            exists(
                select(ProfileLookingFor.id).where(
                    ProfileLookingFor.user_id == User.id,
                    ProfileLookingFor.value == filters.looking_for,
                )
            )
        )
    page = keyset(
        statement, [User.id.desc()], cursor, limit, key=lambda row: (row[0].id,), scalars=False
    )
    rows = page.items
    profiles = load_profiles([user.id for user, profile in rows if profile is not None])
    mine = get_profile(viewer.id)
    cards = [
        MemberCard(
            user=user,
            profile=profiles.get(user.id),
            reasons=relevance_reasons(mine, profiles.get(user.id)),
            connected=user.id in connected,
        )
        for user, _profile in rows
    ]
    return Page(cards, page.next_cursor, page.prev_cursor)


# How much each shared thing counts when ranking suggestions (SQL and Python agree).
WEIGHTS = {"skill": 3, "interest": 2, "language": 2, "city": 4, "looking_for": 1}


@dataclass
class Overlap:
    skills: list[str]
    interests: list[str]
    languages: list[str]
    same_city: bool
    looking_for: list[str]

    def score(self) -> int:
        return (
            WEIGHTS["skill"] * len(self.skills)
            + WEIGHTS["interest"] * len(self.interests)
            + WEIGHTS["language"] * len(self.languages)
            + (WEIGHTS["city"] if self.same_city else 0)
            + WEIGHTS["looking_for"] * len(self.looking_for)
        )


def overlap(mine: Profile | None, theirs: Profile | None) -> Overlap:
    """What two profiles share. Profiles must have tags, languages and looking-for loaded."""
    if mine is None or theirs is None:
        return Overlap([], [], [], False, [])

    def tags(profile: Profile, kind: str) -> dict[int, str]:
        return {row.tag_id: row.tag.label for row in profile.tags if row.kind == kind}

    my_skills, their_skills = tags(mine, "skill"), tags(theirs, "skill")
    my_interests, their_interests = tags(mine, "interest"), tags(theirs, "interest")
    my_languages = {row.code for row in mine.languages}
    shared_languages = [row.code for row in theirs.languages if row.code in my_languages]
    my_looking = {row.value for row in mine.looking_for}
    return Overlap(
        skills=[label for tag_id, label in their_skills.items() if tag_id in my_skills],
        interests=[label for tag_id, label in their_interests.items() if tag_id in my_interests],
        languages=shared_languages,
        same_city=bool(mine.host_city and mine.host_city == theirs.host_city),
        looking_for=[row.value for row in theirs.looking_for if row.value in my_looking],
    )


def describe(shared: Overlap, *, limit: int = 3) -> list[str]:
    """Reasons in words, most telling first: "Also in Copenhagen", "2 shared skills: ..."."""
    reasons: list[str] = []
    if shared.skills:
        reasons.append(
            ngettext(
                "Shared skill: %(list)s",
                "%(num)d shared skills: %(list)s",
                len(shared.skills),
                list=_first_three(shared.skills),
            )
        )
    if shared.same_city:
        reasons.append(_("Lives in your city"))
    if shared.languages:
        reasons.append(
            _(
                "Also speaks %(list)s",
                list=", ".join(ref.language_name(c) for c in shared.languages[:3]),
            )
        )
    if shared.interests:
        reasons.append(
            ngettext(
                "Shared interest: %(list)s",
                "%(num)d shared interests: %(list)s",
                len(shared.interests),
                list=_first_three(shared.interests),
            )
        )
    if shared.looking_for:
        labels = [
            str(ref.LOOKING_FOR_LABELS[ref.LookingFor(v)]).lower() for v in shared.looking_for
        ]
        reasons.append(_("Also looking for %(list)s", list=", ".join(labels[:2])))
    return reasons[:limit]


def _first_three(labels: list[str]) -> str:
    """ "a, b, c" or "a, b, c and 2 more", in a stable (alphabetical) order."""
    ordered = sorted(labels, key=str.casefold)
    shown = ", ".join(ordered[:3])
    if len(ordered) > 3:
        return _("%(list)s and %(n)d more", list=shown, n=len(ordered) - 3)
    return shown


def relevance_reasons(mine: Profile | None, theirs: Profile | None) -> list[str]:
    return describe(overlap(mine, theirs))
