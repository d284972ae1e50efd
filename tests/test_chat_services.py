"""Chat rules in the service (#16), on SQLite and PostgreSQL: who is in which conversation,
seq order, idempotent sends, edits and deletes at a new seq, catch-up, read state, blocks,
and the rooms that follow groups and events."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from community.auth.models import User
from community.auth.roles import Role
from community.chat import services as chat
from community.chat.models import Conversation, ConversationKind, Message
from community.connections import services as connections
from community.core.errors import Conflict, Forbidden, Invalid, NotFound
from community.events.models import Event
from community.events.services import cancel_rsvp, create_event, rsvp
from community.extensions import db
from community.groups import services as groups
from community.groups.models import Group
from tests.factories import event_data

BACKENDS = ("sqlite", "postgresql")


def user(ref) -> User:
    return db.session.get(User, ref.id)


@pytest.fixture
def pair(ctx, make_user):
    return make_user(display_name="Ana"), make_user(display_name="Ben")


def direct(a, b) -> int:
    conversation = chat.start_direct(user(a), b.id)
    db.session.commit()
    return conversation.id


def send(ref, conversation_id, body, client_id=None):
    sent = chat.send_message(user(ref), conversation_id, body, client_id or f"c-{body[:20]}")
    db.session.commit()
    return sent


def test_two_people_have_one_direct_conversation(pair):
    ana, ben = pair
    first = direct(ana, ben)
    assert direct(ben, ana) == first
    assert db.session.query(Conversation).filter_by(kind=ConversationKind.DIRECT).count() == 1
    assert chat.member_ids(first) == sorted([ana.id, ben.id])


def test_messages_take_the_next_seq_and_a_retry_stores_nothing(pair):
    ana, ben = pair
    cid = direct(ana, ben)
    one = send(ana, cid, "Hello", "a-1").message
    two = send(ben, cid, "Hi Ana", "b-1").message
    assert (one.seq, two.seq) == (1, 2)
    retry = send(ana, cid, "Hello", "a-1")
    assert not retry.created and retry.message.id == one.id
    assert db.session.get(Conversation, cid).last_seq == 2
    with pytest.raises(Conflict):
        chat.send_message(user(ana), cid, "Something else", "a-1")
    db.session.rollback()


@pytest.mark.parametrize("body", ["Hello", "Something else"])
def test_a_send_that_loses_its_race_under_the_lock_stores_nothing_and_gives_its_seq_back(
    app, pair, body
):
    """The first attempt of `a-1` commits between a retry's first read (which found
    nothing) and its insert under the lock: the retry answers with the stored message (or
    Conflict for another text), stores nothing, and the next message takes the next seq."""
    ana, ben = pair
    cid = direct(ana, ben)
    send(ben, cid, "Earlier", "b-0")
    first: list[int] = []

    def first_attempt_commits(conn, cursor, statement, parameters, context, executemany):
        if first or "existing_id" not in statement:
            return
        first.append(0)
        with app.app_context():
            first[0] = chat.send_message(user(ana), cid, "Hello", "a-1").message.id
            db.session.commit()

    event.listen(db.engine, "after_cursor_execute", first_attempt_commits)
    try:
        if body == "Hello":
            retry = chat.send_message(user(ana), cid, body, "a-1")
            assert not retry.created and retry.message.id == first[0]
            assert retry.message.seq == 2
        else:
            with pytest.raises(Conflict):
                chat.send_message(user(ana), cid, body, "a-1")
        db.session.commit()
    finally:
        event.remove(db.engine, "after_cursor_execute", first_attempt_commits)
    conversation = db.session.get(Conversation, cid)
    stored = db.session.get(Message, first[0])
    assert conversation.last_seq == 2
    assert conversation.last_activity_at == stored.created_at
    assert send(ben, cid, "Next", "b-1").message.seq == 3
    assert [m.seq for m in chat.changes_after(user(ben), cid, 0).messages] == [1, 2, 3]


def test_a_client_id_is_per_sender(pair):
    ana, ben = pair
    cid = direct(ana, ben)
    send(ana, cid, "Same id", "shared")
    assert send(ben, cid, "Same id", "shared").created


@pytest.mark.parametrize(
    ("body", "client_id", "field"),
    [
        ("", "ok", "body"),
        ("   ", "ok", "body"),
        ("x" * (chat.MAX_BODY + 1), "ok", "body"),
        (None, "ok", "body"),
        ("Hello", "", "client_id"),
        ("Hello", "has space", "client_id"),
        ("Hello", "x" * 65, "client_id"),
        ("Hello", 12, "client_id"),
    ],
)
def test_bad_messages_are_refused_with_the_field(pair, body, client_id, field):
    ana, ben = pair
    cid = direct(ana, ben)
    with pytest.raises(Invalid) as refused:
        chat.send_message(user(ana), cid, body, client_id)
    assert refused.value.field == field


def test_a_message_of_the_longest_length_is_kept_whole(pair):
    ana, ben = pair
    cid = direct(ana, ben)
    assert len(send(ana, cid, "y" * chat.MAX_BODY).message.body) == chat.MAX_BODY


def test_outsiders_cannot_read_or_send(pair, make_user):
    ana, ben = pair
    cid = direct(ana, ben)
    stranger = make_user()
    with pytest.raises(NotFound):
        chat.send_message(user(stranger), cid, "Let me in", "s-1")
    with pytest.raises(NotFound):
        chat.changes_after(user(stranger), cid, 0)
    with pytest.raises(NotFound):
        chat.history(user(stranger), cid)


def test_a_block_stops_messages_both_ways_and_new_direct_conversations(pair):
    ana, ben = pair
    cid = direct(ana, ben)
    connections.block(user(ben), ana.id)
    db.session.commit()
    for sender in (ana, ben):
        with pytest.raises(Forbidden):
            chat.send_message(user(sender), cid, "Still there?", f"x-{sender.id}")
        db.session.rollback()
    with pytest.raises(NotFound):
        chat.start_direct(user(ana), ben.id)


def test_edits_and_deletes_move_to_a_new_seq_and_catch_up_returns_them_once(pair):
    ana, ben = pair
    cid = direct(ana, ben)
    messages = [send(ana, cid, f"Message {n}", f"m-{n}").message for n in range(5)]
    seen = 5
    chat.edit_message(user(ana), cid, messages[1].id, "Message 1, edited")
    chat.delete_message(user(ana), cid, messages[2].id)
    db.session.commit()
    send(ben, cid, "After", "b-after")
    changes = chat.changes_after(user(ben), cid, seen)
    assert [(m.position, m.seq) for m in changes.messages] == [(2, 6), (3, 7), (8, 8)]
    assert changes.messages[0].body == "Message 1, edited" and changes.messages[0].edited_at
    assert changes.messages[1].deleted and chat.payload(changes.messages[1])["body"] == ""
    assert not changes.has_more and not changes.reset and changes.last_seq == 8
    with pytest.raises(Forbidden):
        chat.edit_message(user(ben), cid, messages[0].id, "Not mine")
    db.session.rollback()
    with pytest.raises(Conflict):
        chat.edit_message(user(ana), cid, messages[2].id, "Back from the dead")
    db.session.rollback()


def test_catch_up_pages_and_resets_when_too_far_behind(pair):
    ana, ben = pair
    cid = direct(ana, ben)
    for n in range(7):
        send(ana, cid, f"n{n}", f"p-{n}")
    first = chat.changes_after(user(ben), cid, 0, limit=3)
    assert [m.seq for m in first.messages] == [1, 2, 3] and first.has_more
    rest = chat.changes_after(user(ben), cid, 6, limit=3)
    assert [m.seq for m in rest.messages] == [7] and not rest.has_more
    assert chat.changes_after(user(ben), cid, 99).reset  # ahead of the conversation
    with pytest.raises(Invalid):
        chat.changes_after(user(ben), cid, -1)


def test_unread_counts_and_read_position(pair):
    ana, ben = pair
    cid = direct(ana, ben)
    for n in range(3):
        send(ana, cid, f"u{n}", f"u-{n}")
    page = chat.my_conversations(user(ben))
    assert page.items[0].unread == 3 and page.items[0].name == "Ana"
    assert chat.my_conversations(user(ana)).items[0].unread == 0
    chat.mark_read(user(ben), cid, 2)
    db.session.commit()
    assert chat.my_conversations(user(ben)).items[0].unread == 1
    chat.mark_read(user(ben), cid, 1)  # never backwards
    db.session.commit()
    assert chat.my_conversations(user(ben)).items[0].unread == 1
    first = chat.history(user(ben), cid).items[-1]
    chat.mark_unread(user(ben), cid, first.id)
    db.session.commit()
    assert chat.my_conversations(user(ben)).items[0].unread == 3
    assert chat.unread_total(user(ben)) == 1


def test_group_conversations_have_an_owner_who_adds_and_removes(ctx, make_user):
    owner, a, b, c = (make_user() for _ in range(4))
    conversation = chat.create_group_conversation(user(owner), "Book club", [a.id, b.id])
    db.session.commit()
    cid = conversation.id
    with pytest.raises(Forbidden):
        chat.add_members(user(a), cid, [c.id])
    db.session.rollback()
    chat.add_members(user(owner), cid, [c.id])
    chat.remove_member(user(owner), cid, b.id)
    db.session.commit()
    assert chat.member_ids(cid) == sorted([owner.id, a.id, c.id])
    chat.leave(user(owner), cid)
    db.session.commit()
    assert db.session.get(Conversation, cid).owner_id == a.id
    with pytest.raises(Invalid):
        chat.create_group_conversation(user(owner), "  ", [a.id])


def test_a_group_conversation_holds_at_most_fifty(ctx, make_user):
    owner = make_user()
    people = [make_user().id for _ in range(chat.MAX_GROUP_MEMBERS)]
    with pytest.raises(Invalid):
        chat.create_group_conversation(user(owner), "Too many", people)


def test_a_groups_room_follows_its_members(ctx, make_user):
    organiser = make_user(roles=(Role.ORGANISER,))
    joiner = make_user()
    group = groups.create_group(user(organiser), groups.GroupData(name="Parents", description=""))
    db.session.commit()
    room = chat.room_of("group_id", group.id)
    assert chat.member_ids(room.id) == [organiser.id]
    groups.join_group(user(joiner), db.session.get(Group, group.id))
    db.session.commit()
    assert chat.member_ids(room.id) == sorted([organiser.id, joiner.id])
    groups.leave_group(user(joiner), db.session.get(Group, group.id))
    db.session.commit()
    assert chat.member_ids(room.id) == [organiser.id]


def test_an_events_room_holds_its_organiser_and_who_is_going(ctx, make_user):
    organiser = make_user(roles=(Role.ORGANISER,))
    guest = make_user()
    event = create_event(user(organiser), event_data())
    db.session.commit()
    rsvp(user(guest), db.session.get(Event, event.id), confirm_by_mail=False)
    db.session.commit()
    room = chat.room_of("event_id", event.id)
    assert chat.member_ids(room.id) == sorted([organiser.id, guest.id])
    cancel_rsvp(user(guest), db.session.get(Event, event.id))
    db.session.commit()
    assert chat.member_ids(room.id) == [organiser.id]
    with pytest.raises(NotFound):
        chat.send_message(user(guest), room.id, "Is it still on?", "g-1")
