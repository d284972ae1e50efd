"""Test data made through the real services (no hand-built rows)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from community.auth import services as accounts
from community.auth.roles import Role, UserStatus
from community.extensions import db

PASSWORD = "a perfectly fine passphrase"
_counter = itertools.count(1)


@dataclass(frozen=True)
class UserRef:
    """What a test needs to know of an account it made, usable outside the app context."""

    id: int
    email: str
    display_name: str
    password: str = PASSWORD


def make_user(
    email: str | None = None,
    display_name: str | None = None,
    *,
    roles: tuple[Role, ...] = (),
    confirmed: bool = True,
    status: UserStatus = UserStatus.ACTIVE,
    password: str = PASSWORD,
) -> UserRef:
    """Create and commit an account through the account services."""
    n = next(_counter)
    email = email or f"person{n}@example.org"
    display_name = display_name or f"Person {n}"
    if confirmed:
        user = accounts.create_account(email, display_name, password, confirmed=True, roles=roles)
    else:
        user = accounts.create_account(email, display_name, password)
    if status != UserStatus.ACTIVE:
        accounts.set_status(user, status)
    db.session.commit()
    return UserRef(user.id, user.email, user.display_name, password)


def event_data(**changes):
    """A valid in-person event ten days from now (aware times: the instant itself), with
    `changes` over the defaults. The events tests create events from it through the real
    `create_event` service."""
    from datetime import timedelta

    from community.core.database import utcnow
    from community.events.services import EventData

    starts = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    values = {
        "title": "Networking breakfast",
        "description": "Coffee and *introductions*.",
        "category": "networking",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "timezone": "Europe/Copenhagen",
        "venue": "Nyhavn 17, Copenhagen",
        "capacity": 10,
        "guests_allowed": 3,
    }
    values.update(changes)
    return EventData(**values)
