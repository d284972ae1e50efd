"""`flask --app wsgi mentoring-outcome-prompts [--now ISO]`: asks each accepted mentee
where they are now at the programme's end and at +3, +6 and +12 months (one notification
per checkpoint, linking to the outcome page). Safe to run every few minutes from cron, and
in several places at once: each mentee is asked once per checkpoint
(`outcomes.send_outcome_prompts`)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from community.core.commands import now_option
from community.extensions import db


@click.command("mentoring-outcome-prompts")
@now_option
@with_appcontext
def mentoring_outcome_prompts(now: datetime | None) -> None:
    """Ask mentees for their outcome at each checkpoint that has come due."""
    from community.mentoring.outcomes import send_outcome_prompts

    sent = send_outcome_prompts(now)
    db.session.commit()
    click.echo(f"asked {len(sent)} mentees for their outcome")
