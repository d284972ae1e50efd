"""`flask --app wsgi learning-reminders [--now ISO]`: sends the weekly learning reminders due
today (`services.send_reminders`). Safe from cron at any frequency and in several places at
once: each member's reminder of a week is claimed once, through a unique key."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from community.extensions import db


@click.command("learning-reminders")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Act as if it were this ISO 8601 time (UTC when no offset is given); for tests.",
)
@with_appcontext
def learning_reminders(now_text: str | None) -> None:
    """Send the weekly learning reminders due now (at most one per member and week)."""
    from community.learning.services import send_reminders

    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter(
                "give an ISO 8601 time, e.g. 2027-03-04T18:00:00+00:00"
            ) from None
        now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    sent = send_reminders(now)
    db.session.commit()
    click.echo(f"sent {sent} learning reminders")
