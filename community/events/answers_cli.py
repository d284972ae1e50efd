"""`flask --app wsgi purge-event-answers [--now ISO]`: deletes RSVP answers of events that
ended more than ANSWER_RETENTION_DAYS (config, 30) ago (`questions.purge_answers`). Safe to
run every few minutes from cron: a second run deletes nothing."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from community.core.commands import now_option
from community.extensions import db


@click.command("purge-event-answers")
@now_option
@with_appcontext
def purge_event_answers(now: datetime | None) -> None:
    """Delete the answers of events that ended more than ANSWER_RETENTION_DAYS ago."""
    from community.events.questions import purge_answers

    deleted = purge_answers(now)
    db.session.commit()
    click.echo(f"deleted {deleted} answers")
