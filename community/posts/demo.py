"""Demo posts: 180 posts of every kind written by demo members in their host cities, tagged
with the skills demo profiles carry (so offers and requests match real members), spread over
the last two months; comments and replies on many, "helpful" marks, and answers marked on
most questions that have a comment. All made through the post and comment services; the
notices they cause (matching requests, helpful, answers) are real too.

About a third of the posts go to one of their writer's groups (the groups demo runs first),
the private "Partners in transition" included, so every group page shows posts and the
private ones show only to that group's members. Which posts go where is drawn from a
generator of its own, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from community.auth.roles import Role
from community.comments import services as comments
from community.core.database import utcnow
from community.core.errors import ServiceError
from community.demo import SEED, DemoContext
from community.extensions import db
from community.groups.models import Group, GroupMembership, GroupVisibility, MembershipStatus
from community.posts import services as posts
from community.posts.models import Post
from community.profiles import reference as ref

POSTS = 180
IN_A_GROUP = 0.4  # the share of posts whose writer puts them in one of their groups

# kind -> (title, body, tags); "{city}" becomes the writer's host city.
IDEAS: dict[str, list[tuple[str, str, list[str]]]] = {
    "offer": [
        ("I can review your Danish or Dutch tax return", "I was a chartered accountant for 12 years. Happy to look over your return with you over coffee in {city}, no charge.", ["Tax", "Bookkeeping"]),
        ("Free CV review for career changers", "HR business partner here. Send me your CV and I will give you **three concrete changes** that recruiters notice.", ["Career coaching", "Recruiting"]),
        ("Python tutoring for beginners", "Evenings or weekends, online or in {city}. We start from zero and build something useful.", ["Python", "Data analysis"]),
        ("Portfolio feedback for designers", "Ten years in UX: I can give honest feedback on your portfolio before you apply locally.", ["User research", "Figma"]),
        ("English conversation practice for your children", "Primary teacher, now tutoring. Small groups in {city} on Saturday mornings.", ["English teaching", "Tutoring"]),
        ("Help with grant applications", "I have written grants for NGOs for a decade. I can read your draft and suggest a structure.", ["Grant writing", "Fundraising"]),
        ("GDPR questions for your small business", "Corporate lawyer between jobs: I can explain what applies to a one-person business.", ["GDPR", "Compliance"]),
    ],
    "request": [
        ("Looking for someone who knows local tax rules for freelancers", "I start freelancing next month in {city}. Who can explain VAT registration and what to keep?", ["Tax", "Small business"]),
        ("Need a second pair of eyes on my CV", "Applying for project manager roles in {city}; my CV is still written the way my old country expects.", ["Career coaching", "Project management"]),
        ("Anyone doing data analysis who could mentor me?", "Moving from lab science to data. I would love a monthly chat with someone a few steps ahead.", ["Data analysis", "R"]),
        ("Looking for a photographer for a small business launch", "A food stall at the weekend market in {city}; I can pay a fair local rate.", ["Photography", "Small business"]),
        ("Who can help me with SEO for my Etsy shop?", "Illustrations sell slowly; I think nobody finds them. Happy to swap for a drawing!", ["SEO", "Social media"]),
        ("Help with a contract from my first local client", "It is in the local language and ten pages long. Is anyone comfortable with contract law?", ["Contract law", "Negotiation"]),
        ("Physiotherapist recognition: who went through it?", "I need to know which documents to translate and how long it took you.", ["Physiotherapy", "Health coaching"]),
    ],
    "question": [
        ("How long did your work permit as a partner take?", "We applied six weeks ago in {city}. Is it normal to hear nothing yet?", ["Work permit"]),
        ("Which school registration deadlines matter in {city}?", "Our children are 6 and 9. We arrive in August: are we already too late?", ["Parenting", "Schools"]),
        ("Do I need a local bank account to invoice?", "Starting as a freelancer; my home bank still works. Does anyone invoice from abroad?", ["Small business", "Bookkeeping"]),
        ("Where do you practise the language outside class?", "Lessons are fine but I never speak. Cafés, clubs, anything in {city}?", ["Languages"]),
        ("Is my foreign degree recognised here?", "Engineering degree from outside the EU. Where did you start the recognition?", ["Recognition"]),
    ],
    "resource": [
        ("A plain-language guide to partner work permits", "I wrote down every step we took, with the forms and the offices: [our notes](https://example.org/permit-notes).", ["Work permit"]),
        ("Spreadsheet: freelancer budget with local taxes", "A simple sheet I built for myself; copy it and change the rates: [budget sheet](https://example.org/budget).", ["Tax", "Excel"]),
        ("Free online courses for the local language", "The three I tried, from best to worst, with what they cost after the free part.", ["Languages"]),
        ("Checklist for your first month in {city}", "Registration, health insurance, a bank, a library card, a bike. In that order, and why.", ["Relocation"]),
        ("Job boards that list English-speaking roles", "Five boards that actually work for us, and the two that did not.", ["Recruiting", "Career coaching"]),
    ],
    "story": [
        ("How I found my first client in six months", "Not through job boards: through a cooking class in {city}. Say yes to every invitation.", ["Small business"]),
        ("From lawyer to legal-tech volunteer", "My degree was not recognised, but an NGO needed exactly what I knew. Here is how it went.", ["Volunteering", "Contract law"]),
        ("What worked for our children's first school year", "Three things we would do again and one we would not.", ["Parenting", "Schools"]),
        ("I passed the language exam at 45", "Two years, a tandem partner and a lot of podcasts. It can be done.", ["Languages"]),
        ("Our first winter in {city}", "Light therapy lamp, a sauna membership and a running club. I survived and even liked it.", ["Running", "Wellbeing"]),
    ],
}  # fmt: skip

# The answers to the questions' ideas, in their order.
ANSWERS = [
    "Ours took nine weeks; they only write once it is decided. Call the office after eight weeks.",
    "Ask at the municipality's newcomer desk: they have a one-page list with every deadline.",
    "Yes, you can, but register for VAT here first; your accountant at home cannot do that part.",
    "The library runs free language cafés twice a week, and the volunteers are lovely.",
    "Start with the national recognition office: their online check takes ten minutes.",
]
COMMENTS = [
    "This is really useful, thank you for sharing.",
    "I had the same question last year: the municipality office can tell you in one visit.",
    "Happy to help, I'll send you a message.",
    "Could you say a bit more about the timing?",
    "We did exactly this and it worked. **Do it!**",
    "Is this still open? I'd be interested.",
    "The library has free sessions on this every Tuesday.",
]


def _active_groups() -> dict[int, list[tuple[int, bool]]]:
    """The groups each member is an active member of, as (group id, private) by member id,
    in one query."""
    groups: dict[int, list[tuple[int, bool]]] = {}
    for user_id, group_id, visibility in db.session.execute(
        select(GroupMembership.user_id, GroupMembership.group_id, Group.visibility)
        .join(Group, Group.id == GroupMembership.group_id)
        .where(GroupMembership.status == MembershipStatus.ACTIVE)
        .order_by(GroupMembership.user_id, GroupMembership.group_id)
    ):
        groups.setdefault(user_id, []).append((group_id, visibility == GroupVisibility.PRIVATE))
    return groups


def _pick_group(placement: random.Random, groups: list[tuple[int, bool]]) -> int | None:
    """Where a writer's post goes: most of a private group's members' posts to it (a
    private circle is where they talk, and its page should show it), about IN_A_GROUP of
    the others to one of the writer's groups, the rest to no group."""
    private = [group_id for group_id, is_private in groups if is_private]
    if private and placement.random() < 0.6:
        return placement.choice(private)
    if not groups or placement.random() >= IN_A_GROUP:
        return None
    return placement.choice([group_id for group_id, _private in groups])


def seed(context: DemoContext) -> None:
    """Create POSTS posts through the post services, with comments, helpful marks and
    answers, backdated over the last two months so the feed reads like a living one."""
    rng, users = context.rng, context.users
    writers = [user for user in users if not user.has_role(Role.ADMIN)]
    kinds = list(IDEAS)
    now = utcnow()
    made: list[Post] = []
    question_of: dict[int, str] = {}  # post id -> the idea's title (the answers follow them)
    groups_of = _active_groups()
    placement = random.Random(SEED + 15)  # noqa: S311 (reproducible, not security)
    for index in range(POSTS):
        kind = kinds[index % len(kinds)]
        title, body, tags = IDEAS[kind][(index // len(kinds)) % len(IDEAS[kind])]
        author = rng.choice(writers)
        city = context.cities[author.id]
        city_name = ref.CITY_BY_SLUG[city].name
        post = posts.create_post(
            author,
            posts.PostData(
                kind=kind,
                title=title.format(city=city_name),
                body=body.format(city=city_name),
                tags=tags,
                city=city,
                group_id=_pick_group(placement, groups_of.get(author.id, [])),
            ),
        )
        post.created_at = now - timedelta(minutes=(POSTS - index) * 331)
        made.append(post)
        question_of[post.id] = title
    db.session.flush()
    private = {gid for groups in groups_of.values() for gid, is_private in groups if is_private}
    for post in made:
        # Who comments and finds it helpful: anyone, or in a private group its members.
        others = [
            user
            for user in writers
            if user.id != post.author_id
            and (
                post.group_id not in private or (post.group_id, True) in groups_of.get(user.id, [])
            )
        ]
        replied = []
        for step in range(rng.choice([0, 1, 1, 2, 3])):
            writer = rng.choice(others)
            text = rng.choice(COMMENTS)
            if post.kind == "question" and step == 0:  # a real answer to this question
                text = ANSWERS[[idea[0] for idea in IDEAS["question"]].index(question_of[post.id])]
            try:
                top = comments.add_comment(writer, "post", post.id, text)
                top.created_at = post.created_at + timedelta(minutes=40 + 90 * step)
                replied.append(top)
                if rng.random() < 0.3:
                    thanks = comments.add_comment(
                        post.author, "post", post.id, "Thank you, that helps!", top.id
                    )
                    thanks.created_at = top.created_at + timedelta(minutes=25)
            except ServiceError:  # a demo block between them
                continue
        for member in rng.sample(others, k=rng.randint(0, min(6, len(others)))):
            try:
                posts.mark_helpful(member, posts.get_visible_post(member, post.id))
            except ServiceError:
                continue
        if post.kind == "question" and replied and rng.random() < 0.7:
            posts.mark_answer(post.author, post, replied[0].id)
    db.session.flush()
    total = db.session.scalar(select(func.count()).select_from(Post))
    context.summary.append(f"{total} posts")
