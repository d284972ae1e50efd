"""Command-line tools: flask --app wsgi seed-demo | create-user | backup | send-mail |
send-reminders | send-digests | send-chat-emails | reindex | purge-event-answers |
close-gigs | learning-reminders | mentoring-reminders | mentoring-outcome-prompts."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, make_url, select

from community.auth import services as accounts
from community.auth.models import User
from community.auth.roles import GRANTABLE_ROLES, Role
from community.core.errors import ServiceError
from community.events.answers_cli import purge_event_answers
from community.extensions import db
from community.gigs.cli import close_gigs
from community.learning.cli import learning_reminders
from community.mentoring.cli import mentoring_reminders
from community.mentoring.outcome_cli import mentoring_outcome_prompts


def init_app(app: Flask) -> None:
    """Called by create_app: registers the commands."""
    for command in (
        seed_demo,
        create_user,
        backup,
        send_mail,
        send_reminders,
        send_digests,
        send_chat_emails,
        reindex,
        purge_event_answers,
        close_gigs,
        learning_reminders,
        mentoring_outcome_prompts,
        mentoring_reminders,
    ):
        app.cli.add_command(command)


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option(
    "--role", "roles", multiple=True, type=click.Choice([r.value for r in GRANTABLE_ROLES])
)
def create_user(email: str, password: str, display_name: str, roles: tuple[str, ...]) -> None:
    """Create a confirmed account (optionally with roles)."""
    try:
        user = accounts.create_account(
            email, display_name, password, confirmed=True, roles=tuple(Role(r) for r in roles)
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    roles_text = ", ".join(sorted(user.roles))
    click.echo(f"Created {user.email} (id {user.id}) with roles: {roles_text}")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo community into an empty database (refused in production)."""
    from community.demo import DEMO_PASSWORD, seed

    if not current_app.config.get("SEED_DEMO_ALLOWED"):
        raise click.ClickException("seed-demo is refused under the production config.")
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has accounts; demo data not loaded.")
        return
    summary = seed()
    db.session.commit()
    click.echo(f"Demo community loaded: {summary}. Every demo account's password: {DEMO_PASSWORD}")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH (safe while the app is running)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise click.ClickException("An in-memory database cannot be backed up.")
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise click.ClickException("pg_dump is not installed (Debian: postgresql-client).")
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        result = subprocess.run(  # noqa: S603 (fixed program, URL from our own config)
            [pg_dump, "--format=custom", "--file", str(path), "--dbname", plain],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise click.ClickException(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise click.ClickException(f"No backup method for {url.get_backend_name()}.")
    click.echo(f"Backup written to {path.resolve()} ({path.stat().st_size} bytes).")


@click.command("send-mail")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running, checking every few seconds.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between checks.")
def send_mail(loop: bool, interval: float) -> None:
    """Deliver the outbox (safe to run in several places at once, or from cron)."""
    from community.mail.services import deliver_due

    while True:
        counts = deliver_due()
        if any(counts.values()) or not loop:
            click.echo(
                f"sent {counts['sent']}, retrying {counts['retry']}, given up {counts['failed']}, "
                f"withdrawn {counts['withdrawn']}"
            )
        if not loop:
            return
        time.sleep(interval)


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Remind members of the events they are going to, a day and an hour before, and send
    the due change notices of events whose time or place changed (a few minutes after the
    last of a run of edits). Safe to run every few minutes from cron, and in several places
    at once: never sends twice. Run it from cron in scale-out (JOBS_RUNNER=external); the
    embedded default runs it in the app process every JOBS_INTERVAL_SECONDS."""
    from community.jobs import run_scheduled_jobs

    done = run_scheduled_jobs(only=("reminders", "change notices"))
    sent, told = done["reminders"], done["change notices"]
    click.echo(f"sent {sent} reminders, told {told} members of changes")


@click.command("send-digests")
@with_appcontext
def send_digests() -> None:
    """Send the daily and weekly notification digests that are due, and email unread
    direct messages older than CHAT_EMAIL_DELAY_MINUTES. Safe from cron at any frequency
    and in several places at once: never sends an item twice."""
    from community.jobs import run_scheduled_jobs

    done = run_scheduled_jobs(only=("chat emails", "digests"))
    click.echo(f"sent {done['digests']} digests, {done['chat emails']} unread-message emails")


@click.command("send-chat-emails")
@with_appcontext
def send_chat_emails() -> None:
    """Email members their direct messages still unread CHAT_EMAIL_DELAY_MINUTES after they
    arrived (one email per conversation per delay window). Safe from cron every minute and
    in several places at once."""
    from community.jobs import run_scheduled_jobs

    done = run_scheduled_jobs(only=("chat emails",))
    click.echo(f"sent {done['chat emails']} unread-message emails")


@click.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild the search index from the tables (in one transaction)."""
    from community.search.services import reindex as rebuild

    started = time.monotonic()
    written = rebuild()
    db.session.commit()
    counts = ", ".join(f"{count} {name}" for name, count in written.items())
    click.echo(f"Search index rebuilt: {counts} ({time.monotonic() - started:.1f} s).")
