"""`flask --app wsgi close-gigs [--now ISO]`: closes open gigs past their deadline (the end
of the deadline day in the gig's time zone), reminds each poster once of applications left
unanswered for 3 working days, and closes applications unanswered for 14 days (status
`expired`, with a kind notification to the applicant). Safe to run every few minutes from
cron: a second run changes nothing (`applications.sweep`)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from community.core.commands import now_option
from community.extensions import db


@click.command("close-gigs")
@now_option
@with_appcontext
def close_gigs(now: datetime | None) -> None:
    """Close gigs past their deadline; remind posters; expire stale applications."""
    from community.gigs.applications import sweep

    result = sweep(now)
    db.session.commit()
    click.echo(f"closed {len(result.closed_gigs)} gigs past their deadline")
    click.echo(
        f"reminded {len(result.reminded)} posters of "
        f"{sum(result.reminded.values())} unanswered applications"
    )
    click.echo(f"expired {len(result.expired)} applications unanswered for 14 days")
