"""Programme verbs: a coordinator creates and edits a programme (cohort), and the list and
figures every member reads.

Called by the programme pages, the JSON API and the demo seeder. Writes flush, never commit:
the caller commits once. Refusals are `ServiceError` kinds naming the field they concern.
Who may do what is `community.mentoring.access` (coordinators create; the programme's
coordinator and admins edit; every logged-in member reads).

A programme's phases, by dates: open for applications until the end of its deadline day in
the programme's time zone, then "starting soon" until `starts_on`, running until `ends_on`,
then ended. The list shows open programmes first (soonest deadline first), then the running
and upcoming ones, then the ended ones (newest first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import selectinload

from community.auth.models import User
from community.core.database import utcnow
from community.core.errors import Forbidden, Invalid, too_long
from community.core.markdown import render_markdown
from community.core.pagination import Page, keyset
from community.core.timezones import is_zone, member_zone
from community.extensions import db
from community.mentoring import access
from community.mentoring.models import (
    ApplicationStatus,
    MentoringApplication,
    MentoringRole,
    Programme,
    ProgrammeQuestion,
    QuestionFor,
)
from community.profiles.reference import CITY_BY_SLUG

MAX_NAME = 140
MAX_DESCRIPTION = 20_000
MAX_QUESTIONS = 5
MAX_QUESTION = 300
MAX_CAPACITY = 10
PAGE_SIZE = 20
MAX_LIMIT = 100
QUESTION_FOR = tuple(value.value for value in QuestionFor)


class Phase(StrEnum):
    OPEN = "open"  # taking applications
    UPCOMING = "upcoming"  # the deadline passed, not started yet
    RUNNING = "running"
    ENDED = "ended"


@dataclass
class QuestionData:
    text: str
    asked_of: str = QuestionFor.BOTH


@dataclass
class ProgrammeData:
    """What a coordinator sends; None leaves a field as it is (edits). `questions` replaces
    the whole list when given (position by position: an unchanged question keeps its
    answers)."""

    name: str | None = None
    description: str | None = None
    city: str | None = None  # a host-city slug; "" clears it
    online: bool | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    application_deadline: date | None = None
    timezone: str | None = None
    default_capacity: int | None = None
    mentors_accept: bool | None = None
    questions: list[QuestionData] | None = None
    required: set[str] = field(default_factory=set)  # fields a new programme must have


REQUIRED = ("name", "starts_on", "ends_on", "application_deadline")


# --- time ------------------------------------------------------------------------------------


def zone_of(programme: Programme) -> ZoneInfo:
    return ZoneInfo(member_zone(programme.timezone))


def deadline_ends_at(programme: Programme) -> datetime:
    """The instant applications close: the end of the deadline day in the programme's zone."""
    next_day = programme.application_deadline + timedelta(days=1)
    return datetime.combine(next_day, time(0), tzinfo=zone_of(programme))


def past_deadline(programme: Programme, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= deadline_ends_at(programme)


def today_in(programme: Programme, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(zone_of(programme)).date()


def phase(programme: Programme, now: datetime | None = None) -> Phase:
    if not past_deadline(programme, now):
        return Phase.OPEN
    today = today_in(programme, now)
    if today < programme.starts_on:
        return Phase.UPCOMING
    if today <= programme.ends_on:
        return Phase.RUNNING
    return Phase.ENDED


# --- writing ---------------------------------------------------------------------------------


def _validate(programme: Programme) -> None:
    """The checks that need the whole programme (after the changes are applied)."""
    name = (programme.name or "").strip()
    if not name:
        raise Invalid(_("Give the programme a name."), "name")
    if len(name) > MAX_NAME:
        raise Invalid(too_long(MAX_NAME), "name")
    if len(programme.description or "") > MAX_DESCRIPTION:
        raise Invalid(too_long(MAX_DESCRIPTION), "description")
    if programme.city and programme.city not in CITY_BY_SLUG:
        raise Invalid(_("Choose a city from the list."), "city")
    if not programme.city and not programme.online:
        raise Invalid(_("Choose a city, or say that the programme meets online."), "city")
    if not is_zone(programme.timezone):
        raise Invalid(_("Choose a time zone from the list."), "timezone")
    if programme.default_capacity is None or not (0 <= programme.default_capacity <= MAX_CAPACITY):
        raise Invalid(_("Give a number from 0 to 10."), "default_capacity")
    if programme.ends_on < programme.starts_on:
        raise Invalid(_("The programme must end after it starts."), "ends_on")
    if programme.application_deadline >= programme.starts_on:
        raise Invalid(
            _("The application deadline must be before the programme starts."),
            "application_deadline",
        )


def _clean_questions(questions: list[QuestionData]) -> list[QuestionData]:
    cleaned = []
    for question in questions:
        text = " ".join((question.text or "").split())
        if not text:
            continue
        if len(text) > MAX_QUESTION:
            raise Invalid(too_long(MAX_QUESTION), "questions")
        if question.asked_of not in QUESTION_FOR:
            raise Invalid(_("Choose whom the question is for."), "questions")
        cleaned.append(QuestionData(text, question.asked_of))
    if len(cleaned) > MAX_QUESTIONS:
        raise Invalid(_("Ask at most %(n)d extra questions.", n=MAX_QUESTIONS), "questions")
    return cleaned


def _apply(programme: Programme, data: ProgrammeData) -> None:
    if data.name is not None:
        programme.name = data.name.strip()
    if data.description is not None:
        programme.description = data.description
        programme.description_html = render_markdown(data.description)
    if data.city is not None:
        programme.city = data.city or None
    if data.online is not None:
        programme.online = data.online
    for name in ("starts_on", "ends_on", "application_deadline", "default_capacity"):
        value = getattr(data, name)
        if value is not None:
            setattr(programme, name, value)
    if data.timezone is not None:
        programme.timezone = data.timezone
    if data.mentors_accept is not None:
        programme.mentors_accept = data.mentors_accept
    if data.questions is not None:
        wanted = _clean_questions(data.questions)
        current = list(programme.questions)
        for position, question in enumerate(wanted):
            if position < len(current):
                row = current[position]
                if (row.text, row.asked_of) != (question.text, question.asked_of):
                    row.text, row.asked_of = question.text, question.asked_of
            else:
                programme.questions.append(
                    ProgrammeQuestion(
                        position=position, text=question.text, asked_of=question.asked_of
                    )
                )
        for row in current[len(wanted) :]:
            programme.questions.remove(row)


def create_programme(coordinator: User, data: ProgrammeData) -> Programme:
    """A coordinator (or admin) creates a programme and coordinates it. Forbidden for other
    members; Invalid naming the field for anything missing or wrong."""
    if not access.may_create_programme(coordinator):
        raise Forbidden(_("Only coordinators can create mentoring programmes."))
    for name in REQUIRED:
        if getattr(data, name) is None:
            raise Invalid(_("This is needed."), name)
    programme = Programme(
        coordinator_id=coordinator.id,
        name="",
        description="",
        description_html="",
        timezone="UTC",
        default_capacity=1,
        online=False,
        mentors_accept=False,
        questions=[],
    )
    _apply(programme, data)
    _validate(programme)
    db.session.add(programme)
    db.session.flush()
    return programme


def update_programme(viewer: User, programme: Programme, data: ProgrammeData) -> Programme:
    """The coordinator (or an admin) changes a programme (send only what changes)."""
    if not access.may_coordinate(viewer, programme):
        raise Forbidden(_("Only the programme's coordinator can do that."))
    with db.session.no_autoflush:
        _apply(programme, data)
        _validate(programme)
    programme.edited_at = utcnow()
    db.session.flush()
    return programme


# --- reading ---------------------------------------------------------------------------------


def _phase_rank(today: date):
    """SQL: 0 open, 1 upcoming or running, 2 ended (by the UTC date: the list's order only;
    each programme's own page uses its time zone)."""
    return case(
        (Programme.application_deadline >= today, 0),
        (Programme.ends_on >= today, 1),
        else_=2,
    )


def list_programmes(
    cursor: str | None = None, limit: int = PAGE_SIZE, now: datetime | None = None
) -> Page[Programme]:
    """One page of programmes: open ones first, then upcoming and running, then ended;
    within each, the latest start first. Raises BadCursor (400). One query."""
    today = (now or utcnow()).date()
    rank = _phase_rank(today).label("rank")
    # The start day as ISO text: a cursor carries text, and PostgreSQL compares no date with
    # text (the text orders as the dates do).
    start = cast(Programme.starts_on, String(10))
    statement = select(Programme, rank).options(selectinload(Programme.coordinator))
    page = keyset(
        statement,
        [rank, start.desc(), Programme.id.desc()],
        cursor,
        max(1, min(limit, MAX_LIMIT)),
        key=lambda row: (row.rank, row.Programme.starts_on.isoformat(), row.Programme.id),
        scalars=False,
    )
    return Page([row.Programme for row in page.items], page.next_cursor, page.prev_cursor)


@dataclass
class Figures:
    """How many applied and were accepted, per role (withdrawn ones not counted as
    applied)."""

    mentors_applied: int = 0
    mentors_accepted: int = 0
    mentees_applied: int = 0
    mentees_accepted: int = 0


def figures(programme_ids: list[int]) -> dict[int, Figures]:
    """{programme id: Figures} for `programme_ids`: one grouped query."""
    result = {programme_id: Figures() for programme_id in programme_ids}
    if not programme_ids:
        return result
    rows = db.session.execute(
        select(
            MentoringApplication.programme_id,
            MentoringApplication.role,
            MentoringApplication.status,
            func.count(),
        )
        .where(MentoringApplication.programme_id.in_(programme_ids))
        .group_by(
            MentoringApplication.programme_id,
            MentoringApplication.role,
            MentoringApplication.status,
        )
    )
    for programme_id, role, status, count in rows:
        found = result[programme_id]
        side = "mentors" if role == MentoringRole.MENTOR else "mentees"
        if status != ApplicationStatus.WITHDRAWN:
            setattr(found, f"{side}_applied", getattr(found, f"{side}_applied") + count)
        if status == ApplicationStatus.ACCEPTED:
            setattr(found, f"{side}_accepted", getattr(found, f"{side}_accepted") + count)
    return result
