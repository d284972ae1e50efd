"""A small world for the gig tests: the people of every role, made through the real account
services, and gigs posted through the real `gigs.services`.

Roles: `poster` (a member whose account is 30 days old; the gig's poster), `applicant` (a
member who applied to it), `other` (a member who did not), `organiser`, `moderator`,
`admin` and `anonymous`. Every account but `young` is aged 30 days (the 7-day hold would
otherwise hold every gig a fresh test account posts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import update

from community.auth.models import User
from community.auth.roles import Role
from community.core.database import utcnow
from community.extensions import db
from community.gigs import applications, services
from community.gigs.models import Gig
from tests.factories import UserRef, make_user

ROLES = ("poster", "applicant", "other", "organiser", "moderator", "admin", "anonymous")
MEMBER_ROLES = tuple(role for role in ROLES if role != "anonymous")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def user(ref: UserRef) -> User:
    return db.session.get(User, ref.id)


def age(ref: UserRef, days: int = 30) -> None:
    """Make an account `days` old (test set-up: the hold for new accounts is by age)."""
    db.session.execute(
        update(User).where(User.id == ref.id).values(created_at=utcnow() - timedelta(days=days))
    )
    db.session.commit()


def gig_data(**changes) -> services.GigData:
    values = {
        "kind": "volunteering",
        "title": "Translate our volunteer brochure",
        "description": "Our **food bank** needs its brochure in English and Danish.",
        "deliverable": "a translated brochure",
        "who_can_take": "unpaid_nonprofit",
        "skills": ["Translation", "Danish"],
        "languages": ["da", "en"],
        "city": "copenhagen",
        "remote": False,
        "engagement": "voluntary",
        "hours_per_week": 5,
        "duration": "about 3 weeks",
        "deadline": date.today() + timedelta(days=20),
    }
    values.update(changes)
    return services.GigData(**values)


def post_gig(ref: UserRef, **changes) -> Gig:
    gig = services.create_gig(user(ref), gig_data(**changes))
    db.session.commit()
    return gig


@dataclass
class GigsWorld:
    people: dict[str, UserRef] = field(default_factory=dict)
    gig_id: int = 0  # approved, open, by `poster`; `applicant` applied
    pending_id: int = 0  # held (asks for a fee), by `poster`
    application_id: int = 0

    def __getitem__(self, role: str) -> UserRef:
        return self.people[role]


def build_world() -> GigsWorld:
    world = GigsWorld()
    world.people = {
        "poster": make_user("pia.poster@example.org", "Pia Poster"),
        "applicant": make_user("abe.applicant@example.org", "Abe Applicant"),
        "other": make_user("oda.other@example.org", "Oda Other"),
        "organiser": make_user("org.organiser@example.org", "Org Organiser", roles=(Role.ORGANISER,)),
        "moderator": make_user("mod.moderator@example.org", "Mod Moderator", roles=(Role.MODERATOR,)),
        "admin": make_user("adm.admin@example.org", "Adm Admin", roles=(Role.ADMIN,)),
    }  # fmt: skip
    for ref in world.people.values():
        age(ref)
    gig = post_gig(world["poster"])
    world.gig_id = gig.id
    pending = post_gig(
        world["poster"], title="Data entry", description="A registration fee of 50 EUR applies."
    )
    world.pending_id = pending.id
    application = applications.apply(
        user(world["applicant"]), gig, "I translate for a living.", "https://example.org/cv"
    )
    db.session.commit()
    world.application_id = application.id
    return world
