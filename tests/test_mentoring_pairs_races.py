"""What two requests at once must not do to a pair, on SQLite and PostgreSQL (real threads,
each with its own session): make a ninth goal (the goals are counted under the pair's row
lock), nudge twice in a week (a guarded UPDATE of `nudged_at`), or tell the coordinator twice
about one "no" (one answer row per side, changed under its row lock)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.core.errors import Conflict, Invalid
from community.extensions import db
from community.mentoring import pairs
from community.mentoring.models import PairFitAnswer, PairGoal
from community.notifications.models import Notification
from tests.mentoring_pairs_world import PairsWorld, build_world, user
from tests.test_core_patterns import run_at_once

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def world(app) -> PairsWorld:
    with app.app_context():
        return build_world()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_two_goals_at_once_never_make_a_ninth(app, world):
    with app.app_context():
        for n in range(pairs.MAX_GOALS - 1):
            pairs.add_goal(user(world["mentor"]), world.pair_id, f"Goal {n}")
        db.session.commit()
    sides = ("mentor", "mentee")
    errors = run_at_once(
        app, 2, lambda n: pairs.add_goal(user(world[sides[n]]), world.pair_id, f"Last {n}")
    )
    assert len(errors) == 1 and isinstance(errors[0], Invalid), errors
    with app.app_context():
        assert _count(PairGoal) == pairs.MAX_GOALS


def test_two_nudges_at_once_send_once(app, world):
    errors = run_at_once(
        app, 2, lambda n: pairs.nudge(user(world[("coordinator", "admin")[n]]), world.pair_id)
    )
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    with app.app_context():
        for side in ("mentor", "mentee"):
            where = (
                Notification.kind == "mentoring.pair_nudge",
                Notification.user_id == world[side].id,
            )
            assert _count(Notification, *where) == 1


def test_one_no_from_two_devices_tells_the_coordinator_once(app, world):
    with app.app_context():
        pairs.answer_fit(user(world["mentee"]), world.pair_id, "deciding")
        db.session.commit()
    errors = run_at_once(
        app, 2, lambda n: pairs.answer_fit(user(world["mentee"]), world.pair_id, "no", f"n{n}")
    )
    assert errors == []
    with app.app_context():
        assert _count(PairFitAnswer) == 1
        assert _count(Notification, Notification.kind == "mentoring.pair_not_fit") == 1
