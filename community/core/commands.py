"""What the scheduled commands share: `--now ISO`, to run a command as if it were another
time (tests, and catching up by hand). Used by `purge-event-answers`, `close-gigs` and
`learning-reminders`."""

from __future__ import annotations

from datetime import UTC, datetime

import click


class IsoTime(click.ParamType):
    """An ISO 8601 time as an aware UTC datetime (UTC when no offset is given)."""

    name = "ISO time"

    def convert(self, value, param, ctx) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail("give an ISO 8601 time, e.g. 2027-03-04T18:00:00+00:00", param, ctx)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


now_option = click.option(
    "--now",
    type=IsoTime(),
    default=None,
    help="Act as if it were this ISO 8601 time (UTC when no offset is given); for tests.",
)
