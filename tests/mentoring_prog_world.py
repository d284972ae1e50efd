"""A small world for the programme and application tests: the people of every role, made
through the real account services; a programme open for applications made through the real
`programmes` service, with one extra question for each side; one application through the
real `applications` service.

Roles: `coordinator` (coordinates the programme), `other_coordinator` (a coordinator of no
programme here), `admin`, `moderator`, `member` (has not applied), `applicant` (applied as
mentee; named `member`... no: names `avoided` on the avoid list), `avoided` (the person the
applicant must not be paired with), and `anonymous`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from community.auth.models import User
from community.auth.roles import Role
from community.extensions import db
from community.mentoring import applications, programmes
from community.mentoring.models import Programme
from tests.factories import UserRef, make_user

ROLES = (
    "coordinator", "other_coordinator", "admin", "moderator", "member", "applicant", "avoided",
    "anonymous",
)  # fmt: skip
MEMBER_ROLES = tuple(role for role in ROLES if role != "anonymous")
MANAGERS = ("coordinator", "admin")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def user(ref: UserRef) -> User:
    return db.session.get(User, ref.id)


def programme_data(**changes) -> programmes.ProgrammeData:
    today = date.today()
    values = {
        "name": "International Business Mentoring 2027",
        "description": "A year with a **local professional** at your side.",
        "city": "copenhagen",
        "online": False,
        "starts_on": today + timedelta(days=40),
        "ends_on": today + timedelta(days=40 + 365),
        "application_deadline": today + timedelta(days=20),
        "timezone": "Europe/Copenhagen",
        "default_capacity": 2,
        "mentors_accept": False,
        "questions": [
            programmes.QuestionData("Which companies would you like to work for?", "mentee"),
            programmes.QuestionData("How many years have you mentored?", "mentor"),
        ],
    }
    values.update(changes)
    return programmes.ProgrammeData(**values)


def application_data(**changes) -> applications.ApplicationData:
    values = {
        "role": "mentee",
        "field": "business",
        "education_level": "master",
        "experience_years": 8,
        "qualifications": "MSc in supply-chain management; 8 years in logistics.",
        "languages": ["en", "de"],
        "industries": ["Logistics"],
        "interests": ["Running"],
        "goals": "I want to move into consulting.",
        "offer": "",
        "wishes": "Someone patient who knows the local job market.",
        "availability": "weekday evenings",
        "prefers_field": "any",
        "prefers_language": "",
    }
    values.update(changes)
    return applications.ApplicationData(**values)


@dataclass
class ProgWorld:
    people: dict[str, UserRef] = field(default_factory=dict)
    programme_id: int = 0
    application_id: int = 0  # `applicant`'s, naming `avoided`
    mentee_question_id: int = 0
    mentor_question_id: int = 0

    def __getitem__(self, role: str) -> UserRef:
        return self.people[role]


def make_programme(ref: UserRef, **changes) -> Programme:
    programme = programmes.create_programme(user(ref), programme_data(**changes))
    db.session.commit()
    return programme


def build_world() -> ProgWorld:
    world = ProgWorld()
    world.people = {
        "coordinator": make_user("cora.coord@example.org", "Cora Coord", roles=(Role.COORDINATOR,)),
        "other_coordinator": make_user("otto.coord@example.org", "Otto Coord",
                                       roles=(Role.COORDINATOR,)),
        "admin": make_user("adm.admin@example.org", "Adm Admin", roles=(Role.ADMIN,)),
        "moderator": make_user("mod.mod@example.org", "Mod Moderator", roles=(Role.MODERATOR,)),
        "member": make_user("mel.member@example.org", "Mel Member"),
        "applicant": make_user("ana.applicant@example.org", "Ana Applicant"),
        "avoided": make_user("vic.avoided@example.org", "Vic Avoided"),
    }  # fmt: skip
    programme = make_programme(world["coordinator"])
    world.programme_id = programme.id
    world.mentee_question_id = programme.questions[0].id
    world.mentor_question_id = programme.questions[1].id
    application = applications.apply(
        user(world["applicant"]),
        programme,
        application_data(
            avoid_user_ids=[world["avoided"].id],
            answers={world.mentee_question_id: "Maersk or Novo Nordisk."},
        ),
    )
    db.session.commit()
    world.application_id = application.id
    return world
