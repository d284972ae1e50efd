"""The in-process mail sender of the embedded deployment.

`wsgi.py` starts it (never `create_app`): a daemon thread that delivers due mail whenever a
transaction that queued mail commits (`queue_mail` queues `wake_sender` after the commit),
and every few seconds for retries. In scale-out, set MAIL_SENDER=external and run
`flask --app wsgi send-mail --loop` as a worker instead.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from community.extensions import db

log = logging.getLogger(__name__)
_wake = threading.Event()
_started: set[int] = set()
_lock = threading.Lock()


def wake_sender() -> None:
    """Wake the sender now: queued by `queue_mail` to run after the commit that made mail."""
    _wake.set()


def start_mail_sender(app: Flask, interval: float = 5.0) -> threading.Thread | None:
    """Start the background sender for `app` once; returns the thread (None if configured off)."""
    if app.config.get("MAIL_SENDER") != "thread":
        return None
    with _lock:
        if id(app) in _started:
            return None
        _started.add(id(app))

    def run() -> None:
        from community.mail.services import deliver_due

        while True:
            _wake.wait(interval)
            _wake.clear()
            try:
                with app.app_context():
                    deliver_due()
            except Exception:
                log.exception("The mail sender failed; it will try again.")
                with app.app_context():
                    db.session.rollback()

    thread = threading.Thread(target=run, name="mail-sender", daemon=True)
    thread.start()
    return thread
