"""Two runs of the weekly learning reminders at once (as two cron hosts would) send each
member's reminder once: each run claims a member's week through the unique (member, week)
key in a savepoint, and the loser of a claim skips that member. On SQLite and PostgreSQL,
with real threads, each in its own app context and database session."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from community.extensions import db
from community.learning import services as learning
from community.learning.models import LearningReminder
from community.notifications.models import Notification
from tests.learning_world import user

BACKENDS = ("sqlite", "postgresql")
MEMBERS = 30


def test_runs_at_once_send_each_reminder_once(app, make_user):
    people = [make_user() for _n in range(MEMBERS)]
    monday = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
    with app.app_context():
        for person in people:
            learning.set_reminder(user(person), 0)
        db.session.commit()
    for week in range(3):
        now = monday + timedelta(weeks=week)
        barrier = threading.Barrier(3)
        sent: list[int] = []
        errors: list[BaseException] = []

        def run(now=now, barrier=barrier, sent=sent, errors=errors):
            try:
                with app.app_context():
                    barrier.wait(timeout=30)
                    count = learning.send_reminders(now)
                    db.session.commit()
                    sent.append(count)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=run) for _n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        assert sum(sent) == MEMBERS, sent
    with app.app_context():
        per_member = db.session.execute(
            select(Notification.user_id, func.count())
            .where(Notification.kind == "learning.reminder")
            .group_by(Notification.user_id)
        ).all()
        assert sorted(count for _id, count in per_member) == [3] * MEMBERS
        assert db.session.scalar(select(func.count()).select_from(LearningReminder)) == 3 * MEMBERS
