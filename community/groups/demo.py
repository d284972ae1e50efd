"""Demo groups: a circle for each demo host city and interest groups ("Freelancing in
Denmark", "Parents", "Tech partners" ...), one of them private with members and pending
requests, started by the demo organiser; members join the circle of their city and some
interests; a co-organiser here and there; some of the demo organiser's upcoming events
move into their city's circle.

Runs after the events demo (it attaches existing events). Deterministic: the shared
random generator decides who joins what.
"""

from __future__ import annotations

from sqlalchemy import select

from community.auth.models import User
from community.core.database import utcnow
from community.demo import DemoContext
from community.events import services as events
from community.events.models import Event, EventStatus
from community.extensions import db
from community.groups import services
from community.groups.models import GroupVisibility
from community.profiles import reference as ref

ORGANISER = "organiser@alongside.example"
MEMBER = "member@alongside.example"
CO_ORGANISER = "priya@alongside.example"

# (name, city or None, private, description, share of members who join)
INTERESTS = [
    ("Freelancing in Denmark", "copenhagen", False, "Invoices, CVR numbers, tax and finding clients: we share what worked.\n\n- Monthly *co-working* mornings\n- A thread of useful links", 0.25),
    ("Parents", None, False, "Schools, childcare, play dates and the questions nobody warned us about.", 0.35),
    ("Tech partners", None, False, "Developers, designers and data people rebuilding a tech career in a new country.", 0.2),
    ("Language exchange", None, False, "Trade an hour of your language for an hour of theirs.", 0.3),
    ("Partners in transition", None, True, "A **private** circle for talking honestly about identity, work and relationships after a move.", 0.15),
]  # fmt: skip


def seed(context: DemoContext) -> None:
    """Create the demo groups through the services, with members, requests and events."""
    rng, users = context.rng, context.users
    organiser = next(user for user in users if user.email == ORGANISER)
    others = [user for user in users if user.id != organiser.id]
    cities = list(dict.fromkeys(context.cities[user.id] for user in users))
    circles = {}
    for city in cities:
        name = ref.CITY_BY_SLUG[city].name
        circles[city] = services.create_group(
            organiser,
            services.GroupData(
                name=f"{name} circle",
                description=f"Everyone who moved to {name} with a partner: coffee, walks "
                "and answers to *where do I find...?*",
                city=city,
                visibility=GroupVisibility.PUBLIC,
            ),
        )
    for user in others:
        if rng.random() < 0.8:
            services.join_group(user, circles[context.cities[user.id]])
    interests = []
    for name, city, private, description, share in INTERESTS:
        group = services.create_group(
            organiser,
            services.GroupData(
                name=name,
                description=description,
                city=city or "",
                visibility=GroupVisibility.PRIVATE if private else GroupVisibility.PUBLIC,
            ),
        )
        interests.append(group)
        for user in others:
            if user.email == MEMBER and private:
                continue  # the demo member shows what a non-member sees of a private group
            if rng.random() < share or (user.email == MEMBER and name == "Parents"):
                services.request_to_join(user, group)
                if private and rng.random() < 0.7:
                    services.approve_request(organiser, group, user.id)
    co_organiser = next(user for user in users if user.email == CO_ORGANISER)
    tech = next(group for group in interests if group.name == "Tech partners")
    services.join_group(co_organiser, tech)
    services.make_organiser(organiser, tech, co_organiser.id)
    _attach_events(organiser, circles)
    context.summary.append(f"{len(circles) + len(interests)} groups")


def _attach_events(organiser: User, circles: dict) -> None:
    """Move some of the demo organiser's upcoming in-person events into their city's circle."""
    upcoming = db.session.scalars(
        select(Event)
        .where(
            Event.organiser_id == organiser.id,
            Event.status == EventStatus.SCHEDULED,
            Event.starts_at > utcnow(),
            Event.city.is_not(None),
            Event.series_id.is_(None),
        )
        .order_by(Event.starts_at, Event.id)
    ).all()
    for index, event in enumerate(upcoming):
        if index % 2 == 0 and event.city in circles:
            events.update_event(organiser, event, events.EventData(group_id=circles[event.city].id))
