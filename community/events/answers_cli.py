"""`flask --app wsgi purge-event-answers [--now ISO]`: deletes RSVP answers of events that
ended more than ANSWER_RETENTION_DAYS (config, 30) ago (`questions.purge_answers`). Safe to
run every few minutes from cron: a second run deletes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from community.extensions import db


@click.command("purge-event-answers")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Act as if it were this ISO 8601 time (UTC when no offset is given); for tests.",
)
@with_appcontext
def purge_event_answers(now_text: str | None) -> None:
    """Delete the answers of events that ended more than ANSWER_RETENTION_DAYS ago."""
    from community.events.questions import purge_answers

    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter(
                "give an ISO 8601 time, e.g. 2027-03-04T18:00:00+00:00"
            ) from None
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
    deleted = purge_answers(now)
    db.session.commit()
    click.echo(f"deleted {deleted} answers")
