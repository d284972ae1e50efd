"""A small world for the outcome and report tests. Applications, pairs and what pairs record
belong to other parts of the mentoring feature, so they are made here directly with the
models (as the programmes, matching and pairs services would leave them); outcomes are
recorded through the real `outcomes.record_outcome` where a test is about them.

Roles of `build_world()`: `mentee` (an accepted mentee, in an active pair with `mentor`),
`mentor`, `other_mentee` (another accepted mentee of the programme, with `other_mentor`),
`coordinator` (coordinates the programme), `other_coordinator` (coordinates another
programme), `admin`, `member` (no part in it) and `anonymous`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from community.auth.models import User
from community.auth.roles import Role
from community.core.database import utcnow
from community.extensions import db
from community.mentoring.models import (
    ApplicationStatus,
    MentorFeedback,
    MentoringApplication,
    MentoringOutcome,
    Pair,
    PairFitAnswer,
    PairGoal,
    PairMeeting,
    PairStatus,
    Programme,
)
from tests.factories import UserRef, make_user

ROLES = (
    "mentee",
    "mentor",
    "other_mentee",
    "coordinator",
    "other_coordinator",
    "admin",
    "member",
    "anonymous",
)
MEMBER_ROLES = tuple(role for role in ROLES if role != "anonymous")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def user(ref: UserRef) -> User:
    return db.session.get(User, ref.id)


def make_programme(coordinator_id: int | None, **changes) -> Programme:
    values = {
        "name": "International Business Mentoring",
        "description": "A year of mentoring.",
        "city": "copenhagen",
        "starts_on": date.today() - timedelta(days=300),
        "ends_on": date.today() + timedelta(days=60),
        "application_deadline": date.today() - timedelta(days=320),
        "timezone": "Europe/Copenhagen",
        "default_capacity": 2,
    }
    values.update(changes)
    programme = Programme(coordinator_id=coordinator_id, **values)
    db.session.add(programme)
    db.session.flush()
    return programme


def enrol(programme_id: int, user_id: int, role: str, status: str = ApplicationStatus.ACCEPTED,
          **changes) -> MentoringApplication:  # fmt: skip
    application = MentoringApplication(
        programme_id=programme_id, user_id=user_id, role=role, status=status,
        field="engineering", capacity=2 if role == "mentor" else None, **changes,
    )  # fmt: skip
    db.session.add(application)
    db.session.flush()
    return application


def make_pair(programme_id: int, mentor_id: int, mentee_id: int,
              status: str = PairStatus.ACTIVE, **changes) -> Pair:  # fmt: skip
    pair = Pair(programme_id=programme_id, mentor_id=mentor_id, mentee_id=mentee_id,
                status=status, score=50.0, started_at=utcnow() - timedelta(days=200),
                **changes)  # fmt: skip
    db.session.add(pair)
    db.session.flush()
    return pair


def meeting(pair_id: int, days_ago: int = 30) -> None:
    db.session.add(PairMeeting(pair_id=pair_id, held_on=date.today() - timedelta(days=days_ago),
                               topics="CV", next_steps="Apply"))  # fmt: skip


def fit_answer(pair_id: int, user_id: int, answer: str) -> None:
    db.session.add(PairFitAnswer(pair_id=pair_id, user_id=user_id, answer=answer))


def goal(pair_id: int, review: str | None, text: str = "A goal") -> None:
    db.session.add(PairGoal(pair_id=pair_id, text=text, review=review,
                            reviewed_at=utcnow() if review else None))  # fmt: skip


def feedback(pair_id: int, mentor_id: int, rating: int | None) -> None:
    db.session.add(MentorFeedback(pair_id=pair_id, mentor_id=mentor_id, rating=rating))


def outcome(programme_id: int, mentee_id: int, kind: str, *, days_ago: float = 1,
            note: str = "", checkpoint: str = "any", at: datetime | None = None) -> None:  # fmt: skip
    """An outcome row as `record_outcome` leaves it (for cohorts built in bulk)."""
    db.session.add(MentoringOutcome(
        programme_id=programme_id, mentee_id=mentee_id, outcome=kind, note=note,
        checkpoint=checkpoint, recorded_at=at or utcnow() - timedelta(days=days_ago),
    ))  # fmt: skip


@dataclass
class ReportWorld:
    people: dict[str, UserRef] = field(default_factory=dict)
    programme_id: int = 0
    other_programme_id: int = 0
    pair_id: int = 0

    def __getitem__(self, role: str) -> UserRef:
        return self.people[role]


def build_world(**programme_changes) -> ReportWorld:
    """The roles above around one programme (see the module's docstring); committed."""
    world = ReportWorld()
    for role in MEMBER_ROLES:
        roles = {
            "coordinator": (Role.COORDINATOR,),
            "other_coordinator": (Role.COORDINATOR,),
            "admin": (Role.ADMIN,),
        }.get(role, ())
        world.people[role] = make_user(display_name=role.replace("_", " ").title(), roles=roles)
    world.people["other_mentor"] = make_user(display_name="Other Mentor")
    programme = make_programme(world["coordinator"].id, **programme_changes)
    other = make_programme(world["other_coordinator"].id, name="Aarhus Mentoring")
    world.programme_id, world.other_programme_id = programme.id, other.id
    enrol(programme.id, world["mentee"].id, "mentee")
    enrol(programme.id, world["mentor"].id, "mentor")
    enrol(programme.id, world["other_mentee"].id, "mentee")
    enrol(programme.id, world["other_mentor"].id, "mentor")
    world.pair_id = make_pair(programme.id, world["mentor"].id, world["mentee"].id).id
    make_pair(programme.id, world["other_mentor"].id, world["other_mentee"].id)
    db.session.commit()
    return world


@dataclass
class Cohort:
    programme_id: int
    mentees: list[int]  # the active ones first, then the withdrawn
    mentors: list[int]
    pairs: list[int]


def build_cohort(coordinator_id: int, *, active: int = 10, withdrew: int = 2,
                 found_work: int = 4, name: str = "Copenhagen Mentoring 2026",
                 reasons: tuple[str, ...] = ("Moved abroad", "Found a job first")) -> Cohort:  # fmt: skip
    """A cohort made directly with the models: `active` mentees each in an active pair (the
    last two completed), `withdrew` mentees accepted and then withdrawn (with `reasons`,
    each also recording a work outcome that must not count), mentors one per pair. Of the
    active mentees, the first `found_work` have a work outcome as their latest (the first
    after an earlier "still searching"); the next one found work earlier but is now
    "still searching" (latest wins); the next two record "studying" and "stopped"; the
    rest have no outcome. Committed."""
    programme = make_programme(coordinator_id, name=name)
    cohort = Cohort(programme.id, [], [], [])
    people = [make_user(display_name=f"Mentee {n}") for n in range(active + withdrew)]
    mentors = [make_user(display_name=f"Mentor {n}") for n in range(active)]
    for n, ref in enumerate(people):
        withdrawn = n >= active
        enrol(programme.id, ref.id, "mentee",
              status="withdrawn" if withdrawn else "accepted",
              decided_at=utcnow() - timedelta(days=100),
              withdraw_reason=reasons[(n - active) % len(reasons)] if withdrawn else "")  # fmt: skip
        cohort.mentees.append(ref.id)
    for ref in mentors:
        enrol(programme.id, ref.id, "mentor", decided_at=utcnow())
        cohort.mentors.append(ref.id)
    for n in range(active):
        status = PairStatus.COMPLETED if n >= active - 2 else PairStatus.ACTIVE
        cohort.pairs.append(
            make_pair(programme.id, cohort.mentors[n], cohort.mentees[n], status).id
        )
    for n, mentee in enumerate(cohort.mentees):
        if n >= active:
            outcome(programme.id, mentee, "employed_own_field")  # withdrawn: not counted
        elif n < found_work:
            if n == 0:
                outcome(programme.id, mentee, "still_searching", days_ago=40)
            outcome(programme.id, mentee, "employed_own_field" if n % 2 else "part_time",
                    days_ago=5)  # fmt: skip
        elif n == found_work:
            outcome(programme.id, mentee, "employed_other_field", days_ago=40)
            outcome(programme.id, mentee, "still_searching", days_ago=2)
        elif n == found_work + 1:
            outcome(programme.id, mentee, "studying", days_ago=3)
        elif n == found_work + 2:
            outcome(programme.id, mentee, "stopped", note="Family reasons", days_ago=3)
    db.session.commit()
    return cohort
