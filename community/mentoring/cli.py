"""`flask --app wsgi mentoring-reminders [--now ISO]`: active pairs of programmes that have
ended become completed (`pairs.complete_finished_pairs`), and the monthly "time to meet" reminder to
both sides of each active pair that has logged no meeting for a month (`pairs.send_reminders`).
Safe from cron at any frequency and in several places at once: each pair's reminder is
claimed by a guarded UPDATE of `Pair.reminded_at`, so it goes out once a month at most. The
embedded job runner runs it too (`community.jobs`)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from community.core.commands import now_option
from community.extensions import db


@click.command("mentoring-reminders")
@now_option
@with_appcontext
def mentoring_reminders(now: datetime | None) -> None:
    """Remind the mentoring pairs that have not met for a month (at most once a month)."""
    from community.mentoring.pairs import complete_finished_pairs, send_reminders

    completed = complete_finished_pairs(now)
    reminded = send_reminders(now)
    db.session.commit()
    click.echo(f"completed {completed} mentoring pairs whose programme ended")
    click.echo(f"reminded {reminded} mentoring pairs to meet")
