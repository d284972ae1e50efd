"""The in-process mail sender of the embedded deployment.

`wsgi.py` starts it (never `create_app`): a daemon thread that delivers due mail whenever a
transaction that queued mail commits (`queue_mail` queues `wake_sender` after the commit),
and every few seconds for retries. In scale-out, set MAIL_SENDER=external and run
`flask --app wsgi send-mail --loop` as a worker instead.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Flask

from community.extensions import db

log = logging.getLogger(__name__)
_senders: list[MailSender] = []
_lock = threading.Lock()


def wake_sender() -> None:
    """Wake the running senders now: queued by `queue_mail` to run after the commit that
    made mail."""
    with _lock:
        for sender in _senders:
            sender.wake.set()


@dataclass(eq=False)
class MailSender:
    """A running in-process sender: `stop()` ends its thread (tests, a clean shutdown)."""

    app: Flask
    interval: float
    wake: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def run(self) -> None:
        """The thread's loop: deliver whenever woken, and every `interval` for retries."""
        from community.mail.services import deliver_due

        while not self.stopping.is_set():
            self.wake.wait(self.interval)
            self.wake.clear()
            if self.stopping.is_set():
                return
            try:
                with self.app.app_context():
                    deliver_due()
            except Exception:
                log.exception("The mail sender failed; it will try again.")
                with self.app.app_context():
                    db.session.rollback()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish its round and end; returns once it has."""
        self.stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)
        with _lock:
            if self in _senders:
                _senders.remove(self)


def start_mail_sender(app: Flask, interval: float = 5.0) -> MailSender | None:
    """Start the background sender for `app` once; None if configured off or running."""
    if app.config.get("MAIL_SENDER") != "thread":
        return None
    with _lock:
        if any(sender.app is app for sender in _senders):
            return None
        sender = MailSender(app, interval)
        _senders.append(sender)
    sender.thread = threading.Thread(target=sender.run, name="mail-sender", daemon=True)
    sender.thread.start()
    return sender
