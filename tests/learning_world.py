"""A small learning world for the learning tests, made through the real services: items
added by an organiser, a member with a plan, another member with theirs, and a learning
event (plus one in a private group the member may not see)."""

from __future__ import annotations

from dataclasses import dataclass

from community.auth.models import User
from community.auth.roles import Role
from community.events import services as events
from community.extensions import db
from community.groups import services as groups
from community.learning import services as learning
from tests.factories import UserRef, event_data, make_user

ROLES = ("member", "other", "organiser", "other_organiser", "moderator", "admin")


def user(ref: UserRef) -> User:
    return db.session.get(User, ref.id)


def item_data(**changes) -> learning.ItemData:
    values = {
        "kind": "language_class",
        "title": "Danish 1",
        "description": "Everyday *Danish* for newcomers.",
        "provider": "Copenhagen Language Center",
        "format": "in_person",
        "city": "copenhagen",
        "free": True,
        "language": "da",
        "skills": ["Danish"],
        "link": "https://example.org/danish",
    }
    values.update(changes)
    return learning.ItemData(**values)


@dataclass
class LearningWorld:
    people: dict[str, UserRef]
    item_id: int  # by the organiser
    paid_item_id: int
    entry_id: int  # the member's entry for item_id
    other_entry_id: int  # the other member's entry for item_id
    event_id: int  # a learning event everyone sees
    hidden_event_id: int  # a learning event in a private group the member is not in

    def __getitem__(self, role: str) -> UserRef:
        return self.people[role]


def build_world() -> LearningWorld:
    people = {
        "member": make_user("mia@example.org", "Mia Member"),
        "other": make_user("oscar@example.org", "Oscar Other"),
        "organiser": make_user("olu@example.org", "Olu Organiser", roles=(Role.ORGANISER,)),
        "other_organiser": make_user("ola@example.org", "Ola Organiser", roles=(Role.ORGANISER,)),
        "moderator": make_user("mo@example.org", "Mo Moderator", roles=(Role.MODERATOR,)),
        "admin": make_user("ada@example.org", "Ada Admin", roles=(Role.ADMIN,)),
    }
    organiser = user(people["organiser"])
    item = learning.create_item(organiser, item_data())
    paid = learning.create_item(
        organiser,
        item_data(
            kind="course",
            title="Data analysis with SQL",
            format="online",
            city="",
            free=False,
            cost_amount=120,
            currency="EUR",
            cost_from=True,
            funding="Often covered by an employer's partner budget",
            language="en",
            skills=["SQL", "Data analysis"],
        ),
    )
    db.session.commit()
    entry = learning.add_to_plan(user(people["member"]), item_id=item.id)
    other_entry = learning.add_to_plan(user(people["other"]), item_id=item.id, status="doing")
    event = events.create_event(organiser, event_data(title="Danish café", category="learning"))
    db.session.commit()
    group = groups.create_group(
        organiser,
        groups.GroupData(name="Secret circle", description="Private.", visibility="private"),
    )
    db.session.commit()
    hidden = events.create_event(
        organiser, event_data(title="Secret Danish class", category="learning", group_id=group.id)
    )
    db.session.commit()
    return LearningWorld(people, item.id, paid.id, entry.id, other_entry.id, event.id, hidden.id)
