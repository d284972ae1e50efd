"""Demo chats: the demo member's direct conversations (some read, some waiting), a group
conversation, and talk in a group's room and an event's room; a few conversations between
other members too. Replies, reactions, an edited and a deleted message.

Every message goes through the chat service, so seqs, read positions and the rooms'
members are what the app itself would make; afterwards the messages are spread over the
last days (the service stamps them "now"), as the posts demo does. Runs after the events
and groups demos (their rooms exist by then). Deterministic: fixed scripts, the shared
random generator for the extra conversations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, true, update

from community.auth.models import User
from community.chat import services as chat
from community.chat.models import Conversation, ConversationKind, ConversationMember, Message
from community.core.database import utcnow
from community.core.errors import ServiceError
from community.demo import DemoContext
from community.events.models import Event, EventStatus
from community.extensions import db
from community.groups.models import Group
from community.profiles.reference import CITY_BY_SLUG

MEMBER = "member@alongside.example"


@dataclass
class Line:
    """One message of a script: who says it (an index into the speakers) and what; `reply`
    quotes an earlier line by its index, `react` is (speaker index, emoji)."""

    who: int
    text: str
    reply: int | None = None
    react: tuple[int, str] | None = None


# Lines may name the demo member's host city as {city}.

# The demo member (0) with Priya (1), met in the Parents group: all read.
PRIYA = [
    Line(1, "Hi Mia! Priya from the Parents group. You asked about schools on Thursday?"),
    Line(0, "Yes! Thank you for writing. We move to {city} with two kids, 6 and 9, in August."),
    Line(
        1,
        "We went through it twice now. The international schools have waiting lists, but local schools take children all year.",
    ),
    Line(0, "Good to hear. Did yours start in a welcome class?"),
    Line(
        1,
        "Our son did, for four months. He now chats with the neighbours' kids in their language 😄",
        react=(0, "❤️"),
    ),
    Line(0, "That is exactly what I hope for."),
    Line(
        1,
        "Register with the city first: they assign the school. Bring the birth certificates, translated.",
    ),
    Line(0, "Do we need the residence permit before that?"),
    Line(1, "Usually yes. Ours took five weeks. You can still visit schools before."),
    Line(0, "How did you choose?"),
    Line(
        1,
        "We visited three near home and asked about their language support. I will send you my question list tonight.",
    ),
    Line(
        1,
        "Here it is: class size, extra language lessons, after-school care, and how they welcome new families mid-year.",
    ),
    Line(0, "Thank you so much! Saving this.", reply=11),
    Line(
        1, "And ask the {city} circle about a coffee morning, the parents there know every school."
    ),
    Line(0, "I will! There is one on Saturday, I think."),
    Line(1, "Then go, and look for the table with the most strollers 🧡"),
    Line(0, "Ha, perfect.", react=(1, "👍")),
    Line(1, "Good luck!"),
    Line(0, "The coffee morning was lovely, the kids already talk about the playground."),
    Line(1, "So happy to hear it. Let me know how the school visits go."),
]

# The demo member with Lars: the last three from Lars wait unread.
LARS = [
    Line(1, "Hi Mia, Lars here. I saw on your profile that you are looking for design work?"),
    Line(0, "Hi Lars! Yes, I did branding for ten years at home."),
    Line(
        1,
        "A friend runs a bakery chain that is opening a shop in {city}. They need a refreshed logo and menus.",
    ),
    Line(0, "That sounds like fun. In the local language and English?"),
    Line(1, "Both. They also asked whether you can invoice as a freelancer."),
    Line(0, "Not yet, I was about to register. Is it quick?"),
    Line(
        1,
        "It took me one evening. The Freelancing in Denmark group has a checklist that mostly works elsewhere too.",
    ),
    Line(0, "Great, I will read it today."),
    Line(1, "Shall I give them your email?"),
    Line(0, "Yes please, and my portfolio link is on my profile."),
    Line(1, "Done. They were impressed by the café project in your portfolio."),
    Line(1, "They would like a video call next Tuesday morning, is that possible?"),
    Line(1, "They will be in {city} the week after and would love to meet in person too 🥐"),
]
LARS_READ = 10  # Mia has read the first ten messages

# The demo member with Sofía: an edit, a delete, a reply, reactions; read.
SOFIA = [
    Line(1, "Mia, do you know a good online course for the language? Mine goes too fast."),
    Line(0, "I take an evening class in {city} on Tuesdays and Thursdays; the teacher is patient."),
    Line(1, "Is it expensive?"),
    Line(0, "The city pays half for newcomers in their first year. Ask at the welcome office."),
    Line(1, "Oh, I did not know that at all!"),
    Line(0, "It is in the Language exchange group's pinned links too."),
    Line(1, "Thank you! Maybe we can practise together on a call after class?", react=(0, "🎉")),
    Line(0, "Yes! Let us call on Friday."),  # edited below
    Line(1, "Which time?"),  # deleted below
    Line(1, "Sorry, you said after class: 19:00 your time, right?"),
    Line(0, "Exactly, 19:00.", reply=9),
    Line(1, "See you then! (I practised that one)", react=(0, "😂")),
]
SOFIA_EDITED = 7
SOFIA_EDIT = "Yes! Let us call on Friday, after my class."
SOFIA_DELETED = 8

# The demo member with the demo organiser: two unread.
OLU = [
    Line(1, "Hi Mia, welcome to Alongside! I organise walks, coffee mornings and online evenings."),
    Line(0, "Thank you, Olu! I am looking forward to meeting people."),
    Line(1, "The {city} circle has a Sunday walk: slow pace, lots of talking."),
    Line(0, "Can I bring the kids?"),
    Line(1, "Of course, several families come. Strollers are fine too."),
    Line(0, "Lovely, we will try this Sunday."),
    Line(1, "Wonderful. Wear good shoes, it can be muddy by the water."),
    Line(0, "We loved the walk! The kids want to come every week now."),
    Line(1, "So glad. Next time I will introduce you to Priya, she has children the same age."),
    Line(0, "Oh, we already write to each other, she helped me with the schools."),
    Line(1, "Of course she did 😄 That is what this community is for."),
    Line(1, "And if you would like to help at an event one day, tell me, we always need hands."),
]
OLU_READ = 10

# A group conversation of the demo member and neighbours in her city; the first neighbour
# (1) owns it.
SCHOOL_RUN = [
    Line(1, "Hi everyone! I started this group for the school run and play dates."),
    Line(0, "Great idea. We live near the park, school starts at 8:00."),
    Line(2, "We are two streets away. I can walk with the kids on Mondays and Wednesdays."),
    Line(3, "I can do Fridays, my husband Tuesdays."),
    Line(0, "Then I take Thursdays. Shall we meet at the corner by the bakery?"),
    Line(1, "Perfect 👍", react=(0, "👍")),
    Line(2, "Reminder: Thursday is the autumn party, bring a cake 🎂"),
    Line(3, "Does anyone know if it starts at 16:00 or 16:30?", reply=6),
    Line(0, "16:30 says the school app."),
    Line(1, "Thanks! See you all there."),
]

GROUP_ROOM = [
    "Hello everyone! Does anyone know a paediatrician who speaks English?",
    "We go to Dr Holm in Frederiksberg, very kind and speaks English and Spanish.",
    "Thanks! Do they take new patients?",
    "They did in the spring. Call in the morning, the line is open 8 to 9.",
    "Also: the library has a free baby song session on Wednesdays.",
    "Ooh, we will come this week!",
    "Is anyone going to the autumn market on Saturday? Our kids would love company.",
    "We are! Meet at the carousel at 11?",
]

EVENT_ROOM = [
    "Hi all, looking forward to seeing you! Any questions before we start?",
    "Should we bring or prepare anything?",
    "Just yourselves and a good mood.",
    "Is it still on? I saw a message about a change.",
    "Yes, still on, same time as planned.",
    "Great, see you there 😊",
]

OTHERS = [
    "Hi! We met at the coffee morning. Still up for that walk?",
    "Yes! Saturday works for me.",
    "Great, by the lakes at 10?",
    "See you there.",
    "It was so nice, let us do it again next week.",
]


def _script(
    speakers: list[User], conversation: Conversation, lines: list[Line], tag: str, city: str = ""
) -> list[Message]:
    """Send `lines` through the service; returns the messages in order."""
    sent: list[Message] = []
    for index, line in enumerate(lines):
        reply_to = sent[line.reply].id if line.reply is not None else None
        message = chat.send_message(
            speakers[line.who],
            conversation.id,
            line.text.replace("{city}", city),
            f"demo-{tag}-{index}",
            reply_to,
        ).message
        sent.append(message)
        if line.react:
            who, emoji = line.react
            chat.react(speakers[who], conversation.id, message.id, emoji)
    return sent


def _spread(conversation: Conversation, messages: list[Message], days: float) -> None:
    """Date the messages over the `days` before now, oldest first, in their order."""
    now = utcnow()
    start = now - timedelta(days=days)
    step = (now - start) / (len(messages) + 1)
    for index, message in enumerate(messages):
        message.created_at = start + step * (index + 1)
        if message.edited_at is not None:
            message.edited_at = message.created_at + timedelta(minutes=4)
        if message.deleted_at is not None:
            message.deleted_at = message.created_at + timedelta(minutes=2)
    if messages:
        conversation.last_activity_at = messages[-1].created_at


def _read_all(users: list[User], conversation: Conversation) -> None:
    for user in users:
        chat.mark_read(user, conversation.id, conversation.last_seq)


def _direct(a: User, b: User) -> Conversation | None:
    try:
        return chat.start_direct(a, b.id)
    except ServiceError:  # a block between them: no conversation
        return None


def seed(context: DemoContext) -> None:
    """Create the demo chats through the chat service."""
    by_email = {user.email: user for user in context.users}
    mia = by_email[MEMBER]
    priya, lars, sofia = (by_email[f"{n}@alongside.example"] for n in ("priya", "lars", "sofia"))
    olu = by_email["organiser@alongside.example"]
    city = CITY_BY_SLUG[context.cities[mia.id]].name
    made = 0

    # Direct conversations of the demo member, oldest activity first.
    for other, lines, days, read, tag in (
        (olu, OLU, 9, OLU_READ, "olu"),
        (sofia, SOFIA, 6, None, "sofia"),
        (priya, PRIYA, 4, None, "priya"),
        (lars, LARS, 2, LARS_READ, "lars"),
    ):
        conversation = _direct(mia, other)
        if conversation is None:
            continue
        messages = _script([mia, other], conversation, lines, tag, city)
        if tag == "sofia":
            chat.edit_message(
                mia,
                conversation.id,
                messages[SOFIA_EDITED].id,
                SOFIA_EDIT,
            )
            chat.delete_message(sofia, conversation.id, messages[SOFIA_DELETED].id)
        _spread(conversation, messages, days)
        if read is None:
            _read_all([mia, other], conversation)
        else:
            chat.mark_read(mia, conversation.id, messages[read - 1].position)
            chat.mark_read(other, conversation.id, conversation.last_seq)
        made += 1

    # A group conversation with neighbours in the demo member's city: the school run.
    neighbours = [
        user
        for user in context.users
        if user not in (mia, priya, lars, sofia, olu)
        and context.cities[user.id] == context.cities[mia.id]
    ][:3]
    if len(neighbours) == 3:
        owner = neighbours[0]
        group = chat.create_group_conversation(
            owner, "School run and play dates", [mia.id] + [u.id for u in neighbours[1:]]
        )
        db.session.flush()
        messages = _script([mia, *neighbours], group, SCHOOL_RUN, "school", city)
        _spread(group, messages, 3)
        _read_all(neighbours[:2], group)
        chat.mark_read(mia, group.id, messages[6].position)
        made += 1

    # A group's room: the Parents group, which the demo member is in.
    parents = db.session.scalar(select(Group).where(Group.name == "Parents"))
    room = chat.room_of("group_id", parents.id) if parents else None
    if room is not None:
        made += _room_talk(context, room, GROUP_ROOM, "parents", days=5, first=mia)

    # An event's room: the demo organiser's coming event with the most people going.
    event_room = _busiest_event_room(olu, mia)
    if event_room is not None:
        made += _room_talk(context, event_room, EVENT_ROOM, "event", days=1.5, first=olu)

    # A few conversations between other members, so the community talks beyond the demo.
    others = [u for u in context.users if u not in (mia, priya, lars, sofia, olu)]
    for n in range(4):
        a, b = context.rng.sample(others, k=2)
        conversation = _direct(a, b)
        if conversation is None or conversation.last_seq:
            continue
        lines = [Line(i % 2, text) for i, text in enumerate(OTHERS[: 3 + n % 3])]
        messages = _script([a, b], conversation, lines, f"others-{n}")
        _spread(conversation, messages, 2 + n)
        _read_all([a, b], conversation)
        made += 1

    _date_quiet_rooms()
    count = db.session.scalar(select(func.count()).select_from(Message))
    context.summary.append(f"{made} conversations with {count} messages")


def _room_talk(
    context: DemoContext, room: Conversation, lines: list[str], tag: str, *, days: float, first
) -> int:
    """`lines` said in turn by `first` and three other members of the room; those who
    talked have read all but the last two lines, everyone else has them all unread."""
    ids = chat.member_ids(room.id)
    if len(ids) < 2 or first.id not in ids:
        return 0
    members = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)).all()
    rest = [user for user in members if user.id != first.id]
    talkers = [first, *context.rng.sample(rest, k=min(3, len(rest)))]
    script = [Line(i % len(talkers), text) for i, text in enumerate(lines)]
    messages = _script(talkers, room, script, tag)
    _spread(room, messages, days)
    for user in talkers:
        chat.mark_read(user, room.id, messages[-3].position)
    return 1


def _busiest_event_room(organiser: User, member: User) -> Conversation | None:
    """The room of the organiser's coming events with the most members, among those
    `member` goes to when there are any."""
    for_member = select(ConversationMember.conversation_id).where(
        ConversationMember.user_id == member.id
    )
    return _busiest(organiser, Conversation.id.in_(for_member)) or _busiest(organiser, true())


def _busiest(organiser: User, condition) -> Conversation | None:
    size = func.count(ConversationMember.id)
    row = db.session.execute(
        select(Conversation, size)
        .join(Event, Event.id == Conversation.event_id)
        .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
        .where(
            Conversation.kind == ConversationKind.EVENT_ROOM,
            Event.organiser_id == organiser.id,
            Event.status == EventStatus.SCHEDULED,
            Event.starts_at > utcnow(),
            condition,
        )
        .group_by(Conversation.id)
        .order_by(size.desc(), Conversation.id)
        .limit(1)
    ).first()
    return row[0] if row else None


def _date_quiet_rooms() -> None:
    """Rooms nobody has written in yet were opened with their groups and events during
    seeding; date them a month back, so the /chat lists start with conversations that
    have talk in them."""
    month_ago = utcnow() - timedelta(days=30)
    db.session.execute(
        update(Conversation)
        .where(Conversation.last_seq == 0)
        .values(created_at=month_ago, last_activity_at=month_ago)
    )
