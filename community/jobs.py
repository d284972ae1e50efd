"""Scheduled jobs: event reminders and change notices, unread direct messages by email and
notification digests, the weekly learning-plan reminders, closing gigs past their deadline
with the posters' reminders and stale applications (`close-gigs`), the monthly "time to
meet" of quiet mentoring pairs (`mentoring-reminders`) and the mentees' outcome prompts
(`mentoring-outcome-prompts`). Each job is idempotent and safe to run every few minutes and
in several places at once.

Who runs them: `flask --app wsgi send-reminders` (cron, in scale-out), and on the embedded
default a background loop that `wsgi.py` starts (`start_job_runner`, every
JOBS_INTERVAL_SECONDS), so `make run` reminds and notifies without cron. Set
JOBS_RUNNER=external where cron runs them instead; running both is harmless.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from flask import Flask

from community.core.background import BackgroundLoop
from community.extensions import db

log = logging.getLogger(__name__)
_runners: list[BackgroundLoop] = []
_lock = threading.Lock()


def scheduled_jobs() -> list[tuple[str, Callable[..., int]]]:
    """The jobs, by name, each answering how many members it told."""
    from community.events.notices import send_due_notices
    from community.events.reminders import send_reminders
    from community.gigs.applications import sweep_job
    from community.learning.services import send_reminders as send_learning_reminders
    from community.mentoring.outcomes import prompt_job
    from community.mentoring.pairs import pair_job
    from community.notifications.chat_mail import send_chat_emails
    from community.notifications.digests import send_digests

    return [
        ("reminders", send_reminders),
        ("change notices", send_due_notices),
        ("chat emails", send_chat_emails),
        ("digests", send_digests),
        ("learning reminders", send_learning_reminders),
        ("closing gigs", sweep_job),
        ("mentoring outcome prompts", prompt_job),
        ("mentoring pairs", pair_job),
    ]


def run_scheduled_jobs(
    *, now: datetime | None = None, only: tuple[str, ...] | None = None
) -> dict[str, int]:
    """Run every job (or those named in `only`) once, each in its own transaction (one
    failing job is logged and rolled back; the others still run). Called by the commands
    (`send-reminders`, `send-digests`, `send-chat-emails`) and the job runner."""
    done = {}
    for name, job in scheduled_jobs():
        if only is not None and name not in only:
            continue
        try:
            done[name] = job(now=now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("The scheduled job %r failed; the next run tries again.", name)
            done[name] = 0
    return done


def start_job_runner(app: Flask, interval: float | None = None) -> BackgroundLoop | None:
    """Start the embedded job loop for `app` once; None if JOBS_RUNNER is not "thread" or
    it runs already. Called by wsgi.py."""
    if app.config.get("JOBS_RUNNER") != "thread":
        return None
    with _lock:
        if any(runner.app is app and not runner.stopping.is_set() for runner in _runners):
            return None
        runner = BackgroundLoop(
            app, interval or app.config["JOBS_INTERVAL_SECONDS"], run_scheduled_jobs, "jobs"
        )
        _runners.append(runner)
    runner.wake.set()  # a first round at start-up
    return runner.start()
