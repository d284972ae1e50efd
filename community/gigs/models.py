"""Gigs: short-term work, remote work, freelance projects, volunteering and internships;
the applications to them, the feedback both sides give when one is completed, the poster's
reference and the reports members file.

Who may see what (the rules live in `community.gigs.services`):
- A gig waiting for a moderator (`review` "pending") or refused ("rejected") is seen by its
  poster and by moderators only; everyone else gets the same 404 as a missing gig.
- An application is seen by its applicant and by the gig's poster, nobody else (the
  decline reason too: it is the poster's word to the applicant).
- Feedback is shown to the other side only once both have given theirs, or 14 days after
  the gig was completed (`GigFeedback`).

A member's work-permit situation (`profiles.Profile.work_permit`) is never stored here: the
"for you" ranking reads it for the member it ranks for and nobody else.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.auth.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db
from community.profiles.models import Tag


class GigKind(StrEnum):
    PAID_LOCAL = "paid_local"
    REMOTE = "remote"
    FREELANCE = "freelance"
    VOLUNTEERING = "volunteering"
    INTERNSHIP = "internship"


class WhoCanTake(StrEnum):
    """Who can take a gig, instead of a yes/no permit flag."""

    RIGHT_TO_WORK = "right_to_work"  # anyone with the right to work here
    UNPAID_NONPROFIT = "unpaid_nonprofit"  # unpaid for a non-profit: check your permit
    REMOTE_ABROAD = "remote_abroad"  # remote for an employer abroad


class Engagement(StrEnum):
    EMPLOYEE = "employee"
    INVOICE = "invoice"
    VOLUNTARY = "voluntary"


class GigStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"
    COMPLETED = "completed"


class GigReview(StrEnum):
    """Whether a moderator has to see the gig before it shows."""

    APPROVED = "approved"  # shows (posted by a trusted role, or approved)
    PENDING = "pending"  # waits in `/moderation/gigs`
    REJECTED = "rejected"  # refused: seen by its poster only, with the reason


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # by the applicant
    EXPIRED = "expired"  # left unanswered for 14 days, or the gig closed first


class Gig(db.Model):
    __tablename__ = "gigs"
    # The list is newest first, keyset-paged on (created_at, id), of approved open gigs.
    __table_args__ = (
        Index("ix_gigs_listed", "review", "status", "created_at", "id"),
        Index("ix_gigs_deadline", "status", "deadline"),
        CheckConstraint("hours_per_week IS NULL OR hours_per_week BETWEEN 1 AND 80", name="hours"),
        CheckConstraint("overlap_hours IS NULL OR overlap_hours BETWEEN 0 AND 12", name="overlap"),
        CheckConstraint(
            "compensation_amount IS NULL OR compensation_amount >= 0", name="compensation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poster_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Posted on behalf of a named organisation (a moderator checks those first).
    organisation: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    description_html: Mapped[str] = mapped_column(Text, default="")  # rendered, sanitised
    kind: Mapped[str] = mapped_column(String(16))  # GigKind
    deliverable: Mapped[str] = mapped_column(String(200), default="")
    who_can_take: Mapped[str] = mapped_column(String(20))  # WhoCanTake
    city: Mapped[str | None] = mapped_column(String(40), index=True)  # host-city slug
    remote: Mapped[bool] = mapped_column(default=False)
    # Remote: the hours a working day must overlap with the poster's time zone.
    overlap_hours: Mapped[int | None] = mapped_column(SmallInteger)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")  # the poster's, IANA
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    duration: Mapped[str] = mapped_column(String(60), default="")  # "about 3 weeks"
    hours_per_week: Mapped[int | None] = mapped_column(SmallInteger)
    # Whole units of `currency` per `compensation_period`; NULL amount: voluntary.
    compensation_amount: Mapped[int | None] = mapped_column()
    currency: Mapped[str | None] = mapped_column(String(3))  # ISO 4217
    compensation_period: Mapped[str | None] = mapped_column(String(10))  # hour/day/.../project
    engagement: Mapped[str] = mapped_column(String(10))  # Engagement
    deadline: Mapped[date | None] = mapped_column(Date)  # last day to apply, in `timezone`
    status: Mapped[str] = mapped_column(String(10), default=GigStatus.OPEN)
    review: Mapped[str] = mapped_column(String(10), default=GigReview.APPROVED)
    review_reason: Mapped[str] = mapped_column(String(200), default="")  # why it waits / why not
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # closed, filled
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    poster: Mapped[User] = relationship(foreign_keys=[poster_id])
    skills: Mapped[list[GigSkill]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="GigSkill.position"
    )
    languages: Mapped[list[GigLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="GigLanguage.position"
    )
    countries: Mapped[list[GigCountry]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="GigCountry.code"
    )


class GigSkill(db.Model):
    """A skill a gig wants: the same `profiles.models.Tag` rows profiles and posts use."""

    __tablename__ = "gig_skills"
    __table_args__ = (UniqueConstraint("gig_id", "tag_id"), Index("ix_gig_skills_tag", "tag_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)

    tag: Mapped[Tag] = relationship(lazy="joined")


class GigLanguage(db.Model):
    """A language the work needs (ISO 639-1, as profiles store them)."""

    __tablename__ = "gig_languages"
    __table_args__ = (UniqueConstraint("gig_id", "code"), Index("ix_gig_languages_code", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(3))
    position: Mapped[int] = mapped_column(default=0)


class GigCountry(db.Model):
    """A remote gig: a country it can be done from (ISO 3166-1 alpha-2). None: anywhere."""

    __tablename__ = "gig_countries"
    __table_args__ = (UniqueConstraint("gig_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(2))


class GigApplication(db.Model):
    """One member's application to one gig (one per gig and member: the unique key)."""

    __tablename__ = "gig_applications"
    __table_args__ = (
        UniqueConstraint("gig_id", "applicant_id"),
        Index("ix_gig_applications_applicant", "applicant_id", "created_at", "id"),
        Index("ix_gig_applications_gig", "gig_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")  # a CV or a work sample
    status: Mapped[str] = mapped_column(String(12), default=ApplicationStatus.SUBMITTED)
    decline_reason: Mapped[str] = mapped_column(Text, default="")  # for the applicant only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The poster was reminded of it (after 3 working days without an answer), once.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gig: Mapped[Gig] = relationship()
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])


class GigFeedback(db.Model):
    """What one side of a completed gig says about the other (poster about the member, the
    member about the poster); shown to the other side once both have answered, or 14 days
    after completion."""

    __tablename__ = "gig_feedback"
    __table_args__ = (
        UniqueConstraint("gig_id", "author_id", "subject_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GigReference(db.Model):
    """The poster's reference for the member who did a completed gig: the hours and skills
    used, in the poster's words. The member may show it, with the deliverable as a work
    sample, on their profile, where it reads as a verified entry."""

    __tablename__ = "gig_references"
    __table_args__ = (UniqueConstraint("gig_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hours: Mapped[int | None] = mapped_column()
    skills_used: Mapped[str] = mapped_column(String(300), default="")
    statement: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The member's choice: shown on their profile, with a link to the deliverable.
    on_profile: Mapped[bool] = mapped_column(default=False)
    sample_link: Mapped[str] = mapped_column(String(500), default="")
    sample_note: Mapped[str] = mapped_column(String(300), default="")

    gig: Mapped[Gig] = relationship()


class GigReport(db.Model):
    """A member's report of a gig (a scam, discrimination, ...): a record for moderation."""

    __tablename__ = "gig_reports"
    __table_args__ = (UniqueConstraint("gig_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(20))  # scam, discrimination, misleading, other
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gig: Mapped[Gig] = relationship()
