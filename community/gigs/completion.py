"""Completing a gig: the poster marks it done, both sides give feedback, the poster writes a
reference, and the member may show it with the deliverable on their profile as a verified
entry. The rules for pages and the API alike; every function flushes and leaves the commit
to its caller.

Who takes part: the poster and each member whose application was accepted ("the team").
Feedback goes between the poster and each member of the team, both ways. Each side sees
what the other wrote about them only once both have written, or `REVEAL_AFTER` days after
the gig was completed, whichever comes first; before that, what they wrote is theirs alone,
and they may still change it. Nobody outside the pair ever sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from community.auth.models import User
from community.core.database import get_or_create, lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.extensions import db
from community.gigs.models import (
    ApplicationStatus,
    Gig,
    GigApplication,
    GigFeedback,
    GigReference,
    GigStatus,
)
from community.notifications.services import notify

REVEAL_AFTER = timedelta(days=14)
MAX_COMMENT = 2000
MAX_STATEMENT = 3000
MAX_SKILLS_USED = 300
MAX_HOURS = 5000
MAX_LINK = 500
MAX_NOTE = 300


def team(gig: Gig) -> list[int]:
    """The ids of the members whose applications to `gig` were accepted, oldest first."""
    return list(
        db.session.scalars(
            select(GigApplication.applicant_id)
            .where(
                GigApplication.gig_id == gig.id,
                GigApplication.status == ApplicationStatus.ACCEPTED,
            )
            .order_by(GigApplication.created_at, GigApplication.id)
        )
    )


def _poster_only(viewer: User, gig: Gig) -> None:
    if gig.poster_id != viewer.id:
        raise Forbidden(_("Only its poster can do that."))


def complete(poster: User, gig: Gig) -> Gig:
    """The poster marks `gig` completed (from open or filled); the team is asked for its
    feedback ("gig.completed"). Refuses anyone else (403), a
    gig already completed or closed (409), and a gig nobody was accepted for (409: there is
    no one to give feedback to). Under the gig's row lock, so two clicks complete it once."""
    _poster_only(poster, gig)
    gig = lock_row(gig)
    if gig.status == GigStatus.COMPLETED:
        raise Conflict(_("This gig is already marked as completed."))
    if gig.status == GigStatus.CLOSED:
        raise Conflict(_("A closed gig cannot be completed; reopen it first."))
    if not team(gig):
        raise Conflict(
            _("Accept the member who did the work first: a completed gig needs someone to thank.")
        )
    gig.status = GigStatus.COMPLETED
    gig.completed_at = utcnow()
    for member_id in team(gig):
        notify(member_id, "gig.completed", actor_id=poster.id, target_type="gig",
               target_id=gig.id)  # fmt: skip
    db.session.flush()
    return gig


def _pair(author: User, gig: Gig, subject_id: int) -> None:
    """Refuses feedback outside the pairs of a completed gig (404: nothing to see there)."""
    if gig.status != GigStatus.COMPLETED:
        raise Conflict(_("Feedback opens when the poster marks the gig completed."))
    members = team(gig)
    if author.id == gig.poster_id:
        if subject_id not in members:
            raise NotFound(_("That member did not work on this gig."))
    elif author.id in members:
        if subject_id != gig.poster_id:
            raise NotFound(_("Feedback goes to the gig's poster."))
    else:
        raise NotFound(_("There is no such gig."))


def give_feedback(
    author: User, gig: Gig, subject_id: int, rating: int, comment: str
) -> GigFeedback:
    """`author` rates (1 to 5) and describes working with `subject_id` on completed `gig`.
    Changeable until the other side can see it (`revealed`); then refused (409). Two saves at
    once keep one row (`get_or_create` on the unique key)."""
    _pair(author, gig, subject_id)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(_("Choose a rating from 1 to 5."), "rating")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(too_long(MAX_COMMENT), "comment")
    feedback, created = get_or_create(
        GigFeedback,
        gig_id=gig.id,
        author_id=author.id,
        subject_id=subject_id,
        defaults={"rating": rating, "comment": comment},
    )
    if not created:
        if revealed(gig, author.id, subject_id):
            raise Conflict(_("The other side can read your feedback now; it can no longer change."))
        feedback.rating, feedback.comment = rating, comment
    db.session.flush()
    return feedback


def _feedback(gig_id: int, author_id: int, subject_id: int) -> GigFeedback | None:
    return db.session.scalar(
        select(GigFeedback).where(
            GigFeedback.gig_id == gig_id,
            GigFeedback.author_id == author_id,
            GigFeedback.subject_id == subject_id,
        )
    )


def revealed(gig: Gig, one_id: int, other_id: int, now: datetime | None = None) -> bool:
    """Whether the feedback between `one_id` and `other_id` on `gig` shows to each other:
    both have written, or `REVEAL_AFTER` has passed since the gig was completed."""
    if gig.completed_at is None:
        return False
    if (now or utcnow()) >= gig.completed_at + REVEAL_AFTER:
        return True
    return (
        _feedback(gig.id, one_id, other_id) is not None
        and _feedback(gig.id, other_id, one_id) is not None
    )


@dataclass(frozen=True)
class FeedbackView:
    """What `viewer` sees of the feedback between them and `other_id` on one gig."""

    other_id: int
    mine: GigFeedback | None  # what the viewer wrote (always theirs to see)
    theirs: GigFeedback | None  # what the other wrote about the viewer, once revealed
    waiting: bool  # the other has written, but it is not revealed yet


def feedback_for(viewer: User, gig: Gig, now: datetime | None = None) -> list[FeedbackView]:
    """The viewer's feedback pairs on `gig`: the poster sees one per team member, a team
    member one (with the poster); anyone else none."""
    if gig.status != GigStatus.COMPLETED:
        return []
    members = team(gig)
    if viewer.id == gig.poster_id:
        others = members
    elif viewer.id in members:
        others = [gig.poster_id]
    else:
        return []
    views = []
    for other_id in others:
        theirs = _feedback(gig.id, other_id, viewer.id)
        shown = revealed(gig, viewer.id, other_id, now)
        views.append(
            FeedbackView(
                other_id,
                _feedback(gig.id, viewer.id, other_id),
                theirs if shown else None,
                theirs is not None and not shown,
            )
        )
    return views


def _link(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > MAX_LINK:
        raise Invalid(too_long(MAX_LINK), field)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(_("Give a web address starting with https:// or http://."), field)
    return value


def write_reference(
    poster: User,
    gig: Gig,
    member_id: int,
    *,
    hours: int | None,
    skills_used: str,
    statement: str,
) -> GigReference:
    """The poster's reference for a team member of completed `gig` (written again: the
    last version stands; the member is told of the first, "gig.reference"). Refuses
    anyone but the poster (403), a member not on the team (404),
    and a gig not completed (409)."""
    _poster_only(poster, gig)
    if gig.status != GigStatus.COMPLETED:
        raise Conflict(_("Write a reference once the gig is completed."))
    if member_id not in team(gig):
        raise NotFound(_("That member did not work on this gig."))
    if hours is not None and (isinstance(hours, bool) or not 1 <= hours <= MAX_HOURS):
        raise Invalid(_("Give the hours as a number from 1 to %(n)d.", n=MAX_HOURS), "hours")
    skills_used = " ".join((skills_used or "").split())
    statement = (statement or "").strip()
    if len(skills_used) > MAX_SKILLS_USED:
        raise Invalid(too_long(MAX_SKILLS_USED), "skills_used")
    if len(statement) > MAX_STATEMENT:
        raise Invalid(too_long(MAX_STATEMENT), "statement")
    if not statement:
        raise Invalid(_("Say in a sentence or two what the member did."), "statement")
    reference, created = get_or_create(
        GigReference,
        gig_id=gig.id,
        member_id=member_id,
        defaults={"poster_id": poster.id},
    )
    if created:
        notify(member_id, "gig.reference", actor_id=poster.id, target_type="gig",
               target_id=gig.id)  # fmt: skip
    reference.poster_id = poster.id
    reference.hours, reference.skills_used, reference.statement = hours, skills_used, statement
    db.session.flush()
    return reference


def show_on_profile(
    member: User, reference_id: int, *, shown: bool, sample_link: str = "", sample_note: str = ""
) -> GigReference:
    """The member shows (or hides) their reference on their profile, with an optional link
    to the deliverable and a note on it. Only the member it is about may (404 otherwise)."""
    reference = db.session.get(GigReference, reference_id)
    if reference is None or reference.member_id != member.id:
        raise NotFound(_("There is no such reference."))
    sample_note = " ".join((sample_note or "").split())
    if len(sample_note) > MAX_NOTE:
        raise Invalid(too_long(MAX_NOTE), "sample_note")
    reference.sample_link = _link(sample_link, "sample_link")
    reference.sample_note = sample_note
    reference.on_profile = shown
    db.session.flush()
    return reference


def profile_entries(member_id: int) -> list[GigReference]:
    """The verified entries `member_id` chose to show on their profile, newest first (with
    their gigs: one query)."""
    return list(
        db.session.scalars(
            select(GigReference)
            .join(Gig, Gig.id == GigReference.gig_id)
            .where(GigReference.member_id == member_id, GigReference.on_profile.is_(True))
            .options(contains_eager(GigReference.gig).lazyload("*"))
            .order_by(GigReference.created_at.desc(), GigReference.id.desc())
        )
    )


def reference_for(gig: Gig, member_id: int) -> GigReference | None:
    return db.session.scalar(
        select(GigReference).where(
            GigReference.gig_id == gig.id, GigReference.member_id == member_id
        )
    )


def references(gig: Gig) -> dict[int, GigReference]:
    """The references written for `gig`, by member id: one query."""
    return {
        row.member_id: row
        for row in db.session.scalars(select(GigReference).where(GigReference.gig_id == gig.id))
    }
