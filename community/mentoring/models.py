"""Mentoring programmes: the cohort a coordinator runs, the members' applications as mentor
or mentee, the matching proposals, the confirmed pairs and what each pair records (its
first-meeting fit answers, goals, meetings, the mentee's outcomes, the mentor's feedback).

Who may see what (the rules live in the feature's services):
- A programme is seen by every logged-in active member; its coordinator (`coordinator_id`)
  and admins manage it (accept applications, run and confirm matching, see the report).
- An application is seen by its applicant and the programme's coordinator. After a pair is
  confirmed, each side also sees the other's answers that made the match.
- A proposal is seen by the coordinator only; a mentor who must accept sees their own
  proposed pair.
- A pair's goals, meetings and fit answers are the pair's own; the coordinator sees only
  counts of meetings and the fit answers' tally (never topics, next steps or goal texts).
- Figures meant for people outside the programme show groups under 5 as "fewer than 5"
  (the report's rule, not the tables').

Ids in proposals and pairs (`mentor_id`, `mentee_id`) are user ids, as the API speaks.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.auth.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db
from community.profiles.models import Tag


class MentoringRole(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class QuestionFor(StrEnum):
    """Which applicants a programme's extra question is asked of."""

    BOTH = "both"
    MENTOR = "mentor"
    MENTEE = "mentee"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"  # waits for the coordinator
    ACCEPTED = "accepted"  # in the cohort: matching considers it
    DECLINED = "declined"  # by the coordinator
    WITHDRAWN = "withdrawn"  # by the applicant (`withdraw_reason`): "left with reason"


class FieldPreference(StrEnum):
    """Whom an applicant would rather be paired with, by professional field."""

    ANY = "any"
    SAME = "same"
    DIFFERENT = "different"


class ProposalStatus(StrEnum):
    DRAFT = "draft"  # the coordinator looks at it, pins, forbids, re-runs
    CONFIRMED = "confirmed"  # its pairs were published
    SUPERSEDED = "superseded"  # a later run or a confirmation replaced it


class PairStatus(StrEnum):
    AWAITING_MENTOR = "awaiting_mentor"  # the programme asks mentors to accept first
    ACTIVE = "active"
    DECLINED = "declined"  # the mentor declined (`end_reason`): the mentee is free again
    ENDED = "ended"  # ended early (`end_reason`, e.g. "not a good fit"): free to re-pair
    COMPLETED = "completed"  # ran to the programme's end


# A mentee (and a mentor's seat) is taken by a pair in one of these states.
LIVE_PAIR_STATUSES = (PairStatus.AWAITING_MENTOR, PairStatus.ACTIVE)


class FitAnswer(StrEnum):
    """After the first meeting: is this a good fit?"""

    YES = "yes"
    DECIDING = "deciding"
    NO = "no"


class GoalReview(StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


class Outcome(StrEnum):
    EMPLOYED_OWN_FIELD = "employed_own_field"
    EMPLOYED_OTHER_FIELD = "employed_other_field"
    PART_TIME = "part_time"
    INTERNSHIP = "internship"
    OWN_BUSINESS = "own_business"
    STUDYING = "studying"
    VOLUNTEERING = "volunteering"
    STILL_SEARCHING = "still_searching"
    LEFT_COUNTRY = "left_country"
    STOPPED = "stopped"  # with a reason (`note`)


# Outcomes that count as "found work" in the report.
WORK_OUTCOMES = (
    Outcome.EMPLOYED_OWN_FIELD,
    Outcome.EMPLOYED_OTHER_FIELD,
    Outcome.PART_TIME,
    Outcome.INTERNSHIP,
    Outcome.OWN_BUSINESS,
)


class Checkpoint(StrEnum):
    """When an outcome was recorded: whenever the mentee chose, or when asked."""

    ANY = "any"
    END = "end"
    MONTHS_3 = "3m"
    MONTHS_6 = "6m"
    MONTHS_12 = "12m"


# The checkpoints a mentee is asked at, in order; `MentoringApplication.outcome_prompts`
# counts how many of them have been asked.
ASKED_CHECKPOINTS = (Checkpoint.END, Checkpoint.MONTHS_3, Checkpoint.MONTHS_6, Checkpoint.MONTHS_12)


class Programme(db.Model):
    """A cohort: one coordinator, dates, an application deadline and the extra questions."""

    __tablename__ = "mentoring_programmes"
    __table_args__ = (
        CheckConstraint("default_capacity BETWEEN 0 AND 10", name="capacity"),
        CheckConstraint("starts_on <= ends_on", name="dates"),
        Index("ix_mentoring_programmes_listed", "starts_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coordinator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    description_html: Mapped[str] = mapped_column(Text, default="")  # rendered, sanitised
    city: Mapped[str | None] = mapped_column(String(40), index=True)  # host-city slug
    online: Mapped[bool] = mapped_column(default=False)  # meets online (city may be NULL)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    application_deadline: Mapped[date] = mapped_column(Date)  # last day, in `timezone`
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")  # IANA, the coordinator's
    default_capacity: Mapped[int] = mapped_column(SmallInteger, default=1)  # mentees a mentor
    # Proposed pairs wait for the mentor's yes before they start (optional per programme).
    mentors_accept: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])
    questions: Mapped[list[ProgrammeQuestion]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ProgrammeQuestion.position"
    )


class ProgrammeQuestion(db.Model):
    """An extra question the coordinator asks applicants (of one role or both)."""

    __tablename__ = "mentoring_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_programmes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(300))
    asked_of: Mapped[str] = mapped_column(String(8), default=QuestionFor.BOTH)  # QuestionFor


class MentoringApplication(db.Model):
    """One member's application to one programme, as mentor or mentee (one per programme and
    member: the unique key). Editable by the applicant until the deadline."""

    __tablename__ = "mentoring_applications"
    __table_args__ = (
        UniqueConstraint("programme_id", "user_id"),
        Index("ix_mentoring_applications_cohort", "programme_id", "role", "status"),
        CheckConstraint("capacity IS NULL OR capacity BETWEEN 0 AND 10", name="capacity"),
        CheckConstraint(
            "experience_years IS NULL OR experience_years BETWEEN 0 AND 60", name="experience"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_programmes.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8))  # MentoringRole
    status: Mapped[str] = mapped_column(String(10), default=ApplicationStatus.SUBMITTED)
    # What the fit score reads (see `community.mentoring.fit`).
    field: Mapped[str | None] = mapped_column(String(40))  # profiles.reference.PROFESSIONAL_FIELDS
    education_level: Mapped[str | None] = mapped_column(String(20))  # profiles' EducationLevel
    experience_years: Mapped[int | None] = mapped_column(SmallInteger)
    qualifications: Mapped[str] = mapped_column(Text, default="")  # and experience, free text
    goals: Mapped[str] = mapped_column(Text, default="")  # a mentee's
    offer: Mapped[str] = mapped_column(Text, default="")  # what a mentor offers
    wishes: Mapped[str] = mapped_column(Text, default="")  # personal wishes, free text
    prefers_field: Mapped[str] = mapped_column(String(10), default=FieldPreference.ANY)
    prefers_language: Mapped[str | None] = mapped_column(String(3))  # ISO 639-1, or none
    availability: Mapped[str] = mapped_column(String(200), default="")  # "weekday evenings"
    capacity: Mapped[int | None] = mapped_column(SmallInteger)  # a mentor's; 0 pauses
    withdraw_reason: Mapped[str] = mapped_column(String(300), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A mentee: how many of `ASKED_CHECKPOINTS` have been asked (a guarded UPDATE raises it).
    outcome_prompts: Mapped[int] = mapped_column(SmallInteger, default=0)

    programme: Mapped[Programme] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    languages: Mapped[list[ApplicationLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ApplicationLanguage.position"
    )
    tags: Mapped[list[ApplicationTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ApplicationTag.position"
    )
    avoids: Mapped[list[ApplicationAvoid]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    answers: Mapped[list[ApplicationAnswer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class ApplicationLanguage(db.Model):
    """A language the applicant can mentor or be mentored in (ISO 639-1)."""

    __tablename__ = "mentoring_application_languages"
    __table_args__ = (UniqueConstraint("application_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_applications.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(3))
    position: Mapped[int] = mapped_column(default=0)


class ApplicationTag(db.Model):
    """An industry or an interest of the applicant: the `Tag` rows profiles, posts and gigs
    use. `kind` is "industry" or "interest"."""

    __tablename__ = "mentoring_application_tags"
    __table_args__ = (
        UniqueConstraint("application_id", "kind", "tag_id"),
        Index("ix_mentoring_application_tags_tag", "tag_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_applications.id", ondelete="CASCADE")
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)

    tag: Mapped[Tag] = relationship(lazy="joined")


class ApplicationAvoid(db.Model):
    """Someone the applicant must not be paired with (an own employer, a neighbour): a hard
    constraint of matching, whichever side named it. Seen by the applicant and the
    coordinator only; never shown to the person named."""

    __tablename__ = "mentoring_application_avoids"
    __table_args__ = (UniqueConstraint("application_id", "avoided_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_applications.id", ondelete="CASCADE")
    )
    avoided_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class ApplicationAnswer(db.Model):
    """The applicant's answer to one of the programme's extra questions."""

    __tablename__ = "mentoring_answers"
    __table_args__ = (UniqueConstraint("application_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_applications.id", ondelete="CASCADE")
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_questions.id", ondelete="CASCADE")
    )
    text: Mapped[str] = mapped_column(Text, default="")


class Proposal(db.Model):
    """One run of matching: the pairs it proposes (`ProposalPair`), the mentees it could not
    pair with why (`unmatched`: [{"mentee_id", "reason"}]), and the coordinator's pins and
    forbids it respected ([[mentor_id, mentee_id], ...])."""

    __tablename__ = "mentoring_proposals"
    __table_args__ = (Index("ix_mentoring_proposals_programme", "programme_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_programmes.id", ondelete="CASCADE")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=ProposalStatus.DRAFT)
    min_score: Mapped[float] = mapped_column(Float, default=0.0)
    pins: Mapped[list] = mapped_column(JSON, default=list)
    forbids: Mapped[list] = mapped_column(JSON, default=list)
    unmatched: Mapped[list] = mapped_column(JSON, default=list)
    lowest_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship()
    pairs: Mapped[list[ProposalPair]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ProposalPair.id"
    )


class ProposalPair(db.Model):
    """A pair a proposal puts forward: its score, the parts that make it ({"field": 20.0,
    ...}) and the reasons in words (["both in supply-chain logistics", ...])."""

    __tablename__ = "mentoring_proposal_pairs"
    __table_args__ = (UniqueConstraint("proposal_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_proposals.id", ondelete="CASCADE")
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    parts: Mapped[dict] = mapped_column(JSON, default=dict)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    pinned: Mapped[bool] = mapped_column(default=False)


class Pair(db.Model):
    """A published pair: mentor and mentee in one programme. A mentee has at most one live
    pair (awaiting the mentor or active) in a programme: the partial unique index."""

    __tablename__ = "mentoring_pairs"
    __table_args__ = (
        Index(
            "uq_mentoring_pairs_live_mentee",
            "programme_id",
            "mentee_id",
            unique=True,
            sqlite_where=text("status IN ('awaiting_mentor', 'active')"),
            postgresql_where=text("status IN ('awaiting_mentor', 'active')"),
        ),
        Index("ix_mentoring_pairs_mentor", "mentor_id", "status"),
        Index("ix_mentoring_pairs_mentee", "mentee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_programmes.id", ondelete="CASCADE")
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentoring_proposals.id", ondelete="SET NULL")
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=PairStatus.ACTIVE)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    parts: Mapped[dict] = mapped_column(JSON, default=dict)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # active since
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str] = mapped_column(String(300), default="")  # declined / ended early
    # The monthly "time to meet" reminder and the coordinator's nudge, last sent.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    goals_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])


class PairFitAnswer(db.Model):
    """One side's answer, after the first meeting, to "is this a good fit?"."""

    __tablename__ = "mentoring_fit_answers"
    __table_args__ = (UniqueConstraint("pair_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("mentoring_pairs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(10))  # FitAnswer
    note: Mapped[str] = mapped_column(String(500), default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PairGoal(db.Model):
    """A goal the pair agreed at the start (private to the pair), reviewed at the end."""

    __tablename__ = "mentoring_goals"
    __table_args__ = (Index("ix_mentoring_goals_pair", "pair_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("mentoring_pairs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    review: Mapped[str | None] = mapped_column(String(8))  # GoalReview
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PairMeeting(db.Model):
    """A meeting the pair logged: the date, topics and next steps (the pair's own; the
    coordinator sees counts only)."""

    __tablename__ = "mentoring_meetings"
    __table_args__ = (Index("ix_mentoring_meetings_pair", "pair_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("mentoring_pairs.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    topics: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MentoringOutcome(db.Model):
    """An outcome a mentee recorded (whenever they chose, or when asked at a checkpoint).
    The report reads each mentee's latest."""

    __tablename__ = "mentoring_outcomes"
    __table_args__ = (
        Index("ix_mentoring_outcomes_mentee", "programme_id", "mentee_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_programmes.id", ondelete="CASCADE")
    )
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    pair_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentoring_pairs.id", ondelete="SET NULL")
    )
    outcome: Mapped[str] = mapped_column(String(24))  # Outcome
    note: Mapped[str] = mapped_column(String(500), default="")  # "stopped": the reason
    checkpoint: Mapped[str] = mapped_column(String(4), default=Checkpoint.ANY)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MentorFeedback(db.Model):
    """The mentor's feedback on their pair (one per pair, editable)."""

    __tablename__ = "mentoring_mentor_feedback"
    __table_args__ = (
        UniqueConstraint("pair_id"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("mentoring_pairs.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
