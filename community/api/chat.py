"""Chat over the API: the same service verbs as the chat pages and the Socket.IO handlers.

`GET|POST /conversations`, `GET /conversations/{id}`, its messages (catch-up with
`after_seq`, or the newest page), sending with the socket's idempotency, edits, deletes,
reactions, reports, read state, members, leaving and muting. A conversation one is not in
answers the 404 of a missing one, to moderators and admins too. Refusals are the services'
ServiceError kinds, answered by the one error handler; what the live half sends
(`message:new` ...) goes out after the commit, whichever door the change came through.
"""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.api.schemas import Id
from community.chat import services
from community.chat.models import ConversationMember
from community.extensions import db, limiter

blp = Blueprint("chat_api", __name__, description="Conversations and their messages")

KINDS = ["direct", "group", "group_room", "event_room"]
NOT_FOUND = "No such conversation, or one you are not in"
RATE_DOC = "Too many messages, edits and reactions in a minute"

# Sends, edits, deletes and reactions share one budget per member (a 429 beyond it); the
# socket handlers keep their own.
chat_writes = limiter.shared_limit(
    lambda: current_app.config.get("CHAT_API_WRITE_LIMIT", "120 per minute"),
    scope="chat-api-writes",
    key_func=lambda: f"account:{api_user().id}",
)


# --- schemas -------------------------------------------------------------------------------


class ChatMessageSchema(ma.Schema):
    """A message as the sockets send it too (`message:new`, `message:updated` ...)."""

    id = Id(required=True)
    conversation_id = Id(required=True)
    seq = ma.fields.Integer(
        required=True, metadata={"description": "The conversation's seq of its latest change"}
    )
    position = ma.fields.Integer(
        required=True, metadata={"description": "Its place in the history (its first seq)"}
    )
    sender_id = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: a deleted account"}
    )
    body = ma.fields.String(required=True, metadata={"description": "Plain text; '' if deleted"})
    client_id = ma.fields.String(required=True)
    reply_to_id = ma.fields.Integer(required=True, allow_none=True)
    reactions = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.Integer()),
        required=True,
        metadata={"description": "Emoji -> ids of the members who reacted"},
    )
    created_at = ma.fields.String(
        required=True, metadata={"format": "date-time", "example": "2026-11-30T09:00:00Z"}
    )
    edited_at = ma.fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    deleted = ma.fields.Boolean(required=True)


class ConversationMemberSchema(ma.Schema):
    user_id = Id(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(["member", "owner"]))
    last_read_seq = ma.fields.Integer(
        required=True, metadata={"description": "Read every message up to this position"}
    )


class ConversationSchema(ma.Schema):
    id = Id(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    name = ma.fields.String(
        required=True,
        metadata={
            "description": "The other member, the group conversation's title, or the "
            "group's or event's name"
        },
    )
    title = ma.fields.String(required=True, metadata={"description": "Group conversations"})
    owner_id = ma.fields.Integer(required=True, allow_none=True)
    group_id = ma.fields.Integer(required=True, allow_none=True)
    event_id = ma.fields.Integer(required=True, allow_none=True)
    last_seq = ma.fields.Integer(required=True)
    last_activity_at = ma.fields.AwareDateTime(required=True)
    last_message = ma.fields.Nested(ChatMessageSchema, required=True, allow_none=True)
    unread = ma.fields.Integer(
        required=True, metadata={"description": "Messages of others after your read position"}
    )
    last_read_seq = ma.fields.Integer(required=True)
    muted = ma.fields.Boolean(required=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(["member", "owner"]))


class ConversationDetailSchema(ConversationSchema):
    members = ma.fields.List(ma.fields.Nested(ConversationMemberSchema), required=True)


class ConversationPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ConversationSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class ConversationQuerySchema(ma.Schema):
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(
        load_default=services.LIST_PAGE, validate=ma.validate.Range(min=1, max=100)
    )


class ConversationCreateSchema(ma.Schema):
    """Exactly one of `member_ids`, `group_id` or `event_id`."""

    class Meta:
        unknown = ma.RAISE

    member_ids = ma.fields.List(
        Id(),
        validate=ma.validate.Length(min=1, max=services.MAX_GROUP_MEMBERS - 1),
        metadata={
            "description": "One id without a title: the direct conversation with that member "
            "(found if it exists). With a title: a group conversation you own."
        },
    )
    title = ma.fields.String(
        validate=ma.validate.Length(max=services.MAX_TITLE),
        metadata={"description": "A group conversation's name"},
    )
    group_id = Id(metadata={"description": "The room of a group you are an active member of"})
    event_id = Id(metadata={"description": "The room of an event you organise or go to"})

    @ma.validates_schema
    def one_kind(self, data: dict, **_kwargs) -> None:
        given = [name for name in ("member_ids", "group_id", "event_id") if name in data]
        if len(given) != 1:
            raise ma.ValidationError(
                "Send exactly one of member_ids, group_id or event_id.",
                given[1] if len(given) > 1 else "member_ids",
            )
        if "title" in data and given != ["member_ids"]:
            raise ma.ValidationError("Only a group conversation of members has a title.", "title")


class ChatMessageQuerySchema(ma.Schema):
    after_seq = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(min=0, max=2**31 - 1),
        metadata={
            "description": "Catch-up: the changes after this seq, oldest first (call again "
            "with last_seq while has_more; on reset reload without it). Without it: the "
            "newest page of the history, oldest first."
        },
    )
    cursor = ma.fields.String(
        load_default=None,
        metadata={"description": "Without after_seq: next_cursor, for older messages"},
    )
    limit = ma.fields.Integer(
        load_default=services.HISTORY_PAGE, validate=ma.validate.Range(min=1, max=100)
    )


class ChatMessagePageSchema(ma.Schema):
    messages = ma.fields.List(ma.fields.Nested(ChatMessageSchema), required=True)
    has_more = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "With after_seq: more changes follow (ask after the last one's "
            "seq). Without: older messages exist (ask with next_cursor)."
        },
    )
    reset = ma.fields.Boolean(
        required=True, metadata={"description": "Too far behind: reload without after_seq"}
    )
    last_seq = ma.fields.Integer(
        required=True, metadata={"description": "The conversation's seq; catch up after it"}
    )
    next_cursor = ma.fields.String(required=True, allow_none=True)


class ChatMessageCreateSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    body = ma.fields.String(
        required=True, metadata={"description": f"1 to {services.MAX_BODY} characters"}
    )
    client_id = ma.fields.String(
        required=True,
        metadata={
            "description": "Your id for this message (1 to 64 of A-Z a-z 0-9 _ . : -): a "
            "retry with it returns the stored message (200); another body with it is 409"
        },
    )
    reply_to_id = Id(load_default=None, allow_none=True)


class ChatMessagePatchSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    body = ma.fields.String(
        required=True, metadata={"description": f"1 to {services.MAX_BODY} characters"}
    )


class ChatReadSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    seq = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "Read up to here (never moves back; capped at last_seq)"},
    )


class ChatReadStateSchema(ma.Schema):
    conversation_id = Id(required=True)
    seq = ma.fields.Integer(required=True, metadata={"description": "Your read position now"})
    unread = ma.fields.Integer(required=True)


class ChatUnreadSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    message_id = Id(required=True, metadata={"description": "Unread from this message on"})


class ConversationMembersAddSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    member_ids = ma.fields.List(
        Id(),
        required=True,
        validate=ma.validate.Length(min=1, max=services.MAX_GROUP_MEMBERS - 1),
    )


class ChatMuteSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    muted = ma.fields.Boolean(required=True)


class ChatReactionSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    emoji = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(services.REACTIONS),
        metadata={"description": "Adds your reaction, or takes it back if it is there"},
    )


class ChatReportRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=services.MAX_REPORT))


class ChatReportSchema(ma.Schema):
    id = Id(required=True)
    message_id = Id(required=True)
    reason = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


# --- presenting ----------------------------------------------------------------------------


def _present(item: services.Summary, members: list[ConversationMember] | None = None) -> dict:
    conversation, row = item.conversation, item.member
    answer = {
        "id": conversation.id,
        "kind": conversation.kind,
        "name": item.name,
        "title": conversation.title,
        "owner_id": conversation.owner_id,
        "group_id": conversation.group_id,
        "event_id": conversation.event_id,
        "last_seq": conversation.last_seq,
        "last_activity_at": conversation.last_activity_at,
        "last_message": services.payload(item.last_message) if item.last_message else None,
        "unread": item.unread,
        "last_read_seq": row.last_read_seq,
        "muted": row.muted,
        "role": row.role,
    }
    if members is not None:
        answer["members"] = [
            {
                "user_id": m.user_id,
                "display_name": m.user.display_name,
                "role": m.role,
                "last_read_seq": m.last_read_seq,
            }
            for m in members
        ]
    return answer


def _detail(me, conversation_id: int) -> dict:
    item = services.summary(me, conversation_id)
    return _present(item, services.members(item.conversation))


# --- conversations -------------------------------------------------------------------------


@blp.get("/conversations")
@token_required
@blp.arguments(ConversationQuerySchema, location="query")
@blp.response(200, ConversationPageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.doc(**TOKEN_DOC)
def list_conversations(query: dict):
    """My conversations, newest activity first, each with its last message and unread count."""
    page = services.my_conversations(api_user(), query["cursor"], query["limit"])
    return {"items": [_present(item) for item in page.items], "next_cursor": page.next_cursor}


@blp.post("/conversations")
@token_required
@blp.arguments(ConversationCreateSchema)
@blp.response(201, ConversationDetailSchema, description="A new conversation")
@blp.alt_response(
    200, schema=ConversationDetailSchema, description="The conversation found (direct or room)"
)
@blp.alt_response(404, description="No such member (or a block), group or event, or not in it")
@blp.doc(**TOKEN_DOC)
def start_conversation(body: dict):
    """Open the direct conversation with one member (found, never duplicated), start a group
    conversation (`member_ids` with a `title`), or open the room of a group or an event you
    are in (`group_id` / `event_id`)."""
    me = api_user()
    created = False
    if "group_id" in body:
        conversation = services.room_for(me, "group_id", body["group_id"])
    elif "event_id" in body:
        conversation = services.room_for(me, "event_id", body["event_id"])
    elif "title" in body or len(body["member_ids"]) > 1:
        conversation = services.create_group_conversation(me, body.get("title"), body["member_ids"])
        created = True
    else:
        conversation, created = services.open_direct(me, body["member_ids"][0])
    db.session.commit()
    return _detail(me, conversation.id), 201 if created else 200


@blp.get("/conversations/<int:conversation_id>")
@token_required
@blp.response(200, ConversationDetailSchema)
@blp.alt_response(404, description=NOT_FOUND)
@blp.doc(**TOKEN_DOC)
def get_conversation(conversation_id: int):
    """One of my conversations, with its members and their read positions."""
    return _detail(api_user(), conversation_id)


@blp.post("/conversations/<int:conversation_id>/members")
@token_required
@blp.arguments(ConversationMembersAddSchema)
@blp.response(200, ConversationDetailSchema)
@blp.alt_response(403, description="Not the conversation's owner")
@blp.alt_response(404, description=NOT_FOUND)
@blp.alt_response(409, description="Not a group conversation")
@blp.doc(**TOKEN_DOC)
def add_members(body: dict, conversation_id: int):
    """The owner of a group conversation adds members (50 in all at most)."""
    me = api_user()
    services.add_members(me, conversation_id, body["member_ids"])
    db.session.commit()
    return _detail(me, conversation_id)


@blp.delete("/conversations/<int:conversation_id>/members/<int:user_id>")
@token_required
@blp.response(204)
@blp.alt_response(403, description="Not the conversation's owner")
@blp.alt_response(404, description=NOT_FOUND + ", or that member is not in it")
@blp.alt_response(409, description="Not a group conversation, or yourself (leave instead)")
@blp.doc(**TOKEN_DOC)
def remove_member(conversation_id: int, user_id: int):
    """The owner takes a member out of a group conversation; their sockets leave its room."""
    services.remove_member(api_user(), conversation_id, user_id)
    db.session.commit()


@blp.post("/conversations/<int:conversation_id>/leave")
@token_required
@blp.response(204)
@blp.alt_response(404, description=NOT_FOUND)
@blp.alt_response(409, description="Not a group conversation")
@blp.doc(**TOKEN_DOC)
def leave(conversation_id: int):
    """Leave a group conversation (an owner who leaves hands it to the longest member)."""
    services.leave(api_user(), conversation_id)
    db.session.commit()


@blp.put("/conversations/<int:conversation_id>/mute")
@token_required
@blp.arguments(ChatMuteSchema)
@blp.response(200, ConversationSchema)
@blp.alt_response(404, description=NOT_FOUND)
@blp.doc(**TOKEN_DOC)
def mute(body: dict, conversation_id: int):
    """Mute or unmute a conversation (muted ones do not count in the unread badge)."""
    me = api_user()
    services.set_muted(me, conversation_id, body["muted"])
    db.session.commit()
    return _present(services.summary(me, conversation_id))


# --- read state ----------------------------------------------------------------------------


def _read_state(me, conversation_id: int) -> dict:
    item = services.summary(me, conversation_id)
    return {
        "conversation_id": conversation_id,
        "seq": item.member.last_read_seq,
        "unread": item.unread,
    }


@blp.post("/conversations/<int:conversation_id>/read")
@token_required
@blp.arguments(ChatReadSchema)
@blp.response(200, ChatReadStateSchema)
@blp.alt_response(404, description=NOT_FOUND)
@blp.doc(**TOKEN_DOC)
def mark_read(body: dict, conversation_id: int):
    """I have read up to `seq`; my other devices hear `read`."""
    me = api_user()
    services.mark_read(me, conversation_id, body["seq"])
    db.session.commit()
    return _read_state(me, conversation_id)


@blp.post("/conversations/<int:conversation_id>/unread")
@token_required
@blp.arguments(ChatUnreadSchema)
@blp.response(200, ChatReadStateSchema)
@blp.alt_response(404, description=NOT_FOUND + ", or no such message in it")
@blp.doc(**TOKEN_DOC)
def mark_unread(body: dict, conversation_id: int):
    """Mark a message and everything after it unread again."""
    me = api_user()
    services.mark_unread(me, conversation_id, body["message_id"])
    db.session.commit()
    return _read_state(me, conversation_id)


# --- messages ------------------------------------------------------------------------------


@blp.get("/conversations/<int:conversation_id>/messages")
@token_required
@blp.arguments(ChatMessageQuerySchema, location="query")
@blp.response(200, ChatMessagePageSchema)
@blp.alt_response(400, description="The cursor is not valid")
@blp.alt_response(404, description=NOT_FOUND)
@blp.doc(**TOKEN_DOC)
def list_messages(query: dict, conversation_id: int):
    """With `after_seq`: what changed after it (new, edited, deleted, reacted to), oldest
    change first. Without: the newest page of the history, oldest first."""
    me = api_user()
    if query["after_seq"] is not None:
        changes = services.changes_after(me, conversation_id, query["after_seq"], query["limit"])
        return {
            "messages": [services.payload(m) for m in changes.messages],
            "has_more": changes.has_more,
            "reset": changes.reset,
            "last_seq": changes.last_seq,
            "next_cursor": None,
        }
    page = services.recent(me, conversation_id, query["cursor"], query["limit"])
    return {
        "messages": [services.payload(m) for m in page.messages],
        "has_more": page.next_cursor is not None,
        "reset": False,
        "last_seq": page.last_seq,
        "next_cursor": page.next_cursor,
    }


@blp.post("/conversations/<int:conversation_id>/messages")
@token_required
@chat_writes
@blp.arguments(ChatMessageCreateSchema)
@blp.response(201, ChatMessageSchema, description="Stored")
@blp.alt_response(200, schema=ChatMessageSchema, description="A retry: the message already stored")
@blp.alt_response(403, description="A block between you, or your account may not send")
@blp.alt_response(404, description=NOT_FOUND)
@blp.alt_response(409, description="This client_id was used for another message")
@blp.alt_response(429, description=RATE_DOC)
@blp.doc(**TOKEN_DOC)
def send_message(body: dict, conversation_id: int):
    """Send a message; the room hears `message:new` after it is stored. Retrying with the
    same `client_id` and body returns the stored message and stores nothing."""
    sent = services.send_message(
        api_user(), conversation_id, body["body"], body["client_id"], body["reply_to_id"]
    )
    db.session.commit()
    return services.payload(sent.message), 201 if sent.created else 200


@blp.patch("/conversations/<int:conversation_id>/messages/<int:message_id>")
@token_required
@chat_writes
@blp.arguments(ChatMessagePatchSchema)
@blp.response(200, ChatMessageSchema)
@blp.alt_response(403, description="Not your message")
@blp.alt_response(404, description=NOT_FOUND + ", or no such message in it")
@blp.alt_response(409, description="The message was deleted")
@blp.alt_response(429, description=RATE_DOC)
@blp.doc(**TOKEN_DOC)
def edit_message(body: dict, conversation_id: int, message_id: int):
    """Change the text of your message: it takes a new seq and shows as edited."""
    message = services.edit_message(api_user(), conversation_id, message_id, body["body"])
    db.session.commit()
    return services.payload(message)


@blp.delete("/conversations/<int:conversation_id>/messages/<int:message_id>")
@token_required
@chat_writes
@blp.response(200, ChatMessageSchema, description="The tombstone, at its new seq")
@blp.alt_response(403, description="Not your message")
@blp.alt_response(404, description=NOT_FOUND + ", or no such message in it")
@blp.alt_response(409, description="Already deleted")
@blp.alt_response(429, description=RATE_DOC)
@blp.doc(**TOKEN_DOC)
def delete_message(conversation_id: int, message_id: int):
    """Delete your message: its text goes, its place stays (shown as deleted)."""
    message = services.delete_message(api_user(), conversation_id, message_id)
    db.session.commit()
    return services.payload(message)


@blp.post("/conversations/<int:conversation_id>/messages/<int:message_id>/reactions")
@token_required
@chat_writes
@blp.arguments(ChatReactionSchema)
@blp.response(200, ChatMessageSchema)
@blp.alt_response(404, description=NOT_FOUND + ", or no such message in it")
@blp.alt_response(429, description=RATE_DOC)
@blp.doc(**TOKEN_DOC)
def react(body: dict, conversation_id: int, message_id: int):
    """Add your reaction to a message, or take it back if you had given it."""
    message = services.react(api_user(), conversation_id, message_id, body["emoji"])
    db.session.commit()
    return services.payload(message)


@blp.post("/conversations/<int:conversation_id>/messages/<int:message_id>/report")
@token_required
@blp.arguments(ChatReportRequestSchema)
@blp.response(201, ChatReportSchema)
@blp.alt_response(404, description=NOT_FOUND + ", or no such message in it")
@blp.alt_response(409, description="Your own message, or reported already")
@blp.doc(**TOKEN_DOC)
def report(body: dict, conversation_id: int, message_id: int):
    """Report a message to the moderators (its text is kept as it was)."""
    row = services.report_message(api_user(), conversation_id, message_id, body["reason"])
    db.session.commit()
    return {
        "id": row.id,
        "message_id": row.message_id,
        "reason": row.reason,
        "created_at": row.created_at,
    }
