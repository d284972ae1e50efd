"""Demo gigs: 44 gigs of every kind and every "who can take it", in the five demo host cities
and remote, posted by demo members and the demo organiser; most approved by the demo
moderator (demo accounts are all new, so a member's gig first waits, as it would for real),
a few left waiting for review (one asks for a fee, one is for an organisation, two by new
members); applications from demo members in every status. All through the gig services.
"""

from __future__ import annotations

import random
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import update

from community.auth.roles import Role
from community.core.database import utcnow
from community.demo import SEED, DemoContext
from community.extensions import db
from community.gigs import applications, completion, services
from community.gigs.models import Gig, GigApplication, GigReview

# (kind, who can take it, engagement, title, description, deliverable, skills, languages,
#  pay: None or (amount, currency, period))
IDEAS = [
    ("volunteering", "unpaid_nonprofit", "voluntary", "Translate our food bank's brochure",
     "Our **food bank** helps 300 families a week. The brochure is only in the local language.",
     "a translated brochure", ["Translation", "Copywriting"], ["en"], None),
    ("volunteering", "unpaid_nonprofit", "voluntary", "Run a CV workshop for newcomers",
     "One Saturday morning with 12 newcomers: how a CV reads here, with exercises.",
     "a two-hour workshop and its slides", ["Career coaching", "Workshops"], ["en"], None),
    ("freelance", "right_to_work", "invoice", "Design a logo for our choir",
     "An international choir of 40 voices needs a logo for posters and social media.",
     "a logo in SVG and PNG", ["Branding", "Illustration"], ["en"], (400, "EUR", "project")),
    ("paid_local", "right_to_work", "employee", "Kitchen help for a pop-up restaurant",
     "Three evenings a week for a month, prepping and plating.",
     "", ["Cooking", "Event planning"], ["en"], (22, "EUR", "hour")),
    ("remote", "remote_abroad", "invoice", "Bookkeeping for a small design studio",
     "A studio based abroad needs monthly bookkeeping, about 10 hours a month.",
     "monthly accounts", ["Bookkeeping", "Excel"], ["en"], (45, "EUR", "hour")),
    ("remote", "remote_abroad", "invoice", "User interviews for a fintech app",
     "Recruit and run eight user interviews, then summarise what you found.",
     "a tested interview guide and a summary", ["User research", "Workshops"], ["en"],
     (1500, "EUR", "project")),
    ("internship", "right_to_work", "employee", "Research intern at a climate NGO",
     "Three months helping our policy team with data on urban heat.",
     "a research brief", ["Data analysis", "Scientific writing"], ["en"], (900, "EUR", "month")),
    ("internship", "unpaid_nonprofit", "voluntary", "Communications internship, part-time",
     "Help a refugee-support charity with its newsletter and social media.",
     "four newsletters", ["Content strategy", "Social media"], ["en"], None),
    ("freelance", "remote_abroad", "invoice", "Proofread a grant application",
     "Twenty pages, due in three weeks; the funder is in another country.",
     "a proofread application", ["Grant writing", "Copywriting"], ["en"], (300, "EUR", "project")),
    ("paid_local", "right_to_work", "employee", "Weekend tutor for maths and English",
     "Two children, 9 and 12, Saturday mornings at our home.",
     "", ["Tutoring", "English teaching"], ["en"], (30, "EUR", "hour")),
    ("volunteering", "unpaid_nonprofit", "voluntary", "Photograph our community garden day",
     "A morning of planting with families; we would love photos for our website.",
     "30 edited photos", ["Photography"], ["en"], None),
]  # fmt: skip

CITIES = ["copenhagen", "amsterdam", "singapore", "dubai", "zurich"]
CURRENCY = {"copenhagen": "DKK", "amsterdam": "EUR", "singapore": "SGD", "dubai": "AED",
            "zurich": "CHF"}  # fmt: skip
GIGS = 44


def _data(index: int, rng: random.Random) -> services.GigData:
    kind, who, engagement, title, text, deliverable, skills, languages, pay = IDEAS[
        index % len(IDEAS)
    ]
    remote = kind == "remote" or who == "remote_abroad" or index % 6 == 5
    city = None if remote else CITIES[index % len(CITIES)]
    amount = currency = period = None
    if pay is not None:
        amount, currency, period = pay
        if city is not None:
            currency = CURRENCY[city]
    return services.GigData(
        kind=kind,
        title=title if index < len(IDEAS) else f"{title} ({index // len(IDEAS) + 1})",
        description=text,
        deliverable=deliverable,
        who_can_take=who,
        engagement=engagement,
        skills=skills,
        languages=languages + ([rng.choice(["da", "nl", "de"])] if city else []),
        city=city,
        remote=remote,
        overlap_hours=rng.choice([2, 3, 4]) if remote else None,
        countries=rng.choice([[], ["DK", "NL", "DE"], ["CH", "DE"]]) if remote else [],
        hours_per_week=rng.choice([4, 8, 10, 20]),
        duration=rng.choice(["about 3 weeks", "2 months", "one weekend", ""]),
        compensation_amount=amount,
        currency=currency,
        compensation_period=period,
        deadline=(utcnow() + timedelta(days=rng.randint(7, 45))).date(),
    )


def seed(context: DemoContext) -> None:
    """Post GIGS gigs, approve most of them, and apply to them in every status."""
    rng = random.Random(SEED + 19)  # noqa: S311 (reproducible, not security)
    users = context.users
    # The demo organiser and moderator themselves (an admin holds those roles too).
    moderator = next(u for u in users if u.has_role(Role.MODERATOR) and not u.has_role(Role.ADMIN))
    organiser = next(u for u in users if u.has_role(Role.ORGANISER) and not u.has_role(Role.ADMIN))
    members = [u for u in users if not any(u.has_role(r) for r in Role if r != Role.MEMBER)]
    now = utcnow()
    made: list[Gig] = []
    for index in range(GIGS):
        poster = organiser if index % 5 == 0 else members[(index * 7) % len(members)]
        gig = services.create_gig(poster, _data(index, rng))
        gig.created_at = now - timedelta(hours=(GIGS - index) * 9)
        made.append(gig)
    # Left waiting for a moderator: a fee, an organisation, and two new members' gigs.
    waiting = [
        services.create_gig(members[1], _data(3, rng)),
        services.create_gig(members[2], _data(1, rng)),
    ]
    services.update_gig(
        members[1], waiting[0],
        services.GigData(description="Great pay! A registration fee of 50 EUR applies."),
    )  # fmt: skip
    services.update_gig(members[2], waiting[1], services.GigData(organisation="Helping Hands"))
    waiting += [services.create_gig(members[3], _data(8, rng)),
                services.create_gig(members[4], _data(9, rng))]  # fmt: skip
    db.session.flush()
    for gig in made:
        if gig.review == GigReview.PENDING:
            services.approve_gig(moderator, gig)
    db.session.flush()
    statuses = ["submitted", "shortlisted", "accepted", "declined", "submitted", "withdrawn",
                "expired", "submitted"]  # fmt: skip
    count = 0
    stale: list[int] = []
    for index, gig in enumerate(made[:30]):
        applicants = [u for u in members if u.id != gig.poster_id]
        for step, member in enumerate(rng.sample(applicants, k=min(3, len(applicants)))):
            application = applications.apply(
                member,
                gig,
                rng.choice(MESSAGES),
                rng.choice(["", "https://example.org/portfolio", "https://example.org/cv.pdf"]),
            )
            count += 1
            status = statuses[(index + step) % len(statuses)]
            poster = next(u for u in users if u.id == gig.poster_id)
            if status in ("shortlisted", "accepted", "declined"):
                reason = "We chose someone who speaks Danish." if status == "declined" else ""
                applications.set_status(poster, application, status, reason)
            elif status == "withdrawn":
                applications.withdraw(member, application)
            elif status == "expired":
                stale.append(application.id)
    db.session.flush()
    # Unanswered for three weeks: the scheduled command closes them kindly.
    db.session.execute(
        update(GigApplication)
        .where(GigApplication.id.in_(stale))
        .values(created_at=now - timedelta(days=21), status_changed_at=now - timedelta(days=21))
    )
    db.session.expire_all()
    applications.sweep(now)
    finished = _complete_two(users, members, made[30:])
    context.summary.append(
        f"{len(made) + len(waiting)} gigs ({len(waiting)} waiting for review), {count} "
        f"applications, {finished} completed with feedback and references"
    )


MEMBER = "member@alongside.example"
FEEDBACK = ("Reliable, quick and a pleasure to work with.", "A clear brief and fast answers.")


def _complete_two(users, members, gigs) -> int:
    """Two open gigs done: the demo member (for the first) and another member accepted, the
    gig completed, feedback both ways and a reference, which the demo member shows on their
    profile with the deliverable."""
    demo = next(u for u in users if u.email == MEMBER)
    done = 0
    for gig in gigs:
        if done == 2:
            break
        if gig.status != "open" or gig.poster_id == demo.id:
            continue
        poster = next(u for u in users if u.id == gig.poster_id)
        worker = demo if done == 0 else next(
            u for u in members if u.id not in (gig.poster_id, demo.id)
        )  # fmt: skip
        deliverable = gig.deliverable or _("the work")
        statement = _(
            "%(name)s did “%(title)s” for us and delivered %(what)s on time: careful, clear "
            "and easy to work with. I would gladly work with them again.",
            name=worker.display_name,
            title=gig.title,
            what=deliverable,
        )
        skills = ", ".join(link.tag.label for link in gig.skills)
        application = applications.apply(worker, gig, MESSAGES[done])
        applications.set_status(poster, application, "accepted")
        completion.complete(poster, gig)
        completion.give_feedback(poster, gig, worker.id, 5, FEEDBACK[0])
        completion.give_feedback(worker, gig, poster.id, 5, FEEDBACK[1])
        reference = completion.write_reference(
            poster, gig, worker.id, hours=(gig.hours_per_week or 6) * 2, skills_used=skills,
            statement=statement,
        )  # fmt: skip
        if worker is demo:
            completion.show_on_profile(worker, reference.id, shown=True,
                                       sample_link="https://example.org/finished-work.pdf",
                                       sample_note=_("The finished work"))  # fmt: skip
        done += 1
    db.session.flush()
    return done


MESSAGES = [
    "I did exactly this for three years before we moved. Happy to share examples.",
    "This sounds like a lovely project. I have evenings free and would enjoy it.",
    "I translate between English, Danish and German; my CV is linked.",
    "I have run similar workshops for newcomers at my previous job.",
    "Portfolio linked below: I would love to help.",
]
