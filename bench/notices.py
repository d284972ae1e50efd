"""Bulk notices benchmark: what one event-change notice costs when the event has N going
members, told one `notify` at a time (how `events.notices` did it) and with one
`notify_many` (how it does now), measured in the same run on the same data.

Each round records a time change on the event and sends the notice inside one transaction
(`events.notices._send_notice`, or the per-member loop), counts the SQL statements and the
milliseconds up to the flush, then rolls back, so every round starts from the same state.
Everyone has the events' default delivery ("Email at once"), so every recipient also gets
the notice's mail (rendered, with the .ics details, queued in the outbox) and a live
`notification:new` after the commit; a tenth of them chose "Daily digest" instead.

Run: `.venv/bin/python -m bench.notices` (`--help` for the options).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select

from bench.common import bench_app
from community.auth.models import User
from community.core.database import lock_row, utcnow
from community.demo import seed
from community.events import notices
from community.events.models import Event, EventCategory, Rsvp, RsvpStatus
from community.extensions import db
from community.notifications.email_models import NotificationSetting
from community.notifications.mailing import FeatureMail
from community.notifications.services import notify

ORGANISER = "organiser@alongside.example"


def generate(members: int) -> int:
    """The demo community plus an event with `members` generated members going; a tenth
    of them get event changes in the daily digest. Commits; answers the event's id."""
    seed()
    db.session.commit()
    shared_hash = db.session.scalar(select(User.password_hash).limit(1))
    now = utcnow()
    db.session.execute(
        insert(User),
        [
            {
                "email": f"notice{n}@bench.example",
                "display_name": f"Notice member {n}",
                "password_hash": shared_hash,
                "email_confirmed_at": now,
            }
            for n in range(members)
        ],
    )
    ids = db.session.scalars(
        select(User.id).where(User.email.like("notice%@bench.example")).order_by(User.id)
    ).all()
    organiser_id = db.session.scalar(select(User.id).where(User.email == ORGANISER))
    starts = now + timedelta(days=10)
    db.session.execute(
        insert(Event),
        [
            {
                "organiser_id": organiser_id,
                "title": "The big picnic",
                "description": "Bring something to share.",
                "description_html": "<p>Bring something to share.</p>",
                "category": next(iter(EventCategory)),
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=3),
                "timezone": "Europe/Copenhagen",
                "venue": "Kongens Have, Copenhagen",
                "online_url": "",
                "capacity": None,
                "seats_taken": members,
            }
        ],
    )
    event_id = db.session.scalar(select(func.max(Event.id)))
    db.session.execute(
        insert(Rsvp),
        [
            {
                "event_id": event_id,
                "user_id": user_id,
                "guests": 0,
                "status": RsvpStatus.GOING,
                "joined_at": now,
            }
            for user_id in ids
        ],
    )
    db.session.execute(
        insert(NotificationSetting),
        [
            {"user_id": user_id, "kind": "event.changed", "delivery": "daily"}
            for user_id in ids[::10]
        ],
    )
    db.session.commit()
    return event_id


def one_by_one(event: Event) -> int:
    """The notice as it was sent before `notify_many`: one `notify` per member."""
    changes = ["time"]
    event.notice_changes = ""
    event.notice_due_at = None
    subject = f"Changed: {event.title}"
    told = 0
    for rsvp, member in notices.listed_members(event):
        notify(
            member.id,
            "event.changed",
            target_type="event",
            target_id=event.id,
            mail=FeatureMail(
                "event_changed",
                subject,
                {
                    "cancelled": False,
                    "changes": changes,
                    "going": rsvp.status == RsvpStatus.GOING,
                    **notices.mail_details(member, event, rsvp),
                },
            ),
            title=event.title,
            changes=changes,
        )
        told += 1
    return told


def batched(event: Event) -> int:
    return notices._send_notice(event)


def measure(event_id: int, how, rounds: int) -> tuple[float, int, int]:
    """Median ms, statements of the last round and members told, over `rounds` rounds."""
    engine = db.engine
    samples, statements = [], []

    def record(*args):
        statements.append(args[2])

    told = 0
    for _ in range(rounds + 1):  # the first warms templates and caches
        db.session.expire_all()
        event = lock_row(db.session.get(Event, event_id))
        event.notice_changes = "time"
        db.session.flush()
        statements.clear()
        sa_event.listen(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        told = how(event)
        db.session.flush()
        samples.append((time.perf_counter() - started) * 1000)
        sa_event.remove(engine, "before_cursor_execute", record)
        db.session.rollback()
    return statistics.median(samples[1:]), len(statements), told


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, nargs="*", default=[10, 200])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("members | one notify each: ms, statements | notify_many: ms, statements | ratio")
    for members in args.members:
        with tempfile.TemporaryDirectory() as tmp:
            app = bench_app(Path(tmp) / "bench.db", Path(tmp) / "mail")
            with app.app_context(), app.test_request_context():
                upgrade()
                event_id = generate(members)
                results = []
                for how in (one_by_one, batched, one_by_one, batched):  # interleaved
                    results.append(measure(event_id, how, args.rounds))
                before = min(results[0][0], results[2][0]), results[0][1]
                after = min(results[1][0], results[3][0]), results[1][1]
                assert results[0][2] == results[1][2] == members
                print(
                    f"{members} | {before[0]:.1f} ms, {before[1]} | {after[0]:.1f} ms, "
                    f"{after[1]} | {before[0] / after[0]:.1f}x time, "
                    f"{before[1] / after[1]:.1f}x statements"
                )
                db.engine.dispose()


if __name__ == "__main__":
    main()
