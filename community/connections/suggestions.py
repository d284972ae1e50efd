"""People you may want to meet: members who share a city, skills, interests, languages or
goals with me, ranked by how much, each with its reasons in words.

The ranking runs in SQL (one aggregate over the matching rows), so the cost does not grow
with the number of candidates loaded into Python; only the chosen few are loaded to write
their reasons. Excludes me, my connections, pending requests either way, blocks either way,
and anyone I may not see. A fixed number of queries whatever the size of the community.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, or_, select, union_all

from community.auth.models import User
from community.connections.relations import related_ids
from community.extensions import db
from community.profiles.directory import (
    WEIGHTS,
    describe,
    overlap,
    visible_to_clause,
)
from community.profiles.models import Profile, ProfileLanguage, ProfileLookingFor, ProfileTag
from community.profiles.services import get_profile, load_profiles


@dataclass
class Suggestion:
    user: User
    profile: Profile
    score: int
    reasons: list[str]


def _matches(mine: Profile):
    """A UNION ALL of (user_id, points) rows, one per thing a member shares with `mine`."""
    parts = []
    skills = [row.tag_id for row in mine.tags if row.kind == "skill"]
    interests = [row.tag_id for row in mine.tags if row.kind == "interest"]
    tag_rules = []
    if skills:
        tag_rules.append(and_(ProfileTag.kind == "skill", ProfileTag.tag_id.in_(skills)))
    if interests:
        tag_rules.append(and_(ProfileTag.kind == "interest", ProfileTag.tag_id.in_(interests)))
    if tag_rules:
        parts.append(
            select(
                ProfileTag.user_id.label("user_id"),
                case(
                    (ProfileTag.kind == "skill", WEIGHTS["skill"]), else_=WEIGHTS["interest"]
                ).label("points"),
            ).where(or_(*tag_rules))
        )
    codes = [row.code for row in mine.languages]
    if codes:
        parts.append(
            select(
                ProfileLanguage.user_id.label("user_id"),
                literal(WEIGHTS["language"]).label("points"),
            ).where(ProfileLanguage.code.in_(codes))
        )
    if mine.host_city:
        parts.append(
            select(
                Profile.user_id.label("user_id"), literal(WEIGHTS["city"]).label("points")
            ).where(Profile.host_city == mine.host_city)
        )
    goals = [row.value for row in mine.looking_for]
    if goals:
        parts.append(
            select(
                ProfileLookingFor.user_id.label("user_id"),
                literal(WEIGHTS["looking_for"]).label("points"),
            ).where(ProfileLookingFor.value.in_(goals))
        )
    return union_all(*parts).subquery("matches") if parts else None


def suggest_people(viewer: User, limit: int = 6) -> list[Suggestion]:
    """The best `limit` members for `viewer` to meet, best first (ties: newest member)."""
    mine = get_profile(viewer.id)
    if mine is None:
        return []
    matches = _matches(mine)
    if matches is None:
        return []
    connected, pending, blocked = related_ids(viewer.id)
    score = func.sum(matches.c.points).label("score")
    statement = (
        select(User.id, score)
        .join(matches, matches.c.user_id == User.id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(visible_to_clause(viewer, connected, blocked))
        .group_by(User.id)
        .order_by(score.desc(), User.id.desc())
        .limit(limit)
    )
    exclude = connected | pending
    if exclude:
        statement = statement.where(User.id.not_in(exclude))
    ranked = db.session.execute(statement).all()
    ids = [user_id for user_id, _score in ranked]
    if not ids:
        return []
    profiles = load_profiles(ids)
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return [
        Suggestion(
            users[user_id],
            profiles[user_id],
            int(points),
            describe(overlap(mine, profiles[user_id])),
        )
        for user_id, points in ranked
    ]
