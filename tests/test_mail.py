"""The outbox: written with the change, delivered once, retried with backoff on failure."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from community.extensions import db
from community.mail.models import OutboxMail
from community.mail.sender import start_mail_sender
from community.mail.services import MAX_ATTEMPTS, backoff, deliver_due, queue_mail
from tests.servers import free_port

BACKENDS = ("sqlite", "postgresql")
REPO_ROOT = Path(__file__).resolve().parents[1]


def queue(app, n=1):
    with app.test_request_context():
        for i in range(n):
            queue_mail(
                f"to{i}@example.org",
                "password_changed",
                "Subject",
                user=_Person(),
                reset_url="http://x/",
            )
        db.session.commit()


class _Person:
    display_name = "Pat"


def test_mail_is_not_queued_when_the_change_rolls_back(app):
    with app.test_request_context():
        queue_mail("a@example.org", "password_changed", "S", user=_Person(), reset_url="http://x/")
        db.session.rollback()
        assert db.session.scalars(select(OutboxMail)).all() == []


def test_each_mail_is_delivered_exactly_once_by_concurrent_senders(app, mailbox):
    queue(app, 20)
    results = []

    def run():
        with app.app_context():
            results.append(deliver_due())

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 20
    assert len(list(mailbox.directory.glob("*.eml"))) == 20


def test_a_failing_smtp_server_is_retried_with_backoff_then_given_up(app):
    closed_port = free_port()  # nothing listens there: a real connection refusal
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{closed_port}"
    queue(app, 1)
    with app.app_context():
        counts = deliver_due()
        assert counts == {"sent": 0, "retry": 1, "failed": 0, "withdrawn": 0}
        mail = db.session.scalars(select(OutboxMail)).one()
        assert mail.attempts == 1
        assert "ConnectionRefusedError" in mail.last_error
        assert mail.next_attempt_at > mail.created_at + timedelta(seconds=25)
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0, "withdrawn": 0}  # not due yet
        for _ in range(MAX_ATTEMPTS - 1):
            mail.next_attempt_at = mail.created_at
            db.session.commit()
            deliver_due()
        db.session.refresh(mail)
        assert mail.failed_at is not None
        assert mail.sent_at is None


def test_backoff_grows_and_is_capped():
    assert backoff(1) == timedelta(seconds=30)
    assert backoff(2) == timedelta(seconds=60)
    assert backoff(3) == timedelta(seconds=120)
    assert backoff(20) == timedelta(hours=1)


class Person:
    display_name = "Pat"


def test_the_in_process_sender_delivers_within_seconds_of_the_commit_and_stops(app, mailbox):
    app.config["MAIL_SENDER"] = "thread"
    sender = start_mail_sender(app, interval=30)  # only a commit can wake it in time
    assert sender is not None
    assert start_mail_sender(app) is None  # one per app
    try:
        with app.test_request_context():
            queue_mail(
                "to0@example.org", "password_changed", "Subject", user=Person(), reset_url="x"
            )
            db.session.rollback()  # a rolled-back mail neither wakes it nor is sent
            queue_mail(
                "to1@example.org", "password_changed", "Subject", user=Person(), reset_url="x"
            )
            db.session.commit()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not list(mailbox.directory.glob("*.eml")):
            time.sleep(0.05)
    finally:
        sender.stop()
    assert not sender.thread.is_alive()
    assert [path.name.split("-", 1)[1] for path in mailbox.directory.glob("*.eml")] == [
        "password_changed.eml"
    ]
    with app.app_context():
        mail = db.session.scalars(select(OutboxMail)).one()
        assert (mail.recipient, mail.sent_at is not None) == ("to1@example.org", True)
