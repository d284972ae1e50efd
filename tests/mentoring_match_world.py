"""A small world for the matching tests: a programme and accepted applications made with the
models directly (the programme and application services belong to the programmes part of
the feature), and pairs that another part would have published.

`programme(coordinator)` makes a running programme; `apply(programme, user, role, ...)` an
accepted application with its languages, industries, interests and avoid list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from community.auth.models import User
from community.core.database import get_or_create, utcnow
from community.extensions import db
from community.mentoring.models import (
    ApplicationAvoid,
    ApplicationLanguage,
    ApplicationStatus,
    ApplicationTag,
    MentoringApplication,
    Pair,
    PairStatus,
    Programme,
)
from community.profiles.models import Tag
from tests.factories import UserRef


def user(ref: UserRef | int) -> User:
    return db.session.get(User, ref if isinstance(ref, int) else ref.id)


def programme(coordinator: UserRef | None, **values) -> Programme:
    today = date.today()
    row = Programme(
        coordinator_id=coordinator.id if coordinator else None,
        name=values.pop("name", "International Business Mentoring"),
        description="A year with a local professional.",
        city="copenhagen",
        starts_on=values.pop("starts_on", today),
        ends_on=values.pop("ends_on", today + timedelta(days=365)),
        application_deadline=values.pop("application_deadline", today - timedelta(days=1)),
        default_capacity=values.pop("default_capacity", 1),
        **values,
    )
    db.session.add(row)
    db.session.commit()
    return row


def apply(
    programme: Programme,
    who: UserRef,
    role: str,
    *,
    languages=("en",),
    industries=(),
    interests=(),
    avoids=(),
    status=ApplicationStatus.ACCEPTED,
    **values,
) -> MentoringApplication:
    """An application of `who` (accepted unless told), as the application pages would store it."""
    application = MentoringApplication(
        programme_id=programme.id, user_id=who.id, role=role, status=status, **values
    )
    application.languages = [
        ApplicationLanguage(code=code, position=n) for n, code in enumerate(languages)
    ]
    tags = []
    for kind, names in (("industry", industries), ("interest", interests)):
        for n, name in enumerate(names):
            tag, _created = get_or_create(Tag, {"label": name}, name=name)
            tags.append(ApplicationTag(tag=tag, kind=kind, position=n))
    application.tags = tags
    application.avoids = [ApplicationAvoid(avoided_user_id=ref.id) for ref in avoids]
    db.session.add(application)
    db.session.commit()
    return application


def pair(programme: Programme, mentor: UserRef, mentee: UserRef, status=PairStatus.ACTIVE) -> Pair:
    """A pair as confirmation (or a later "no", or the pair's end) left it."""
    row = Pair(
        programme_id=programme.id,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        status=status,
        started_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    return row


ROLES = ("coordinator", "admin", "mentor", "mentee", "other", "other_coordinator", "anonymous")


@dataclass
class World:
    """A programme coordinated by `people["coordinator"]` with an accepted mentor (Carl)
    and mentee (Mona) who share a field, plus a member, an admin and another coordinator
    outside it; `people[role]` is None for "anonymous"."""

    programme_id: int
    people: dict[str, UserRef | None]


def build_world(app, make_user, coordinator: UserRef, **programme_values) -> World:
    from community.auth.roles import Role

    people: dict[str, UserRef | None] = {
        "coordinator": coordinator,
        "admin": make_user("ada.admin@example.org", "Ada Admin", roles=(Role.ADMIN,)),
        "mentor": make_user("carl@example.org", "Carl Mentor"),
        "mentee": make_user("mona@example.org", "Mona Mentee"),
        "other": make_user("otto@example.org", "Otto Other"),
        "other_coordinator": make_user(
            "cora@example.org", "Cora Coordinator", roles=(Role.COORDINATOR,)
        ),
        "anonymous": None,
    }
    with app.app_context():
        prog = programme(coordinator, **programme_values)
        apply(prog, people["mentor"], "mentor", field="law", offer="contract law, interviews")
        apply(prog, people["mentee"], "mentee", field="law", goals="interviews in Danish firms")
        return World(prog.id, people)
