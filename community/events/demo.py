"""Demo events: the demo organiser's activities over the past month and the next two, in
the five host cities and online, with RSVPs (parties of 2-3, some events full with a
waitlist) and one cancelled event; comments (questions, answers, thanks) on some; and two
series: a weekly walk (members RSVP to every date, one date cancelled) and a language circle
on the first Tuesday of each month.

Dates are relative to the day the demo is seeded, so `make run` always has upcoming events
and two seeds on the same day are equal. RSVPs are replayed as members made them, three
days before each event (`rsvp(..., now=...)`), so past events have their attendees too.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from community.auth.services import set_timezone
from community.comments import services as comments
from community.comments.models import Comment
from community.core.database import utcnow
from community.core.errors import ServiceError
from community.demo import DemoContext
from community.events import checkin_demo, host_demo, series
from community.events import services as events
from community.events.comments import SUBJECT
from community.events.models import Rsvp, RsvpStatus
from community.extensions import db
from community.profiles import reference as ref

ORGANISER = "organiser@alongside.example"
EVENTS = 30

# (category, title, description, local start, hours, capacity, guests allowed)
IDEAS = [
    ("networking", "Networking breakfast", "Coffee, pastries and *introductions*: bring your story, not your CV.", time(8, 30), 2, 12, 0),
    ("professional_development", "CV clinic: make your experience travel", "Recruiters from local firms read your CV with you.", time(18, 30), 2, 8, 0),
    ("learning", "Language café", "Practise the local language over a drink; all levels welcome.", time(19, 0), 2, None, 1),
    ("social", "Newcomers' dinner", "A long table, food from everywhere and new friends.", time(19, 30), 3, 10, 1),
    ("family", "Family picnic in the park", "Bring a blanket and something to share. Children very welcome.", time(11, 0), 3, 20, 3),
    ("volunteering", "Volunteer at the community kitchen", "Cook and serve a warm meal together.", time(16, 0), 3, 6, 0),
    ("professional_development", "Work permits for partners: questions answered", "An immigration adviser explains the rules and takes questions.", time(12, 0), 1, None, 0),
    ("family", "Toddler play morning", "Songs, toys and coffee for the grown-ups.", time(10, 0), 2, 8, 2),
]  # fmt: skip

# Comment threads on every third event: (a member's comment, the organiser's reply or None,
# another member's reply or None).
THREADS = [
    ("Is there parking near the venue?", "Yes, there is a public car park two minutes away.", None),
    ("Can I bring my partner even if they do not speak the language yet?", "Of course, everyone is welcome!", "We came last time with no Danish at all and it was lovely."),
    ("I am new in town: **is this a good first event?**", None, "Definitely, people are very friendly."),
    ("Thank you for organising, see you there!", None, None),
    ("Will there be vegetarian food? See [the menu idea](https://example.org/menu).", "Yes, half of it will be vegetarian.", None),
]  # fmt: skip


# The local language of a host country, for some events' languages spoken.
LOCAL_LANGUAGE = {
    "NL": "nl", "DK": "da", "SE": "sv", "NO": "no", "FI": "fi", "CH": "de", "DE": "de",
    "AT": "de", "FR": "fr", "ES": "es", "IT": "it", "JP": "ja", "CN": "zh", "HK": "zh",
    "MX": "es", "CZ": "cs",
}  # fmt: skip

# Tags shared with the profiles' skills and interests.
DEMO_TAGS = {
    "networking": ["networking"],
    "professional_development": ["job search", "career change"],
    "learning": ["languages"],
    "family": ["children"],
    "volunteering": ["volunteering"],
}


def seed(context: DemoContext) -> None:
    """Create EVENTS events through the services, made by the demo organiser, with RSVPs."""
    rng, users = context.rng, context.users
    organiser = next(user for user in users if user.email == ORGANISER)
    members = [user for user in users if user.id != organiser.id]
    cities = list(dict.fromkeys(context.cities[user.id] for user in users))
    for user in users:  # members live on their city's clock, as the sign-up guess sets it
        set_timezone(user, ref.CITY_BY_SLUG[context.cities[user.id]].timezone)
    today = utcnow().date()
    for index in range(EVENTS):
        category, title, description, start, hours, capacity, guests = IDEAS[index % len(IDEAS)]
        online = index % 5 == 4
        city = cities[index % len(cities)]
        zone = ref.CITY_BY_SLUG[city].timezone
        day = today + timedelta(days=-30 + index * 3)
        starts = datetime.combine(day, start)
        place = ref.CITY_BY_SLUG[city].name
        event = events.create_event(
            organiser,
            events.EventData(
                title=f"{title} (online)" if online else f"{title}, {place}",
                description=description,
                category=category,
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                timezone=zone,
                venue=None if online else f"Community hall, {place}",
                venue_private=False,
                online_url="https://meet.alongside.example/" + str(index) if online else None,
                capacity=capacity,
                guests_allowed=guests,
                city=None if online else city,
                languages=["en"]
                if index % 3
                else list(
                    dict.fromkeys(["en", LOCAL_LANGUAGE.get(ref.CITY_BY_SLUG[city].country, "en")])
                ),
                step_free=index % 2 == 0,
                child_friendly=category == "family",
                childcare=category == "family" and index % 3 == 0,
                tags=DEMO_TAGS.get(category, []),
            ),
        )
        joined = event.starts_at - timedelta(days=3)
        nearby = members if online else [m for m in members if context.cities[m.id] == city]
        wanted = (capacity or 10) + rng.randint(-3, 4)
        for step, member in enumerate(rng.sample(nearby, k=min(len(nearby), wanted))):
            party = rng.choice([0, 0, 0, 1, 2]) if guests else 0
            try:
                events.rsvp(
                    member,
                    event,
                    min(party, guests),
                    now=joined + timedelta(minutes=step),
                    confirm_by_mail=False,  # demo members get no mail
                )
            except ServiceError:
                continue
        if index % 3 == 0:
            _comment(rng, organiser, event, [m for m in nearby if m.id != organiser.id])
        if index == 20:
            events.cancel_event(organiser, event)
    _seed_series(context, organiser, members, cities, today)
    host_demo.seed(context, organiser)  # #18: approval, questions, co-host, door helper
    counts = dict(db.session.execute(select(Rsvp.status, func.count()).group_by(Rsvp.status)).all())
    total = db.session.scalar(select(func.count()).select_from(Comment))
    context.summary.append(
        f"{EVENTS} events, {counts.get(RsvpStatus.GOING, 0)} going, "
        f"{counts.get(RsvpStatus.WAITLISTED, 0)} waitlisted, {total} comments, 2 series"
    )
    context.summary.append(checkin_demo.seed(context, organiser))


def _seed_series(context: DemoContext, organiser, members, cities, today) -> None:
    """A weekly walk starting in a few days (some members go to every date, one date is
    cancelled) and a "first Tuesday" language circle over the next six months."""
    city = ref.CITY_BY_SLUG[cities[0]]
    first = today + timedelta(days=3)
    walk_start = datetime.combine(first, time(10, 0))
    walk = series.create_series(
        organiser,
        events.EventData(
            title=f"Walk and talk, {city.name}",
            description="An easy hour's walk with coffee at the end. Prams and dogs welcome.",
            category="social",
            starts_at=walk_start,
            ends_at=walk_start + timedelta(hours=1, minutes=30),
            timezone=city.timezone,
            venue=f"By the fountain in the central park, {city.name}",
            capacity=8,
            guests_allowed=1,
        ),
        series.RepeatData("weekly", count=10, rsvp_whole_series_allowed=True),
    )
    nearby = [m for m in members if context.cities[m.id] == cities[0]]
    for member in context.rng.sample(nearby, k=min(len(nearby), 6)):
        series.rsvp_every_date(member, walk[0], 0, confirm_by_mail=False)
    series.cancel_dates(organiser, walk[4], "one")

    month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    tuesday = month + timedelta(days=(1 - month.weekday()) % 7)  # its first Tuesday
    circle_start = datetime.combine(tuesday, time(18, 30))
    series.create_series(
        organiser,
        events.EventData(
            title="First-Tuesday language circle (online)",
            description="Practise the local language in small groups; all levels.",
            category="learning",
            starts_at=circle_start,
            ends_at=circle_start + timedelta(hours=1, minutes=30),
            timezone=city.timezone,
            online_url="https://meet.alongside.example/language-circle",
            capacity=20,
            guests_allowed=0,
        ),
        series.RepeatData("monthly_weekday", count=6),
    )


def _comment(rng, organiser, event, members) -> None:
    """One or two threads on `event` through the comment services."""
    if len(members) < 2:
        return
    for _thread in range(rng.randint(1, 2)):
        first, second = rng.sample(members, k=2)
        question, answer, follow_up = rng.choice(THREADS)
        try:
            top = comments.add_comment(first, SUBJECT, event.id, question)
            if answer:
                comments.add_comment(organiser, SUBJECT, event.id, answer, top.id)
            if follow_up:
                comments.add_comment(second, SUBJECT, event.id, follow_up, top.id)
        except ServiceError:  # a demo block between them: that thread stays short
            continue
