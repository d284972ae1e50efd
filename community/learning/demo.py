"""Demo learning: 34 items across kinds, formats, languages and the demo cities (Danish and
Dutch language classes, CV workshops, freelancing guides, online courses from well-known
providers), and a plan for the demo member with items in each state, a learning event and
a Monday reminder.

Prices are not facts we vouch for: paid items say "from" an amount and that they are
indicative, and link to the provider's own pages where the real price is.
"""

from __future__ import annotations

from sqlalchemy import select

from community.auth.models import User
from community.demo import DemoContext
from community.events.models import Event, EventCategory
from community.extensions import db
from community.learning import services
from community.learning.models import PlanStatus

ORGANISER = "organiser@alongside.example"
MEMBER = "member@alongside.example"
CHECK = "Prices change: check the provider's page before you sign up."

# (kind, title, provider, format, city, cost (amount, currency) or None, funding,
#  language, skills, link, description)
ITEMS = [
    ("language_class", "Danish 1 for newcomers (module 1)", "Copenhagen Language Center", "in_person", "copenhagen", None, "Free for newcomers registered in Denmark (a deposit may apply)", "da", ["Danish"], "https://www.kk.dk/", "The first module of the Danish education for adult foreigners: everyday Danish, evenings or daytime."),
    ("language_class", "Danish conversation café", "Copenhagen Central Library", "in_person", "copenhagen", None, "", "da", ["Danish", "Conversation"], "https://bibliotek.kk.dk/", "Practise speaking with volunteers over coffee. All levels; no sign-up."),
    ("language_class", "Danish for professionals (intensive)", "Studieskolen", "in_person", "copenhagen", (3000, "DKK"), "Often covered by an employer's partner budget", "da", ["Danish", "Business Danish"], "https://www.studieskolen.dk/", "An intensive course for people working in Danish workplaces."),
    ("language_class", "Online Danish: pronunciation first", "Speak Danish online", "online", None, (90, "EUR"), "", "da", ["Danish", "Pronunciation"], "https://example.org/danish-pronunciation", "Eight short live lessons on the sounds that make Danish hard, with homework."),
    ("language_class", "Dutch A1 evening class", "Amsterdam Language School", "in_person", "amsterdam", (350, "EUR"), "Often covered by an employer's partner budget", "nl", ["Dutch"], "https://example.org/dutch-a1", "Twelve evenings for complete beginners: greetings, shopping, the doctor, the school gate."),
    ("language_class", "Dutch language café", "OBA Amsterdam Public Library", "in_person", "amsterdam", None, "", "nl", ["Dutch", "Conversation"], "https://www.oba.nl/", "Taalcafé: talk Dutch with volunteers every week, any level."),
    ("language_class", "Dutch for work (B1)", "Volksuniversiteit Amsterdam", "in_person", "amsterdam", (400, "EUR"), "Sometimes paid by the municipality for job seekers", "nl", ["Dutch", "Business Dutch"], "https://www.volksuniversiteitamsterdam.nl/", "Meetings, e-mails and small talk at work, for those who passed A2."),
    ("language_class", "Self-paced Dutch with Duolingo", "Duolingo", "self_paced", None, None, "", "en", ["Dutch"], "https://www.duolingo.com/", "The free app: ten minutes a day keeps the streak and the vocabulary going."),
    ("language_class", "German for Zurich: Swiss German basics", "Migros Klubschule", "in_person", "zurich", (300, "CHF"), "", "de", ["Swiss German", "German"], "https://www.klubschule.ch/", "Understand the dialect you hear at the bakery, the playground and the office."),
    ("language_class", "Mandarin for beginners", "Singapore community centre", "in_person", "singapore", (150, "SGD"), "", "en", ["Mandarin"], "https://example.org/mandarin", "Twelve weeks of spoken Mandarin for daily life."),
    ("workshop", "CV clinic: make your experience travel", "Alongside volunteers", "in_person", "copenhagen", None, "", "en", ["CV writing", "Career coaching"], "https://example.org/cv-clinic", "Recruiters read your CV with you and show what local employers look for."),
    ("workshop", "The Dutch CV and motivation letter", "Expat Center Amsterdam", "in_person", "amsterdam", None, "", "en", ["CV writing", "Job search"], "https://example.org/dutch-cv", "What a Dutch employer expects to see, and what to leave out."),
    ("workshop", "LinkedIn for a career abroad", "Alongside volunteers", "online", None, None, "", "en", ["LinkedIn", "Personal branding"], "https://example.org/linkedin", "Rewrite your headline and summary for the country you live in now."),
    ("workshop", "Interview practice in Danish and English", "Work in Denmark", "in_person", "copenhagen", None, "Free through the public job service", "en", ["Interviewing", "Danish"], "https://www.workindenmark.dk/", "Mock interviews with feedback from career advisers."),
    ("workshop", "Networking without small-talk dread", "Expat Spouses Initiative", "in_person", "amsterdam", None, "", "en", ["Networking"], "https://example.org/networking", "A friendly evening on introductions, follow-ups and finding your people."),
    ("workshop", "Freelancing in Switzerland: the first steps", "Zurich Expat Hub", "in_person", "zurich", (60, "CHF"), "", "en", ["Freelancing", "Tax"], "https://example.org/freelance-ch", "Registration, AHV, invoices and the questions to ask your accountant."),
    ("workshop", "Pitch your skills in 60 seconds", "Alongside volunteers", "online", None, None, "", "en", ["Public speaking", "Personal branding"], "https://example.org/pitch", "Write, practise and record a short pitch for networking events."),
    ("guide", "Freelancing as an accompanying partner: a practical guide", "Alongside community", "self_paced", None, None, "", "en", ["Freelancing", "Small business"], "https://example.org/freelance-guide", "Permits, invoicing across borders, finding first clients, and pricing."),
    ("guide", "Starting a sole proprietorship (ZZP) in the Netherlands", "Netherlands Chamber of Commerce (KVK)", "self_paced", None, None, "", "en", ["Freelancing", "Dutch tax"], "https://www.kvk.nl/", "The official step-by-step guide to registering as a freelancer."),
    ("guide", "Working in Denmark as a partner: your rights", "Work in Denmark", "self_paced", None, None, "", "en", ["Job search", "Work permit"], "https://www.workindenmark.dk/", "Who may work, what to register and where to get help, from the public service."),
    ("guide", "Remote work across borders: tax and social security", "Alongside community", "self_paced", None, None, "", "en", ["Remote work", "Tax"], "https://example.org/remote-tax", "When working for an employer at home becomes a tax question here, in plain words."),
    ("guide", "Volunteering that builds your CV", "Alongside community", "self_paced", None, None, "", "en", ["Volunteering", "CV writing"], "https://example.org/volunteering", "How to choose a role, ask for a reference, and write it up."),
    ("course", "Google Data Analytics Certificate", "Coursera (Google)", "online", None, (39, "USD"), "Coursera's financial aid may cover it; often covered by a partner budget", "en", ["Data analysis", "SQL", "Spreadsheets"], "https://www.coursera.org/", "A beginner's path to a data analyst job: spreadsheets, SQL, R and dashboards. Priced per month."),
    ("course", "Python for Everybody", "Coursera (University of Michigan)", "online", None, None, "Free to audit; the certificate costs extra", "en", ["Python", "Programming"], "https://www.coursera.org/", "Programming from zero with Python, at your own speed."),
    ("course", "CS50: Introduction to Computer Science", "edX (Harvard)", "self_paced", None, None, "Free; a verified certificate costs extra", "en", ["Programming", "Python", "SQL"], "https://www.edx.org/", "The famous introduction to programming and computer science."),
    ("course", "Google UX Design Certificate", "Coursera (Google)", "online", None, (39, "USD"), "Often covered by an employer's partner budget", "en", ["User research", "Figma", "UX design"], "https://www.coursera.org/", "Design process, research, wireframes and prototypes in Figma. Priced per month."),
    ("course", "Digital marketing fundamentals", "Google Skillshop", "self_paced", None, None, "", "en", ["Digital marketing", "SEO", "Social media"], "https://skillshop.withgoogle.com/", "Free modules on search, social and analytics."),
    ("course", "Project management: PRINCE2 Foundation", "Training provider (various)", "online", None, (900, "EUR"), "Often covered by an employer's partner budget", "en", ["Project management"], "https://example.org/prince2", "Prepare for the foundation exam; prices vary a lot between providers."),
    ("course", "Bookkeeping for your own small business", "Alongside community", "online", None, None, "", "en", ["Bookkeeping", "Small business", "Excel"], "https://example.org/bookkeeping", "Four evenings: invoices, receipts, VAT and a simple yearly overview."),
    ("course", "Grant writing for non-profits", "Coursera", "online", None, None, "Free to audit", "en", ["Grant writing", "Fundraising"], "https://www.coursera.org/", "Find funders, write the case and the budget, and report back."),
    ("course", "Teaching English online (TEFL, 120 hours)", "TEFL provider (various)", "self_paced", None, (250, "EUR"), "", "en", ["English teaching", "Tutoring"], "https://example.org/tefl", "A recognised certificate for teaching English online or locally."),
    ("course", "Translation and localisation basics", "Alongside community", "online", None, None, "", "en", ["Translation", "Copywriting"], "https://example.org/translation", "How translation gigs work, tools, rates and quality checks."),
    ("course", "Accessibility for web content (WCAG)", "W3C Web Accessibility Initiative", "self_paced", None, None, "", "en", ["Accessibility"], "https://www.w3.org/WAI/", "The free introduction from the people who write the standard."),
    ("workshop", "Sustainable business in Copenhagen (in Danish)", "Københavns Erhvervshus", "in_person", "copenhagen", None, "", "da", ["Sustainability", "Small business"], "https://example.org/erhvervshus", "For entrepreneurs who speak some Danish: help from the business house."),
]  # fmt: skip


def seed(context: DemoContext) -> None:
    """Add the items as the demo organiser, then the demo member's plan: two doing (with
    weekly hours), three to do, two done (one with its skills on the profile) and a
    learning event, with a Monday reminder."""
    organiser = db.session.scalar(select(User).where(User.email == ORGANISER))
    member = db.session.scalar(select(User).where(User.email == MEMBER))
    if organiser is None or member is None:
        return
    items = []
    for row in ITEMS:
        kind, title, provider, fmt, city, cost, funding, lang, skills, link, text = row
        amount, currency = cost if cost else (None, None)
        if currency not in services.CURRENCIES:
            currency, amount = ("EUR", amount) if amount is not None else (None, None)
        items.append(
            services.create_item(
                organiser,
                services.ItemData(
                    kind=kind,
                    title=title,
                    description=text + ("\n\n*" + CHECK + "*" if amount else ""),
                    provider=provider,
                    format=fmt,
                    city=city or "",
                    free=amount is None,
                    cost_amount=amount,
                    currency=currency,
                    cost_from=amount is not None,
                    funding=funding,
                    language=lang,
                    skills=skills,
                    link=link,
                ),
            )
        )
    by_title = {item.title: item for item in items}
    plan = [
        ("Danish 1 for newcomers (module 1)", PlanStatus.DOING, 4),
        ("Google Data Analytics Certificate", PlanStatus.DOING, 3),
        ("Freelancing as an accompanying partner: a practical guide", PlanStatus.WANT, None),
        ("Interview practice in Danish and English", PlanStatus.WANT, None),
        ("Accessibility for web content (WCAG)", PlanStatus.WANT, None),
        ("LinkedIn for a career abroad", PlanStatus.WANT, None),
        ("CV clinic: make your experience travel", PlanStatus.WANT, None),
    ]
    for title, status, hours in plan:
        services.add_to_plan(
            member, item_id=by_title[title].id, status=status, weekly_goal_hours=hours
        )
    entries = {e.item_id: e for e in _entries(member)}
    services.mark_done(
        member,
        entries[by_title["LinkedIn for a career abroad"].id],
        skills=["LinkedIn"],
        evidence_link="https://example.org/certificates/linkedin-workshop",
        add_to_profile=True,
    )
    services.mark_done(
        member,
        entries[by_title["CV clinic: make your experience travel"].id],
        skills=["CV writing"],
    )
    event = db.session.scalar(
        select(Event)
        .where(Event.category == EventCategory.LEARNING, Event.group_id.is_(None))
        .order_by(Event.starts_at.desc(), Event.id)
        .limit(1)
    )
    if event is not None:
        services.add_to_plan(member, event_id=event.id)
    services.set_reminder(member, 0)
    context.summary.append(f"{len(items)} learning items")


def _entries(member: User):
    from community.learning.models import LearningPlanEntry

    return db.session.scalars(
        select(LearningPlanEntry).where(LearningPlanEntry.user_id == member.id)
    )
