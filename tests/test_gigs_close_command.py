"""`flask close-gigs [--now ISO]`: gigs past their deadline (the end of the deadline day in
the gig's time zone) close, posters are reminded once after 3 working days, applications
unanswered for 14 days expire with a kind notification; a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from community.core.database import utcnow
from community.extensions import db
from community.gigs.applications import working_days_between
from community.gigs.models import Gig, GigApplication
from community.notifications.models import Notification
from tests.gigs_world import GigsWorld, build_world, post_gig


@pytest.fixture
def world(app) -> GigsWorld:
    with app.app_context():
        return build_world()


def run(runner, now: datetime) -> str:
    result = runner.invoke(args=["close-gigs", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _notices(user_id: int, kind: str) -> int:
    return db.session.scalar(
        select(func.count()).where(Notification.user_id == user_id, Notification.kind == kind)
    )


def test_working_days_skip_the_weekend():
    friday = datetime(2027, 1, 15, 10, tzinfo=UTC)
    assert working_days_between(friday, friday + timedelta(days=3)) == 1  # Monday
    assert working_days_between(friday, friday + timedelta(days=4)) == 2
    assert working_days_between(friday, friday + timedelta(days=5)) == 3  # Wednesday
    assert working_days_between(friday, friday + timedelta(days=5, seconds=-1)) == 2


def test_a_gig_closes_at_the_end_of_its_deadline_day_in_its_time_zone(app, world, runner):
    with app.app_context():  # the world's gigs close 20 days from now: move them on
        for gig_id in (world.gig_id, world.pending_id):
            db.session.get(Gig, gig_id).deadline = date.today() + timedelta(days=90)
        db.session.commit()
    deadline = date.today() + timedelta(days=60)
    end = datetime(deadline.year, deadline.month, deadline.day, 15, tzinfo=UTC)
    with app.app_context():
        gig = post_gig(world["poster"], deadline=deadline)
        gig.timezone = "Asia/Tokyo"  # the poster's zone when they posted it
        db.session.commit()
        gig_id = gig.id
    # Tokyo is UTC+9: the deadline day ends at 15:00 UTC.
    assert "closed 0 gigs" in run(runner, end - timedelta(minutes=1))
    with app.app_context():
        assert db.session.get(Gig, gig_id).status == "open"
    assert "closed 1 gigs" in run(runner, end)
    assert "closed 0 gigs" in run(runner, end)
    with app.app_context():
        gig = db.session.get(Gig, gig_id)
        assert gig.status == "closed" and gig.closed_at is not None


def test_posters_are_reminded_once_and_stale_applications_expire_once(app, world, runner):
    start = utcnow()
    output = run(runner, start + timedelta(hours=1))
    assert "reminded 0 posters" in output and "expired 0 applications" in output
    output = run(runner, start + timedelta(days=6))  # at least 3 working days later
    assert "reminded 1 posters of 1 unanswered applications" in output
    assert "reminded 0 posters" in run(runner, start + timedelta(days=6))
    with app.app_context():
        assert _notices(world["poster"].id, "gig.reminder") == 1
        assert db.session.get(GigApplication, world.application_id).reminded_at is not None
    output = run(runner, start + timedelta(days=15))
    assert "expired 1 applications" in output and "reminded 0 posters" in output
    assert "expired 0 applications" in run(runner, start + timedelta(days=15))
    with app.app_context():
        assert db.session.get(GigApplication, world.application_id).status == "expired"
        assert _notices(world["applicant"].id, "gig.expired") == 1
        assert _notices(world["poster"].id, "gig.reminder") == 1


def test_an_answered_application_is_neither_reminded_nor_expired(app, world, runner):
    from community.gigs import applications
    from tests.gigs_world import user

    with app.app_context():
        row = db.session.get(GigApplication, world.application_id)
        applications.set_status(user(world["poster"]), row, "shortlisted")
        db.session.commit()
    output = run(runner, utcnow() + timedelta(days=30))
    assert "reminded 0 posters" in output and "expired 0 applications" in output


def test_a_bad_time_is_refused(runner):
    result = runner.invoke(args=["close-gigs", "--now", "yesterday"])
    assert result.exit_code != 0 and "ISO 8601" in result.output


def test_the_embedded_job_runner_closes_gigs_too(app, world):
    from community.jobs import run_scheduled_jobs

    with app.app_context():
        gig = db.session.get(Gig, world.gig_id)
        gig.deadline = date.today() - timedelta(days=2)
        db.session.commit()
        done = run_scheduled_jobs(only=("closing gigs",))
        assert set(done) == {"closing gigs"}
        assert db.session.get(Gig, world.gig_id).status == "closed"


def test_closing_at_the_deadline_leaves_the_applications_to_the_poster(app, world, runner):
    deadline = date.today() + timedelta(days=3)  # well within the 14 days of the rule below
    with app.app_context():
        db.session.get(Gig, world.gig_id).deadline = deadline
        db.session.commit()
    after = datetime(deadline.year, deadline.month, deadline.day, tzinfo=UTC) + timedelta(days=2)
    assert "closed 1 gigs" in run(runner, after)
    with app.app_context():
        assert db.session.get(GigApplication, world.application_id).status == "submitted"
        assert _notices(world["applicant"].id, "gig.stopped") == 0
