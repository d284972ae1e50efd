"""A small community for the posts tests: an author with a public question, a private group
with its organiser and a member who posted in it, and the people around them.

Groups have no service of their own yet (the groups pages come with their own branch), so
`make_group` writes the group and membership rows the way that service will: an organiser
row for the creator and active member rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from community.auth.models import User
from community.auth.roles import Role
from community.connections import services as connections
from community.extensions import db
from community.groups.models import (
    Group,
    GroupMembership,
    GroupVisibility,
    MembershipRole,
    MembershipStatus,
)
from community.posts import services as posts
from tests.factories import UserRef, make_user

ROLES = (
    "author",
    "member",
    "moderator",
    "admin",
    "blocked",
    "group_member",
    "group_organiser",
    "outsider",
)


def make_group(
    name: str,
    organiser_id: int,
    members: tuple[int, ...] = (),
    *,
    private: bool = True,
) -> int:
    group = Group(
        slug=name.lower().replace(" ", "-"),
        name=name,
        visibility=GroupVisibility.PRIVATE if private else GroupVisibility.PUBLIC,
        created_by_id=organiser_id,
        member_count=1 + len(members),
    )
    db.session.add(group)
    db.session.flush()
    db.session.add(
        GroupMembership(group_id=group.id, user_id=organiser_id, role=MembershipRole.ORGANISER)
    )
    for user_id in members:
        db.session.add(
            GroupMembership(group_id=group.id, user_id=user_id, status=MembershipStatus.ACTIVE)
        )
    db.session.commit()
    return group.id


@dataclass
class PostsWorld:
    people: dict[str, UserRef]
    question_id: int  # a public question by `author`
    offer_id: int  # a public offer by `author`
    group_post_id: int  # a request by `group_member` in the private group
    group_id: int

    def __getitem__(self, role: str) -> UserRef:
        return self.people[role]


def build_world() -> PostsWorld:
    """Inside an app context: the people, the private group, three posts."""
    people = {
        "author": make_user(display_name="Ari Author"),
        "member": make_user(display_name="Mel Member"),
        "moderator": make_user(roles=(Role.MODERATOR,), display_name="Mo Moderator"),
        "admin": make_user(roles=(Role.ADMIN,), display_name="Ada Admin"),
        "blocked": make_user(display_name="Bo Blocked"),
        "group_member": make_user(display_name="Gia Groupie"),
        "group_organiser": make_user(display_name="Gus Organiser"),
        "outsider": make_user(display_name="Oz Outsider"),
    }
    author = db.session.get(User, people["author"].id)
    connections.block(author, people["blocked"].id)
    db.session.commit()
    group_id = make_group("Tax circle", people["group_organiser"].id, (people["group_member"].id,))
    question = posts.create_post(
        author,
        posts.PostData(
            kind="question",
            title="Who knows Danish tax?",
            body="I need help with my *tax return*.",
            tags=["Danish tax"],
            city="copenhagen",
        ),
    )
    offer = posts.create_post(
        author,
        posts.PostData(
            kind="offer", title="I can review CVs", body="Ten years in HR.", tags=["CV"]
        ),
    )
    group_post = posts.create_post(
        db.session.get(User, people["group_member"].id),
        posts.PostData(
            kind="request",
            title="Secret circle request",
            body="Only for the circle.",
            tags=["Circle secret"],
            group_id=group_id,
        ),
    )
    db.session.commit()
    return PostsWorld(people, question.id, offer.id, group_post.id, group_id)
