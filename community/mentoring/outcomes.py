"""A mentee's outcomes: what they record (at any time, or in answer to a checkpoint prompt)
and the prompts themselves (at the programme's end and at +3, +6 and +12 months).

Who may see what: a mentee's outcomes are their own. `mentee_programme` lets only an
accepted mentee of the programme through; everyone else (the mentor, other mentees, the
coordinator, admins) gets the same NotFound as for a missing programme. Coordinators see
outcomes only aggregated, in the report (`community.mentoring.report`).

Called by the outcome page (`report_routes`), the API (`community.api.mentoring_report`),
`flask mentoring-outcome-prompts` (`outcome_cli`) and the embedded job runner
(`community.jobs`).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from community.auth.models import User
from community.auth.roles import UserStatus
from community.core.database import utcnow
from community.core.errors import Invalid, NotFound, too_long
from community.extensions import db
from community.mentoring import outcome_notifications  # noqa: F401 (registers the kind)
from community.mentoring.access import programme_for
from community.mentoring.models import (
    ASKED_CHECKPOINTS,
    ApplicationStatus,
    Checkpoint,
    MentoringApplication,
    MentoringOutcome,
    MentoringRole,
    Outcome,
    Pair,
    PairStatus,
    Programme,
)
from community.notifications.services import notify

MAX_NOTE = 500
# Months after the programme's last day at which each of ASKED_CHECKPOINTS is asked.
CHECKPOINT_MONTHS = {
    Checkpoint.END: 0,
    Checkpoint.MONTHS_3: 3,
    Checkpoint.MONTHS_6: 6,
    Checkpoint.MONTHS_12: 12,
}

OUTCOME_LABELS = {
    Outcome.EMPLOYED_OWN_FIELD: _l("Employed in my own field"),
    Outcome.EMPLOYED_OTHER_FIELD: _l("Employed in another field"),
    Outcome.PART_TIME: _l("Working part-time"),
    Outcome.INTERNSHIP: _l("In an internship"),
    Outcome.OWN_BUSINESS: _l("Running my own business"),
    Outcome.STUDYING: _l("Studying"),
    Outcome.VOLUNTEERING: _l("Volunteering"),
    Outcome.STILL_SEARCHING: _l("Still searching"),
    Outcome.LEFT_COUNTRY: _l("Left the country"),
    Outcome.STOPPED: _l("Stopped (with a reason)"),
}

# The same kinds as the report speaks of them (about mentees, not by them).
OUTCOME_NAMES = {
    Outcome.EMPLOYED_OWN_FIELD: _l("Employed in own field"),
    Outcome.EMPLOYED_OTHER_FIELD: _l("Employed in another field"),
    Outcome.PART_TIME: _l("Part-time work"),
    Outcome.INTERNSHIP: _l("Internship"),
    Outcome.OWN_BUSINESS: _l("Own business"),
    Outcome.STUDYING: _l("Studying"),
    Outcome.VOLUNTEERING: _l("Volunteering"),
    Outcome.STILL_SEARCHING: _l("Still searching"),
    Outcome.LEFT_COUNTRY: _l("Left the country"),
    Outcome.STOPPED: _l("Stopped"),
}

CHECKPOINT_LABELS = {
    Checkpoint.ANY: _l("Now (not in answer to a question)"),
    Checkpoint.END: _l("At the programme's end"),
    Checkpoint.MONTHS_3: _l("3 months after the programme"),
    Checkpoint.MONTHS_6: _l("6 months after the programme"),
    Checkpoint.MONTHS_12: _l("12 months after the programme"),
}


def outcome_label(kind: str) -> str:
    """An outcome kind in words (the raw value for one we do not know)."""
    return str(OUTCOME_LABELS.get(kind, kind))


def outcome_name(kind: str) -> str:
    """An outcome kind as the report names it ("Part-time work")."""
    return str(OUTCOME_NAMES.get(kind, kind))


def checkpoint_label(checkpoint: str) -> str:
    """A checkpoint in words."""
    return str(CHECKPOINT_LABELS.get(checkpoint, checkpoint))


# --- who may record ------------------------------------------------------------------------


def records_outcomes(application: MentoringApplication | None) -> bool:
    """Whether the member of `application` records outcomes in its programme: an accepted
    mentee does (the rule `mentee_application` looks up). The programme page's link."""
    return (
        application is not None
        and application.role == MentoringRole.MENTEE
        and application.status == ApplicationStatus.ACCEPTED
    )


def mentee_application(viewer: User, programme: Programme) -> MentoringApplication | None:
    """`viewer`'s accepted mentee application to `programme`, or None (`records_outcomes`)."""
    return db.session.scalar(
        select(MentoringApplication).where(
            MentoringApplication.programme_id == programme.id,
            MentoringApplication.user_id == viewer.id,
            MentoringApplication.role == MentoringRole.MENTEE,
            MentoringApplication.status == ApplicationStatus.ACCEPTED,
        )
    )


def mentee_programme(viewer: User, programme_id: int) -> tuple[Programme, MentoringApplication]:
    """The programme and `viewer`'s accepted mentee application to it; NotFound for anyone
    else (as for a missing programme: a mentee's outcomes are theirs alone)."""
    programme = programme_for(viewer, programme_id)
    application = mentee_application(viewer, programme)
    if application is None:
        raise NotFound(_("We could not find that mentoring programme."))
    return programme, application


def asked_checkpoints(application: MentoringApplication) -> tuple[Checkpoint, ...]:
    """The checkpoints this mentee has been asked at so far, in order."""
    return ASKED_CHECKPOINTS[: application.outcome_prompts or 0]


def answerable_checkpoints(application: MentoringApplication) -> tuple[Checkpoint, ...]:
    """What an outcome may be recorded for: any time, or a checkpoint already asked."""
    return (Checkpoint.ANY, *asked_checkpoints(application))


# --- recording -----------------------------------------------------------------------------


def outcome_history(programme: Programme, mentee_id: int) -> list[MentoringOutcome]:
    """The mentee's outcomes in the programme, newest first."""
    return list(
        db.session.scalars(
            select(MentoringOutcome)
            .where(
                MentoringOutcome.programme_id == programme.id,
                MentoringOutcome.mentee_id == mentee_id,
            )
            .order_by(MentoringOutcome.recorded_at.desc(), MentoringOutcome.id.desc())
        )
    )


def _latest_pair_id(programme: Programme, mentee_id: int) -> int | None:
    """The mentee's pair the outcome belongs to: the latest that was not declined."""
    return db.session.scalar(
        select(Pair.id)
        .where(
            Pair.programme_id == programme.id,
            Pair.mentee_id == mentee_id,
            Pair.status.in_((PairStatus.ACTIVE, PairStatus.COMPLETED, PairStatus.ENDED)),
        )
        .order_by(Pair.created_at.desc(), Pair.id.desc())
        .limit(1)
    )


def record_outcome(
    viewer: User,
    programme: Programme,
    outcome: str,
    note: str = "",
    checkpoint: str = Checkpoint.ANY,
    *,
    now: datetime | None = None,
) -> MentoringOutcome:
    """Record `viewer`'s outcome in `programme` (flush, no commit). Only an accepted mentee
    may (NotFound otherwise). `note` is optional except for "stopped", where it is the
    reason (Invalid without one). `checkpoint` says which prompt it answers: "any", or a
    checkpoint the mentee has already been asked (Invalid for one not asked yet). Called
    by the outcome page and `POST /api/v1/mentoring/programmes/{id}/outcomes`."""
    application = mentee_application(viewer, programme)
    if application is None:
        raise NotFound(_("We could not find that mentoring programme."))
    if outcome not in set(Outcome):
        raise Invalid(_("Choose what best describes where you are now."), "outcome")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid(too_long(MAX_NOTE), "note")
    if outcome == Outcome.STOPPED and not note:
        raise Invalid(_("Tell us briefly why you stopped."), "note")
    if checkpoint not in answerable_checkpoints(application):
        raise Invalid(_("You have not been asked about that moment yet."), "checkpoint")
    row = MentoringOutcome(
        programme_id=programme.id,
        mentee_id=viewer.id,
        pair_id=_latest_pair_id(programme, viewer.id),
        outcome=str(outcome),
        note=note,
        checkpoint=str(checkpoint),
        recorded_at=now or utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


# --- the checkpoint prompts ----------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months on (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def checkpoint_due(programme: Programme, checkpoint: Checkpoint) -> datetime:
    """When `checkpoint` is asked: at the start of the day after the programme's last day
    (moved on by the checkpoint's months), in the programme's time zone, as UTC."""
    day = add_months(programme.ends_on, CHECKPOINT_MONTHS[checkpoint]) + timedelta(days=1)
    try:
        zone = ZoneInfo(programme.timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def due_count(programme: Programme, now: datetime) -> int:
    """How many of ASKED_CHECKPOINTS are due by `now`."""
    return sum(
        1 for checkpoint in ASKED_CHECKPOINTS if checkpoint_due(programme, checkpoint) <= now
    )


def send_outcome_prompts(now: datetime | None = None) -> list[tuple[int, Checkpoint]]:
    """Ask every accepted mentee (of an active account) whose next checkpoint is due:
    one notification linking to the outcome page with that checkpoint preselected. When
    several checkpoints came due since the last run (the command did not run for months),
    only the latest is asked, and the earlier ones count as asked. Idempotent and safe to
    run in several places at once: `outcome_prompts` is raised by a guarded UPDATE (its
    WHERE repeats the count read), and only the run whose UPDATE changed the row notifies.
    Returns (application id, checkpoint) of each prompt sent. Called by
    `flask mentoring-outcome-prompts` and the job runner (`prompt_job`)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(
            MentoringApplication.id,
            MentoringApplication.user_id,
            MentoringApplication.outcome_prompts,
            Programme,
        )
        .join(Programme, Programme.id == MentoringApplication.programme_id)
        .join(User, User.id == MentoringApplication.user_id)
        .where(
            MentoringApplication.role == MentoringRole.MENTEE,
            MentoringApplication.status == ApplicationStatus.ACCEPTED,
            MentoringApplication.outcome_prompts < len(ASKED_CHECKPOINTS),
            Programme.ends_on < now.date() + timedelta(days=1),  # coarse; exact below
            User.status == UserStatus.ACTIVE,
        )
        .order_by(MentoringApplication.id)
    ).all()
    sent: list[tuple[int, Checkpoint]] = []
    for application_id, user_id, asked, programme in rows:
        due = due_count(programme, now)
        if due <= (asked or 0):
            continue
        claimed = db.session.execute(
            update(MentoringApplication)
            .where(
                MentoringApplication.id == application_id,
                MentoringApplication.outcome_prompts == asked,
            )
            .values(outcome_prompts=due)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue  # another run asked first
        checkpoint = ASKED_CHECKPOINTS[due - 1]
        notify(user_id, "mentoring.outcome_prompt", target_type="mentoring_programme",
               target_id=programme.id,
               checkpoint=checkpoint.value, name=programme.name)  # fmt: skip
        sent.append((application_id, checkpoint))
    db.session.flush()
    db.session.expire_all()  # the guarded UPDATEs changed rows behind loaded objects
    return sent


def prompt_job(now: datetime | None = None) -> int:
    """The prompts as a scheduled job (`community.jobs`): how many mentees were asked."""
    return len(send_outcome_prompts(now))
