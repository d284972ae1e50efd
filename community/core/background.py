"""Background loops of the embedded deployment: a daemon thread that runs one step in an app
context whenever woken and every `interval` seconds, until stopped.

`wsgi.py` starts them (never `create_app`, so tests and CLI commands run none): the mail
sender (`community.mail.sender`) and the scheduled jobs (`community.jobs`). In scale-out
they are separate commands instead (`flask send-mail --loop`, `flask send-reminders` from
cron); each step is safe to run in several places at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

from community.extensions import db

log = logging.getLogger(__name__)


@dataclass(eq=False)
class BackgroundLoop:
    """A running loop: `wake` runs the step now, `stop()` ends the thread (tests, shutdown)."""

    app: Flask
    interval: float
    step: Callable[[], object]
    name: str
    wake: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start(self) -> BackgroundLoop:
        self.thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self.thread.start()
        return self

    def run(self) -> None:
        """The thread's loop: the step whenever woken, and every `interval`; a failing step
        is logged, rolled back and tried again next time."""
        while not self.stopping.is_set():
            self.wake.wait(self.interval)
            self.wake.clear()
            if self.stopping.is_set():
                return
            try:
                with self.app.app_context():
                    self.step()
            except Exception:
                log.exception("%s failed; it will try again.", self.name)
                with self.app.app_context():
                    db.session.rollback()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish its round and end; returns once it has."""
        self.stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)
