"""A confirmed pair's life: what the mentor and the mentee see of each other, their fit
answers after the first meeting, their goals, their meeting log and the mentor's feedback;
the coordinator's view of the programme's pairs (counts only), ending a pair for re-pairing,
nudging a quiet pair, and the monthly "time to meet" reminders.

Who may do what (`access`): a pair's own pages and verbs are for its mentor and mentee
(`pair_for`: everyone else, the coordinator included, gets the same 404); the coordinator
(and admins) read `pair_stats` through `coordinator_pairs` and may `end_pair` and `nudge`.
Goal texts, meeting topics, next steps and fit notes never leave the pair; the coordinator
sees counts, dates and the fit answers (yes / deciding / no) only.

Called by `pair_routes` (pages), `community.api.mentoring_pairs` (API), `cli` (the
reminders command and the job runner) and the report (`pair_stats`). Verbs flush, never
commit: the caller commits once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import aliased

from community.auth.models import User
from community.chat.models import Conversation, ConversationMember
from community.core.database import get_or_create, lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.extensions import db
from community.mentoring import (
    access,
    pair_notifications,  # noqa: F401  (registers the kinds)
)
from community.mentoring.applications import names_of
from community.mentoring.models import (
    LIVE_PAIR_STATUSES,
    FitAnswer,
    GoalReview,
    MentorFeedback,
    MentoringApplication,
    MentoringRole,
    Pair,
    PairFitAnswer,
    PairGoal,
    PairMeeting,
    PairStatus,
    Programme,
)
from community.notifications.services import notify_many
from community.profiles.directory import visible_ids
from community.profiles.models import Profile
from community.profiles.services import get_profile

MAX_GOALS = 8
MAX_GOAL = 300
MAX_NOTE = 500  # a fit answer's note (the column's size)
MAX_TOPICS = 2000
MAX_NEXT_STEPS = 2000
MAX_COMMENT = 2000  # the mentor's feedback
MAX_REASON = 300  # ending a pair (the column's size)
# Goals may be reviewed from this long before the programme's end (and once the pair is over).
REVIEW_WINDOW = timedelta(days=30)
# "Time to meet" after a month without a meeting, at most once a month.
REMIND_AFTER = timedelta(days=30)
# The coordinator sees a pair as stale after six weeks without a meeting.
STALE_AFTER = timedelta(days=42)
# The coordinator nudges a pair at most once a week.
NUDGE_EVERY = timedelta(days=7)

FIT_ANSWERS = tuple(answer.value for answer in FitAnswer)
GOAL_REVIEWS = tuple(review.value for review in GoalReview)


# --- loading -------------------------------------------------------------------------------


def _pair_of(viewer: User, pair_id: int, *, live: bool = True) -> Pair:
    """The pair if `viewer` is in it (else NotFound); `live`: Conflict unless it is active."""
    pair = access.pair_for(viewer, pair_id)
    if live and pair.status != PairStatus.ACTIVE:
        raise Conflict(_("This mentoring pair is no longer active."))
    return pair


def role_in(viewer: User, pair: Pair) -> str:
    """ "mentor" or "mentee": `viewer`'s side of `pair` (they are in it)."""
    return MentoringRole.MENTOR if viewer.id == pair.mentor_id else MentoringRole.MENTEE


def other_id(viewer: User, pair: Pair) -> int:
    return pair.mentee_id if viewer.id == pair.mentor_id else pair.mentor_id


def programme_today(programme: Programme) -> date:
    """Today in the programme's time zone."""
    try:
        zone = ZoneInfo(programme.timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return utcnow().astimezone(zone).date()


# --- my pairs ------------------------------------------------------------------------------


@dataclass
class MyPair:
    pair: Pair
    role: str  # mine: "mentor" or "mentee"
    other: User
    programme: Programme


def my_pairs(viewer: User) -> list[MyPair]:
    """`viewer`'s pairs as mentor or mentee, live ones first, newest first within each:
    one query. Called by "My mentoring pairs" and `GET /mentoring/pairs`."""
    other = aliased(User)
    live = case((Pair.status.in_(LIVE_PAIR_STATUSES), 0), else_=1)
    rows = db.session.execute(
        select(Pair, other, Programme)
        .join(Programme, Programme.id == Pair.programme_id)
        .join(
            other,
            other.id == case((Pair.mentor_id == viewer.id, Pair.mentee_id), else_=Pair.mentor_id),
        )
        .where(or_(Pair.mentor_id == viewer.id, Pair.mentee_id == viewer.id))
        .order_by(live, Pair.created_at.desc(), Pair.id.desc())
    ).all()
    return [
        MyPair(pair, role_in(viewer, pair), person, programme) for pair, person, programme in rows
    ]


# --- a pair's page -------------------------------------------------------------------------


@dataclass
class Answers:
    """The other side's application answers that made the match (never their avoid list)."""

    role: str
    field: str | None
    education_level: str | None
    experience_years: int | None
    qualifications: str
    languages: list[str]
    industries: list[str]
    interests: list[str]
    goals: str
    offer: str
    wishes: str
    availability: str
    questions: list[tuple[str, str]]  # (question, answer)


@dataclass
class PairView:
    pair: Pair
    programme: Programme
    role: str  # the viewer's side
    other: User
    other_visible: bool  # may the viewer see the other's profile (`visible_ids`)?
    other_profile: Profile | None  # None when hidden from the viewer (the name only then)
    answers: Answers | None
    fit: dict[int, PairFitAnswer]  # by user id
    goals: list[PairGoal]
    meetings: list[PairMeeting]
    feedback: MentorFeedback | None  # the mentor's own; None for the mentee, always
    conversation_id: int | None
    review_open: bool
    names: dict[int, str] = field(default_factory=dict)


def answers_of(application: MentoringApplication | None) -> Answers | None:
    """What of `application` the other side of a pair may read: everything that made the
    match, never `avoids` (the people the applicant must not be paired with)."""
    if application is None:
        return None
    asked = {question.id: question.text for question in application.programme.questions}
    tags = defaultdict(list)
    for tag in application.tags:
        tags[tag.kind].append(tag.tag.label)
    return Answers(
        role=application.role,
        field=application.field,
        education_level=application.education_level,
        experience_years=application.experience_years,
        qualifications=application.qualifications,
        languages=[language.code for language in application.languages],
        industries=tags["industry"],
        interests=tags["interest"],
        goals=application.goals,
        offer=application.offer,
        wishes=application.wishes,
        availability=application.availability,
        questions=[
            (asked[answer.question_id], answer.text)
            for answer in application.answers
            if answer.question_id in asked and answer.text
        ],
    )


def direct_conversation_id(viewer: User, other: int) -> int | None:
    """The direct conversation between `viewer` and `other` if one exists and `viewer` is
    in it (chat creates it with `start_direct`; this only finds it)."""
    return db.session.scalar(
        select(Conversation.id)
        .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
        .where(
            Conversation.direct_key == Conversation.direct_key_of(viewer.id, other),
            ConversationMember.user_id == viewer.id,
        )
    )


def review_open(pair: Pair, today: date | None = None) -> bool:
    """Goals may be reviewed once the pair is over, or from 30 days before the programme's
    end date."""
    if pair.status in (PairStatus.ENDED, PairStatus.COMPLETED):
        return True
    today = today or programme_today(pair.programme)
    return today >= pair.programme.ends_on - REVIEW_WINDOW


def pair_view(viewer: User, pair_id: int) -> PairView:
    """Everything the pair page (and `GET /mentoring/pairs/{id}`) shows `viewer`, a side of
    the pair (NotFound for everyone else): the other side's card and answers, the score and
    its reasons, both fit answers, goals, meetings (newest first), the mentor's own feedback
    (never to the mentee) and the direct conversation if there is one."""
    pair = access.pair_for(viewer, pair_id)
    programme = pair.programme
    other = db.session.get(User, other_id(viewer, pair))
    shown = bool(visible_ids(viewer, {other.id}))
    profile = get_profile(other.id) if shown else None
    application = db.session.scalar(
        select(MentoringApplication).where(
            MentoringApplication.programme_id == pair.programme_id,
            MentoringApplication.user_id == other.id,
        )
    )
    fit = {
        row.user_id: row
        for row in db.session.scalars(select(PairFitAnswer).where(PairFitAnswer.pair_id == pair.id))
    }
    goals = list(
        db.session.scalars(
            select(PairGoal)
            .where(PairGoal.pair_id == pair.id)
            .order_by(PairGoal.position, PairGoal.id)
        )
    )
    meetings = list(
        db.session.scalars(
            select(PairMeeting)
            .where(PairMeeting.pair_id == pair.id)
            .order_by(PairMeeting.held_on.desc(), PairMeeting.id.desc())
        )
    )
    feedback = None
    if viewer.id == pair.mentor_id:
        feedback = db.session.scalar(
            select(MentorFeedback).where(MentorFeedback.pair_id == pair.id)
        )
    return PairView(
        pair=pair,
        programme=programme,
        role=role_in(viewer, pair),
        other=other,
        other_visible=shown,
        other_profile=profile,
        answers=answers_of(application),
        fit=fit,
        goals=goals,
        meetings=meetings,
        feedback=feedback,
        conversation_id=direct_conversation_id(viewer, other.id),
        review_open=review_open(pair),
        names={viewer.id: viewer.display_name, other.id: other.display_name},
    )


# --- fit answers ---------------------------------------------------------------------------


def answer_fit(member: User, pair_id: int, answer: str, note: str = "") -> PairFitAnswer:
    """`member`'s answer to "is this a good fit?" (yes / deciding / no, with an optional
    note), one per side, changeable while the pair is active. A new "no" tells the
    programme's coordinator, who may then end the pair for re-pairing."""
    pair = _pair_of(member, pair_id)
    if answer not in FIT_ANSWERS:
        raise Invalid(_("Choose yes, still deciding or no."), "answer")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid(too_long(MAX_NOTE), "note")
    row, created = get_or_create(
        PairFitAnswer, {"answer": answer, "note": note}, pair_id=pair.id, user_id=member.id
    )
    row = lock_row(row)
    before = None if created else row.answer
    row.answer, row.note, row.answered_at = answer, note, utcnow()
    db.session.flush()
    if answer == FitAnswer.NO and before != FitAnswer.NO:
        coordinator = pair.programme.coordinator
        if coordinator is not None:
            notify_many(
                [coordinator],
                "mentoring.pair_not_fit",
                actor_id=member.id,
                target_type="mentoring_pair",
                target_id=pair.id,
                programme_id=pair.programme_id,
            )
    return row


def coordinated_pair(viewer: User, pair_id: int) -> Pair:
    """A pair whose programme `viewer` coordinates (or any, for admins). NotFound for a
    missing pair and for members outside it (as `pair_for`), Forbidden for its own mentor
    and mentee (they know it exists)."""
    pair = access.pair_seen_by_coordinator(viewer, pair_id)
    access.coordinated_programme(viewer, pair.programme_id)
    return pair


def end_pair(coordinator: User, pair_id: int, reason: str) -> Pair:
    """The coordinator (or an admin) ends a pair where a side answered "no", so matching can
    pair the mentee again (status `ended`, `ended_at`, `end_reason`); both sides are told.
    NotFound for a pair they cannot see, Forbidden for members who do not coordinate it,
    Conflict unless it is active with a "no"."""
    pair = coordinated_pair(coordinator, pair_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid(_("Say in a few words why the pair ends."), "reason")
    if len(reason) > MAX_REASON:
        raise Invalid(too_long(MAX_REASON), "reason")
    said_no = db.session.scalar(
        select(func.count())
        .select_from(PairFitAnswer)
        .where(PairFitAnswer.pair_id == pair.id, PairFitAnswer.answer == FitAnswer.NO)
    )
    if not said_no:
        raise Conflict(_("Only a pair where one side answered “no” can be ended for re-pairing."))
    now = utcnow()
    ended = db.session.execute(
        update(Pair)
        .where(Pair.id == pair.id, Pair.status == PairStatus.ACTIVE)
        .values(status=PairStatus.ENDED, ended_at=now, end_reason=reason)
    ).rowcount
    if ended != 1:
        raise Conflict(_("This mentoring pair is no longer active."))
    db.session.refresh(pair)
    notify_many(
        [pair.mentor, pair.mentee],
        "mentoring.pair_ended",
        actor_id=coordinator.id,
        target_type="mentoring_pair",
        target_id=pair.id,
        programme=pair.programme.name,
    )
    return pair


# --- goals ---------------------------------------------------------------------------------


def _goal_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise Invalid(_("Write the goal in a sentence."), "text")
    if len(text) > MAX_GOAL:
        raise Invalid(too_long(MAX_GOAL), "text")
    return text


def _goal_of(
    member: User, pair_id: int, goal_id: int, *, live: bool = True
) -> tuple[Pair, PairGoal]:
    pair = _pair_of(member, pair_id, live=live)
    goal = db.session.get(PairGoal, goal_id)
    if goal is None or goal.pair_id != pair.id:
        raise NotFound(_("We could not find that goal."))
    return pair, goal


def add_goal(member: User, pair_id: int, text: str) -> PairGoal:
    """Either side adds a goal (up to 8 a pair, 300 characters each) while the pair is
    active. The pair's row is locked while the goals are counted, so two at once cannot
    make a ninth."""
    pair = _pair_of(member, pair_id)
    text = _goal_text(text)
    lock_row(pair)
    count, last = db.session.execute(
        select(func.count(PairGoal.id), func.max(PairGoal.position)).where(
            PairGoal.pair_id == pair.id
        )
    ).one()
    if count >= MAX_GOALS:
        raise Invalid(_("A pair keeps at most %(n)d goals: remove one first.", n=MAX_GOALS), "text")
    goal = PairGoal(pair_id=pair.id, text=text, position=(last or 0) + 1, created_by_id=member.id)
    db.session.add(goal)
    db.session.flush()
    return goal


def edit_goal(member: User, pair_id: int, goal_id: int, text: str) -> PairGoal:
    """Either side rewords a goal while the pair is active."""
    _pair, goal = _goal_of(member, pair_id, goal_id)
    goal.text = _goal_text(text)
    db.session.flush()
    return goal


def review_goal(member: User, pair_id: int, goal_id: int, review: str) -> PairGoal:
    """Either side reviews a goal: met, partly or not met. Open from 30 days before the
    programme's end date, and once the pair has ended or completed."""
    pair, goal = _goal_of(member, pair_id, goal_id, live=False)
    if pair.status not in (PairStatus.ACTIVE, PairStatus.ENDED, PairStatus.COMPLETED):
        raise Conflict(_("This mentoring pair never started."))
    if review not in GOAL_REVIEWS:
        raise Invalid(_("Choose met, partly or not met."), "review")
    if not review_open(pair):
        opens = pair.programme.ends_on - REVIEW_WINDOW
        raise Conflict(
            _("Goals are reviewed near the end: from %(day)s.", day=format_date(opens, "long"))
        )
    goal.review, goal.reviewed_at = review, utcnow()
    pair.goals_reviewed_at = goal.reviewed_at
    db.session.flush()
    return goal


def remove_goal(member: User, pair_id: int, goal_id: int) -> None:
    """Either side removes a goal while the pair is active."""
    _pair, goal = _goal_of(member, pair_id, goal_id)
    db.session.delete(goal)
    db.session.flush()


# --- meetings ------------------------------------------------------------------------------


def _meeting_fields(pair: Pair, held_on: date | None, topics: str, next_steps: str) -> tuple:
    if held_on is None:
        raise Invalid(_("Enter the date you met."), "held_on")
    programme = pair.programme
    if held_on > programme_today(programme):
        raise Invalid(_("The date cannot be in the future."), "held_on")
    if held_on < programme.starts_on:
        raise Invalid(
            _(
                "The programme started on %(day)s: choose that day or later.",
                day=format_date(programme.starts_on, "long"),
            ),
            "held_on",
        )
    topics = (topics or "").strip()
    next_steps = (next_steps or "").strip()
    if not topics:
        raise Invalid(_("Write what you talked about."), "topics")
    if len(topics) > MAX_TOPICS:
        raise Invalid(too_long(MAX_TOPICS), "topics")
    if len(next_steps) > MAX_NEXT_STEPS:
        raise Invalid(too_long(MAX_NEXT_STEPS), "next_steps")
    return held_on, topics, next_steps


def log_meeting(
    member: User, pair_id: int, held_on: date | None, topics: str, next_steps: str = ""
) -> PairMeeting:
    """Either side logs a meeting (not in the future, not before the programme starts)
    while the pair is active."""
    pair = _pair_of(member, pair_id)
    held_on, topics, next_steps = _meeting_fields(pair, held_on, topics, next_steps)
    meeting = PairMeeting(
        pair_id=pair.id, held_on=held_on, topics=topics, next_steps=next_steps,
        logged_by_id=member.id,
    )  # fmt: skip
    db.session.add(meeting)
    db.session.flush()
    return meeting


def own_meeting(member: User, pair_id: int, meeting_id: int) -> tuple[Pair, PairMeeting]:
    """A meeting of the pair that `member` logged: NotFound outside the pair, Forbidden for
    the other side's meeting (they see it, but only its author changes it)."""
    pair = _pair_of(member, pair_id)
    meeting = db.session.get(PairMeeting, meeting_id)
    if meeting is None or meeting.pair_id != pair.id:
        raise NotFound(_("We could not find that meeting."))
    if meeting.logged_by_id != member.id:
        raise Forbidden(_("Only the one who logged a meeting can change it."))
    return pair, meeting


def edit_meeting(
    member: User, pair_id: int, meeting_id: int, held_on: date | None, topics: str,
    next_steps: str = "",
) -> PairMeeting:  # fmt: skip
    """The author changes a meeting they logged."""
    pair, meeting = own_meeting(member, pair_id, meeting_id)
    meeting.held_on, meeting.topics, meeting.next_steps = _meeting_fields(
        pair, held_on, topics, next_steps
    )
    db.session.flush()
    return meeting


def delete_meeting(member: User, pair_id: int, meeting_id: int) -> None:
    """The author deletes a meeting they logged."""
    _pair, meeting = own_meeting(member, pair_id, meeting_id)
    db.session.delete(meeting)
    db.session.flush()


# --- the mentor's feedback -----------------------------------------------------------------


def give_feedback(mentor: User, pair_id: int, rating: int, comment: str = "") -> MentorFeedback:
    """The mentor's rating (1 to 5) and comment on their pair: one, editable. The mentee
    never sees it; the coordinator sees the rating in the pair list."""
    pair = _pair_of(mentor, pair_id, live=False)
    if mentor.id != pair.mentor_id:
        raise Forbidden(_("Only the mentor gives feedback on the pair."))
    if pair.status not in (PairStatus.ACTIVE, PairStatus.ENDED, PairStatus.COMPLETED):
        raise Conflict(_("This mentoring pair never started."))
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise Invalid(_("Choose a rating from 1 to 5."), "rating")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(too_long(MAX_COMMENT), "comment")
    row, _created = get_or_create(
        MentorFeedback, {"mentor_id": mentor.id, "rating": rating, "comment": comment},
        pair_id=pair.id,
    )  # fmt: skip
    row.rating, row.comment, row.updated_at = rating, comment, utcnow()
    db.session.flush()
    return row


# --- the coordinator's view ----------------------------------------------------------------


@dataclass
class PairStats:
    """What the coordinator (and the report) may know of a pair: no texts."""

    pair_id: int
    mentor_id: int
    mentee_id: int
    status: str
    score: float
    started_at: datetime | None
    created_at: datetime
    nudged_at: datetime | None
    meetings: int = 0
    last_meeting: date | None = None
    fit: dict[str, str | None] = field(default_factory=lambda: {"mentor": None, "mentee": None})
    feedback_rating: int | None = None
    goals: int = 0
    goals_met: int = 0
    goals_partly: int = 0
    goals_not_met: int = 0

    def quiet_since(self) -> date:
        """The last meeting, or the day the pair started."""
        if self.last_meeting is not None:
            return self.last_meeting
        return (self.started_at or self.created_at).date()

    def stale(self, today: date) -> bool:
        """Active with no meeting logged for six weeks (since the last, or since it started)."""
        return self.status == PairStatus.ACTIVE and self.quiet_since() <= today - STALE_AFTER

    @property
    def said_no(self) -> bool:
        return FitAnswer.NO in self.fit.values()


def pair_stats(programme_id: int) -> dict[int, PairStats]:
    """Per pair of the programme (by pair id): meetings held and the last one, each side's
    fit answer, the mentor's feedback rating, goals and how many were met / partly / not
    met. Five queries whatever the number of pairs. Called by the coordinator's pair list,
    `GET /mentoring/programmes/{id}/pairs` and the report. No texts: counts and answers."""
    stats = {
        row.id: PairStats(
            row.id,
            row.mentor_id,
            row.mentee_id,
            row.status,
            row.score,
            row.started_at,
            row.created_at,
            row.nudged_at,
        )
        for row in db.session.execute(
            select(
                Pair.id,
                Pair.mentor_id,
                Pair.mentee_id,
                Pair.status,
                Pair.score,
                Pair.started_at,
                Pair.created_at,
                Pair.nudged_at,
            ).where(Pair.programme_id == programme_id)
        )
    }
    if not stats:
        return stats
    in_programme = select(Pair.id).where(Pair.programme_id == programme_id).scalar_subquery()
    for pair_id, count, last in db.session.execute(
        select(PairMeeting.pair_id, func.count(), func.max(PairMeeting.held_on))
        .where(PairMeeting.pair_id.in_(in_programme))
        .group_by(PairMeeting.pair_id)
    ):
        stats[pair_id].meetings, stats[pair_id].last_meeting = count, last
    for pair_id, user_id, answer in db.session.execute(
        select(PairFitAnswer.pair_id, PairFitAnswer.user_id, PairFitAnswer.answer).where(
            PairFitAnswer.pair_id.in_(in_programme)
        )
    ):
        row = stats[pair_id]
        row.fit["mentor" if user_id == row.mentor_id else "mentee"] = answer
    for pair_id, rating in db.session.execute(
        select(MentorFeedback.pair_id, MentorFeedback.rating).where(
            MentorFeedback.pair_id.in_(in_programme)
        )
    ):
        stats[pair_id].feedback_rating = rating
    for pair_id, total, met, partly, not_met in db.session.execute(
        select(
            PairGoal.pair_id,
            func.count(),
            func.count(case((PairGoal.review == GoalReview.MET, 1))),
            func.count(case((PairGoal.review == GoalReview.PARTLY, 1))),
            func.count(case((PairGoal.review == GoalReview.NOT_MET, 1))),
        )
        .where(PairGoal.pair_id.in_(in_programme))
        .group_by(PairGoal.pair_id)
    ):
        row = stats[pair_id]
        row.goals, row.goals_met, row.goals_partly, row.goals_not_met = total, met, partly, not_met
    return stats


@dataclass
class CoordinatorPairs:
    programme: Programme
    rows: list[PairStats]
    names: dict[int, str]
    today: date

    @property
    def ratings(self) -> list[int]:
        return [row.feedback_rating for row in self.rows if row.feedback_rating is not None]

    @property
    def average_rating(self) -> float | None:
        ratings = self.ratings
        return round(sum(ratings) / len(ratings), 1) if ratings else None


_STATUS_ORDER = {PairStatus.ACTIVE: 0, PairStatus.AWAITING_MENTOR: 1}


def coordinator_pairs(viewer: User, programme_id: int) -> CoordinatorPairs:
    """The coordinator's (or an admin's) list of a programme's pairs: names, score, status,
    meetings count and last date, fit answers, stale marker and feedback rating (`pair_stats`
    plus one query for names). Forbidden for other members. Live pairs first; among them a
    "no" first, then stale ones, then by mentee name."""
    programme = access.coordinated_programme(viewer, programme_id)
    stats = pair_stats(programme.id)
    ids = {person for row in stats.values() for person in (row.mentor_id, row.mentee_id)}
    names = names_of(ids)
    today = programme_today(programme)
    rows = sorted(
        stats.values(),
        key=lambda row: (
            _STATUS_ORDER.get(row.status, 2),
            not row.said_no,
            not row.stale(today),
            names.get(row.mentee_id, "").casefold(),
            row.pair_id,
        ),
    )
    return CoordinatorPairs(programme, rows, names, today)


def nudge(coordinator: User, pair_id: int, now: datetime | None = None) -> Pair:
    """The coordinator (or an admin) nudges an active pair to meet: a notification to both,
    at most once a week per pair (a guarded UPDATE of `nudged_at`, so two clicks at once
    send once). Conflict with the day the next nudge is possible."""
    pair = coordinated_pair(coordinator, pair_id)
    if pair.status != PairStatus.ACTIVE:
        raise Conflict(_("This mentoring pair is no longer active."))
    now = now or utcnow()
    claimed = db.session.execute(
        update(Pair)
        .where(
            Pair.id == pair.id,
            Pair.status == PairStatus.ACTIVE,
            or_(Pair.nudged_at.is_(None), Pair.nudged_at <= now - NUDGE_EVERY),
        )
        .values(nudged_at=now)
    ).rowcount
    db.session.refresh(pair)
    if claimed != 1:
        again = (pair.nudged_at or now) + NUDGE_EVERY
        raise Conflict(
            _(
                "You nudged this pair on %(last)s. You can nudge them again from %(next)s.",
                last=format_date(pair.nudged_at or now, "long"),
                next=format_date(again, "long"),
            )
        )
    notify_many(
        [pair.mentor, pair.mentee],
        "mentoring.pair_nudge",
        actor_id=coordinator.id,
        target_type="mentoring_pair",
        target_id=pair.id,
        programme=pair.programme.name,
    )
    return pair


# --- reminders -----------------------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """The monthly "time to meet": each active pair of a running programme that has logged
    no meeting for a month (since its last meeting, or since it started) and was not
    reminded in the last month gets one notification to both sides. Each pair is claimed by
    a guarded UPDATE of `reminded_at` (its condition re-checked under the row's lock), so
    several runs at once remind each pair once. Returns how many pairs were reminded.
    Called by `flask mentoring-reminders` and the job runner (`community.jobs`)."""
    now = now or utcnow()
    cutoff = now - REMIND_AFTER
    today = now.date()
    last_meeting = (
        select(func.max(PairMeeting.held_on))
        .where(PairMeeting.pair_id == Pair.id)
        .scalar_subquery()
    )
    running = (
        select(Programme.id)
        .where(Programme.starts_on <= today, Programme.ends_on >= today)
        .scalar_subquery()
    )
    due = and_(
        Pair.status == PairStatus.ACTIVE,
        Pair.programme_id.in_(running),
        or_(Pair.reminded_at.is_(None), Pair.reminded_at <= cutoff),
        func.coalesce(Pair.started_at, Pair.created_at) <= cutoff,
        or_(last_meeting.is_(None), last_meeting <= cutoff.date()),
    )
    candidates = list(db.session.scalars(select(Pair.id).where(due).order_by(Pair.id)))
    reminded = 0
    for pair_id in candidates:
        claimed = db.session.execute(
            update(Pair).where(Pair.id == pair_id, due).values(reminded_at=now)
        ).rowcount
        if claimed != 1:
            continue  # another run reminded it a moment ago
        pair = db.session.get(Pair, pair_id)
        notify_many(
            [pair.mentor, pair.mentee],
            "mentoring.pair_reminder",
            target_type="mentoring_pair",
            target_id=pair.id,
            programme=pair.programme.name,
        )
        reminded += 1
    return reminded


def complete_finished_pairs(now: datetime | None = None) -> int:
    """Active pairs of programmes whose last day has passed become `completed` (ran to the
    programme's end: what the report's "completed" counts). One guarded UPDATE, so it is
    idempotent and safe to run in several places at once. Returns how many changed. Called
    by `flask mentoring-reminders` and the job runner (`community.jobs`), before the
    reminders (a finished pair is not reminded to meet)."""
    now = now or utcnow()
    finished = select(Programme.id).where(Programme.ends_on < now.date()).scalar_subquery()
    changed = db.session.execute(
        update(Pair)
        .where(Pair.status == PairStatus.ACTIVE, Pair.programme_id.in_(finished))
        .values(status=PairStatus.COMPLETED, ended_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        db.session.expire_all()
    return changed


def pair_job(now: datetime | None = None) -> int:
    """The job runner's mentoring-pairs step: finished pairs completed, then the monthly
    reminders. Returns how many pairs it changed or reminded."""
    return complete_finished_pairs(now) + send_reminders(now)


def my_pair_in(viewer: User, programme_id: int) -> Pair | None:
    """`viewer`'s newest pair in a programme (as mentor or mentee, in any state), for the
    programme page's link to it: one query."""
    return db.session.scalar(
        select(Pair)
        .where(
            Pair.programme_id == programme_id,
            or_(Pair.mentor_id == viewer.id, Pair.mentee_id == viewer.id),
        )
        .order_by(Pair.created_at.desc(), Pair.id.desc())
        .limit(1)
    )
