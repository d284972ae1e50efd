"""Application rules: apply, withdraw, the poster's status changes, and the lists.

Called by the gig pages, the JSON API and the `close-gigs` command. Writes flush, never
commit. An application is seen by its applicant and by the gig's poster, nobody else
(moderators included): `get_application` answers the same NotFound as for a missing one.

One application per gig and member: the unique key on (gig_id, applicant_id) decides, and a
second one (even two sent at the same moment) is a Conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Invalid, NotFound, too_long
from community.core.pagination import Page, keyset
from community.extensions import db
from community.gigs import services
from community.gigs.models import ApplicationStatus, Gig, GigApplication, GigStatus
from community.notifications.services import notify

MAX_MESSAGE = 5000
MAX_LINK = 500
MAX_REASON = 1000
ANSWERED_BY_POSTER = (ApplicationStatus.SHORTLISTED, ApplicationStatus.ACCEPTED,
                      ApplicationStatus.DECLINED)  # fmt: skip
POSTER_CHOICES = (ApplicationStatus.SUBMITTED, *ANSWERED_BY_POSTER)
LIVE = (ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.ACCEPTED)


def _gone() -> NotFound:
    return NotFound(_("We could not find that application."))


def clean_link(link: str | None) -> str:
    """An http(s) address, or "" (Invalid on "link" for anything else)."""
    link = (link or "").strip()
    if not link:
        return ""
    if len(link) > MAX_LINK:
        raise Invalid(too_long(MAX_LINK), "link")
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in link:
        raise Invalid(_("Give a web address that starts with https://"), "link")
    return link


def why_not_apply(member: User, gig: Gig, now: datetime | None = None) -> str | None:
    """Why `member` may not apply to `gig` (a visible one), or None."""
    if gig.poster_id == member.id:
        return _("You cannot apply to your own gig.")
    if gig.review != "approved":
        return _("This gig is not published yet.")
    if gig.status != GigStatus.OPEN:
        return _("This gig is no longer taking applications.")
    if services.past_deadline(gig, now):
        return _("The deadline to apply has passed.")
    return None


def can_apply(member: User, gig: Gig) -> bool:
    return why_not_apply(member, gig) is None


def apply_form(gig: Gig):
    from community.gigs.forms import ApplyForm

    return ApplyForm()


def apply(member: User, gig: Gig, message: str, link: str = "") -> GigApplication:
    """Apply to a visible gig with a message (required) and an optional http(s) link.
    Conflict for one's own gig, a closed one, one past its deadline, or a second
    application (the unique key decides a race). The poster is told."""
    message = (message or "").strip()
    if not message:
        raise Invalid(_("Write a short message to the poster."), "message")
    if len(message) > MAX_MESSAGE:
        raise Invalid(too_long(MAX_MESSAGE), "message")
    link = clean_link(link)
    reason = why_not_apply(member, gig)
    if reason:
        raise Conflict(reason)
    already = Conflict(_("You have already applied to this gig."))
    now = utcnow()
    earlier = own_application(member, gig)
    if earlier is not None:
        return _apply_again(member, gig, lock_row(earlier), message, link, now, already)
    application = GigApplication(
        gig_id=gig.id,
        applicant_id=member.id,
        message=message,
        link=link,
        created_at=now,
        status_changed_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(application)
    except IntegrityError as error:
        raise already from error
    notify(gig.poster_id, "gig.application", actor_id=member.id, target_type="gig",
           target_id=gig.id, title=gig.title)  # fmt: skip
    return application


def _apply_again(
    member: User,
    gig: Gig,
    earlier: GigApplication,
    message: str,
    link: str,
    now: datetime,
    already: Conflict,
) -> GigApplication:
    """An application that closed when the gig did (or went unanswered) is sent again, as
    new, once the gig is open again; any other earlier application is `already`."""
    if earlier.status != ApplicationStatus.EXPIRED:
        raise already
    earlier.message, earlier.link = message, link
    earlier.status = ApplicationStatus.SUBMITTED
    earlier.decline_reason = ""
    earlier.created_at = earlier.status_changed_at = now
    earlier.reminded_at = None
    db.session.flush()
    notify(gig.poster_id, "gig.application", actor_id=member.id, target_type="gig",
           target_id=gig.id, title=gig.title)  # fmt: skip
    return earlier


# Applications still waiting for the poster's answer: they close when the gig does.
WAITING = (ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED)


def close_open_applications(gig: Gig, why: str, now: datetime) -> list[int]:
    """The gig is filled (`why`): the applications still waiting for an answer close
    (`expired`), and each applicant is told kindly. Accepted and declined ones keep their
    answer. A gig that only closes (by its poster or at its deadline) keeps them: the poster
    still answers, and the 14-day rule of `sweep` closes those left unanswered. Each change
    is a guarded UPDATE, so two fillings at once tell each applicant once. Called by
    `services._set_status`; returns the applications closed."""
    waiting = db.session.execute(
        select(GigApplication.id, GigApplication.applicant_id).where(
            GigApplication.gig_id == gig.id, GigApplication.status.in_(WAITING)
        )
    ).all()
    closed = []
    for application_id, applicant_id in waiting:
        if _claim(
            update(GigApplication)
            .where(GigApplication.id == application_id, GigApplication.status.in_(WAITING))
            .values(status=ApplicationStatus.EXPIRED, status_changed_at=now)
        ):
            closed.append(application_id)
            notify(applicant_id, "gig.stopped", target_type="gig", target_id=gig.id,
                   title=gig.title, why=why)  # fmt: skip
    if closed:
        db.session.expire_all()  # the guarded UPDATEs changed rows behind loaded objects
    return closed


def own_application(member: User, gig: Gig) -> GigApplication | None:
    return db.session.scalar(
        select(GigApplication).where(
            GigApplication.gig_id == gig.id, GigApplication.applicant_id == member.id
        )
    )


def my_application_ids(member: User, gig_ids: list[int]) -> dict[int, int]:
    """{gig id: application id} of `member`'s applications among `gig_ids` (one query)."""
    if not gig_ids:
        return {}
    rows = db.session.execute(
        select(GigApplication.gig_id, GigApplication.id).where(
            GigApplication.applicant_id == member.id, GigApplication.gig_id.in_(gig_ids)
        )
    )
    return dict(rows.all())


def get_application(viewer: User, application_id: int) -> GigApplication:
    """The application for its applicant or the gig's poster; NotFound for anyone else."""
    application = db.session.get(GigApplication, application_id)
    if application is None or not services._active(viewer):
        raise _gone()
    if viewer.id not in (application.applicant_id, application.gig.poster_id):
        raise _gone()
    return application


def withdraw(member: User, application: GigApplication) -> GigApplication:
    """The applicant takes their application back (the poster's answer stays on record).
    Withdrawing twice changes nothing."""
    if application.applicant_id != member.id:
        raise _gone()
    application = lock_row(application)
    if application.status == ApplicationStatus.WITHDRAWN:
        return application
    if application.status == ApplicationStatus.EXPIRED:
        raise Conflict(_("This application has already closed."))
    if application.gig.status == GigStatus.COMPLETED:
        raise Conflict(_("This gig is completed: there is nothing left to withdraw from."))
    application.status = ApplicationStatus.WITHDRAWN
    application.status_changed_at = utcnow()
    db.session.flush()
    return application


def set_status(
    poster: User, application: GigApplication, status: str, reason: str = ""
) -> GigApplication:
    """The poster shortlists, accepts or declines (with an optional private reason, for the
    applicant only), or puts back to submitted. The applicant is told of each change."""
    if application.gig.poster_id != poster.id:
        raise _gone()
    if status not in POSTER_CHOICES:
        raise Invalid(_("Choose shortlisted, accepted or declined."), "status")
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise Invalid(too_long(MAX_REASON), "reason")
    application = lock_row(application)
    if application.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.EXPIRED):
        raise Conflict(_("This application was withdrawn or has closed."))
    new_reason = reason if status == ApplicationStatus.DECLINED else ""
    if application.status == status and application.decline_reason == new_reason:
        return application
    application.status = status
    application.decline_reason = new_reason
    application.status_changed_at = utcnow()
    db.session.flush()
    notify(application.applicant_id, "gig.status", actor_id=poster.id, target_type="gig",
           target_id=application.gig_id, title=application.gig.title, status=status)  # fmt: skip
    return application


def applicants(poster: User, gig: Gig) -> list[GigApplication]:
    """A gig's applications for its poster (NotFound for anyone else), oldest first."""
    if gig.poster_id != poster.id:
        raise NotFound(_("We could not find that gig."))
    return list(
        db.session.scalars(
            select(GigApplication)
            .where(GigApplication.gig_id == gig.id)
            .options(joinedload(GigApplication.applicant))
            .order_by(GigApplication.created_at, GigApplication.id)
        )
    )


def my_applications(
    member: User, cursor: str | None = None, limit: int = 50
) -> Page[GigApplication]:
    """A member's own applications, newest first (the gig loaded with each)."""
    statement = (
        select(GigApplication)
        .where(GigApplication.applicant_id == member.id)
        .options(joinedload(GigApplication.gig), joinedload(GigApplication.applicant))
    )
    return keyset(
        statement, [GigApplication.created_at.desc(), GigApplication.id.desc()], cursor, limit
    )


# --- the scheduled command ---------------------------------------------------------------------

REMIND_AFTER_WORKING_DAYS = 3
EXPIRE_AFTER_DAYS = 14


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole Monday-to-Friday days from `start` to `end` (a weekend does not count)."""
    if end <= start:
        return 0
    days = 0
    cursor = start
    while True:
        cursor = cursor + timedelta(days=1)
        if cursor > end:
            return days
        if cursor.weekday() < 5:
            days += 1


@dataclass
class Sweep:
    closed_gigs: list[int]
    reminded: dict[int, int]  # gig id -> applications the poster was reminded of
    expired: list[int]


def _claim(statement) -> bool:
    """Run a guarded UPDATE (its WHERE repeats the state it changes from): True when this
    run changed the row. Two runs at once both try; PostgreSQL makes the second wait for
    the first's row lock and then finds the state changed, SQLite's one writer does the
    same, so exactly one of them acts (and notifies)."""
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount == 1


def sweep(now: datetime | None = None) -> Sweep:
    """Close open gigs past their deadline, remind posters once of applications left
    unanswered for 3 working days, and close those left unanswered for 14 days (the
    applicant is told kindly). Idempotent, and safe to run in several places at once: each
    change is a guarded UPDATE (`_claim`), and only the run that made it notifies. Called by
    `flask close-gigs` and the embedded job runner (`community.jobs`)."""
    now = now or utcnow()
    result = Sweep([], {}, [])
    candidates = db.session.scalars(
        select(Gig).where(Gig.status == GigStatus.OPEN, Gig.deadline.is_not(None))
    )
    for gig in candidates:
        if services.past_deadline(gig, now) and _claim(
            update(Gig)
            .where(Gig.id == gig.id, Gig.status == GigStatus.OPEN)
            .values(status=GigStatus.CLOSED, closed_at=now)
        ):
            result.closed_gigs.append(gig.id)
    waiting = list(
        db.session.scalars(
            select(GigApplication)
            .where(GigApplication.status == ApplicationStatus.SUBMITTED)
            .options(joinedload(GigApplication.gig))
            .order_by(GigApplication.id)
        )
    )
    reminders: dict[int, list[GigApplication]] = {}
    for application in waiting:
        if now - application.status_changed_at >= timedelta(days=EXPIRE_AFTER_DAYS):
            if _claim(
                update(GigApplication)
                .where(
                    GigApplication.id == application.id,
                    GigApplication.status == ApplicationStatus.SUBMITTED,
                )
                .values(status=ApplicationStatus.EXPIRED, status_changed_at=now)
            ):
                result.expired.append(application.id)
                notify(application.applicant_id, "gig.expired", target_type="gig",
                       target_id=application.gig_id, title=application.gig.title)  # fmt: skip
        elif (
            application.reminded_at is None
            and (
                working_days_between(application.status_changed_at, now)
                >= REMIND_AFTER_WORKING_DAYS
            )
            and _claim(
                update(GigApplication)
                .where(
                    GigApplication.id == application.id,
                    GigApplication.status == ApplicationStatus.SUBMITTED,
                    GigApplication.reminded_at.is_(None),
                )
                .values(reminded_at=now)
            )
        ):
            reminders.setdefault(application.gig_id, []).append(application)
    for gig_id, rows in reminders.items():
        gig = rows[0].gig
        notify(gig.poster_id, "gig.reminder", target_type="gig", target_id=gig.id,
               title=gig.title, count=len(rows))  # fmt: skip
        result.reminded[gig_id] = len(rows)
    db.session.flush()
    db.session.expire_all()  # the guarded UPDATEs changed rows behind the loaded objects
    return result


def sweep_job(now: datetime | None = None) -> int:
    """The sweep as a scheduled job (`community.jobs`): how many members it told."""
    result = sweep(now)
    return len(result.expired) + len(result.reminded)
