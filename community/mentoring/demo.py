"""Demo mentoring: the demo coordinator's two programmes.

- A RUNNING programme in Copenhagen (started about 4 months ago, ends in about 8): 22
  mentors and 28 mentees who applied before its deadline through the real services, most
  accepted by the coordinator, with varied fields, languages, industries, interests, goals,
  offers and wishes written so matching has real signal (shared languages and fields, "I
  want to move into consulting" / "I am a consultant"), mentor capacities of 1 or 2, two
  avoid lists, and a mentee who shares no language with any mentor.
- A programme OPEN for applications (deadline in 3 weeks, online and in Aarhus) with a few
  applications, the demo member's among them.

The running programme's pairs come from the real matching engine (`_pair_and_log`), dated
back to the programme's first week; their meetings, fit answers, goals and outcomes are
made directly with the models. Deterministic (its own seeded random generator).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update

from community.auth.models import User
from community.chat.models import Conversation
from community.core.database import utcnow
from community.demo import SEED, DemoContext
from community.extensions import db
from community.mentoring import applications, programmes
from community.mentoring.models import (
    ApplicationStatus,
    FitAnswer,
    MentoringApplication,
    MentoringOutcome,
    Outcome,
    Pair,
    PairFitAnswer,
    PairGoal,
    PairMeeting,
    Programme,
)

COORDINATOR = "coordinator@alongside.example"
MEMBER = "member@alongside.example"
STAFF = ("admin@alongside.example", "moderator@alongside.example", "organiser@alongside.example",
         COORDINATOR)  # fmt: skip
MENTORS = 22
MENTEES = 28

# (field, industries, qualifications, offer, extra languages)
MENTOR_PROFILES = [
    ("business", ["Consulting"], "Partner at a Copenhagen management consultancy; MSc Economics.",
     "I am a management consultant and know how Danish consultancies hire.", ["da"]),
    ("business", ["Consulting", "Logistics"], "Supply-chain consultant, 12 years at Maersk.",
     "I am a consultant in supply-chain logistics and can introduce you to the shipping world.",
     ["da", "de"]),
    ("technology", ["Software"], "Engineering manager at a fintech; hired 40 developers.",
     "I can review your CV and coach you for technical interviews.", ["da"]),
    ("technology", ["Software", "Gaming"], "Senior backend developer, Python and Go.",
     "Pair programming, open-source contributions and how teams work here.", ["sv"]),
    ("finance", ["Banking"], "Head of treasury at a Nordic bank; CFA charterholder.",
     "I know finance recruiting in Copenhagen and can open my network.", ["da"]),
    ("finance", ["Accounting"], "Chartered accountant, Big Four audit for 9 years.",
     "Help with Danish accounting standards and the audit career path.", ["da", "fr"]),
    ("engineering", ["Renewable energy"], "Wind turbine engineer at Vestas.",
     "An engineer's view of the renewable energy sector and its employers.", ["da", "de"]),
    ("engineering", ["Construction"], "Structural engineer, chartered in the UK and Denmark.",
     "Getting your engineering degree recognised and your first local project.", ["da"]),
    ("health", ["Pharmaceuticals"], "Regulatory affairs lead at Novo Nordisk.",
     "Regulatory affairs and clinical research careers in life sciences.", ["da", "es"]),
    ("health", ["Healthcare"], "Nurse manager at Rigshospitalet.",
     "Authorisation for health professionals and working in Danish hospitals.", ["da"]),
    ("marketing", ["Media"], "Communications director; ran campaigns for LEGO.",
     "Personal branding, LinkedIn and marketing jobs in English.", ["da"]),
    ("marketing", ["E-commerce"], "Growth marketer at an online retailer.",
     "Digital marketing, analytics and start-up networks.", ["pt"]),
    ("hr", ["Recruitment"], "Talent acquisition manager for an international company.",
     "How recruiters read a CV here and how to prepare for interviews.", ["da"]),
    ("hr", ["Consulting"], "HR consultant and career coach.",
     "Career coaching: finding your direction after a move.", ["de"]),
    ("law", ["Legal services"], "Corporate lawyer, admitted in Denmark.",
     "Legal careers for foreign-trained lawyers: compliance and in-house roles.", ["da", "fr"]),
    ("education", ["Education"], "Head of an international school.",
     "Teaching in international schools and the Danish teacher authorisation.", ["da"]),
    ("design", ["Architecture"], "Architect at a Copenhagen studio.",
     "Portfolios, architecture competitions and design studios here.", ["da", "it"]),
    ("science", ["Research"], "Associate professor in biotechnology.",
     "Academic careers, grant writing and moving from research to industry.", ["da", "zh"]),
    ("public", ["NGOs"], "Programme manager at an international NGO.",
     "Volunteering as a way in, and jobs in NGOs and the public sector.", ["da", "ar"]),
    ("hospitality", ["Tourism"], "Hotel general manager.",
     "Hospitality careers and starting your own café or guesthouse.", ["da", "es"]),
    ("business", ["Start-ups"], "Founder of two start-ups; angel investor.",
     "Starting your own business: the paperwork, the first customers, funding.", ["da"]),
    ("technology", ["Data"], "Data scientist at a shipping company.",
     "Data science jobs, portfolios on GitHub and the local meet-ups.", ["hi"]),
]  # fmt: skip

# (field, industries, qualifications, goals, extra languages)
MENTEE_PROFILES = [
    ("business", ["Logistics"], "MSc Supply Chain Management; 8 years in logistics in Germany.",
     "I want to move into consulting, ideally supply-chain consulting.", ["de"]),
    ("business", ["Retail"], "MBA; store operations manager for 6 years.",
     "I want to move into consulting or a strategy role.", ["es"]),
    ("technology", ["Software"], "Frontend developer, React, 5 years.",
     "Land a developer job in Copenhagen and understand how teams work here.", ["pt"]),
    ("technology", ["Telecom"], "Network engineer, Cisco certified.",
     "Move from networks into cloud engineering.", ["hi"]),
    ("finance", ["Banking"], "Investment analyst, CFA level II.",
     "Find a finance job although I do not speak Danish yet.", ["fr"]),
    ("finance", ["Accounting"], "Accountant, ACCA qualified.",
     "Get my qualification recognised and work in audit.", ["pl"]),
    ("engineering", ["Oil and gas"], "Petroleum engineer, 10 years offshore.",
     "Move into renewable energy, wind in particular.", ["ar"]),
    ("engineering", ["Automotive"], "Mechanical engineer, automotive design.",
     "Find engineering work in green tech.", ["de"]),
    ("health", ["Pharmaceuticals"], "PhD pharmacology; clinical trials coordinator.",
     "A role in regulatory affairs or clinical research in pharma.", ["es"]),
    ("health", ["Healthcare"], "Registered nurse, 7 years in intensive care.",
     "Get my authorisation as a nurse and work in a hospital.", ["tl"]),
    ("marketing", ["Media"], "Journalist and content writer.",
     "Move into communications or content marketing.", ["it"]),
    ("marketing", ["Fashion"], "Brand manager for a fashion label.",
     "Marketing job in English, and build a network from scratch.", ["fr"]),
    ("hr", ["Recruitment"], "HR generalist, 4 years.",
     "Understand Danish HR practice and find an HR job.", ["ru"]),
    ("law", ["Legal services"], "Lawyer, admitted in Brazil; LLM.",
     "Use my legal background in compliance.", ["pt"]),
    ("education", ["Education"], "Primary school teacher, 12 years.",
     "Teach at an international school.", ["tr"]),
    ("design", ["Architecture"], "Architect, 6 years in Milan.",
     "Join an architecture studio in Copenhagen.", ["it"]),
    ("science", ["Research"], "Postdoc in molecular biology.",
     "Move from academia to the biotech industry.", ["zh"]),
    ("public", ["NGOs"], "Project officer at a development NGO.",
     "Find meaningful work, maybe through volunteering first.", ["ar"]),
    ("hospitality", ["Tourism"], "Restaurant manager.",
     "Open my own café, or manage one.", ["es"]),
    ("business", ["Start-ups"], "Product manager at a start-up.",
     "Start my own business here.", ["ko"]),
    ("technology", ["Data"], "Data analyst, SQL and Python.",
     "Become a data scientist.", ["hi"]),
    ("business", ["Consulting"], "Junior consultant, 3 years at a Big Four firm in India.",
     "Continue my consulting career here.", ["hi"]),
    ("finance", ["Insurance"], "Actuary, 5 years.",
     "Find an actuarial job in Copenhagen.", ["zh"]),
    ("engineering", ["Construction"], "Civil engineer, bridges and tunnels.",
     "Get my degree recognised and work on infrastructure.", ["pl"]),
    ("marketing", ["E-commerce"], "Digital marketer, paid social.",
     "Move into growth marketing at a start-up.", ["pt"]),
    ("hr", ["Learning"], "Corporate trainer.",
     "Become a career coach.", ["de"]),
    ("technology", ["Software"], "QA engineer, test automation.",
     "Find a test automation role.", ["uk"]),
    ("health", ["Healthcare"], "Physiotherapist.",
     "Work as a physiotherapist again.", ["es"]),
]  # fmt: skip

INTERESTS = ["Running", "Sailing", "Cooking", "Board games", "Photography", "Cycling",
             "Hiking", "Choir singing", "Yoga", "Football", "Reading", "Volunteering"]  # fmt: skip
WISHES = [
    "Someone patient who can explain how things work here.",
    "A mentor who is direct and gives honest feedback.",
    "I would love to meet in person, over coffee.",
    "Someone who has also moved countries.",
    "A mentor in my own field who knows the employers.",
    "Someone with a sense of humour.",
    "I prefer online meetings in the evening because of the children.",
]
AVAILABILITY = ["Weekday evenings", "Saturday mornings", "Lunchtime", "Flexible",
                "Tuesday and Thursday evenings"]  # fmt: skip


def _by_email(users: list[User]) -> dict[str, User]:
    return {user.email: user for user in users}


def _data(role: str, profile: tuple, rng: random.Random, capacity: int | None):
    field, industries, qualifications, text, extra = profile
    languages = ["en", *extra]
    return applications.ApplicationData(
        role=role,
        field=field,
        education_level=rng.choice(["bachelor", "master", "master", "doctorate"]),
        experience_years=rng.randint(3, 25),
        qualifications=qualifications,
        languages=languages,
        industries=industries,
        interests=rng.sample(INTERESTS, 2),
        goals=text if role == "mentee" else "",
        offer=text if role == "mentor" else "",
        prefers_field=rng.choice(["any", "any", "same", "same", "different"]),
        prefers_language=rng.choice([None, None, languages[-1]]) or "",
        wishes=rng.choice(WISHES),
        availability=rng.choice(AVAILABILITY),
        capacity=capacity,
    )


def seed(context: DemoContext) -> None:
    """Create the two programmes and their applications (and the running one's pairs)."""
    rng = random.Random(SEED + 20)  # noqa: S311 (reproducible, not security)
    users = _by_email(context.users)
    coordinator = users[COORDINATOR]
    demo_member = users[MEMBER]
    people = [u for u in context.users if u.email not in STAFF]
    today = utcnow().date()

    running = programmes.create_programme(
        coordinator,
        programmes.ProgrammeData(
            name="International Business Mentoring, Copenhagen",
            description=(
                "A year with a **local professional** at your side. Pairs meet about once a "
                "month, agree goals at the start and look back at them at the end.\n\n"
                "- Mentees: accompanying partners who want to work here.\n"
                "- Mentors: professionals who know the Danish labour market."
            ),
            city="copenhagen",
            online=False,
            starts_on=today - timedelta(days=120),
            ends_on=today + timedelta(days=245),
            application_deadline=today - timedelta(days=135),
            timezone="Europe/Copenhagen",
            default_capacity=1,
            questions=[
                programmes.QuestionData("Which companies would you like to work for?", "mentee"),
                programmes.QuestionData("Have you mentored before?", "mentor"),
            ],
        ),
    )
    before = datetime.combine(running.application_deadline, datetime.min.time()).replace(
        tzinfo=utcnow().tzinfo
    ) - timedelta(days=10)
    mentee_people = [demo_member, *[p for p in people if p is not demo_member][: MENTEES - 1]]
    mentor_people = [p for p in people if p not in mentee_people][:MENTORS]
    mentors = []
    for person, profile in zip(mentor_people, MENTOR_PROFILES, strict=True):
        data = _data("mentor", profile, rng, rng.choice([1, 1, 2]))
        mentors.append(applications.apply(person, running, data, now=before))
    mentees = []
    for index, (person, profile) in enumerate(zip(mentee_people, MENTEE_PROFILES, strict=True)):
        data = _data("mentee", profile, rng, None)
        if index == 7:  # shares no language with any mentor: the proposal says why
            data.languages = ["uk"]
            data.prefers_language = ""
        mentees.append(applications.apply(person, running, data, now=before))
    # Two avoid lists: a mentee's former colleague, a mentor's neighbour.
    applications.update_application(
        mentee_people[1], mentees[1],
        applications.ApplicationData(avoid_user_ids=[mentor_people[0].id]), now=before,
    )  # fmt: skip
    applications.update_application(
        mentor_people[4], mentors[4],
        applications.ApplicationData(avoid_user_ids=[mentee_people[4].id]), now=before,
    )  # fmt: skip
    for application in mentors[:-1] + mentees[:-2]:
        applications.decide(coordinator, application, ApplicationStatus.ACCEPTED)
    applications.decide(coordinator, mentees[-2], ApplicationStatus.DECLINED)
    applications.withdraw(mentee_people[-1], mentees[-1], "I found a job before the start.")
    pairs = _pair_and_log(running, rng, today)

    upcoming = programmes.create_programme(
        coordinator,
        programmes.ProgrammeData(
            name="Mentoring for new arrivals, Aarhus and online",
            description=(
                "Our second cohort: six months, online or in Aarhus. Apply as a mentee if you "
                "arrived in the last two years, or as a mentor if you know local working life."
            ),
            city="aarhus",
            online=True,
            starts_on=today + timedelta(days=35),
            ends_on=today + timedelta(days=35 + 182),
            application_deadline=today + timedelta(days=21),
            timezone="Europe/Copenhagen",
            default_capacity=2,
            mentors_accept=True,
            questions=[
                programmes.QuestionData("What would make this programme a success for you?")
            ],
        ),
    )
    question = upcoming.questions[0].id
    opening = [
        (demo_member, "mentee", MENTEE_PROFILES[2], "A developer job and a few local friends."),
        (
            users["priya@alongside.example"],
            "mentor",
            MENTOR_PROFILES[2],
            "Helping one person land.",
        ),
        (
            users["lars@alongside.example"],
            "mentor",
            MENTOR_PROFILES[6],
            "Passing on what I learnt.",
        ),
        (users["sofia@alongside.example"], "mentee", MENTEE_PROFILES[8], "A job in pharma."),
    ]
    for person, role, profile, answer in opening:
        data = _data(role, profile, rng, 2 if role == "mentor" else None)
        data.answers = {question: answer}
        applications.apply(person, upcoming, data)
    db.session.flush()
    context.summary.append(
        f"2 mentoring programmes ({len(mentors)} mentors, {len(mentees)} mentees, {pairs} pairs)"
    )


def _pair_and_log(programme: Programme, rng: random.Random, today: date) -> int:
    """The running programme's pairs, made by the real matching (`proposals.run_proposal`
    and `confirm`, as the coordinator would: each pair gets its direct conversation), then
    dated back to the programme's first week, and what the pairs recorded since: meetings,
    fit answers, goals and outcomes. Every pair counts as reminded to meet 5 days ago, so a
    fresh `make run` does not send a burst of reminders. Returns the number of pairs."""
    from community.mentoring import proposals
    from community.notifications.models import Notification

    coordinator = db.session.get(User, programme.coordinator_id)
    proposal = proposals.run_proposal(coordinator, programme.id, min_score=15)
    confirmed = proposals.confirm(coordinator, proposal.id)
    started = datetime.combine(programme.starts_on, datetime.min.time()).replace(
        tzinfo=utcnow().tzinfo
    ) + timedelta(days=7)
    by_user = {
        application.user_id: application
        for application in db.session.scalars(
            select(MentoringApplication).where(MentoringApplication.programme_id == programme.id)
        )
    }
    pairs: list[tuple[MentoringApplication, MentoringApplication, Pair]] = []
    for pair in confirmed:
        pair.created_at, pair.started_at = started - timedelta(days=3), started
        pair.reminded_at = utcnow() - timedelta(days=5)
        pairs.append((by_user[pair.mentor_id], by_user[pair.mentee_id], pair))
    db.session.flush()
    # The pairs' direct conversations (opened by `confirm`) date from then too, so the ones
    # with messages lead each member's chat list; one the demo chats already had keeps its
    # own dates.
    db.session.execute(
        update(Conversation)
        .where(
            Conversation.direct_key.in_(
                [Conversation.direct_key_of(*sorted((p.mentor_id, p.mentee_id))) for p in confirmed]
            ),
            Conversation.last_seq == 0,
        )
        .values(created_at=started, last_activity_at=started)
        .execution_options(synchronize_session=False)
    )
    # The "you are paired" notices belong to four months ago, not to today's front page.
    db.session.execute(
        delete(Notification).where(
            Notification.kind == "mentoring.paired",
            Notification.target_id.in_([pair.id for pair in confirmed]),
        )
    )

    rows: list = []
    topics = ["Your CV and LinkedIn", "Networking events this month", "Interview practice",
              "The Danish job market", "Getting qualifications recognised",
              "Salary negotiation"]  # fmt: skip
    goals = ["Rewrite my CV for Danish employers", "Go to two networking events",
             "Apply to five jobs in my field", "Do one informational interview a month",
             "Start Danish lessons"]  # fmt: skip
    for index, (mentor, mentee, pair) in enumerate(pairs):
        quiet = index % 7 == 6  # a few pairs logged nothing for six weeks and more
        meetings = rng.randint(1, 2) if quiet else rng.randint(2, 4)
        for number in range(meetings):
            rows.append(
                PairMeeting(
                    pair_id=pair.id,
                    held_on=programme.starts_on + timedelta(days=10 + 28 * number),
                    topics=rng.choice(topics),
                    next_steps="Send the updated CV before the next meeting.",
                    logged_by_id=rng.choice([mentor.user_id, mentee.user_id]),
                )
            )
        answer = FitAnswer.NO if index == 3 else (
            FitAnswer.DECIDING if index % 5 == 0 else FitAnswer.YES
        )  # fmt: skip
        for user_id in (mentor.user_id, mentee.user_id):
            rows.append(
                PairFitAnswer(
                    pair_id=pair.id,
                    user_id=user_id,
                    answer=answer if user_id == mentee.user_id else FitAnswer.YES,
                    note="" if answer != FitAnswer.NO else "Our fields are too far apart.",
                    answered_at=pair.started_at + timedelta(days=12),
                )
            )
        for position, text in enumerate(rng.sample(goals, 2)):
            rows.append(
                PairGoal(
                    pair_id=pair.id,
                    position=position,
                    text=text,
                    created_by_id=mentee.user_id,
                    created_at=pair.started_at + timedelta(days=11),
                )
            )
        if index % 3 == 0:  # a third of the mentees have recorded an outcome so far
            outcome = [Outcome.EMPLOYED_OWN_FIELD, Outcome.STILL_SEARCHING,
                       Outcome.INTERNSHIP, Outcome.PART_TIME, Outcome.STUDYING][index // 3 % 5]  # fmt: skip
            rows.append(
                MentoringOutcome(
                    programme_id=programme.id,
                    mentee_id=mentee.user_id,
                    pair_id=pair.id,
                    outcome=outcome,
                    recorded_at=pair.started_at + timedelta(days=60 + index),
                )
            )
    db.session.add_all(rows)
    db.session.flush()
    return len(pairs)
