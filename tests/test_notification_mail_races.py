"""Notification email jobs run from several places at once (cron on two machines, the
embedded loop and cron): never the same digest item or unread-message window twice. On
SQLite and PostgreSQL."""

from __future__ import annotations

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


def _mails(kind: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMail).where(OutboxMail.kind == kind)
    )


def test_two_digest_runs_at_once_send_each_item_once(app, make_user):
    readers = [make_user() for _ in range(3)]
    askers = [make_user() for _ in range(2)]
    with app.app_context():
        for reader in readers:
            preferences.update_settings(reader.id, {"connection.requested": Delivery.DAILY.value})
            for asker in askers:
                connections.send_request(db.session.get(User, asker.id), reader.id)
        db.session.commit()
    now = utcnow()
    for _round in range(2):
        assert run_at_once(app, 2, lambda _index: send_digests(now=now)) == []
    with app.app_context():
        assert _mails("notification_digest") == 3
        bodies = db.session.scalars(
            select(OutboxMail.body).where(OutboxMail.kind == "notification_digest")
        ).all()
        for body in bodies:
            assert sum(body.count(asker.display_name) for asker in askers) == 2


def test_two_chat_email_runs_at_once_send_one_email(app, make_user):
    sender, reader = make_user(), make_user()
    with app.app_context():
        conversation = chat.start_direct(db.session.get(User, sender.id), reader.id)
        db.session.flush()
        chat.send_message(db.session.get(User, sender.id), conversation.id, "Hi", "race-1")
        db.session.commit()
    later = utcnow() + timedelta(minutes=16)
    assert run_at_once(app, 2, lambda _index: send_chat_emails(now=later)) == []
    with app.app_context():
        assert _mails("chat_unread") == 1
