"""The demo community that `flask seed-demo` loads into an empty database.

Deterministic: the same accounts every time. Later features add their own demo data here.
"""

from __future__ import annotations

from community.auth import services as accounts
from community.auth.roles import Role

DEMO_PASSWORD = "alongside-demo-2026"  # noqa: S105 (documented demo login, refused in production)

DEMO_ACCOUNTS: list[tuple[str, str, tuple[Role, ...]]] = [
    ("admin@alongside.example", "Ada Admin", (Role.ADMIN,)),
    ("moderator@alongside.example", "Mo Moderator", (Role.MODERATOR,)),
    ("organiser@alongside.example", "Olu Organiser", (Role.ORGANISER,)),
    ("coordinator@alongside.example", "Cora Coordinator", (Role.COORDINATOR,)),
    ("member@alongside.example", "Mia Member", ()),
    ("priya@alongside.example", "Priya Raman", ()),
    ("lars@alongside.example", "Lars Eriksen", ()),
    ("sofia@alongside.example", "Sofía Herrera", ()),
]


def seed() -> str:
    """Create the demo accounts (confirmed); returns a one-line summary. Flushes, no commit."""
    for email, name, roles in DEMO_ACCOUNTS:
        accounts.create_account(email, name, DEMO_PASSWORD, confirmed=True, roles=roles)
    return f"{len(DEMO_ACCOUNTS)} accounts"
