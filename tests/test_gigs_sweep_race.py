"""Three `close-gigs` runs at once (as three cron hosts, or the job runner and cron, would)
act once: each gig past its deadline closes once, each poster is reminded once, each stale
application expires once with one notice. On SQLite and PostgreSQL, real threads, each with
its own app context and database session."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select, update

from community.core.database import utcnow
from community.extensions import db
from community.gigs import applications
from community.gigs.models import ApplicationStatus, Gig, GigApplication, GigStatus
from community.notifications.models import Notification
from tests.gigs_world import age, post_gig, user

BACKENDS = ("sqlite", "postgresql")
GIGS = 6


def notices(kind: str) -> list[int]:
    """How many notices of `kind` each member got, sorted."""
    rows = db.session.execute(
        select(func.count()).where(Notification.kind == kind).group_by(Notification.user_id)
    ).scalars()
    return sorted(rows)


def test_runs_at_once_act_once(app, make_user):
    poster = make_user()
    applicants = [make_user() for _n in range(GIGS)]
    others = [make_user() for _n in range(GIGS)]
    with app.app_context():
        age(poster)
        stale, waiting = [], []
        for n in range(GIGS):
            gig = post_gig(poster, title=f"Gig {n}", deadline=date.today() + timedelta(days=1))
            old = applications.apply(user(applicants[n]), gig, "Me, please.")
            other = applications.apply(user(others[n]), gig, "Or me.")
            stale.append(old.id)
            waiting.append(other.id)
        db.session.commit()
        # One application of each gig has waited 15 days, the other 5 (3 working days or more).
        for ids, days in ((stale, 15), (waiting, 5)):
            db.session.execute(
                update(GigApplication)
                .where(GigApplication.id.in_(ids))
                .values(status_changed_at=utcnow() - timedelta(days=days))
            )
        db.session.commit()
    later = utcnow() + timedelta(days=3)  # past every deadline
    barrier = threading.Barrier(3)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(applications.sweep(later))
                db.session.commit()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(gig for result in results for gig in result.closed_gigs) == sorted(
        set(gig for result in results for gig in result.closed_gigs)
    )
    assert sum(len(result.closed_gigs) for result in results) == GIGS
    assert sum(len(result.expired) for result in results) == GIGS
    assert sum(sum(result.reminded.values()) for result in results) == GIGS
    with app.app_context():
        assert notices("gig.expired") == [1] * GIGS
        # One poster: one reminder per gig, each naming its one waiting application.
        assert (
            db.session.scalar(select(func.count()).where(Notification.kind == "gig.reminder"))
            == GIGS
        )
        assert (
            db.session.scalar(
                select(func.count()).select_from(Gig).where(Gig.status == GigStatus.CLOSED)
            )
            == GIGS
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(GigApplication)
                .where(GigApplication.status == ApplicationStatus.EXPIRED)
            )
            == GIGS
        )
