"""People you may want to meet: members who share a city, skills, interests, languages or
goals with me, ranked by how much, each with its reasons in words.

Excludes me, my connections, pending requests either way, blocks either way, and anyone I
may not see. A fixed number of queries, whatever the size of the community.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from community.auth.models import User
from community.connections.relations import related_ids
from community.extensions import db
from community.profiles.directory import describe, overlap, visible_to_clause
from community.profiles.models import Profile, ProfileLanguage, ProfileTag
from community.profiles.services import get_profile, load_profiles

CANDIDATE_LIMIT = 400


@dataclass
class Suggestion:
    user: User
    profile: Profile
    score: int
    reasons: list[str]


def suggest_people(viewer: User, limit: int = 6) -> list[Suggestion]:
    """The best `limit` members for `viewer` to meet, best first (ties: newest member)."""
    mine = get_profile(viewer.id)
    if mine is None:
        return []
    connected, pending, blocked = related_ids(viewer.id)
    tag_ids = [row.tag_id for row in mine.tags]
    codes = [row.code for row in mine.languages]
    shares = []
    if mine.host_city:
        shares.append(Profile.host_city == mine.host_city)
    if tag_ids:
        shares.append(
            Profile.user_id.in_(select(ProfileTag.user_id).where(ProfileTag.tag_id.in_(tag_ids)))
        )
    if codes:
        shares.append(
            Profile.user_id.in_(
                select(ProfileLanguage.user_id).where(ProfileLanguage.code.in_(codes))
            )
        )
    if not shares:
        return []
    statement = (
        select(User.id)
        .join(Profile, Profile.user_id == User.id)
        .where(visible_to_clause(viewer, connected, blocked), or_(*shares))
        .order_by(User.id.desc())
        .limit(CANDIDATE_LIMIT)
    )
    exclude = connected | pending
    if exclude:
        statement = statement.where(User.id.not_in(exclude))
    candidate_ids = list(db.session.scalars(statement))
    profiles = load_profiles(candidate_ids)
    users = (
        {
            user.id: user
            for user in db.session.scalars(select(User).where(User.id.in_(candidate_ids)))
        }
        if candidate_ids
        else {}
    )
    ranked = []
    for user_id in candidate_ids:
        shared = overlap(mine, profiles.get(user_id))
        score = shared.score()
        if score > 0 and user_id in users:
            ranked.append(Suggestion(users[user_id], profiles[user_id], score, describe(shared)))
    ranked.sort(key=lambda s: (-s.score, -s.user.id))
    return ranked[:limit]
