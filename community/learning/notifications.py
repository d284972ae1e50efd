"""The learning feature's notification: the weekly "your learning plan" reminder. Its target
is the member's own plan (`learning_plan`, by user id): nobody else can load it, and once
the member switches their reminder off the old reminders no longer show."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.core.urls import site_path
from community.extensions import db
from community.learning.models import LearningPlanEntry, LearningPlanSettings, PlanStatus
from community.notifications.kinds import (
    APP,
    NotificationKind,
    Seen,
    Target,
    about_target,
    register_kind,
    register_target,
)


def _load_plan(viewer, ids: list[int], seen: Seen) -> dict[int, dict]:
    """The viewer's own plan, if asked for and its reminder is on: what the reminder says
    (how many entries are under way, the hours a week planned). Two queries at most."""
    if viewer.id not in ids:
        return {}
    settings = db.session.get(LearningPlanSettings, viewer.id)
    if settings is None or settings.reminder_weekday is None:
        return {}
    doing, hours = db.session.execute(
        select(func.count(), func.coalesce(func.sum(LearningPlanEntry.weekly_goal_hours), 0)).where(
            LearningPlanEntry.user_id == viewer.id, LearningPlanEntry.status == PlanStatus.DOING
        )
    ).one()
    return {viewer.id: {"doing": doing, "hours": hours}}


register_target(Target("learning_plan", _load_plan))


def _text(notification, plan: dict, seen: Seen) -> str:
    if plan["hours"]:
        return _(
            "Your learning plan: %(n)d under way, %(hours)d hours a week planned. Keep going!",
            n=plan["doing"],
            hours=plan["hours"],
        )
    if plan["doing"]:
        return _("Your learning plan: %(n)d under way. Keep going!", n=plan["doing"])
    return _("Your learning plan: what will you learn this week?")


register_kind(
    NotificationKind(
        "learning.reminder",
        _l("Weekly learning reminders"),
        "learning",
        APP,
        about_target(_text, lambda n, plan: site_path("learning.plan")),
    )
)
