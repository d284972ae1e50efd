"""Matching runs and confirmations (`community.mentoring.proposals`): a run stores a draft
over the accepted cohort and supersedes the earlier drafts; live pairs keep their mentee
and their mentor's seat, ended and declined pairs never come back; only the latest draft
is confirmed, once, also when two confirmations race (SQLite and PostgreSQL); pairs start
active (notified, with a direct conversation) or wait for the mentor, who accepts or
declines with a reason."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from community.auth.roles import Role
from community.chat.models import Conversation
from community.connections import services as connections
from community.core.errors import Conflict, Forbidden, Invalid, NotFound
from community.extensions import db
from community.mentoring import proposals
from community.mentoring.models import (
    Pair,
    PairStatus,
    Proposal,
    ProposalStatus,
)
from community.notifications.models import Notification
from tests.mentoring_match_world import apply, pair, programme, user


@pytest.fixture
def cohort(ctx, make_user, coordinator):
    """A programme with two mentors (one with two seats) and three mentees."""
    people = {
        name: make_user(f"{name}@example.org", name.title())
        for name in ("carl", "dora", "mona", "nils", "omar")
    }
    prog = programme(coordinator)
    apply(prog, people["carl"], "mentor", field="business", capacity=2, languages=("en", "da"))
    apply(prog, people["dora"], "mentor", field="health", capacity=1)
    apply(prog, people["mona"], "mentee", field="business", goals="consulting")
    apply(prog, people["nils"], "mentee", field="health", languages=("da",))
    apply(prog, people["omar"], "mentee", field="law", languages=("ar",))
    return prog, people


def notices(kind: str, user_id: int | None = None) -> int:
    query = select(func.count()).select_from(Notification).where(Notification.kind == kind)
    if user_id is not None:
        query = query.where(Notification.user_id == user_id)
    return db.session.scalar(query)


def test_a_run_stores_a_draft_with_pairs_reasons_and_the_unmatched(cohort, coordinator):
    prog, people = cohort
    proposal = proposals.run_proposal(user(coordinator), prog.id)
    db.session.commit()
    assert proposal.status == ProposalStatus.DRAFT
    pairs = {(p.mentor_id, p.mentee_id) for p in proposal.pairs}
    assert pairs == {
        (people["carl"].id, people["mona"].id),
        (people["carl"].id, people["nils"].id),
    }
    mona = next(p for p in proposal.pairs if p.mentee_id == people["mona"].id)
    assert mona.parts["field"] == 20.0
    assert "both work in Business, management and consulting" in mona.reasons
    assert proposal.unmatched == [
        {"mentee_id": people["omar"].id, "reason": "No mentor shares a language with them."}
    ]
    assert proposal.lowest_score == min(p.score for p in proposal.pairs)


def test_a_new_run_supersedes_the_drafts_and_keeps_pins_and_forbids(cohort, coordinator):
    prog, people = cohort
    first = proposals.run_proposal(user(coordinator), prog.id)
    pin = [people["carl"].id, people["nils"].id]
    forbids = [[people[name].id, people["mona"].id] for name in ("carl", "dora")]
    second = proposals.run_proposal(user(coordinator), prog.id, pins=[pin], forbids=forbids)
    db.session.commit()
    assert db.session.get(Proposal, first.id).status == ProposalStatus.SUPERSEDED
    assert second.pins == [pin] and second.forbids == forbids
    assert [(p.mentor_id, p.mentee_id, p.pinned) for p in second.pairs] == [
        (people["carl"].id, people["nils"].id, True)
    ]
    assert "forbids" in next(
        u["reason"] for u in second.unmatched if u["mentee_id"] == people["mona"].id
    )


@pytest.mark.parametrize(
    ("pins", "forbids", "field", "message"),
    [
        ([["x", 2]], [], "pins", "user id"),
        ([[1, 2, 3]], [], "pins", "user id"),
        ([], [[True, 2]], "forbids", "user id"),
        ([[1, 2]], [[1, 2]], "pins", "pinned and forbidden"),
    ],
)
def test_bad_pins_and_forbids_are_refused(cohort, coordinator, pins, forbids, field, message):
    prog, _people = cohort
    with pytest.raises(Invalid, match=message) as refused:
        proposals.run_proposal(user(coordinator), prog.id, pins=pins, forbids=forbids)
    assert refused.value.field == field


def test_a_pin_that_breaks_a_hard_constraint_is_refused_saying_why(cohort, coordinator):
    prog, people = cohort
    with pytest.raises(Invalid, match="Dora and Omar share no language") as refused:
        proposals.run_proposal(
            user(coordinator), prog.id, pins=[[people["dora"].id, people["omar"].id]]
        )
    assert refused.value.field == "pins"
    with pytest.raises(Invalid, match="minimum fit"):
        proposals.run_proposal(user(coordinator), prog.id, min_score=101)


def test_only_the_coordinator_and_admins_run_and_confirm(cohort, make_user, coordinator):
    prog, people = cohort
    other_coordinator = make_user(roles=(Role.COORDINATOR,))
    admin = make_user(roles=(Role.ADMIN,))
    for outsider in (people["carl"], people["mona"], other_coordinator):
        with pytest.raises(Forbidden):
            proposals.run_proposal(user(outsider), prog.id)
    proposal = proposals.run_proposal(user(admin), prog.id)
    db.session.commit()
    with pytest.raises(Forbidden):
        proposals.confirm(user(other_coordinator), proposal.id)
    with pytest.raises(NotFound):
        proposals.confirm(user(coordinator), proposal.id + 100)
    with pytest.raises(NotFound):
        proposals.run_proposal(user(coordinator), prog.id + 100)


def test_confirming_publishes_active_pairs_notifies_both_and_opens_their_chat(cohort, coordinator):
    prog, people = cohort
    proposal = proposals.run_proposal(user(coordinator), prog.id)
    db.session.commit()
    pairs = proposals.confirm(user(coordinator), proposal.id)
    db.session.commit()
    assert {p.status for p in pairs} == {PairStatus.ACTIVE}
    assert all(p.started_at is not None for p in pairs)
    assert any("both work in" in reason for p in pairs for reason in p.reasons)
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.CONFIRMED
    for name in ("carl", "mona", "nils"):
        assert notices("mentoring.paired", people[name].id) == (2 if name == "carl" else 1)
    keys = {
        Conversation.direct_key_of(people["carl"].id, people[name].id) for name in ("mona", "nils")
    }
    found = db.session.scalars(
        select(Conversation.direct_key).where(Conversation.direct_key.in_(keys))
    )
    assert set(found) == keys
    with pytest.raises(Conflict, match="already confirmed"):
        proposals.confirm(user(coordinator), proposal.id)


def test_a_block_between_the_pair_means_no_conversation_but_the_pair_stands(cohort, coordinator):
    prog, people = cohort
    connections.block(user(people["mona"]), people["carl"].id)
    db.session.commit()
    proposal = proposals.run_proposal(user(coordinator), prog.id)
    proposals.confirm(user(coordinator), proposal.id)
    db.session.commit()
    key = Conversation.direct_key_of(people["carl"].id, people["mona"].id)
    assert db.session.scalar(select(Conversation.id).where(Conversation.direct_key == key)) is None
    assert notices("mentoring.paired", people["mona"].id) == 1


def test_only_the_latest_draft_is_confirmed(cohort, coordinator):
    prog, _people = cohort
    old = proposals.run_proposal(user(coordinator), prog.id)
    proposals.run_proposal(user(coordinator), prog.id)
    db.session.commit()
    with pytest.raises(Conflict, match="newer proposal"):
        proposals.confirm(user(coordinator), old.id)


def test_a_rerun_leaves_live_pairs_and_never_brings_back_an_ended_one(ctx, make_user, coordinator):
    prog = programme(coordinator)
    carl, dora, ella = (make_user(f"{n}@example.org", n.title()) for n in ("carl", "dora", "ella"))
    mona, nils = (make_user(f"{n}@example.org", n.title()) for n in ("mona", "nils"))
    apply(prog, carl, "mentor", field="law", capacity=2)
    apply(prog, dora, "mentor", field="law", capacity=1)
    apply(prog, ella, "mentor", field="health", capacity=1)
    apply(prog, mona, "mentee", field="law")
    apply(prog, nils, "mentee", field="law")
    pair(prog, carl, mona)  # live: Mona keeps Carl, who has one seat left
    pair(prog, dora, nils, PairStatus.ENDED)  # "not a good fit": Nils is re-paired
    pair(prog, carl, nils, PairStatus.DECLINED)  # Carl declined Nils before
    proposal = proposals.run_proposal(user(coordinator), prog.id)
    assert [(p.mentor_id, p.mentee_id) for p in proposal.pairs] == [(ella.id, nils.id)]
    assert proposal.unmatched == []


def test_mentors_accept_first_when_the_programme_asks(ctx, make_user, coordinator):
    prog = programme(coordinator, mentors_accept=True)
    carl, dora = make_user("carl@example.org", "Carl"), make_user("dora@example.org", "Dora")
    mona = make_user("mona@example.org", "Mona")
    apply(prog, carl, "mentor", field="law")
    apply(prog, dora, "mentor", field="health")
    apply(prog, mona, "mentee", field="law")
    proposal = proposals.run_proposal(user(coordinator), prog.id)
    (waiting,) = proposals.confirm(user(coordinator), proposal.id)
    db.session.commit()
    assert waiting.status == PairStatus.AWAITING_MENTOR and waiting.started_at is None
    assert notices("mentoring.proposed", carl.id) == 1
    assert notices("mentoring.paired") == 0
    with pytest.raises(Forbidden):
        proposals.accept_pair(user(mona), waiting.id)
    with pytest.raises(NotFound):
        proposals.accept_pair(user(dora), waiting.id)
    with pytest.raises(Invalid, match="why") as refused:
        proposals.decline_pair(user(carl), waiting.id, "   ")
    assert refused.value.field == "reason"
    proposals.decline_pair(user(carl), waiting.id, "She works for my own employer.")
    db.session.commit()
    declined = db.session.get(Pair, waiting.id)
    assert declined.status == PairStatus.DECLINED
    assert declined.end_reason == "She works for my own employer."
    assert notices("mentoring.declined", coordinator.id) == 1
    with pytest.raises(Conflict):
        proposals.accept_pair(user(carl), waiting.id)
    # Mona is free for the next run, never with Carl again.
    again = proposals.run_proposal(user(coordinator), prog.id)
    assert [(p.mentor_id, p.mentee_id) for p in again.pairs] == [(dora.id, mona.id)]
    (second,) = proposals.confirm(user(coordinator), again.id)
    db.session.commit()
    proposals.accept_pair(user(dora), second.id)
    db.session.commit()
    accepted = db.session.get(Pair, second.id)
    assert accepted.status == PairStatus.ACTIVE and accepted.started_at is not None
    assert notices("mentoring.paired", mona.id) == 1 and notices("mentoring.paired", dora.id) == 1
    assert notices("mentoring.accepted", coordinator.id) == 1


@pytest.mark.backends("sqlite", "postgresql")
def test_two_confirmations_at_once_publish_once(app, make_user, coordinator):
    with app.app_context():
        prog = programme(coordinator)
        mentors = [make_user() for _n in range(4)]
        mentees = [make_user() for _n in range(4)]
        for ref in mentors:
            apply(prog, ref, "mentor")
        for ref in mentees:
            apply(prog, ref, "mentee")
        proposal_id = proposals.run_proposal(user(coordinator), prog.id).id
        db.session.commit()
    barrier = threading.Barrier(3)
    outcomes, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                try:
                    proposals.confirm(user(coordinator), proposal_id)
                    db.session.commit()
                    outcomes.append("confirmed")
                except Conflict:
                    db.session.rollback()
                    outcomes.append("conflict")
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == ["confirmed", "conflict", "conflict"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Pair)) == 4
        assert notices("mentoring.paired") == 8


def test_a_draft_whose_mentee_was_paired_meanwhile_is_not_confirmed(cohort, coordinator):
    prog, people = cohort
    proposal = proposals.run_proposal(user(coordinator), prog.id)
    db.session.commit()
    pair(prog, people["dora"], people["mona"])  # published meanwhile (another run, another tab)
    with pytest.raises(Conflict, match="paired meanwhile"):
        proposals.confirm(user(coordinator), proposal.id)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Pair)) == 1


@pytest.mark.parametrize("change", ["mentee withdrew", "mentor declined", "mentor paused"])
def test_a_draft_is_not_confirmed_once_the_cohort_changed_under_it(cohort, coordinator, change):
    from community.mentoring.models import MentoringApplication

    prog, people = cohort
    proposal = proposals.run_proposal(user(coordinator), prog.id)
    db.session.commit()
    who = {"mentee withdrew": "mona", "mentor declined": "carl", "mentor paused": "carl"}[change]
    application = db.session.scalar(
        select(MentoringApplication).where(
            MentoringApplication.programme_id == prog.id,
            MentoringApplication.user_id == people[who].id,
        )
    )
    if change == "mentor paused":
        application.capacity = 1  # two proposed mentees, one seat left
    else:
        application.status = "withdrawn" if change == "mentee withdrew" else "declined"
    db.session.commit()
    with pytest.raises(Conflict, match="cohort changed"):
        proposals.confirm(user(coordinator), proposal.id)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Pair)) == 0


def test_mentors_on_the_default_capacity_are_offered_for_pins(ctx, make_user, coordinator):
    prog = programme(coordinator)
    mentors = [make_user(f"m{n}@example.org", f"Mentor {n}") for n in range(3)]
    apply(prog, mentors[0], "mentor")  # the programme's default capacity
    apply(prog, mentors[1], "mentor", capacity=2)
    apply(prog, mentors[2], "mentor", capacity=0)  # paused
    db.session.commit()
    offered = [user_id for user_id, _name in proposals.mentor_choices(prog)]
    assert offered == [mentors[0].id, mentors[1].id]
