"""The monthly "time to meet" (`flask mentoring-reminders`, `pairs.send_reminders`, also in
the embedded job runner): a pair that has logged no meeting for a month (since its last
meeting, or since it started) is reminded, both sides, at most once a month; never a pair
that met, that ended, or whose programme is over. Three runs at once (three cron hosts, or
cron and the job runner) remind each pair once, on SQLite and PostgreSQL: real threads, each
with its own app context and database session."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from community.core.database import utcnow
from community.extensions import db
from community.mentoring import pairs
from community.mentoring.models import Pair, PairStatus, Programme
from community.notifications.models import Notification
from tests.factories import make_user
from tests.mentoring_pairs_world import PairsWorld, age_pair, build_world, make_pair, user

BACKENDS = ("sqlite", "postgresql")
KIND = "mentoring.pair_reminder"


@pytest.fixture
def world(app) -> PairsWorld:
    with app.app_context():
        world = build_world()
        # Only the first pair is in play; the second has ended.
        db.session.execute(
            update(Pair).where(Pair.id == world.other_pair_id).values(status=PairStatus.ENDED)
        )
        db.session.commit()
        return world


def reminders(user_id: int | None = None) -> int:
    where = [Notification.kind == KIND]
    if user_id is not None:
        where.append(Notification.user_id == user_id)
    return db.session.scalar(select(func.count()).select_from(Notification).where(*where))


def run(runner, now) -> str:
    result = runner.invoke(args=["mentoring-reminders", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.backends("sqlite")
def test_a_quiet_pair_is_reminded_once_a_month(app, world, runner):
    now = utcnow()
    assert "reminded 0 mentoring pairs" in run(runner, now)  # started 10 days ago
    with app.app_context():
        age_pair(world.pair_id, 31)
    assert "reminded 1 mentoring pairs" in run(runner, now)
    assert "reminded 0 mentoring pairs" in run(runner, now + timedelta(hours=6))
    assert "reminded 0 mentoring pairs" in run(runner, now + timedelta(days=29))
    with app.app_context():
        assert reminders(world["mentor"].id) == reminders(world["mentee"].id) == 1
        assert reminders() == 2
    assert "reminded 1 mentoring pairs" in run(runner, now + timedelta(days=30, minutes=1))
    with app.app_context():
        assert reminders() == 4


@pytest.mark.backends("sqlite")
def test_a_meeting_in_the_last_month_means_no_reminder(app, world):
    with app.app_context():
        age_pair(world.pair_id, 60)
        pairs.log_meeting(user(world["mentee"]), world.pair_id, date.today() - timedelta(days=20),
                          "CV")  # fmt: skip
        db.session.commit()
        assert pairs.send_reminders() == 0
        pairs.log_meeting(user(world["mentee"]), world.pair_id, date.today() - timedelta(days=40),
                          "Older")  # fmt: skip
        db.session.commit()
        assert pairs.send_reminders() == 0  # the last meeting counts
        assert pairs.send_reminders(utcnow() + timedelta(days=11)) == 1  # 31 days since then
        db.session.commit()


@pytest.mark.backends("sqlite")
def test_ended_pairs_and_finished_programmes_are_left_alone(app, world):
    with app.app_context():
        age_pair(world.pair_id, 40)
        age_pair(world.other_pair_id, 40)  # ended (the fixture)
        programme = db.session.get(Programme, world.programme_id)
        programme.ends_on = date.today() - timedelta(days=1)
        programme.starts_on = date.today() - timedelta(days=200)
        db.session.commit()
        assert pairs.send_reminders() == 0
        programme.ends_on = date.today() + timedelta(days=10)
        db.session.commit()
        assert pairs.send_reminders() == 1
        db.session.commit()
        assert reminders() == 2


@pytest.mark.backends("sqlite")
def test_the_embedded_job_runner_reminds_too(app, world):
    from community.jobs import run_scheduled_jobs

    with app.app_context():
        age_pair(world.pair_id, 40)
        assert run_scheduled_jobs(only=("mentoring pairs",)) == {"mentoring pairs": 1}
        assert run_scheduled_jobs(only=("mentoring pairs",)) == {"mentoring pairs": 0}
        assert reminders() == 2


@pytest.mark.backends("sqlite")
def test_a_bad_time_is_refused(runner):
    result = runner.invoke(args=["mentoring-reminders", "--now", "next tuesday"])
    assert result.exit_code != 0 and "ISO 8601" in result.output


PAIRS = 6


def test_runs_at_once_remind_each_pair_once(app, world):
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        ids = [world.pair_id]
        for _n in range(PAIRS - 1):
            ids.append(make_pair(programme, make_user(), make_user()).id)
        db.session.commit()
        for pair_id in ids:
            age_pair(pair_id, 40)
    later = utcnow()
    barrier = threading.Barrier(3)
    results, errors = [], []

    def run_once():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(pairs.send_reminders(later))
                db.session.commit()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run_once) for _n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(results) == PAIRS
    with app.app_context():
        per_member = db.session.execute(
            select(func.count()).where(Notification.kind == KIND).group_by(Notification.user_id)
        ).scalars()
        assert sorted(per_member) == [1] * (2 * PAIRS)
        stamped = db.session.scalars(select(Pair.reminded_at).where(Pair.id.in_(ids))).all()
        assert all(moment is not None for moment in stamped)


@pytest.mark.backends("sqlite")
def test_active_pairs_complete_once_their_programme_has_ended(app, world, runner):
    with app.app_context():
        pair = db.session.get(Pair, world.pair_id)
        ends_on = pair.programme.ends_on
    day_after = utcnow().replace(year=ends_on.year, month=ends_on.month, day=ends_on.day)
    assert "completed 0 mentoring pairs" in run(runner, day_after)  # its last day
    later = day_after + timedelta(days=1)
    assert "completed 1 mentoring pairs" in run(runner, later)
    assert "completed 0 mentoring pairs" in run(runner, later)
    with app.app_context():
        pair = db.session.get(Pair, world.pair_id)
        assert pair.status == PairStatus.COMPLETED and pair.ended_at is not None
        other = db.session.get(Pair, world.other_pair_id)
        assert other.status == PairStatus.ENDED  # an ended pair stays ended
