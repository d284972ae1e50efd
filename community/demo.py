"""The demo community that `flask seed-demo` loads into an empty database.

Deterministic: a fixed random seed gives the same members, profiles and connections every
time. Later features add their own demo data here.
"""

from __future__ import annotations

import random

from sqlalchemy import func, select

from community.auth import services as accounts
from community.auth.models import User
from community.auth.roles import Role
from community.connections import services as connections
from community.connections.models import Connection
from community.extensions import db
from community.profiles import reference as ref
from community.profiles.services import ProfileData, update_profile

DEMO_PASSWORD = "alongside-demo-2026"  # noqa: S105 (documented demo login, refused in production)
SEED = 2026

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

# Five host cities with the languages people there tend to add.
CITIES = {
    "copenhagen": ["da", "en", "de"],
    "amsterdam": ["nl", "en", "de"],
    "singapore": ["en", "zh", "ms"],
    "dubai": ["ar", "en", "hi"],
    "zurich": ["de", "fr", "en", "it"],
}
HOME = ["BR", "IN", "US", "DE", "ES", "NG", "CN", "TR", "PL", "MX", "ZA", "KE", "FR", "IT", "JP"]
HOME_LANGUAGE = {
    "BR": "pt", "IN": "hi", "US": "en", "DE": "de", "ES": "es", "NG": "en", "CN": "zh",
    "TR": "tr", "PL": "pl", "MX": "es", "ZA": "en", "KE": "sw", "FR": "fr", "IT": "it", "JP": "ja",
}  # fmt: skip

# (field, headline, skills)
CAREERS = [
    ("technology", "Software engineer, 9 years in fintech", ["Python", "Data analysis", "SQL", "Cloud architecture"]),
    ("technology", "UX researcher and product designer", ["User research", "Figma", "Accessibility", "Workshops"]),
    ("finance", "Chartered accountant between two continents", ["Bookkeeping", "Tax", "Financial planning", "Excel"]),
    ("marketing", "Marketing lead who loves a good story", ["Content strategy", "SEO", "Copywriting", "Social media"]),
    ("education", "Primary teacher, now tutoring online", ["Tutoring", "Curriculum design", "Child development", "English teaching"]),
    ("health", "Physiotherapist waiting for recognition", ["Physiotherapy", "Sports rehab", "Yoga", "Health coaching"]),
    ("law", "Corporate lawyer exploring legal tech", ["Contract law", "Compliance", "GDPR", "Negotiation"]),
    ("engineering", "Civil engineer, bridges and tunnels", ["Project management", "AutoCAD", "Structural design", "Procurement"]),
    ("design", "Illustrator and brand designer", ["Illustration", "Branding", "Figma", "Photography"]),
    ("hr", "HR business partner and career coach", ["Career coaching", "Recruiting", "Workshops", "Mentoring"]),
    ("science", "Molecular biologist turned data scientist", ["Data analysis", "R", "Lab management", "Scientific writing"]),
    ("business", "Strategy consultant, ex-Big Four", ["Strategy", "Project management", "Excel", "Negotiation"]),
    ("public", "NGO programme manager", ["Fundraising", "Grant writing", "Project management", "Event planning"]),
    ("hospitality", "Chef and food entrepreneur", ["Cooking", "Event planning", "Small business", "Menu design"]),
]  # fmt: skip
INTERESTS = [
    "Hiking", "Board games", "Photography", "Running", "Cooking", "Languages", "Yoga",
    "Book club", "Cycling", "Parenting", "Volunteering", "Gardening", "Music", "Painting",
    "Startups", "Climbing",
]  # fmt: skip


def seed() -> str:
    """Create the demo community (confirmed accounts, profiles, connections and requests).

    Returns a one-line summary. Flushes, no commit.
    """
    rng = random.Random(SEED)  # noqa: S311 (reproducible demo data, not security)
    users: list[User] = []
    for email, name, roles in DEMO_ACCOUNTS:
        users.append(
            accounts.create_account(email, name, DEMO_PASSWORD, confirmed=True, roles=roles)
        )
    used = {name for _e, name, _r in DEMO_ACCOUNTS}
    while len(users) < 64:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name in used:
            continue
        used.add(name)
        email = (
            name.lower().replace(" ", ".").encode("ascii", "ignore").decode() + "@alongside.example"
        )
        users.append(accounts.create_account(email, name, DEMO_PASSWORD, confirmed=True))
    city_names = list(CITIES)
    for index, user in enumerate(users):
        city = city_names[index % len(city_names)]
        home = rng.choice(HOME)
        field, headline, skills = rng.choice(CAREERS)
        languages = [(HOME_LANGUAGE[home], ref.LanguageLevel.NATIVE.value)]
        for code in rng.sample(CITIES[city], k=rng.randint(1, 2)):
            if code != languages[0][0]:
                languages.append((code, rng.choice(["basic", "conversational", "fluent"])))
        update_profile(
            user,
            ProfileData(
                headline=headline,
                bio=(
                    f"I moved to {ref.CITY_BY_SLUG[city].name} with my partner's job "
                    f"{rng.choice(['last spring', 'two years ago', 'this autumn', 'in January'])}. "
                    f"Before that I worked in {ref.PROFESSIONAL_FIELDS[field]}.\n\n"
                    "Happy to *swap skills*, meet for coffee or help someone find their feet."
                ),
                home_country=home,
                host_city=city,
                professional_field=field,
                education_level=rng.choice(
                    ["bachelor", "master", "master", "doctorate", "vocational"]
                ),
                availability=rng.choice(["few_hours", "part_time", "full_time", "not_now"]),
                visibility=rng.choice(["members"] * 6 + ["public", "connections"]),
                skills=rng.sample(skills, k=3)
                + rng.sample(["Mentoring", "Translation", "Public speaking", "Excel"], k=1),
                interests=rng.sample(INTERESTS, k=3),
                languages=languages,
                looking_for=rng.sample([v.value for v in ref.LookingFor], k=rng.randint(1, 3)),
                work_permit=rng.choice(["full_right", "restricted", "applying", "unsure"]),
            ),
        )
    # Connections: each member asks a few others in the same city; most say yes.
    for user in users:
        same_city = [
            u for i, u in enumerate(users) if u is not user and i % 5 == users.index(user) % 5
        ]
        for other in rng.sample(same_city, k=2):
            try:
                connection = connections.send_request(user, other.id, "Hello from a neighbour!")
            except connections.ConnectionError:
                continue
            if connection.status == "pending" and rng.random() < 0.7:
                connections.accept_request(other, connection.id)
    counts = dict(
        db.session.execute(
            select(Connection.status, func.count()).group_by(Connection.status)
        ).all()
    )
    return (
        f"{len(users)} members in {len(CITIES)} cities, {counts.get('accepted', 0)} "
        f"connections, {counts.get('pending', 0)} pending requests"
    )
