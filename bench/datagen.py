"""Data generator for the benchmarks: the demo community plus N generated members.

Generated members get their profiles through the real profile service; their accounts share
one precomputed password hash so that generating thousands does not take minutes of Argon2.
"""

from __future__ import annotations

import random

from community.auth.demo import FIRST_NAMES, LAST_NAMES
from community.auth.models import User
from community.auth.passwords import hash_password
from community.core.database import utcnow
from community.demo import seed
from community.extensions import db
from community.profiles.demo import CAREERS, CITIES, HOME, INTERESTS
from community.profiles.services import ProfileData, update_profile


def generate(extra_members: int, seed_value: int = 7) -> int:
    """Load the demo community and `extra_members` more; returns the member count. Commits."""
    seed()
    db.session.commit()
    rng = random.Random(seed_value)
    shared_hash = hash_password("benchmark-password-1")
    cities = list(CITIES)
    for n in range(extra_members):
        user = User(
            email=f"bench{n}@bench.example",
            display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            password_hash=shared_hash,
            email_confirmed_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        city = cities[n % len(cities)]
        field, headline, skills = rng.choice(CAREERS)
        update_profile(
            user,
            ProfileData(
                headline=headline,
                host_city=city,
                home_country=rng.choice(HOME),
                professional_field=field,
                skills=rng.sample(skills, k=3),
                interests=rng.sample(INTERESTS, k=3),
                languages=[(code, "fluent") for code in rng.sample(CITIES[city], k=2)],
                looking_for=rng.sample(["gigs", "learning", "connections", "mentoring"], k=2),
                visibility=rng.choice(["members"] * 8 + ["connections", "public"]),
            ),
        )
        if n % 200 == 199:
            db.session.commit()
    db.session.commit()
    return db.session.query(User).count()
