"""The demo mentoring `flask seed-demo` loads: a running programme with at least 22 mentors
and 28 mentees (most accepted, capacities 1-2, avoid lists), its pairs with meetings, fit
answers, goals and outcomes, and a programme open for applications with the demo member's
application; both coordinated by the demo coordinator."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.mentoring import programmes
from community.mentoring.models import (
    ApplicationAvoid,
    MentoringApplication,
    MentoringOutcome,
    Pair,
    PairFitAnswer,
    PairGoal,
    PairMeeting,
    Programme,
)


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.demo_data
@pytest.mark.backends("sqlite")
def test_the_demo_mentoring_covers_the_feature(db):
    coordinator = db.session.scalar(
        select(User).where(User.email == "coordinator@alongside.example")
    )
    member = db.session.scalar(select(User).where(User.email == "member@alongside.example"))
    found = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    assert len(found) == 2 and {p.coordinator_id for p in found} == {coordinator.id}
    running, opening = found
    assert programmes.phase(running) == "running" and programmes.phase(opening) == "open"

    cohort = db.session.scalars(
        select(MentoringApplication).where(MentoringApplication.programme_id == running.id)
    ).all()
    mentors = [a for a in cohort if a.role == "mentor"]
    mentees = [a for a in cohort if a.role == "mentee"]
    assert len(mentors) >= 22 and len(mentees) >= 28
    accepted = [a for a in cohort if a.status == "accepted"]
    assert len(accepted) >= 0.9 * len(cohort)
    assert {a.capacity for a in mentors} <= {1, 2} and {1, 2} <= {a.capacity for a in mentors}
    assert len({a.field for a in cohort}) >= 10
    assert len({lang.code for a in cohort for lang in a.languages}) >= 10
    assert any("consult" in a.goals for a in mentees)
    assert any("consultant" in a.offer for a in mentors)
    assert _count(db, ApplicationAvoid) >= 2
    assert {a.status for a in cohort} == {"accepted", "declined", "withdrawn", "submitted"}

    pairs = db.session.scalars(select(Pair).where(Pair.programme_id == running.id)).all()
    assert len(pairs) >= 20 and all(p.status == "active" and p.reasons and p.parts for p in pairs)
    assert member.id in {p.mentee_id for p in pairs}
    assert len({p.mentee_id for p in pairs}) == len(pairs)
    load = {}
    for pair in pairs:
        load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
    capacity = {a.user_id: a.capacity for a in mentors}
    assert all(load[m] <= capacity[m] for m in load)
    assert _count(db, PairMeeting) >= 2 * len(pairs)
    assert _count(db, PairFitAnswer) == 2 * len(pairs)
    assert _count(db, PairGoal) == 2 * len(pairs)
    assert _count(db, MentoringOutcome) >= 5

    opened = db.session.scalars(
        select(MentoringApplication).where(MentoringApplication.programme_id == opening.id)
    ).all()
    assert 3 <= len(opened) <= 8 and member.id in {a.user_id for a in opened}
    assert all(a.answers for a in opened)
