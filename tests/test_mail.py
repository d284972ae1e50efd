"""The outbox: written with the change, delivered once, retried with backoff on failure."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from community.extensions import db
from community.mail.models import OutboxMail
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
        assert counts == {"sent": 0, "retry": 1, "failed": 0}
        mail = db.session.scalars(select(OutboxMail)).one()
        assert mail.attempts == 1
        assert "ConnectionRefusedError" in mail.last_error
        assert mail.next_attempt_at > mail.created_at + timedelta(seconds=25)
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
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


# The in-process sender is a daemon thread with no way to stop it (start_mail_sender returns
# the thread, which loops forever on a module-wide wake-up event). Started in the test
# process it would outlive the test, and a later test's commit would wake it on a database
# that is gone. So it runs in a child process of its own, which ends, thread and all, when
# the check is done; the child also starts with a wake-up event nobody has set yet.
SENDER_CHILD = """
import sys, time
from pathlib import Path

from community import create_app
from community.extensions import db
from community.mail.models import OutboxMail
from community.mail.sender import start_mail_sender
from community.mail.services import queue_mail
from config import TestingConfig
from sqlalchemy import select

database_url, mail_dir = sys.argv[1:3]
app = create_app(
    TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, MAIL_DIR=mail_dir, MAIL_SENDER="thread"
)
assert start_mail_sender(app, interval=30) is not None, "the sender did not start"


class Person:
    display_name = "Pat"


with app.test_request_context():
    queue_mail("to0@example.org", "password_changed", "Subject", user=Person(), reset_url="http://x/")
    db.session.commit()


def delivered():  # written and marked sent: the sender is back to waiting, safe to exit
    with app.app_context():
        sent = db.session.scalar(select(OutboxMail.sent_at)) is not None
    return sent and list(Path(mail_dir).glob("*.eml"))


deadline = time.monotonic() + 5
while time.monotonic() < deadline and not delivered():
    time.sleep(0.05)
sys.exit(0 if delivered() else 3)
"""


def test_the_in_process_sender_delivers_within_seconds_of_the_commit(app, mailbox):
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAIL_")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            SENDER_CHILD,
            app.config["SQLALCHEMY_DATABASE_URI"],
            str(mailbox.directory),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode != 3, f"the sender did not wake on commit\n{child.stderr}"
    assert child.returncode == 0, child.stderr
    assert list(mailbox.directory.glob("*.eml")), "the sender did not wake on commit"
    with app.app_context():  # delivered by the child's sender, not by anyone here
        mail = db.session.scalars(select(OutboxMail)).one()
        assert mail.sent_at is not None
