"""`flask --app wsgi learning-reminders [--now ISO]`: sends the weekly learning reminders due
today (`services.send_reminders`). Safe from cron at any frequency and in several places at
once: each member's reminder of a week is claimed once, through a unique key."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from community.core.commands import now_option
from community.extensions import db


@click.command("learning-reminders")
@now_option
@with_appcontext
def learning_reminders(now: datetime | None) -> None:
    """Send the weekly learning reminders due now (at most one per member and week)."""
    from community.learning.services import send_reminders

    sent = send_reminders(now)
    db.session.commit()
    click.echo(f"sent {sent} learning reminders")
