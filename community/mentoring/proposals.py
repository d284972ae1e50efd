"""Matching runs and their confirmation: the coordinator runs matching over the programme's
accepted applications (`run_proposal`), looks at the proposal, pins and forbids and runs it
again, then confirms the latest one (`confirm`), which publishes its pairs. When the
programme asks mentors to accept first, a proposed mentor accepts or declines with a reason
(`accept_pair`, `decline_pair`); a declined mentee is free for the next run.

Called by the matching pages (`matching_routes`) and the API (`api/mentoring_matching`).
Services flush; the caller commits once. The notification kinds of this module are
registered at the bottom.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import lazyload

from community.auth.models import User
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound
from community.core.urls import site_path
from community.extensions import db
from community.mentoring import matching
from community.mentoring import pairs as pair_rules
from community.mentoring.access import coordinated_programme, pair_for
from community.mentoring.applications import names_of
from community.mentoring.fit import MAX_SCORE, Applicant
from community.mentoring.models import (
    LIVE_PAIR_STATUSES,
    ApplicationStatus,
    MentoringApplication,
    MentoringRole,
    Pair,
    PairStatus,
    Programme,
    Proposal,
    ProposalPair,
    ProposalStatus,
)
from community.mentoring.notifications import CATEGORY
from community.notifications.kinds import INSTANT, NotificationKind, about_target, register_kind
from community.notifications.services import notify

MAX_PINS = 500  # pins or forbids in one run (a cohort's worth)
MAX_DECLINE_REASON = 300


@dataclass
class Cohort:
    """What a run matches: the accepted mentors (with the seats live pairs already fill),
    the accepted mentees not yet in a live pair, and the pairs that must not come back
    (declined by the mentor or ended early)."""

    mentors: list[Applicant]
    mentees: list[Applicant]
    taken: dict[int, int]
    earlier: list[tuple[int, int]]


def mentor_capacity(capacity: int | None, programme: Programme) -> int:
    """How many mentees a mentor takes: their own answer, or the programme's default."""
    return programme.default_capacity if capacity is None else capacity


def _applicant(application: MentoringApplication, programme: Programme, name: str) -> Applicant:
    tags = {"industry": set(), "interest": set()}
    for tag in application.tags:
        tags.setdefault(tag.kind, set()).add(tag.tag.name)
    capacity = mentor_capacity(application.capacity, programme)
    return Applicant(
        application.user_id,
        field=application.field,
        education_level=application.education_level,
        experience_years=application.experience_years,
        qualifications=application.qualifications or "",
        goals=application.goals or "",
        offer=application.offer or "",
        wishes=application.wishes or "",
        prefers_field=application.prefers_field,
        prefers_language=application.prefers_language,
        languages=tuple(language.code for language in application.languages),
        industries=frozenset(tags["industry"]),
        interests=frozenset(tags["interest"]),
        avoids=frozenset(avoid.avoided_user_id for avoid in application.avoids),
        capacity=capacity if application.role == MentoringRole.MENTOR else 1,
        name=name,
    )


def cohort_of(programme: Programme) -> Cohort:
    """The programme's cohort as matching sees it (a few queries, whatever its size)."""
    applications = db.session.scalars(
        select(MentoringApplication)
        .where(
            MentoringApplication.programme_id == programme.id,
            MentoringApplication.status == ApplicationStatus.ACCEPTED,
        )
        .order_by(MentoringApplication.id)
        .options(lazyload(MentoringApplication.answers))  # matching reads no answers
    ).all()
    names = names_of(a.user_id for a in applications)
    pairs = db.session.execute(
        select(Pair.mentor_id, Pair.mentee_id, Pair.status).where(Pair.programme_id == programme.id)
    ).all()
    live = [pair for pair in pairs if pair.status in LIVE_PAIR_STATUSES]
    paired = {pair.mentee_id for pair in live}
    taken = Counter(pair.mentor_id for pair in live)
    earlier = [
        (pair.mentor_id, pair.mentee_id)
        for pair in pairs
        if pair.status in (PairStatus.DECLINED, PairStatus.ENDED)
    ]
    mentors = [
        _applicant(a, programme, names[a.user_id])
        for a in applications
        if a.role == MentoringRole.MENTOR
    ]
    mentees = [
        _applicant(a, programme, names[a.user_id])
        for a in applications
        if a.role == MentoringRole.MENTEE and a.user_id not in paired
    ]
    return Cohort(mentors, mentees, dict(taken), earlier)


def _min_score(value: object) -> float:
    if value is None or value == "":
        return 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0 <= number <= MAX_SCORE:
        raise Invalid(_("Give a minimum fit from 0 to %(max)d.", max=int(MAX_SCORE)), "min_score")
    return number


def _id_pairs(value: Iterable, name: str) -> list[list[int]]:
    """[[mentor_id, mentee_id], ...] without repeats, or Invalid naming `name`."""
    pairs: list[list[int]] = []
    try:
        for item in value or ():
            mentor_id, mentee_id = item
            pair = [int(mentor_id), int(mentee_id)]
            if isinstance(mentor_id, bool) or isinstance(mentee_id, bool) or min(pair) < 1:
                raise ValueError
            if pair not in pairs:
                pairs.append(pair)
    except (TypeError, ValueError):
        raise Invalid(_("Each one is a mentor's and a mentee's user id."), name) from None
    if len(pairs) > MAX_PINS:
        raise Invalid(_("At most %(n)d at once.", n=MAX_PINS), name)
    return pairs


def run_proposal(
    coordinator: User,
    programme_id: int,
    *,
    min_score: object = None,
    pins: Iterable = (),
    forbids: Iterable = (),
) -> Proposal:
    """Run matching for the programme and store the proposal (a draft); the programme's
    earlier drafts become superseded. Mentees already in a live pair keep it and their
    mentors' seats stay taken, so a re-pair after a "no" changes nobody else; pairs that
    were declined or ended are never proposed again. Forbidden (403) for anyone but the
    coordinator and admins; Invalid for a refused pin, naming why."""
    programme = coordinated_programme(coordinator, programme_id)
    threshold = _min_score(min_score)
    pins, forbids = _id_pairs(pins, "pins"), _id_pairs(forbids, "forbids")
    clash = [pin for pin in pins if pin in forbids]
    if clash:
        raise Invalid(_("A pair cannot be pinned and forbidden at once."), "pins")
    cohort = cohort_of(programme)
    try:
        result = matching.propose(
            cohort.mentors,
            cohort.mentees,
            min_score=threshold,
            pins=[tuple(pin) for pin in pins],
            forbids=[*map(tuple, forbids), *cohort.earlier],
            taken=cohort.taken,
        )
    except matching.PinRefused as refused:
        raise Invalid(refused.message, "pins") from None
    # Stored under the programme's lock (taken after the matching, which may take seconds
    # for a large cohort and must not hold SQLite's write lock meanwhile): one draft stays.
    # A confirmation in between makes this draft refuse to confirm ("paired meanwhile").
    programme = lock_row(programme)
    db.session.execute(
        update(Proposal)
        .where(Proposal.programme_id == programme.id, Proposal.status == ProposalStatus.DRAFT)
        .values(status=ProposalStatus.SUPERSEDED)
    )
    proposal = Proposal(
        programme_id=programme.id,
        created_by_id=coordinator.id,
        status=ProposalStatus.DRAFT,
        min_score=threshold,
        pins=pins,
        forbids=forbids,
        unmatched=[{"mentee_id": u.mentee_id, "reason": u.reason} for u in result.unmatched],
        lowest_score=result.lowest_score,
        created_at=utcnow(),
    )
    proposal.pairs = [
        ProposalPair(
            mentor_id=pair.mentor_id,
            mentee_id=pair.mentee_id,
            score=pair.score,
            parts=pair.parts,
            reasons=pair.reasons,
            pinned=pair.pinned,
        )
        for pair in result.pairs
    ]
    db.session.add(proposal)
    db.session.flush()
    return proposal


def proposal_for(viewer: User, proposal_id: int) -> Proposal:
    """The proposal if `viewer` coordinates its programme (or is an admin): NotFound when
    missing, Forbidden for other members (as the programme's other coordinator pages)."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("We could not find that proposal."))
    coordinated_programme(viewer, proposal.programme_id)
    return proposal


def cohort_counts(programme: Programme) -> dict[str, int]:
    """The matching page's counts: accepted mentors and their free seats, accepted mentees
    waiting for a mentor, live pairs, and applications still waiting for a decision."""
    applications = db.session.execute(
        select(
            MentoringApplication.user_id,
            MentoringApplication.role,
            MentoringApplication.status,
            MentoringApplication.capacity,
        ).where(MentoringApplication.programme_id == programme.id)
    ).all()
    live = db.session.execute(
        select(Pair.mentor_id, Pair.mentee_id).where(
            Pair.programme_id == programme.id, Pair.status.in_(LIVE_PAIR_STATUSES)
        )
    ).all()
    taken = Counter(pair.mentor_id for pair in live)
    paired = {pair.mentee_id for pair in live}
    accepted = [a for a in applications if a.status == ApplicationStatus.ACCEPTED]
    mentors = [a for a in accepted if a.role == MentoringRole.MENTOR]
    seats = sum(max(0, mentor_capacity(a.capacity, programme) - taken[a.user_id]) for a in mentors)
    return {
        "mentors": len(mentors),
        "seats": seats,
        "waiting": sum(
            1 for a in accepted if a.role == MentoringRole.MENTEE and a.user_id not in paired
        ),
        "pairs": len(live),
        "undecided": sum(1 for a in applications if a.status == ApplicationStatus.SUBMITTED),
    }


def mentor_choices(programme: Programme) -> list[tuple[int, str]]:
    """(user id, name) of the programme's accepted mentors who take mentees (capacity above
    0), by name: the proposal page offers them to pin with a mentee left without a mentor.
    One query; whether a seat is free is for the run to say (a refused pin says why)."""
    rows = db.session.execute(
        select(User.id, User.display_name)
        .join(MentoringApplication, MentoringApplication.user_id == User.id)
        .where(
            MentoringApplication.programme_id == programme.id,
            MentoringApplication.role == MentoringRole.MENTOR,
            MentoringApplication.status == ApplicationStatus.ACCEPTED,
            func.coalesce(MentoringApplication.capacity, programme.default_capacity) > 0,
        )
        .order_by(User.display_name, User.id)
    )
    return [(user_id, name) for user_id, name in rows]


def is_latest(proposal: Proposal) -> bool:
    """Whether no later run of the programme exists (only the latest can be confirmed)."""
    newer = db.session.scalar(
        select(Proposal.id).where(
            Proposal.programme_id == proposal.programme_id, Proposal.id > proposal.id
        )
    )
    return newer is None


def proposals_of(programme: Programme) -> list[Proposal]:
    """The programme's proposals, newest first (the matching page's list)."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.programme_id == programme.id)
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        )
    )


def _check_still_in_cohort(programme: Programme, proposal: Proposal) -> None:
    """Conflict when the cohort changed since the run in a way its pairs cannot survive: a
    mentor or mentee no longer accepted (withdrawn, declined), or a mentor with fewer free
    seats than the proposal gives them (capacity lowered, or paired meanwhile). Two
    queries; called by `confirm` under the programme's row lock."""
    people = {pair.mentor_id for pair in proposal.pairs} | {p.mentee_id for p in proposal.pairs}
    if not people:
        return
    accepted = dict(
        db.session.execute(
            select(MentoringApplication.user_id, MentoringApplication.capacity).where(
                MentoringApplication.programme_id == programme.id,
                MentoringApplication.user_id.in_(people),
                MentoringApplication.status == ApplicationStatus.ACCEPTED,
            )
        ).all()
    )
    wanted = Counter(pair.mentor_id for pair in proposal.pairs)
    taken = dict(
        db.session.execute(
            select(Pair.mentor_id, func.count())
            .where(
                Pair.programme_id == programme.id,
                Pair.mentor_id.in_(wanted),
                Pair.status.in_(LIVE_PAIR_STATUSES),
            )
            .group_by(Pair.mentor_id)
        ).all()
    )
    if people - set(accepted) or any(
        taken.get(mentor_id, 0) + count > mentor_capacity(accepted[mentor_id], programme)
        for mentor_id, count in wanted.items()
    ):
        raise Conflict(
            _(
                "The cohort changed since this proposal was made (someone withdrew, was "
                "declined or has fewer free seats): run matching again."
            )
        )


def confirm(coordinator: User, proposal_id: int) -> list[Pair]:
    """Publish the proposal's pairs: only a draft, only the programme's latest. Under the
    programme's row lock, so two confirmations at once publish once (the second gets
    Conflict). Pairs start `awaiting_mentor` when the programme asks mentors to accept,
    else `active`; both sides are notified, and active pairs get their direct conversation.
    """
    proposal = proposal_for(coordinator, proposal_id)
    programme = lock_row(proposal.programme)
    db.session.refresh(proposal)
    if proposal.status != ProposalStatus.DRAFT:
        raise Conflict(
            _("This proposal was already confirmed.")
            if proposal.status == ProposalStatus.CONFIRMED
            else _("A newer proposal replaced this one: confirm the latest.")
        )
    newer = db.session.scalar(
        select(Proposal.id).where(Proposal.programme_id == programme.id, Proposal.id > proposal.id)
    )
    if newer is not None:
        raise Conflict(_("A newer proposal replaced this one: confirm the latest."))
    mentee_ids = [pair.mentee_id for pair in proposal.pairs]
    already = db.session.scalar(
        select(Pair.mentee_id).where(
            Pair.programme_id == programme.id,
            Pair.mentee_id.in_(mentee_ids),
            Pair.status.in_(LIVE_PAIR_STATUSES),
        )
    )
    if already is not None:
        raise Conflict(_("Someone in this proposal was paired meanwhile: run matching again."))
    _check_still_in_cohort(programme, proposal)
    now = utcnow()
    waiting = programme.mentors_accept
    pairs = [
        Pair(
            programme_id=programme.id,
            proposal_id=proposal.id,
            mentor_id=proposed.mentor_id,
            mentee_id=proposed.mentee_id,
            status=PairStatus.AWAITING_MENTOR if waiting else PairStatus.ACTIVE,
            score=proposed.score,
            parts=proposed.parts,
            reasons=proposed.reasons,
            created_at=now,
            started_at=None if waiting else now,
        )
        for proposed in proposal.pairs
    ]
    db.session.add_all(pairs)
    proposal.status = ProposalStatus.CONFIRMED
    proposal.confirmed_by_id = coordinator.id
    proposal.confirmed_at = now
    db.session.flush()
    for pair in pairs:
        if waiting:
            notify(
                pair.mentor_id,
                "mentoring.proposed",
                actor_id=pair.mentee_id,
                target_type=ABOUT,
                target_id=pair.id,
            )
        else:
            _start(pair)
    db.session.flush()
    return pairs


ABOUT = "mentoring_pair"  # the target type of this module's notifications


def _start(pair: Pair) -> None:
    """An active pair: both sides told, and their direct conversation opened (unless a
    block stands between them: then there is none, as everywhere in chat)."""
    from community.chat.services import open_direct

    for user_id, other_id, role in (
        (pair.mentee_id, pair.mentor_id, "mentor"),
        (pair.mentor_id, pair.mentee_id, "mentee"),
    ):
        notify(
            user_id,
            "mentoring.paired",
            actor_id=other_id,
            target_type=ABOUT,
            target_id=pair.id,
            role=role,  # what the other one is to them
        )
    mentor = db.session.get(User, pair.mentor_id)
    with suppress(NotFound):  # a block either way, or an inactive account: no conversation
        open_direct(mentor, pair.mentee_id)


@dataclass
class PairView:
    """What a pair's mentor or mentee sees of it on the proposed-pair page: the other side
    and their answers that made the match (`pairs.answers_of`: never their avoid list)."""

    role: str  # the viewer's: "mentor" or "mentee"
    other: User
    answers: pair_rules.Answers | None  # the other side's
    may_answer: bool  # a mentor asked to accept or decline


def pair_view(viewer: User, pair: Pair) -> PairView:
    """The proposed-pair page for `viewer`, a side of `pair` (`access.pair_for`)."""
    role = pair_rules.role_in(viewer, pair)
    other = pair_rules.other_id(viewer, pair)
    application = db.session.scalar(
        select(MentoringApplication).where(
            MentoringApplication.programme_id == pair.programme_id,
            MentoringApplication.user_id == other,
        )
    )
    return PairView(
        role=role,
        other=db.session.get(User, other),
        answers=pair_rules.answers_of(application),
        may_answer=role == MentoringRole.MENTOR and pair.status == PairStatus.AWAITING_MENTOR,
    )


def _awaiting(mentor: User, pair_id: int) -> Pair:
    pair = pair_for(mentor, pair_id)
    if pair.mentor_id != mentor.id:
        raise Forbidden(_("Only the proposed mentor answers this."))
    pair = lock_row(pair)
    if pair.status != PairStatus.AWAITING_MENTOR:
        raise Conflict(_("This pair is not waiting for your answer any more."))
    return pair


def accept_pair(mentor: User, pair_id: int) -> Pair:
    """The proposed mentor says yes: the pair starts, both are told, the conversation opens."""
    pair = _awaiting(mentor, pair_id)
    pair.status = PairStatus.ACTIVE
    pair.started_at = utcnow()
    db.session.flush()
    _start(pair)
    coordinator_id = pair.programme.coordinator_id
    if coordinator_id and coordinator_id not in (pair.mentor_id, pair.mentee_id):
        notify(
            coordinator_id,
            "mentoring.accepted",
            actor_id=mentor.id,
            target_type=ABOUT,
            target_id=pair.id,
        )
    return pair


def decline_pair(mentor: User, pair_id: int, reason: object) -> Pair:
    """The proposed mentor says no, with a reason (required): the pair is declined, the
    coordinator told; the mentee is free for the next run (never with this mentor again)."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise Invalid(_("Tell the coordinator why, in a few words."), "reason")
    if len(reason) > MAX_DECLINE_REASON:
        raise Invalid(_("Use at most %(n)d characters.", n=MAX_DECLINE_REASON), "reason")
    pair = _awaiting(mentor, pair_id)
    pair.status = PairStatus.DECLINED
    pair.end_reason = reason
    pair.ended_at = utcnow()
    db.session.flush()
    coordinator_id = pair.programme.coordinator_id
    if coordinator_id:
        notify(
            coordinator_id,
            "mentoring.declined",
            actor_id=mentor.id,
            target_type=ABOUT,
            target_id=pair.id,
            reason=reason,
        )
    return pair


# --- notification kinds ------------------------------------------------------------------------


def _pair_url(notification, pair: Pair) -> str:
    """An active (or finished) pair's own page; a proposed one's answer page."""
    if pair.status == PairStatus.AWAITING_MENTOR:
        return site_path("mentoring.proposed_pair", pair_id=pair.id)
    return site_path("mentoring.pair", pair_id=pair.id)


def _matching_url(notification, pair: Pair) -> str:
    return site_path("mentoring.matching", programme_id=pair.programme_id)


register_kind(
    NotificationKind(
        "mentoring.paired",
        _l("You have a mentoring pair"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, pair, seen: (
                _(
                    "%(name)s is your mentor in “%(programme)s”. See why you were matched.",
                    name=seen.actor_name(n),
                    programme=pair.programme.name,
                )
                if n.data.get("role") == "mentor"
                else _(
                    "You mentor %(name)s in “%(programme)s”. See why you were matched.",
                    name=seen.actor_name(n),
                    programme=pair.programme.name,
                )
            ),
            _pair_url,
            also=lambda n, pair, seen: pair.status == PairStatus.ACTIVE,
        ),
    )
)

register_kind(
    NotificationKind(
        "mentoring.proposed",
        _l("A mentee proposed to you"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, pair, seen: _(
                "You are proposed as the mentor of %(name)s in “%(programme)s”: accept or decline.",
                name=seen.actor_name(n),
                programme=pair.programme.name,
            ),
            _pair_url,
            also=lambda n, pair, seen: pair.status == PairStatus.AWAITING_MENTOR,
        ),
    )
)

register_kind(
    NotificationKind(
        "mentoring.accepted",
        _l("Mentors who accepted their mentee"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, pair, seen: _(
                "%(name)s accepted their proposed mentee in “%(programme)s”.",
                name=seen.actor_name(n),
                programme=pair.programme.name,
            ),
            _matching_url,
        ),
    )
)

register_kind(
    NotificationKind(
        "mentoring.declined",
        _l("Mentors who declined their mentee"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, pair, seen: _(
                "%(name)s declined their proposed mentee in “%(programme)s”: %(reason)s",
                name=seen.actor_name(n),
                programme=pair.programme.name,
                reason=n.data.get("reason", ""),
            ),
            _matching_url,
        ),
    )
)
