"""A small world for the pair tests. Programmes, accepted applications and confirmed pairs
belong to the programmes and matching engineers' services, which this branch does not
have: they are made here with the models directly (as the brief asks); everything a pair
does afterwards goes through the real `community.mentoring.pairs` services.

Roles (`ROLES`): `mentor` and `mentee` of the pair, `other_mentor` (a mentor of another pair
in the same programme), `coordinator` (of this programme), `other_coordinator` (a
coordinator of another programme), `admin`, `member` and `anonymous`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import update

from community.auth.models import User
from community.auth.roles import Role
from community.core.database import utcnow
from community.extensions import db
from community.mentoring.models import (
    ApplicationAnswer,
    ApplicationAvoid,
    ApplicationLanguage,
    ApplicationStatus,
    ApplicationTag,
    MentoringApplication,
    Pair,
    PairStatus,
    Programme,
    ProgrammeQuestion,
)
from community.profiles.services import tags_by_name
from tests.factories import UserRef, make_user

ROLES = (
    "mentor",
    "mentee",
    "other_mentor",
    "coordinator",
    "other_coordinator",
    "admin",
    "member",
    "anonymous",
)
PAIR_ROLES = ("mentor", "mentee")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SECRET_TOPIC = "Salary negotiation at Maersk"  # must never reach the coordinator
AVOIDED_NAME = "Avery Avoided"


def user(ref: UserRef) -> User:
    return db.session.get(User, ref.id)


def make_programme(coordinator: UserRef | None, **changes) -> Programme:
    today = date.today()
    values = {
        "name": "International Business Mentoring",
        "city": "copenhagen",
        "starts_on": today - timedelta(days=90),
        "ends_on": today + timedelta(days=270),
        "application_deadline": today - timedelta(days=100),
        "coordinator_id": coordinator.id if coordinator else None,
    }
    values.update(changes)
    programme = Programme(**values)
    db.session.add(programme)
    db.session.flush()
    return programme


def make_application(
    programme: Programme, ref: UserRef, role: str, *, avoid: list[int] = (), **changes
) -> MentoringApplication:
    values = {
        "programme_id": programme.id,
        "user_id": ref.id,
        "role": role,
        "status": ApplicationStatus.ACCEPTED,
        "field": "logistics",
        "qualifications": "Ten years in supply-chain planning.",
        "goals": "Move into consulting." if role == "mentee" else "",
        "offer": "Introductions to consulting firms." if role == "mentor" else "",
        "wishes": "Someone patient who likes long walks.",
        "availability": "Weekday evenings",
        "capacity": 1 if role == "mentor" else None,
        "experience_years": 10,
    }
    values.update(changes)
    application = MentoringApplication(**values)
    application.languages = [ApplicationLanguage(code="de", position=0)]
    application.languages.append(ApplicationLanguage(code="en", position=1))
    industry, interest = tags_by_name(["Shipping", "Hiking"])
    application.tags = [
        ApplicationTag(tag_id=industry.id, kind="industry", position=0),
        ApplicationTag(tag_id=interest.id, kind="interest", position=0),
    ]
    application.avoids = [ApplicationAvoid(avoided_user_id=uid) for uid in avoid]
    db.session.add(application)
    db.session.flush()
    return application


def make_pair(programme: Programme, mentor: UserRef, mentee: UserRef, **changes) -> Pair:
    values = {
        "programme_id": programme.id,
        "mentor_id": mentor.id,
        "mentee_id": mentee.id,
        "status": PairStatus.ACTIVE,
        "score": 72.5,
        "parts": {"field": 30.0, "languages": 20.0, "goals": 22.5},
        "reasons": ["both in supply-chain logistics", "both speak German"],
        "started_at": utcnow() - timedelta(days=10),
    }
    values.update(changes)
    pair = Pair(**values)
    db.session.add(pair)
    db.session.flush()
    return pair


def age_pair(pair_id: int, days: int) -> None:
    """Make a pair look `days` old (started and created then)."""
    then = utcnow() - timedelta(days=days)
    db.session.execute(
        update(Pair).where(Pair.id == pair_id).values(started_at=then, created_at=then)
    )
    db.session.commit()


@dataclass
class PairsWorld:
    people: dict[str, UserRef] = field(default_factory=dict)
    programme_id: int = 0
    other_programme_id: int = 0
    pair_id: int = 0  # mentor + mentee, active
    other_pair_id: int = 0  # other_mentor + another mentee, same programme
    question: str = ""

    def __getitem__(self, role: str) -> UserRef:
        return self.people[role]


def build_world(**programme_changes) -> PairsWorld:
    """The programme, its coordinator, a pair (with both applications, the mentee's naming
    someone to avoid and answering the programme's question) and a second pair."""
    world = PairsWorld()
    people = world.people
    people["mentor"] = make_user(None, "Magnus Mentor")
    people["mentee"] = make_user(None, "Emma Mentee")
    people["other_mentor"] = make_user(None, "Otto Othermentor")
    people["other_mentee"] = make_user(None, "Olga Othermentee")
    people["coordinator"] = make_user(None, "Cora Coordinator", roles=(Role.COORDINATOR,))
    people["other_coordinator"] = make_user(None, "Cole Coordinator", roles=(Role.COORDINATOR,))
    people["admin"] = make_user(None, "Ada Admin", roles=(Role.ADMIN,))
    people["member"] = make_user(None, "Mia Member")
    people["avoided"] = make_user(None, AVOIDED_NAME)
    programme = make_programme(people["coordinator"], **programme_changes)
    programme.questions = [ProgrammeQuestion(text="What would make this year a success?")]
    other = make_programme(people["other_coordinator"], name="Aarhus Mentors")
    db.session.flush()
    world.question = programme.questions[0].text
    make_application(
        programme, people["mentor"], "mentor", avoid=[people["avoided"].id],
        qualifications="Partner at a logistics consultancy.",
    )  # fmt: skip
    mentee_application = make_application(
        programme, people["mentee"], "mentee", avoid=[people["avoided"].id]
    )
    mentee_application.answers = [
        ApplicationAnswer(question_id=programme.questions[0].id, text="A job offer by June.")
    ]
    make_application(programme, people["other_mentor"], "mentor")
    make_application(programme, people["other_mentee"], "mentee")
    world.programme_id, world.other_programme_id = programme.id, other.id
    world.pair_id = make_pair(programme, people["mentor"], people["mentee"]).id
    world.other_pair_id = make_pair(programme, people["other_mentor"], people["other_mentee"]).id
    db.session.commit()
    return world
