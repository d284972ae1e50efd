"""Chat rules: who may be in which conversation, and every change to its messages.

Called by the chat pages, the JSON API and the Socket.IO handlers alike, so each rule lives
here once. Every function flushes and never commits: the caller commits once, and what the
live half sends (`message:new`, `message:updated`, `message:deleted`, `read`, sockets
leaving a room) is queued with `community.core.effects` to run after that commit.

Order: each change takes the conversation's next seq under `lock_row` on the conversation
(see `models`). Idempotency: a message is unique on (sender, client_id); a retry returns the
stored message and stores nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, bindparam, case, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, contains_eager, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from community.auth.models import User, UserStatus
from community.auth.sessions import SessionMember
from community.chat.models import (
    Conversation,
    ConversationKind,
    ConversationMember,
    MemberRole,
    Message,
    MessageReport,
)
from community.connections.models import Block
from community.connections.relations import blocked_ids_select, is_blocked_either_way, pair
from community.connections.services import reachable_member
from community.core.database import get_or_create, lock_row, utcnow
from community.core.effects import emit_after_commit, on_commit
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.core.pagination import Page, keyset
from community.extensions import db

MAX_BODY = 4000  # characters in a message
MAX_TITLE = 80  # characters in a group conversation's name
MAX_GROUP_MEMBERS = 50  # in a group conversation, its owner included
MAX_CLIENT_ID = 64
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
SYNC_PAGE = 100  # changes per catch-up page
# A client further behind than this many changes reloads the history instead.
SYNC_RESET = 2000
HISTORY_PAGE = 50
LIST_PAGE = 20
REACTIONS = ("👍", "❤️", "😂", "🎉", "🙏")
MAX_REPORT = 500


def conversation_room(conversation_id: int) -> str:
    """The Socket.IO room of a conversation's open sockets."""
    return f"conversation:{conversation_id}"


# --- reading a conversation --------------------------------------------------------------


@dataclass
class Membership:
    """A member's view of one conversation: the conversation and their own row."""

    conversation: Conversation
    member: ConversationMember


def membership(viewer: User | None, conversation_id: int) -> Membership:
    """`viewer`'s membership of `conversation_id`, or NotFound (the same answer for a missing
    conversation and one they are not in, so nothing leaks). Every verb starts here."""
    if viewer is None or not viewer.is_authenticated or not isinstance(conversation_id, int):
        raise NotFound(_("We could not find that conversation."))
    row = db.session.execute(
        select(Conversation, ConversationMember)
        .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
        .where(Conversation.id == conversation_id, ConversationMember.user_id == viewer.id)
    ).first()
    if row is None:
        raise NotFound(_("We could not find that conversation."))
    return Membership(row[0], row[1])


def live_conversation_ids(user_id: int) -> list[int]:
    """The conversations whose room `user_id`'s sockets join on connect: all of theirs but a
    direct conversation with someone blocked either way. One query."""
    other = aliased(ConversationMember)
    blocked_partner = exists(
        select(other.id).where(
            other.conversation_id == Conversation.id,
            other.user_id != user_id,
            other.user_id.in_(blocked_ids_select(user_id)),
        )
    )
    return list(
        db.session.scalars(
            select(ConversationMember.conversation_id)
            .join(Conversation, Conversation.id == ConversationMember.conversation_id)
            .where(
                ConversationMember.user_id == user_id,
                or_(Conversation.kind != ConversationKind.DIRECT, ~blocked_partner),
            )
            .order_by(ConversationMember.conversation_id)
        )
    )


def live_room(member: User, conversation_id: int) -> Conversation:
    """The conversation whose live events (messages, typing) `member` may get and cause:
    theirs (NotFound otherwise) and, for a direct one, no block either way (Forbidden).
    Called by the `join` and `typing` socket handlers."""
    conversation = membership(member, conversation_id).conversation
    if conversation.kind == ConversationKind.DIRECT and blocked_direct(conversation, member):
        raise Forbidden(_("You can no longer message each other."))
    return conversation


def block_changed(a: int, b: int) -> None:
    """A block between `a` and `b` was made or lifted (called by the connections service in
    its transaction): after the commit both members' sockets leave their direct
    conversation's room, or join it again once no block stands either way."""
    from community.chat.sockets import join_conversation_room, leave_conversation_room

    conversation_id = db.session.scalar(
        select(Conversation.id).where(Conversation.direct_key == Conversation.direct_key_of(a, b))
    )
    if conversation_id is None:
        return
    blocked = is_blocked_either_way(a, b)
    for user_id in (a, b):
        if blocked:
            on_commit(leave_conversation_room, user_id, conversation_id, removed=False)
        else:
            on_commit(join_conversation_room, user_id, conversation_id)


def member_ids(conversation_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(ConversationMember.user_id)
            .where(ConversationMember.conversation_id == conversation_id)
            .order_by(ConversationMember.user_id)
        )
    )


def members(conversation: Conversation) -> list[ConversationMember]:
    """The conversation's members with their users (in the same query), owner first then
    by name."""
    return list(
        db.session.scalars(
            select(ConversationMember)
            .join(User, User.id == ConversationMember.user_id)
            .options(contains_eager(ConversationMember.user))
            .where(ConversationMember.conversation_id == conversation.id)
            .order_by(
                (ConversationMember.role == MemberRole.OWNER).desc(),
                User.display_name,
                User.id,
            )
        )
    )


MEMBERS_PAGE = 50


def members_page(
    conversation: Conversation, cursor: str | None = None, limit: int = MEMBERS_PAGE
) -> Page[ConversationMember]:
    """The members page's list, by name, keyset-paged (a group's or an event's room can be
    large). Each row carries its user. Raises BadCursor."""
    statement = (
        select(ConversationMember)
        .join(User, User.id == ConversationMember.user_id)
        .options(contains_eager(ConversationMember.user))
        .where(ConversationMember.conversation_id == conversation.id)
    )
    return keyset(
        statement,
        [User.display_name.asc(), User.id.asc()],
        cursor,
        limit,
        key=lambda row: (row.user.display_name, row.user.id),
    )


def member_names(conversation_id: int) -> dict[int, str]:
    """Display names of the conversation's members by id (the live client names senders
    and readers with them). One query."""
    return dict(
        db.session.execute(
            select(User.id, User.display_name)
            .join(ConversationMember, ConversationMember.user_id == User.id)
            .where(ConversationMember.conversation_id == conversation_id)
        ).all()
    )


def blocked_direct(conversation: Conversation, viewer: User) -> bool:
    """Whether a block stands between `viewer` and the other member of a direct
    conversation, either way. One query (every send asks it)."""
    other = aliased(ConversationMember)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    other.conversation_id == conversation.id,
                    other.user_id != viewer.id,
                    or_(
                        and_(Block.blocker_id == viewer.id, Block.blocked_id == other.user_id),
                        and_(Block.blocker_id == other.user_id, Block.blocked_id == viewer.id),
                    ),
                )
            )
        )
    )


# --- starting conversations -------------------------------------------------------------


def _add_member(
    conversation: Conversation, user_id: int, role: str = MemberRole.MEMBER
) -> ConversationMember:
    """Add `user_id` (race-safe); they have read nothing sent before they joined."""
    row, created = get_or_create(
        ConversationMember,
        {"role": role, "last_read_seq": conversation.last_seq},
        conversation_id=conversation.id,
        user_id=user_id,
    )
    if created:
        from community.chat.sockets import join_conversation_room

        on_commit(join_conversation_room, user_id, conversation.id)
    return row


def _remove_member(conversation: Conversation, user_id: int) -> bool:
    """Take `user_id` out; their open sockets leave the room after the commit."""
    result = db.session.execute(
        delete(ConversationMember).where(
            ConversationMember.conversation_id == conversation.id,
            ConversationMember.user_id == user_id,
        )
    )
    if result.rowcount:
        from community.chat.sockets import leave_conversation_room

        on_commit(leave_conversation_room, user_id, conversation.id)
    return bool(result.rowcount)


def start_direct(starter: User, other_id: int) -> Conversation:
    """The direct conversation between `starter` and `other_id`, created on first use (two
    people have one: found, never duplicated, even when both start it at once). NotFound
    when the other is not an active member or a block stands either way."""
    return open_direct(starter, other_id)[0]


def open_direct(starter: User, other_id: int) -> tuple[Conversation, bool]:
    """`start_direct`, also telling whether the conversation is new (the API answers 201
    for a new one and 200 for one found)."""
    other = reachable_member(starter, other_id)
    low, high = pair(starter.id, other.id)
    conversation, created = get_or_create(
        Conversation,
        {"kind": ConversationKind.DIRECT},
        direct_key=Conversation.direct_key_of(low, high),
    )
    db.session.flush()
    for user_id in (low, high):
        _add_member(conversation, user_id)
    return conversation, created


def _title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise Invalid(_("Give the conversation a name."), "title")
    if len(title) > MAX_TITLE:
        raise Invalid(too_long(MAX_TITLE), "title")
    return title


def _addable(owner: User, ids: Iterable[int]) -> list[User]:
    """The members `owner` may add: active, confirmed, no block either way."""
    people = []
    for user_id in dict.fromkeys(ids):
        if user_id == owner.id:
            continue
        try:
            people.append(reachable_member(owner, user_id))
        except NotFound:
            raise Invalid(_("We could not find one of those members."), "member_ids") from None
    return people


def create_group_conversation(owner: User, title: str | None, ids: Iterable[int]) -> Conversation:
    """A named conversation of `owner` and the members `ids` (at least one, at most 49)."""
    title = _title(title)
    people = _addable(owner, ids)
    if not people:
        raise Invalid(_("Add at least one member."), "member_ids")
    if len(people) + 1 > MAX_GROUP_MEMBERS:
        raise Invalid(
            _("A group conversation has at most %(n)d members.", n=MAX_GROUP_MEMBERS),
            "member_ids",
        )
    conversation = Conversation(kind=ConversationKind.GROUP, title=title, owner_id=owner.id)
    db.session.add(conversation)
    db.session.flush()
    _add_member(conversation, owner.id, MemberRole.OWNER)
    for person in people:
        _add_member(conversation, person.id)
    return conversation


def start_conversation(starter: User, ids: Iterable[int], title: str | None = None) -> Conversation:
    """The "New conversation" form's verb: one member and no name opens (or finds) the
    direct conversation with them; a name, or several members, makes a group conversation.
    Raises Invalid when nobody is picked, NotFound for someone `starter` cannot reach."""
    ids = [user_id for user_id in dict.fromkeys(ids) if user_id != starter.id]
    if not ids:
        raise Invalid(_("Choose at least one member."), "member_ids")
    if len(ids) == 1 and not " ".join((title or "").split()):
        try:
            return start_direct(starter, ids[0])
        except NotFound:
            raise Invalid(_("We could not find one of those members."), "member_ids") from None
    return create_group_conversation(starter, title, ids)


def _owned_group(actor: User, conversation_id: int) -> Conversation:
    found = membership(actor, conversation_id)
    if found.conversation.kind != ConversationKind.GROUP:
        raise Conflict(_("Only group conversations have members to add or remove."))
    if found.member.role != MemberRole.OWNER:
        raise Forbidden(_("Only the conversation's owner adds and removes members."))
    return found.conversation


def add_members(actor: User, conversation_id: int, ids: Iterable[int]) -> list[User]:
    """The owner adds members (up to MAX_GROUP_MEMBERS in all); returns those added."""
    ids = list(ids)
    if not ids:
        raise Invalid(_("Choose at least one member."), "member_ids")
    conversation = lock_row(_owned_group(actor, conversation_id))
    present = set(member_ids(conversation.id))
    people = [person for person in _addable(actor, ids) if person.id not in present]
    if len(present) + len(people) > MAX_GROUP_MEMBERS:
        raise Invalid(
            _("A group conversation has at most %(n)d members.", n=MAX_GROUP_MEMBERS),
            "member_ids",
        )
    for person in people:
        _add_member(conversation, person.id)
    return people


def remove_member(actor: User, conversation_id: int, user_id: int) -> None:
    """The owner takes a member out; their sockets leave the room at once."""
    conversation = lock_row(_owned_group(actor, conversation_id))
    if user_id == actor.id:
        raise Conflict(_("Leave the conversation instead."))
    if not _remove_member(conversation, user_id):
        raise NotFound(_("That member is not in this conversation."))


def leave(member: User, conversation_id: int) -> None:
    """Leave a group conversation. When its owner leaves, the longest-standing member
    becomes the owner; the last one out leaves an empty conversation nobody sees."""
    found = membership(member, conversation_id)
    conversation = found.conversation
    if conversation.kind != ConversationKind.GROUP:
        raise Conflict(_("Only group conversations can be left."))
    conversation = lock_row(conversation)
    _remove_member(conversation, member.id)
    if found.member.role == MemberRole.OWNER:
        heir = db.session.scalar(
            select(ConversationMember)
            .where(ConversationMember.conversation_id == conversation.id)
            .order_by(ConversationMember.joined_at, ConversationMember.id)
            .limit(1)
        )
        conversation.owner_id = heir.user_id if heir else None
        if heir is not None:
            heir.role = MemberRole.OWNER


def set_muted(member: User, conversation_id: int, muted: bool) -> ConversationMember:
    row = membership(member, conversation_id).member
    row.muted = bool(muted)
    return row


# --- rooms that follow a group or an event ------------------------------------------------


def sync_room(kind: str, owner_field: str, owner_id: int, wanted: set[int]) -> Conversation:
    """Make the room of a group or an event (`owner_field` "group_id" or "event_id") hold
    exactly `wanted`: new members join, departed ones leave (and their sockets leave the
    room after the commit). Called by `groups.services.sync_group_chat_room` and
    `sync_event_room`, inside the caller's transaction."""
    room, _created = get_or_create(Conversation, {"kind": kind}, **{owner_field: owner_id})
    db.session.flush()
    present = set(member_ids(room.id))
    for user_id in sorted(wanted - present):
        _add_member(room, user_id)
    for user_id in sorted(present - wanted):
        _remove_member(room, user_id)
    return room


def sync_event_room(event) -> Conversation:
    """The event's room: its organiser, its co-hosts and the members going. Called by the
    events service whenever who is going or co-hosting changes (an RSVP, a cancellation, a
    promotion, a removal, a staff change)."""
    from community.events.models import EventStaff, Rsvp, RsvpStatus, StaffRole

    members = set(
        db.session.scalars(
            select(Rsvp.user_id)
            .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.GOING)
            .union(
                select(EventStaff.user_id).where(
                    EventStaff.event_id == event.id, EventStaff.role == StaffRole.COHOST
                )
            )
        )
    )
    return sync_room(
        ConversationKind.EVENT_ROOM, "event_id", event.id, members | {event.organiser_id}
    )


def room_of(owner_field: str, owner_id: int) -> Conversation | None:
    """The room of a group or an event, if it has one."""
    return db.session.scalar(
        select(Conversation).where(getattr(Conversation, owner_field) == owner_id)
    )


def room_for(viewer: User, owner_field: str, owner_id: object) -> Conversation:
    """The room of a group or an event (`owner_field` "group_id" or "event_id") that
    `viewer` is in: the group's active members, the event's organiser and those going.
    Anyone else gets the NotFound of a missing room, moderators and admins included."""
    if owner_field not in ("group_id", "event_id"):
        raise ValueError(owner_field)
    if isinstance(owner_id, bool) or not isinstance(owner_id, int):
        raise NotFound(_("We could not find that conversation."))
    room = room_of(owner_field, owner_id)
    if room is None:
        raise NotFound(_("We could not find that conversation."))
    return membership(viewer, room.id).conversation


# --- messages -----------------------------------------------------------------------------


def clean_body(body: object) -> str:
    """A message's text: a string, trimmed, not empty, at most MAX_BODY characters."""
    if not isinstance(body, str):
        raise Invalid(_("Write a message."), "body")
    body = body.replace("\r\n", "\n").replace("\x00", "").strip()
    if not body:
        raise Invalid(_("Write a message."), "body")
    if len(body) > MAX_BODY:
        raise Invalid(too_long(MAX_BODY), "body")
    return body


def clean_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise Invalid(
            _("A client id is 1 to 64 letters, digits, dots, colons, dashes or underscores."),
            "client_id",
        )
    return client_id


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def _next_seq(conversation: Conversation) -> int:
    """The conversation's next seq; the caller holds its row lock."""
    conversation.last_seq += 1
    return conversation.last_seq


@dataclass
class Sent:
    message: Message
    created: bool  # False: a retry of a message already stored


CONFLICT = "This client id was already used for a different message."


@cache
def _before_send(with_reply: bool):
    """The one read before a send, built once per shape: the sender's membership row, the
    conversation's kind, a block either way (direct conversations only), the message this
    client_id already stored (any conversation) and, with a reply, the replied-to message's
    conversation. No row: not a member (or no such conversation). The socket's light
    `message:send` reads the same for a whole batch (`chat.batch_checks`)."""
    conversations = Conversation.__table__
    members = ConversationMember.__table__
    messages = Message.__table__
    sender = bindparam("sender_id")
    columns = [*send_check_columns(sender), members.c.id.label("member_id")]
    if with_reply:
        columns.append(reply_conversation(bindparam("reply_to_id")))
    mine = and_(messages.c.sender_id == sender, messages.c.client_id == bindparam("client_id"))
    return (
        select(*columns)
        .select_from(
            conversations.join(members, members.c.conversation_id == conversations.c.id).outerjoin(
                messages, mine
            )
        )
        .where(conversations.c.id == bindparam("conversation_id"), members.c.user_id == sender)
    )


def send_check_columns(sender) -> list:
    """The columns of the read before a send that `judged` reads, for the sender `sender`
    (a column or a bound parameter), over `conversations` joined to the sender's
    `conversation_members` row and the `messages` row of their client_id: a block either
    way (direct conversations only), and the message that client_id already stored."""
    conversations = Conversation.__table__
    messages = Message.__table__
    blocks = Block.__table__
    other = ConversationMember.__table__.alias("other_member")
    blocked = exists(
        select(blocks.c.blocker_id)
        .select_from(
            other.join(
                blocks,
                or_(
                    and_(blocks.c.blocker_id == sender, blocks.c.blocked_id == other.c.user_id),
                    and_(blocks.c.blocker_id == other.c.user_id, blocks.c.blocked_id == sender),
                ),
            )
        )
        .where(other.c.conversation_id == conversations.c.id, other.c.user_id != sender)
    )
    return [
        case((conversations.c.kind == ConversationKind.DIRECT.value, blocked), else_=False).label(
            "blocked"
        ),
        messages.c.id.label("existing_id"),
        messages.c.conversation_id.label("existing_conversation_id"),
        messages.c.sent_digest.label("existing_digest"),
    ]


def reply_conversation(reply_to_id):
    """The column `reply_conversation_id` of the read before a send: the conversation of
    the message `reply_to_id` (a column or a bound parameter) answers."""
    replied = Message.__table__.alias("replied")
    return (
        select(replied.c.conversation_id)
        .where(replied.c.id == reply_to_id)
        .scalar_subquery()
        .label("reply_conversation_id")
    )


@cache
def _send_writes(dialect: str):
    """The three writes of a send, built once per database: the conversation's counter
    (taking its row lock: the write lock on SQLite), the message unless this client_id is
    already stored, and the sender's read position."""
    conversations = Conversation.__table__
    insert_into = sqlite_insert if dialect == "sqlite" else postgresql_insert
    take_seq = (
        update(conversations)
        .where(conversations.c.id == bindparam("conversation_id"))
        .values(last_seq=conversations.c.last_seq + 1, last_activity_at=bindparam("now"))
        .returning(conversations.c.last_seq)
    )
    store = (
        insert_into(Message.__table__)
        .on_conflict_do_nothing(index_elements=["sender_id", "client_id"])
        .returning(Message.__table__.c.id)
    )
    members = ConversationMember.__table__
    read_own = (
        update(members)
        .where(members.c.id == bindparam("member_id"))
        .values(last_read_seq=bindparam("seq"))
    )
    return take_seq, store, read_own


def _give_back_seq(conversation_id: int) -> None:
    """Undo `take_seq` under the lock we still hold (a racing retry stored the message
    first): the counter steps back and the activity time is the latest message's again."""
    conversations = Conversation.__table__
    messages = Message.__table__
    latest = (
        select(func.max(messages.c.created_at))
        .where(messages.c.conversation_id == conversations.c.id)
        .scalar_subquery()
    )
    db.session.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(
            last_seq=conversations.c.last_seq - 1,
            last_activity_at=func.coalesce(latest, conversations.c.created_at),
        )
    )


def _stored(
    sender: User | SessionMember, conversation_id: int, client_id: str, body: str
) -> Message:
    """The message `sender` already stored under `client_id` (a retry); Conflict if it was
    another text or another conversation."""
    message = db.session.scalar(
        select(Message).where(Message.sender_id == sender.id, Message.client_id == client_id)
    )
    if message.sent_digest != _digest(body) or message.conversation_id != conversation_id:
        raise Conflict(_(CONFLICT), "client_id")
    return message


def _loaded(model: type, key: int):
    """`model`'s row `key` if this session already holds it (no SQL)."""
    return db.session.identity_map.get(identity_key(model, key))


@dataclass
class Draft:
    """A send that passed its checks (membership, block, a stored retry, the reply) and
    waits for its writes: what `send_message` and the send pipeline (`chat.pipeline`)
    store under the conversation's lock."""

    sender: User | SessionMember
    conversation_id: int
    member_id: int  # the sender's conversation_members row
    client_id: str
    body: str
    digest: str
    reply_to_id: int | None

    def values(self, seq: int, now: datetime) -> dict:
        """The message's row, with the seq taken under the lock."""
        return {
            "conversation_id": self.conversation_id,
            "position": seq,
            "seq": seq,
            "sender_id": self.sender.id,
            "client_id": self.client_id,
            "sent_digest": self.digest,
            "body": self.body,
            "reply_to_id": self.reply_to_id,
            "reactions": {},
            "created_at": now,
            "edited_at": None,
            "deleted_at": None,
        }


def _cleaned(
    conversation_id: object, body: object, client_id: object, reply_to_id: object
) -> tuple[str, str, dict]:
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    if not isinstance(conversation_id, int):
        raise NotFound(_("We could not find that conversation."))
    params = {"client_id": client_id, "conversation_id": conversation_id}
    if reply_to_id is not None:
        params["reply_to_id"] = reply_to_id if isinstance(reply_to_id, int) else 0
    return body, client_id, params


def judged(
    sender: User | SessionMember,
    row,
    conversation_id: int,
    body: str,
    client_id: str,
    reply_to_id: int | None,
) -> Sent | Draft:
    """The outcome of the read before a send (`row`, see `check_send`), for `check_send`
    and the socket's batched check (`chat.batch_checks`)."""
    if row is None or row.member_id is None:
        raise NotFound(_("We could not find that conversation."))
    digest = _digest(body)
    if row.existing_id is not None:
        if row.existing_digest != digest or row.existing_conversation_id != conversation_id:
            raise Conflict(_(CONFLICT), "client_id")
        return Sent(db.session.get(Message, row.existing_id), False)
    if sender.status != UserStatus.ACTIVE:
        raise Forbidden(_("Your account cannot send messages."))
    if row.blocked:
        raise Forbidden(_("You can no longer message each other."))
    if reply_to_id is not None and row.reply_conversation_id != conversation_id:
        raise Invalid(_("That message is not in this conversation."), "reply_to_id")
    return Draft(sender, conversation_id, row.member_id, client_id, body, digest, reply_to_id)


def check_send(
    sender: User | SessionMember,
    conversation_id: int,
    body: object,
    client_id: object,
    reply_to_id: int | None = None,
) -> Sent | Draft:
    """The checks of a send, in one read (membership, block, a stored retry, the reply's
    conversation): the stored message when this is a retry (`Sent`, created False), else
    the `Draft` to store. Raises NotFound (not a member), Forbidden (blocked, suspended),
    Invalid, Conflict (the client_id was used for another text). Writes nothing."""
    body, client_id, params = _cleaned(conversation_id, body, client_id, reply_to_id)
    if sender is None or not sender.is_authenticated:
        raise NotFound(_("We could not find that conversation."))
    params["sender_id"] = sender.id
    row = db.session.execute(_before_send(reply_to_id is not None), params).first()
    return judged(sender, row, conversation_id, body, client_id, reply_to_id)


def send_message(
    sender: User | SessionMember,
    conversation_id: int,
    body: object,
    client_id: object,
    reply_to_id: int | None = None,
) -> Sent:
    """Store a message (or find the one this client_id already stored) and queue
    `message:new` to the conversation's room for after the commit.

    The hot path of chat, in Core SQL: one read (`check_send`), then under the
    conversation's lock the counter (UPDATE ... RETURNING the new seq), the insert, and the
    sender's read position. The unique (sender, client_id) decides under the lock (INSERT
    ... ON CONFLICT DO NOTHING), so two retries racing store one message and the loser
    answers with the stored one, its seq given back. A stored message's retry answers even
    once a block stands. The socket's `message:send` stores through `chat.pipeline`
    (several sends in one transaction), which falls back on this one send at a time.
    Raises NotFound (not a member), Forbidden (blocked, suspended), Invalid, Conflict
    (the client_id was used for another text)."""
    checked = check_send(sender, conversation_id, body, client_id, reply_to_id)
    if isinstance(checked, Sent):
        return checked
    return store_draft(checked)


def store_draft(draft: Draft) -> Sent:
    """The writes of one checked send (see `send_message`), in the caller's transaction."""
    take_seq, store, read_own = _send_writes(db.session.get_bind().dialect.name)
    now = utcnow()
    conversation_id = draft.conversation_id
    seq = db.session.execute(take_seq, {"conversation_id": conversation_id, "now": now}).scalar()
    if seq is None:
        raise NotFound(_("We could not find that conversation."))
    values = draft.values(seq, now)
    message_id = db.session.execute(store, values).scalar()
    if message_id is None:  # a racing retry stored it first (it committed while we waited)
        _give_back_seq(conversation_id)
        return Sent(_stored(draft.sender, conversation_id, draft.client_id, draft.body), False)
    if db.session.execute(read_own, {"member_id": draft.member_id, "seq": seq}).rowcount != 1:
        raise NotFound(_("We could not find that conversation."))  # removed meanwhile
    conversation = _loaded(Conversation, conversation_id)
    if conversation is not None:  # keep a loaded copy true (pages load it first)
        set_committed_value(conversation, "last_seq", seq)
        set_committed_value(conversation, "last_activity_at", now)
    member = _loaded(ConversationMember, draft.member_id)
    if member is not None:
        set_committed_value(member, "last_read_seq", seq)
    message = Message(id=message_id, **values)
    make_transient_to_detached(message)
    db.session.add(message)
    emit_after_commit("message:new", payload(message), to=conversation_room(conversation_id))
    return Sent(message, True)


def _own_message(
    actor: User, conversation_id: int, message_id: object
) -> tuple[Conversation, Message]:
    found = membership(actor, conversation_id)
    message = db.session.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None or message.conversation_id != found.conversation.id:
        raise NotFound(_("We could not find that message."))
    if message.sender_id != actor.id:
        raise Forbidden(_("You can only change your own messages."))
    if message.deleted:
        raise Conflict(_("This message was deleted."))
    return found.conversation, message


def _changed(conversation: Conversation, message: Message) -> None:
    conversation = lock_row(conversation)
    db.session.refresh(message)
    message.seq = _next_seq(conversation)


def edit_message(actor: User, conversation_id: int, message_id: object, body: object) -> Message:
    """The sender changes their text: it moves to a new seq, shown as edited, and
    `message:updated` goes to the room after the commit."""
    body = clean_body(body)
    conversation, message = _own_message(actor, conversation_id, message_id)
    _changed(conversation, message)
    if message.deleted:
        raise Conflict(_("This message was deleted."))
    message.body = body
    message.edited_at = utcnow()
    db.session.flush()
    emit_after_commit("message:updated", payload(message), to=conversation_room(conversation.id))
    return message


def delete_message(actor: User, conversation_id: int, message_id: object) -> Message:
    """The sender deletes their message: a tombstone at a new seq (the text is gone, its
    place stays), and `message:deleted` goes to the room after the commit."""
    conversation, message = _own_message(actor, conversation_id, message_id)
    _changed(conversation, message)
    if message.deleted:
        raise Conflict(_("This message was deleted."))
    message.body = ""
    message.reactions = {}
    message.deleted_at = utcnow()
    db.session.flush()
    emit_after_commit("message:deleted", payload(message), to=conversation_room(conversation.id))
    return message


def react(member: User, conversation_id: int, message_id: object, emoji: object) -> Message:
    """Add `member`'s reaction to a message, or take it back if it is there (one of
    REACTIONS). The change takes a new seq and `message:updated` goes to the room."""
    if emoji not in REACTIONS:
        raise Invalid(_("Choose one of: %(r)s.", r=" ".join(REACTIONS)), "emoji")
    found = membership(member, conversation_id)
    message = db.session.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None or message.conversation_id != found.conversation.id or message.deleted:
        raise NotFound(_("We could not find that message."))
    _changed(found.conversation, message)
    reactions = {key: list(value) for key, value in (message.reactions or {}).items()}
    people = reactions.setdefault(emoji, [])
    if member.id in people:
        people.remove(member.id)
    else:
        people.append(member.id)
    message.reactions = {key: value for key, value in reactions.items() if value}
    db.session.flush()
    emit_after_commit(
        "message:updated", payload(message), to=conversation_room(found.conversation.id)
    )
    return message


def report_message(
    reporter: User, conversation_id: int, message_id: object, reason: str
) -> MessageReport:
    """Record a report for moderation (one per member and message; a second is a Conflict)."""
    found = membership(reporter, conversation_id)
    message = db.session.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None or message.conversation_id != found.conversation.id or message.deleted:
        raise NotFound(_("We could not find that message."))
    if message.sender_id == reporter.id:
        raise Conflict(_("You cannot report your own message."))
    reason = " ".join((reason or "").split())
    if len(reason) > MAX_REPORT:
        raise Invalid(too_long(MAX_REPORT), "reason")
    report, created = get_or_create(
        MessageReport,
        {"reason": reason, "body_reported": message.body},
        message_id=message.id,
        reporter_id=reporter.id,
    )
    if not created:
        raise Conflict(_("You have already reported this message."))
    return report


# --- catching up and history --------------------------------------------------------------


@dataclass
class Changes:
    """What a client missed: messages changed after its seq, oldest change first."""

    messages: list[Message]
    has_more: bool
    reset: bool  # too far behind (or ahead): reload the history instead
    last_seq: int  # the conversation's seq now


def changes_after(
    viewer: User, conversation_id: int, after_seq: object, limit: int = SYNC_PAGE
) -> Changes:
    """Everything in the conversation whose latest change came after `after_seq`, in seq
    order, a page at a time. Called by the `sync` socket handler and the API's
    `?after_seq=`."""
    if isinstance(after_seq, bool) or not isinstance(after_seq, int) or after_seq < 0:
        raise Invalid(_("after_seq is a whole number, 0 or more."), "after_seq")
    conversation = membership(viewer, conversation_id).conversation
    limit = max(1, min(int(limit), SYNC_PAGE))
    behind = conversation.last_seq - after_seq
    if behind < 0 or behind > SYNC_RESET:
        return Changes([], False, True, conversation.last_seq)
    rows = list(
        db.session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id, Message.seq > after_seq)
            .order_by(Message.seq)
            .limit(limit + 1)
        )
    )
    return Changes(rows[:limit], len(rows) > limit, False, conversation.last_seq)


@dataclass
class Recent:
    """A page of history, oldest first, and the conversation's seq read before it: a client
    that shows these asks `changes_after(last_seq)` next and misses nothing."""

    messages: list[Message]
    next_cursor: str | None  # older messages, or None at the beginning
    last_seq: int


def recent(
    viewer: User, conversation_id: int, cursor: str | None = None, limit: int = HISTORY_PAGE
) -> Recent:
    """The newest page of the conversation (or an older one, from `cursor`), oldest first.
    Called by the API's messages endpoint without `after_seq`. The seq is read before the
    messages, so anything that lands in between comes again through catch-up (the client
    drops what it already has) rather than being skipped."""
    last_seq = membership(viewer, conversation_id).conversation.last_seq
    page = history(viewer, conversation_id, cursor, limit)
    return Recent(list(reversed(page.items)), page.next_cursor, last_seq)


def history(
    viewer: User, conversation_id: int, cursor: str | None = None, limit: int = HISTORY_PAGE
) -> Page[Message]:
    """A page of the conversation's messages, newest first (the page shows them oldest
    first); `next_cursor` goes further back."""
    conversation = membership(viewer, conversation_id).conversation
    statement = (
        select(Message)
        .where(Message.conversation_id == conversation.id)
        .options(selectinload(Message.sender))
    )
    return keyset(statement, [Message.position.desc()], cursor=cursor, limit=limit)


def messages_by_id(ids: Iterable[int]) -> dict[int, Message]:
    """Messages by id (for the replies a page quotes)."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    statement = select(Message).where(Message.id.in_(ids)).options(selectinload(Message.sender))
    return {m.id: m for m in db.session.scalars(statement)}


# --- read state ---------------------------------------------------------------------------


def mark_read(member: User, conversation_id: int, seq: object) -> ConversationMember:
    """`member` has read up to `seq` (never past the conversation's latest, never back:
    use `mark_unread` for that). The member's other sockets hear `read` after the commit."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise Invalid(_("seq is a whole number, 0 or more."), "seq")
    found = membership(member, conversation_id)
    row = found.member
    seq = min(seq, found.conversation.last_seq)
    if seq > row.last_read_seq:
        db.session.execute(
            ConversationMember.__table__.update()
            .where(
                ConversationMember.id == row.id,
                ConversationMember.last_read_seq < seq,
            )
            .values(last_read_seq=seq)
        )
        db.session.refresh(row)
        emit_after_commit(
            "read",
            {"conversation_id": conversation_id, "user_id": member.id, "seq": row.last_read_seq},
            to=conversation_room(conversation_id),
        )
    return row


def mark_unread(member: User, conversation_id: int, message_id: object) -> ConversationMember:
    """Mark a message and everything after it unread again (the list shows the count)."""
    found = membership(member, conversation_id)
    message = db.session.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None or message.conversation_id != found.conversation.id:
        raise NotFound(_("We could not find that message."))
    found.member.last_read_seq = message.position - 1
    db.session.flush()
    return found.member


def seen_by(conversation: Conversation, message: Message, viewer: User) -> list[User]:
    """The other members who have read `message`."""
    return list(
        db.session.scalars(
            select(User)
            .join(ConversationMember, ConversationMember.user_id == User.id)
            .where(
                ConversationMember.conversation_id == conversation.id,
                ConversationMember.last_read_seq >= message.position,
                ConversationMember.user_id != viewer.id,
                ConversationMember.user_id != message.sender_id,
            )
            .order_by(User.display_name)
        )
    )


# --- my conversations ---------------------------------------------------------------------


@dataclass
class Summary:
    """One line of the /chat list."""

    conversation: Conversation
    member: ConversationMember
    last_message: Message | None
    unread: int
    name: str


def _unread_counts(viewer: User, rows: list[ConversationMember]) -> dict[int, int]:
    if not rows:
        return {}
    conditions = [
        and_(Message.conversation_id == row.conversation_id, Message.position > row.last_read_seq)
        for row in rows
    ]
    found = db.session.execute(
        select(Message.conversation_id, func.count())
        .where(
            or_(*conditions),
            Message.deleted_at.is_(None),
            or_(Message.sender_id.is_(None), Message.sender_id != viewer.id),
        )
        .group_by(Message.conversation_id)
    ).all()
    return dict(found)


def unread_conversation_ids(viewer: User) -> set[int]:
    """The conversations (not muted) with messages `viewer` has not read: the navigation's
    badge counts them and the live client keeps the set up to date. One query."""
    statement = (
        select(ConversationMember.conversation_id)
        .distinct()
        .join(Message, Message.conversation_id == ConversationMember.conversation_id)
        .where(
            ConversationMember.user_id == viewer.id,
            ConversationMember.muted.is_(False),
            Message.position > ConversationMember.last_read_seq,
            Message.deleted_at.is_(None),
            or_(Message.sender_id.is_(None), Message.sender_id != viewer.id),
        )
    )
    return set(db.session.scalars(statement))


def muted_ids(viewer: User) -> set[int]:
    """The conversations `viewer` muted (the live client keeps them out of the badge)."""
    return set(
        db.session.scalars(
            select(ConversationMember.conversation_id).where(
                ConversationMember.user_id == viewer.id, ConversationMember.muted.is_(True)
            )
        )
    )


def unread_total(viewer: User) -> int:
    """How many conversations have unread messages (the navigation's badge)."""
    return len(unread_conversation_ids(viewer))


def names(viewer: User, conversations: list[Conversation]) -> dict[int, str]:
    """What each conversation is called for `viewer`: the other person, the group
    conversation's name, or the group's or event's name. Three queries at most."""
    from community.events.models import Event
    from community.groups.models import Group

    result: dict[int, str] = {}
    direct = [c.id for c in conversations if c.kind == ConversationKind.DIRECT]
    if direct:
        for conversation_id, name in db.session.execute(
            select(ConversationMember.conversation_id, User.display_name)
            .join(User, User.id == ConversationMember.user_id)
            .where(
                ConversationMember.conversation_id.in_(direct),
                ConversationMember.user_id != viewer.id,
            )
        ):
            result[conversation_id] = name
    groups = {c.group_id: c.id for c in conversations if c.group_id}
    if groups:
        for group_id, name in db.session.execute(
            select(Group.id, Group.name).where(Group.id.in_(groups))
        ):
            result[groups[group_id]] = name
    events = {c.event_id: c.id for c in conversations if c.event_id}
    if events:
        for event_id, title in db.session.execute(
            select(Event.id, Event.title).where(Event.id.in_(events))
        ):
            result[events[event_id]] = title
    for conversation in conversations:
        if conversation.kind == ConversationKind.GROUP:
            result[conversation.id] = conversation.title
        result.setdefault(conversation.id, _("Conversation"))
    return result


def my_conversations(
    viewer: User, cursor: str | None = None, limit: int = LIST_PAGE
) -> Page[Summary]:
    """`viewer`'s conversations, newest activity first, each with its last message and
    unread count: five queries for a page, whatever its length."""
    statement = (
        select(ConversationMember, Conversation)
        .join(Conversation, Conversation.id == ConversationMember.conversation_id)
        .where(ConversationMember.user_id == viewer.id)
    )
    page = keyset(
        statement,
        [Conversation.last_activity_at.desc(), Conversation.id.desc()],
        cursor=cursor,
        limit=limit,
        key=lambda row: (row[1].last_activity_at, row[1].id),
        scalars=False,
    )
    items = _summaries(viewer, [(row[0], row[1]) for row in page.items])
    return Page(items, page.next_cursor, page.prev_cursor)


def summary(viewer: User, conversation_id: int) -> Summary:
    """One conversation of `viewer` as the /chat list shows it (NotFound if they are not
    in it). Called by the API's conversation endpoints."""
    found = membership(viewer, conversation_id)
    return _summaries(viewer, [(found.member, found.conversation)])[0]


def _summaries(viewer: User, pairs: list[tuple[ConversationMember, Conversation]]) -> list[Summary]:
    """Last message, unread count and name for each (member row, conversation): four
    queries at most, whatever the number."""
    rows: list[ConversationMember] = [row for row, _conversation in pairs]
    conversations = {conversation.id: conversation for _row, conversation in pairs}
    last = {}
    wanted = [(c.id, c.last_seq) for c in conversations.values() if c.last_seq]
    if wanted:
        latest = (
            select(Message.conversation_id, func.max(Message.position).label("position"))
            .where(Message.conversation_id.in_([cid for cid, _seq in wanted]))
            .group_by(Message.conversation_id)
            .subquery()
        )
        for message in db.session.scalars(
            select(Message).join(
                latest,
                and_(
                    Message.conversation_id == latest.c.conversation_id,
                    Message.position == latest.c.position,
                ),
            )
        ):
            last[message.conversation_id] = message
    unread = _unread_counts(viewer, rows)
    called = names(viewer, list(conversations.values()))
    return [
        Summary(
            conversations[row.conversation_id],
            row,
            last.get(row.conversation_id),
            unread.get(row.conversation_id, 0),
            called[row.conversation_id],
        )
        for row in rows
    ]


def unread_label(count: int) -> str:
    return ngettext("%(num)d unread message", "%(num)d unread messages", count)


# --- what travels -------------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _wire(field: Callable[[str], Any], *, edited_at: datetime | None, deleted: bool) -> dict:
    """The one shape a message travels in (the API's Message schema), from `field(name)`,
    a message's column by name. `payload` and `stored_payload` both call it."""
    return {
        "id": field("id"),
        "conversation_id": field("conversation_id"),
        "seq": field("seq"),
        "position": field("position"),
        "sender_id": field("sender_id"),
        "body": "" if deleted else field("body"),
        "client_id": field("client_id"),
        "reply_to_id": field("reply_to_id"),
        "reactions": {} if deleted else dict(field("reactions") or {}),
        "created_at": iso(field("created_at")),
        "edited_at": iso(edited_at),
        "deleted": deleted,
    }


def stored_payload(message_id: int, values: dict) -> dict:
    """`payload` of a message just stored from `values` (a `Draft.values` row), without
    building the ORM object (the send pipeline makes one per message of a batch)."""
    return _wire({**values, "id": message_id}.__getitem__, edited_at=None, deleted=False)


def payload(message: Message) -> dict:
    """A message as the sockets and the API send it (the API's Message schema)."""
    return _wire(partial(getattr, message), edited_at=message.edited_at, deleted=message.deleted)


# Registers this feature's notification kinds (the registry is complete once services load).
from community.chat import notifications as _notifications  # noqa: E402,F401
