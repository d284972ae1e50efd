"""The in-process mail sender of the embedded deployment.

`wsgi.py` starts it (never `create_app`): a background loop (`core.background`) that
delivers due mail whenever a transaction that queued mail commits (`queue_mail` queues
`wake_sender` after the commit), and every few seconds for retries. In scale-out, set
MAIL_SENDER=external and run `flask --app wsgi send-mail --loop` as a worker instead.
"""

from __future__ import annotations

import threading

from flask import Flask

from community.core.background import BackgroundLoop

_senders: list[BackgroundLoop] = []
_lock = threading.Lock()


def wake_sender() -> None:
    """Wake the running senders now: queued by `queue_mail` to run after the commit that
    made mail."""
    with _lock:
        for sender in _senders:
            sender.wake.set()


def _deliver() -> None:
    from community.mail.services import deliver_due

    deliver_due()


def start_mail_sender(app: Flask, interval: float = 5.0) -> BackgroundLoop | None:
    """Start the background sender for `app` once; None if configured off or running.
    Its `stop()` also takes it off the list `wake_sender` wakes."""
    if app.config.get("MAIL_SENDER") != "thread":
        return None
    with _lock:
        if any(sender.app is app for sender in _senders):
            return None
        sender = _MailSender(app, interval, _deliver, "mail-sender")
        _senders.append(sender)
    return sender.start()


class _MailSender(BackgroundLoop):
    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)
        with _lock:
            if self in _senders:
                _senders.remove(self)
