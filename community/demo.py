"""The demo community that `flask seed-demo` loads into an empty database.

A small runner: each feature owns its demo data in its own `demo.py` (accounts, profiles,
connections, events; posts, chat, gigs and mentoring add theirs the same way) and is called
here in order with one shared `DemoContext`. Deterministic: a fixed random seed gives the
same community every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from community.auth.models import User

DEMO_PASSWORD = "alongside-demo-2026"  # noqa: S105 (documented demo login, refused in production)
SEED = 2026


@dataclass
class DemoContext:
    """What the feature seeders share: one random generator and what earlier ones made."""

    rng: random.Random
    users: list[User] = field(default_factory=list)
    cities: dict[int, str] = field(default_factory=dict)  # user id -> host city slug
    summary: list[str] = field(default_factory=list)


def seed() -> str:
    """Create the demo community through the feature services. Flushes, no commit.

    Returns a one-line summary of what each feature made.
    """
    from community.auth import demo as accounts_demo
    from community.chat import demo as chat_demo
    from community.connections import demo as connections_demo
    from community.events import demo as events_demo
    from community.gigs import demo as gigs_demo
    from community.groups import demo as groups_demo
    from community.learning import demo as learning_demo
    from community.mentoring import demo as mentoring_demo
    from community.notifications.services import recorded_only
    from community.posts import demo as posts_demo
    from community.profiles import demo as profiles_demo

    context = DemoContext(rng=random.Random(SEED))  # noqa: S311 (reproducible, not security)
    features = (
        accounts_demo,
        profiles_demo,
        connections_demo,
        events_demo,
        groups_demo,
        posts_demo,
        chat_demo,
        gigs_demo,
        learning_demo,
        mentoring_demo,
    )
    # The demo's history happened before anyone could be online or mailed.
    with recorded_only():
        for feature in features:
            feature.seed(context)
    return ", ".join(context.summary)
