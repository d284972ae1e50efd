"""Application verbs: apply as mentor or mentee, edit until the deadline, withdraw with a
reason, and the coordinator's accept / decline; the lists each side reads.

Called by the programme pages, the JSON API and the demo seeder. Writes flush, never commit.
An application is seen by its applicant and by the programme's coordinator (and admins):
`application_for` answers the same NotFound as for a missing one to everyone else. The
avoid list ("not this person") is part of that: the person named never sees it.

One application per programme and member: the unique key on (programme_id, user_id)
decides, and a second one (even two sent at the same moment) is a Conflict.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.audit.services import record
from community.auth.models import User
from community.auth.roles import UserStatus
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.core.pagination import Page, keyset
from community.extensions import db
from community.mentoring import access, programmes
from community.mentoring.models import (
    ApplicationAnswer,
    ApplicationAvoid,
    ApplicationLanguage,
    ApplicationStatus,
    ApplicationTag,
    FieldPreference,
    MentoringApplication,
    MentoringRole,
    Programme,
    QuestionFor,
)
from community.mentoring.notifications import CATEGORY
from community.notifications.kinds import INSTANT, NotificationKind, about_target, register_kind
from community.notifications.services import notify
from community.profiles import reference as ref
from community.profiles.models import Profile
from community.profiles.services import MAX_TAG_LENGTH, get_profile, tags_by_name

MAX_TEXT = 5000
MAX_AVAILABILITY = 200
MAX_REASON = 300
MAX_ANSWER = 2000
MAX_LANGUAGES = 8
MAX_TAGS = 10
MAX_AVOIDS = 10
ROLES = tuple(role.value for role in MentoringRole)
PREFERENCES = tuple(value.value for value in FieldPreference)
DECISIONS = (ApplicationStatus.ACCEPTED.value, ApplicationStatus.DECLINED.value)

STATUS_LABELS = {
    ApplicationStatus.SUBMITTED: _l("Waiting for the coordinator"),
    ApplicationStatus.ACCEPTED: _l("Accepted"),
    ApplicationStatus.DECLINED: _l("Declined"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}
ROLE_LABELS = {MentoringRole.MENTOR: _l("Mentor"), MentoringRole.MENTEE: _l("Mentee")}


# --- notifications ---------------------------------------------------------------------------


def _programme_url(notification, programme: Programme) -> str:
    from community.core.urls import site_path

    return site_path("mentoring.programme", programme_id=programme.id)


register_kind(
    NotificationKind(
        "mentoring.application_decided",
        _l("Your mentoring applications"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, programme, seen: (
                _(
                    "Welcome to “%(name)s”: the coordinator accepted your application as %(role)s.",
                    name=programme.name,
                    role=str(ROLE_LABELS.get(n.data.get("role"), "")).lower(),
                )
                if n.data.get("status") == ApplicationStatus.ACCEPTED
                else _(
                    "The coordinator of “%(name)s” could not take your application this time.",
                    name=programme.name,
                )
            ),
            _programme_url,
            # Moot once the coordinator decided otherwise (or the application is gone).
            also=lambda n, programme, seen: _still_decided(n.data),
        ),
    )
)


def _still_decided(data: dict) -> bool:
    """Whether the application a decision notice is about still has that status."""
    application = db.session.get(MentoringApplication, data.get("application_id") or 0)
    return application is not None and application.status == data.get("status")


# --- data ------------------------------------------------------------------------------------


@dataclass
class ApplicationData:
    """What an applicant sends; None leaves a field as it is (edits). `answers` is
    {question id: text}; `avoid_user_ids` replaces the avoid list when given."""

    role: str | None = None
    field: str | None = None
    education_level: str | None = None
    experience_years: int | None = None
    qualifications: str | None = None
    languages: list[str] | None = None
    industries: list[str] | None = None
    interests: list[str] | None = None
    goals: str | None = None
    offer: str | None = None
    prefers_field: str | None = None
    prefers_language: str | None = None  # "" clears it
    wishes: str | None = None
    availability: str | None = None
    capacity: int | None = None
    avoid_user_ids: list[int] | None = None
    answers: dict[int, str] | None = None
    cleared: set[str] = dataclasses.field(default_factory=set)  # experience_years, education_level


def _text(value: str, name: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise Invalid(too_long(limit), name)
    return value


def _languages(codes: list[str]) -> list[str]:
    known = ref.language_codes()
    wanted: list[str] = []
    for code in codes:
        code = (code or "").strip().lower()
        if code not in known:
            raise Invalid(_("Choose languages from the list."), "languages")
        if code not in wanted:
            wanted.append(code)
    if not wanted:
        raise Invalid(_("Choose at least one language you can meet in."), "languages")
    if len(wanted) > MAX_LANGUAGES:
        raise Invalid(_("Choose at most %(n)d languages.", n=MAX_LANGUAGES), "languages")
    return wanted


def _tags(labels: list[str], name: str) -> list[str]:
    cleaned = [" ".join((label or "").split()) for label in labels]
    cleaned = [label for label in cleaned if label]
    if len(cleaned) > MAX_TAGS:
        raise Invalid(_("Give at most %(n)d.", n=MAX_TAGS), name)
    if any(len(label) > MAX_TAG_LENGTH for label in cleaned):
        raise Invalid(too_long(MAX_TAG_LENGTH), name)
    return cleaned


def _set_tags(application: MentoringApplication, kind: str, labels: list[str]) -> None:
    current = {row.tag_id: row for row in application.tags if row.kind == kind}
    wanted = []
    for position, tag in enumerate(tags_by_name(labels)):
        row = current.get(tag.id) or ApplicationTag(tag=tag, tag_id=tag.id, kind=kind)
        row.position = position
        wanted.append(row)
    application.tags = [row for row in application.tags if row.kind != kind] + wanted


def _avoids(applicant: User, ids: list[int]) -> list[int]:
    wanted = []
    for user_id in ids:
        if user_id == applicant.id:
            raise Invalid(_("You cannot name yourself."), "avoid")
        if user_id not in wanted:
            wanted.append(user_id)
    if len(wanted) > MAX_AVOIDS:
        raise Invalid(_("Name at most %(n)d people.", n=MAX_AVOIDS), "avoid")
    if wanted:
        found = set(
            db.session.scalars(
                select(User.id).where(User.id.in_(wanted), User.status == UserStatus.ACTIVE)
            )
        )
        if len(found) != len(wanted):
            raise Invalid(_("We could not find one of the members you named."), "avoid")
    return wanted


def questions_for(programme: Programme, role: str | None) -> list:
    """The programme's extra questions asked of `role` (all of them when None)."""
    return [
        question
        for question in programme.questions
        if role is None or question.asked_of in (QuestionFor.BOTH, role)
    ]


def _apply(applicant: User, application: MentoringApplication, data: ApplicationData) -> None:
    programme = application.programme
    if data.role is not None:
        if data.role not in ROLES:
            raise Invalid(_("Choose mentor or mentee."), "role")
        application.role = data.role
    if data.field is not None:
        if data.field not in ref.PROFESSIONAL_FIELDS:
            raise Invalid(_("Choose a field from the list."), "field")
        application.field = data.field
    if "education_level" in data.cleared:
        application.education_level = None
    elif data.education_level is not None:
        if data.education_level not in {level.value for level in ref.EducationLevel}:
            raise Invalid(_("Choose a level from the list."), "education_level")
        application.education_level = data.education_level
    if "experience_years" in data.cleared:
        application.experience_years = None
    elif data.experience_years is not None:
        if not 0 <= data.experience_years <= 60:
            raise Invalid(_("Give a number of years from 0 to 60."), "experience_years")
        application.experience_years = data.experience_years
    for name in ("qualifications", "goals", "offer", "wishes"):
        value = getattr(data, name)
        if value is not None:
            setattr(application, name, _text(value, name))
    if data.availability is not None:
        application.availability = _text(data.availability, "availability", MAX_AVAILABILITY)
    if data.prefers_field is not None:
        if data.prefers_field not in PREFERENCES:
            raise Invalid(_("Choose same field, a different field or either."), "prefers_field")
        application.prefers_field = data.prefers_field
    if data.prefers_language is not None:
        code = data.prefers_language.strip().lower()
        if code and code not in ref.language_codes():
            raise Invalid(_("Choose a language from the list."), "prefers_language")
        application.prefers_language = code or None
    if data.capacity is not None:
        if not 0 <= data.capacity <= programmes.MAX_CAPACITY:
            raise Invalid(_("Give a number from 0 to 10."), "capacity")
        application.capacity = data.capacity
    if data.languages is not None:
        codes = _languages(data.languages)
        current = {row.code: row for row in application.languages}
        rows = []
        for position, code in enumerate(codes):
            row = current.get(code) or ApplicationLanguage(code=code)
            row.position = position
            rows.append(row)
        application.languages = rows
    for kind, name in (("industry", "industries"), ("interest", "interests")):
        labels = getattr(data, name)
        if labels is not None:
            _set_tags(application, kind, _tags(labels, name))
    if data.avoid_user_ids is not None:
        ids = _avoids(applicant, data.avoid_user_ids)
        current = {row.avoided_user_id: row for row in application.avoids}
        application.avoids = [
            current.get(user_id) or ApplicationAvoid(avoided_user_id=user_id) for user_id in ids
        ]
    if data.answers is not None:
        asked = {question.id for question in questions_for(programme, application.role)}
        current = {row.question_id: row for row in application.answers}
        rows = []
        for question_id, text in data.answers.items():
            if question_id not in asked:
                continue
            text = _text(text, f"answer_{question_id}", MAX_ANSWER)
            if not text:
                continue
            row = current.get(question_id) or ApplicationAnswer(question_id=question_id)
            row.text = text
            rows.append(row)
        application.answers = rows
    # What only one role has: a mentee's capacity is meaningless.
    if application.role == MentoringRole.MENTEE:
        application.capacity = None
    elif application.capacity is None:
        application.capacity = programme.default_capacity
    if not application.languages:
        raise Invalid(_("Choose at least one language you can meet in."), "languages")
    if not application.field:
        raise Invalid(_("Choose a field from the list."), "field")


def why_not_apply(member: User, programme: Programme, now: datetime | None = None) -> str | None:
    """Why `member` may not apply to (or edit an application to) `programme`, or None."""
    if programmes.past_deadline(programme, now):
        return _("The deadline to apply has passed.")
    if programme.coordinator_id == member.id:
        return _("You coordinate this programme.")
    return None


def apply(
    member: User, programme: Programme, data: ApplicationData, now: datetime | None = None
) -> MentoringApplication:
    """`member` applies as mentor or mentee. Conflict past the deadline, for the
    programme's coordinator, and for a second application (the unique key decides a race);
    Invalid naming the field for anything missing or wrong."""
    if data.role is None:
        raise Invalid(_("Choose mentor or mentee."), "role")
    if data.languages is None:
        raise Invalid(_("Choose at least one language you can meet in."), "languages")
    reason = why_not_apply(member, programme, now)
    if reason:
        raise Conflict(reason)
    already = Conflict(_("You have already applied to this programme."))
    if own_application(member, programme) is not None:
        raise already
    moment = utcnow()
    application = MentoringApplication(
        programme=programme,
        programme_id=programme.id,
        user_id=member.id,
        status=ApplicationStatus.SUBMITTED,
        prefers_field=FieldPreference.ANY,
        languages=[],
        tags=[],
        avoids=[],
        answers=[],
        created_at=moment,
        updated_at=moment,
    )
    with db.session.no_autoflush:
        _apply(member, application, data)
    try:
        with db.session.begin_nested():
            db.session.add(application)
    except IntegrityError as error:
        raise already from error
    return application


def update_application(
    member: User,
    application: MentoringApplication,
    data: ApplicationData,
    now: datetime | None = None,
) -> MentoringApplication:
    """The applicant edits their application until the deadline (Conflict after it, and
    for a withdrawn one)."""
    if application.user_id != member.id:
        raise NotFound(_("We could not find that application."))
    if programmes.past_deadline(application.programme, now):
        raise Conflict(_("The deadline has passed: your application can no longer be changed."))
    if application.status == ApplicationStatus.WITHDRAWN:
        raise Conflict(_("You withdrew this application."))
    if (
        data.role is not None
        and data.role != application.role
        and application.status != ApplicationStatus.SUBMITTED
    ):
        raise Invalid(
            _("The coordinator has decided on your application: ask them to change your role."),
            "role",
        )
    with db.session.no_autoflush:
        _apply(member, application, data)
    application.updated_at = utcnow()
    db.session.flush()
    return application


def withdraw(member: User, application: MentoringApplication, reason: str) -> MentoringApplication:
    """The applicant withdraws, at any time, saying why (the report counts "left with
    reason"). Withdrawing again changes nothing."""
    if application.user_id != member.id:
        raise NotFound(_("We could not find that application."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid(_("Tell the coordinator briefly why you withdraw."), "reason")
    if len(reason) > MAX_REASON:
        raise Invalid(too_long(MAX_REASON), "reason")
    application = lock_row(application)
    if application.status == ApplicationStatus.WITHDRAWN:
        return application
    application.status = ApplicationStatus.WITHDRAWN
    application.withdraw_reason = reason
    application.updated_at = utcnow()
    db.session.flush()
    return application


def decide(
    coordinator: User, application: MentoringApplication, status: str
) -> MentoringApplication:
    """The coordinator accepts or declines an application (again, or changing their mind
    before pairs exist); audited, and the applicant is told. Conflict for a withdrawn one."""
    programme = application.programme
    if not access.may_coordinate(coordinator, programme):
        raise Forbidden(_("Only the programme's coordinator can do that."))
    if status not in DECISIONS:
        raise Invalid(_("Choose accept or decline."), "status")
    application = lock_row(application)
    if application.status == ApplicationStatus.WITHDRAWN:
        raise Conflict(_("The applicant withdrew this application."))
    if application.status == status:
        return application
    previous = application.status
    application.status = status
    application.decided_by_id = coordinator.id
    application.decided_at = utcnow()
    record(  # in the programme's history (target types are at most 20 characters)
        coordinator,
        f"mentoring.application.{status}",
        "mentoring_programme",
        programme.id,
        subject=application.user,
        application_id=application.id,
        role=application.role,
        previous=previous,
    )
    notify(
        application.user_id,
        "mentoring.application_decided",
        actor_id=coordinator.id,
        target_type="mentoring_programme",
        target_id=programme.id,
        status=status,
        role=application.role,
        application_id=application.id,
    )
    db.session.flush()
    return application


# --- reading ---------------------------------------------------------------------------------


def own_application(member: User, programme: Programme) -> MentoringApplication | None:
    return db.session.scalar(
        select(MentoringApplication).where(
            MentoringApplication.programme_id == programme.id,
            MentoringApplication.user_id == member.id,
        )
    )


def application_for(
    viewer: User, programme: Programme, application_id: int
) -> MentoringApplication:
    """The application for its applicant or the programme's coordinator (admins too);
    NotFound for anyone else and for an application of another programme."""
    application = db.session.get(MentoringApplication, application_id)
    if (
        application is None
        or application.programme_id != programme.id
        or (application.user_id != viewer.id and not access.may_coordinate(viewer, programme))
    ):
        raise NotFound(_("We could not find that application."))
    return application


APPLICATIONS_PAGE = 50  # the coordinator's list: cards with every answer


def _coordinated(coordinator: User, programme: Programme, role: str | None, status: str | None):
    if not access.may_coordinate(coordinator, programme):
        raise Forbidden(_("Only the programme's coordinator can do that."))
    statement = select(MentoringApplication).where(
        MentoringApplication.programme_id == programme.id
    )
    if role:
        statement = statement.where(MentoringApplication.role == role)
    if status:
        statement = statement.where(MentoringApplication.status == status)
    return statement


def applications_of(
    coordinator: User,
    programme: Programme,
    role: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = APPLICATIONS_PAGE,
) -> Page[MentoringApplication]:
    """One page of the applications to `programme` (coordinator only: Forbidden), by role,
    status and date, with their applicants (languages, tags, avoids and answers load in a
    bounded number of queries whatever the page's size). Called by the coordinator's page
    and `GET /api/v1/mentoring/programmes/{id}/applications`. Raises BadCursor (400)."""
    statement = _coordinated(coordinator, programme, role, status).options(
        joinedload(MentoringApplication.user)
    )
    return keyset(
        statement,
        [
            MentoringApplication.role,
            MentoringApplication.status,
            MentoringApplication.created_at,
            MentoringApplication.id,
        ],
        cursor,
        max(1, min(limit, 100)),
    )


def by_role(
    page: Page[MentoringApplication], counts: dict[str, int], role: str | None
) -> list[tuple[str, list[MentoringApplication], int]]:
    """The coordinator's page in sections: (role, this page's applications of it, how many
    the filters find in all), mentees first. A role shows when the page holds some of its
    applications, or when none exist at all (its "none yet"); the other pages hold the
    rest. `role` is the filter (None: both)."""
    sections = []
    for shown in (MentoringRole.MENTEE.value, MentoringRole.MENTOR.value):
        rows = [row for row in page.items if row.role == shown]
        total = counts.get(shown, 0)
        if role in (None, shown) and (rows or not total):
            sections.append((shown, rows, total))
    return sections


def counts_by_role(
    coordinator: User, programme: Programme, role: str | None = None, status: str | None = None
) -> dict[str, int]:
    """{role: how many applications the same filters find}, for the page's headings (a
    page holds part of a cohort). One query."""
    statement = _coordinated(coordinator, programme, role, status)
    rows = db.session.execute(
        statement.with_only_columns(MentoringApplication.role, func.count()).group_by(
            MentoringApplication.role
        )
    ).all()
    return {str(found_role): count for found_role, count in rows}


def my_applications(
    member: User, cursor: str | None = None, limit: int = 50
) -> Page[MentoringApplication]:
    """`member`'s applications, newest first, with their programmes. Raises BadCursor."""
    statement = (
        select(MentoringApplication)
        .where(MentoringApplication.user_id == member.id)
        .options(joinedload(MentoringApplication.programme))
    )
    return keyset(
        statement,
        [MentoringApplication.id.desc()],
        cursor,
        max(1, min(limit, 100)),
    )


def names_of(user_ids) -> dict[int, str]:
    """{user id: display name} in one query."""
    ids = set(user_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )


def pair_count(member: User) -> int:
    """How many mentoring pairs `member` is in (any programme, any status)."""
    from community.mentoring.models import Pair

    return db.session.scalar(
        select(func.count())
        .select_from(Pair)
        .where((Pair.mentor_id == member.id) | (Pair.mentee_id == member.id))
    )


def profile_defaults(member: User) -> dict:
    """What an application form starts from: the member's profile (languages, field,
    education level, interests)."""
    profile: Profile | None = get_profile(member.id)
    if profile is None:
        return {}
    return {
        "languages": [row.code for row in profile.languages],
        "field": profile.professional_field or "",
        "education_level": profile.education_level or "",
        "interests": ", ".join(row.tag.label for row in profile.tags if row.kind == "interest"),
    }


# --- naming people to avoid -----------------------------------------------------------------

_PROFILE_PATH = re.compile(r"^/members/(\d{1,12})/?$")


def user_id_from_link(link: str) -> int | None:
    """The member id in a profile link ("https://…/members/42" or "/members/42"), or None."""
    link = (link or "").strip()
    if not link:
        return None
    path = urlsplit(link).path if "://" in link else link
    match = _PROFILE_PATH.match(path)
    return int(match.group(1)) if match else None


def find_members(viewer: User, query: str, limit: int = 10) -> list[User]:
    """Members whose name contains `query` that `viewer` may find in the directory (the
    directory's visibility rule: active, confirmed, a profile they may see, no blocks), not
    `viewer`. At most `limit`, by name. Rendered on the server by the apply form."""
    from community.connections.relations import blocked_ids_select, connected_ids_select
    from community.profiles.directory import visible_to_clause

    text = " ".join((query or "").split())[:80]
    if len(text) < 2:
        return []
    return list(
        db.session.scalars(
            select(User)
            .outerjoin(Profile, Profile.user_id == User.id)
            .where(
                visible_to_clause(
                    viewer, connected_ids_select(viewer.id), blocked_ids_select(viewer.id)
                ),
                func.lower(User.display_name).contains(text.lower(), autoescape=True),
                User.id != viewer.id,
            )
            .order_by(User.display_name, User.id)
            .limit(limit)
        )
    )
