"""`flask --app wsgi close-gigs [--now ISO]`: closes open gigs past their deadline (the end
of the deadline day in the gig's time zone), reminds each poster once of applications left
unanswered for 3 working days, and closes applications unanswered for 14 days (status
`expired`, with a kind notification to the applicant). Safe to run every few minutes from
cron: a second run changes nothing (`applications.sweep`)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from community.extensions import db


@click.command("close-gigs")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Act as if it were this ISO 8601 time (UTC when no offset is given); for tests.",
)
@with_appcontext
def close_gigs(now_text: str | None) -> None:
    """Close gigs past their deadline; remind posters; expire stale applications."""
    from community.gigs.applications import sweep

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
    result = sweep(now)
    db.session.commit()
    click.echo(f"closed {len(result.closed_gigs)} gigs past their deadline")
    click.echo(
        f"reminded {len(result.reminded)} posters of "
        f"{sum(result.reminded.values())} unanswered applications"
    )
    click.echo(f"expired {len(result.expired)} applications unanswered for 14 days")
