"""Demo accounts: the documented logins with roles, then members with varied names."""

from __future__ import annotations

from community.auth import services as accounts
from community.auth.roles import Role
from community.demo import DEMO_PASSWORD, DemoContext

MEMBERS = 64

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

FIRST_NAMES = [
    "Amara", "Ben", "Chen", "Daniela", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Kavya", "Lucas", "Maya", "Nikolai", "Olga", "Pedro", "Qiu", "Rania", "Sven", "Tomasz",
    "Uma", "Valentina", "Wei", "Ximena", "Yusuf", "Zanele", "Aisha", "Bruno", "Camille",
    "Dmitri", "Emma", "Fatima", "Gabriel", "Hannah", "Ivan", "Julia", "Kenji", "Leila",
    "Marco", "Nadia", "Omar", "Paula", "Rafael", "Sara", "Tariq", "Ursula", "Viktor",
    "Wanjiru", "Yara", "Zoltan", "Anika", "Bilal", "Chiara", "Diego", "Eva", "Felix",
]  # fmt: skip
LAST_NAMES = [
    "Okafor", "Müller", "Wang", "Silva", "Yılmaz",  # noqa: RUF001 (a Turkish name)
    "Haddad", "Lindqvist", "Tanaka", "Costa",
    "Novak", "Iyer", "Moreau", "Cohen", "Petrov", "Kowalska", "Santos", "Li", "Mansour",
    "Andersen", "Nowak", "Patel", "Rossi", "Zhang", "López", "Demir", "Dlamini", "Khan",
    "Ferreira", "Dubois", "Ivanova",
]  # fmt: skip


def seed(context: DemoContext) -> None:
    """Create confirmed accounts: the documented ones, then members up to MEMBERS."""
    rng = context.rng
    for email, name, roles in DEMO_ACCOUNTS:
        context.users.append(
            accounts.create_account(email, name, DEMO_PASSWORD, confirmed=True, roles=roles)
        )
    used = {name for _e, name, _r in DEMO_ACCOUNTS}
    while len(context.users) < MEMBERS:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name in used:
            continue
        used.add(name)
        email = (
            name.lower().replace(" ", ".").encode("ascii", "ignore").decode() + "@alongside.example"
        )
        context.users.append(accounts.create_account(email, name, DEMO_PASSWORD, confirmed=True))
    context.summary.append(f"{len(context.users)} members")
