"""Notification email jobs run from several places at once (cron on two machines, the
embedded loop and cron): never the same digest item or unread-message window twice. On
SQLite and PostgreSQL. Each race runs after a first digest or email, so the members' state
rows already exist and only the row lock (not the insert of a new row) keeps the runners
apart."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from community.auth.models import User
from community.chat import services as chat
from community.connections import services as connections
from community.core.database import utcnow
from community.extensions import db
from community.mail.models import OutboxMail
from community.notifications import preferences
from community.notifications.chat_mail import send_chat_emails
from community.notifications.digests import send_digests
from community.notifications.preferences import Delivery
from tests.test_core_patterns import run_at_once

BACKENDS = ("sqlite", "postgresql")
ROUNDS = 4


def _mails(kind: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMail).where(OutboxMail.kind == kind)
    )


def test_digest_runs_at_once_send_each_item_once(app, make_user):
    readers = [make_user() for _ in range(4)]
    askers = [[make_user() for _ in readers] for _ in range(ROUNDS + 1)]
    with app.app_context():
        for reader, asker in zip(readers, askers[0], strict=True):
            preferences.update_settings(reader.id, {"connection.requested": Delivery.DAILY.value})
            connections.send_request(db.session.get(User, asker.id), reader.id)
        db.session.commit()
        start = utcnow()
        assert send_digests(now=start) == len(readers)  # the state rows exist from now on
    for day in range(1, ROUNDS + 1):
        with app.app_context():
            for reader, asker in zip(readers, askers[day], strict=True):
                connections.send_request(db.session.get(User, asker.id), reader.id)
            db.session.commit()
        now = start + timedelta(days=day)
        assert run_at_once(app, 3, lambda _index, now=now: send_digests(now=now)) == []
        with app.app_context():
            assert _mails("notification_digest") == len(readers) * (day + 1)
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMail.body).where(OutboxMail.kind == "notification_digest")
        ).all()
        assert all(body.count("asked to connect") == 1 for body in bodies)


def test_chat_email_runs_at_once_send_one_email_per_window(app, make_user):
    sender, reader = make_user(), make_user()
    with app.app_context():
        conversation_id = chat.start_direct(db.session.get(User, sender.id), reader.id).id
        db.session.commit()

    def write() -> None:
        with app.app_context():
            author = db.session.get(User, sender.id)
            chat.send_message(author, conversation_id, "Hi", uuid.uuid4().hex)
            db.session.commit()

    write()
    start = utcnow()
    with app.app_context():
        assert send_chat_emails(now=start + timedelta(minutes=16)) == 1
    for window in range(1, ROUNDS + 1):
        write()
        later = utcnow() + timedelta(minutes=16 * (window + 1))
        assert run_at_once(app, 3, lambda _index, t=later: send_chat_emails(now=t)) == []
        with app.app_context():
            assert _mails("chat_unread") == window + 1
