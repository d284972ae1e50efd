"""The live half of chat: the Socket.IO handlers of the chat contract, and the rooms.

A socket joins `conversation:<id>` for each of its member's conversations when it connects
(`join_my_conversations`, called by the auth `connect` handler). Each client event below
runs `_handle`: it re-checks the server-side login session (Flask-SocketIO keeps only the
cookie session of connect time; the user loader looks the session row up again for every
event, so a revoked session or a suspended member is anonymous here), spends the member's
rate, validates the payload's shape, calls `community.chat.services`, commits, and answers
the ack `{ok: true, ...}` or `{ok: false, error: {code, message, field}}`. What the change
sends to the room (`message:new` ...) is queued by the service for after the commit.

Who is in a room changes on every process at once through `community.core.control`: the
chat service queues `join_conversation_room` / `leave_conversation_room` after the commit
that added or removed a member (or made or lifted a block).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import disconnect, emit, join_room
from limits import parse

from community.auth.models import User
from community.auth.sessions import SessionMember, live_member
from community.auth.sockets import SESSION_TOKEN, USER_ID, user_room
from community.chat import pipeline, services
from community.chat.services import conversation_room
from community.core import control
from community.core.database import MAX_ID
from community.core.errors import Invalid, ServiceError
from community.extensions import db, limiter, socketio

log = logging.getLogger(__name__)

# Longest text a field may carry before the service looks at it (bodies are checked
# against services.MAX_BODY there; the transport caps a packet at max_http_buffer_size).
MAX_TEXT = 4 * services.MAX_BODY


# --- rooms, on every process -----------------------------------------------------------------


def join_my_conversations(user: User) -> None:
    """Put the connecting socket in the room of each of `user`'s conversations (one query).
    Called by `community.auth.sockets.connect`."""
    for conversation_id in services.live_conversation_ids(user.id):
        join_room(conversation_room(conversation_id))


def join_conversation_room(user_id: int, conversation_id: int) -> None:
    """`user_id`'s open sockets, on every process, join the conversation's room, so they
    get its messages without a reload. Queued by the chat service after the commit that
    added them (a new direct or group conversation, a group or event room, a lifted block)."""
    control.join(user_room(user_id), conversation_room(conversation_id))


def leave_conversation_room(user_id: int, conversation_id: int, *, removed: bool = True) -> None:
    """Take `user_id`'s open sockets, on every process, out of the conversation's room, so
    nothing more of it reaches them; `removed` also tells them `conversation:removed`.
    Queued by the chat service after the commit of a removal, a leave or a block."""
    control.leave(
        user_room(user_id),
        conversation_room(conversation_id),
        event="conversation:removed" if removed else None,
        data={"conversation_id": conversation_id},
    )


# --- payloads, rates, errors -----------------------------------------------------------------


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


def _is_text(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT


def _int(data: dict, name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not _is_id(value):
        raise Invalid(
            _("%(name)s is a whole number from 0 to %(max)d.", name=name, max=MAX_ID), name
        )
    return value


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    if not _is_text(value):
        raise Invalid(_("%(name)s is text.", name=name), name)
    return value


def _error(code: str, message: str, field: str | None = None) -> dict:
    return {"ok": False, "error": {"code": code, "message": message, "field": field}}


def _refusal(error: ServiceError) -> dict:
    return _error(error.code, error.message, error.field)


class _Refused(Exception):
    """A handler's early answer (not logged in any more, over the rate)."""

    def __init__(self, answer: dict) -> None:
        super().__init__(answer["error"]["code"])
        self.answer = answer


def _member() -> User:
    """The member behind this socket now, or end it: a revoked session or an account that
    is no longer active gets `error {code: "unauthorized"}` and a disconnect (the event's
    ack never comes: the socket is closed, and reconnecting is refused)."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    message = _("Your session has ended. Please log in again.")
    emit("error", {"code": "unauthorized", "message": message})
    disconnect()
    raise _Refused(_error("unauthorized", message))


def _sender() -> User | SessionMember:
    """`_member` for `message:send`, the hottest event: the same server-side session check
    in one Core statement, without loading the ORM user (about a third of a send's CPU);
    any doubt (no token in the session, a session that fails) takes `_member`'s way."""
    member = live_member(session.get("_user_id"))
    return member if member is not None else _member()


def _spend(kind: str, user_id: int, config: dict | None = None) -> bool:
    """Spend one of the member's CHAT_<KIND>_LIMIT (in the rate-limit storage, Redis in
    scale-out, so the budget holds across processes); False when none is left. `config`:
    the app's, when called outside an app context (the light `message:send`)."""
    if not limiter.enabled:
        return True
    item = parse((current_app.config if config is None else config)[f"CHAT_{kind.upper()}_LIMIT"])
    return limiter.limiter.hit(item, f"chat-{kind}", str(user_id))


def _rate(kind: str, user_id: int) -> None:
    if _spend(kind, user_id):
        return
    message = _("You are sending too fast. Please wait a few seconds.")
    emit("error", {"code": "rate_limited", "message": message})
    raise _Refused(_error("rate_limited", message))


def _handle(rate: str, who: Callable[[], User | SessionMember] = _member) -> Callable:
    """Wrap a client event handler `fn(member, data) -> dict`: session (`who`), rate,
    payload shape, commit, ack. Never lets an exception out (the client gets
    `internal_error`)."""

    def decorate(fn: Callable[[User, dict], dict]) -> Callable:
        @wraps(fn)
        def handler(data: Any = None) -> dict:
            try:
                member = who()
                _rate(rate, member.id)
                if not isinstance(data, dict):
                    raise Invalid(_("Send an object."), None)
                answer = fn(member, data)
                db.session.commit()
                return {"ok": True, **answer}
            except _Refused as refused:
                db.session.rollback()
                return refused.answer
            except ServiceError as error:
                error.settle()
                return _refusal(error)
            except Exception:
                db.session.rollback()
                log.exception("Socket event %s failed", getattr(request, "event", None))
                return _error("internal_error", _("Something went wrong on our side."))

        return handler

    return decorate


# --- client events ---------------------------------------------------------------------------


@socketio.on("message:send")  # served by `_light_send` first (see `init_app`)
@_handle("send", _sender)
def send_message(member: User | SessionMember, data: dict) -> dict:
    """`message:send {conversation_id, body, client_id, reply_to_id?}`: store the message
    (a retry with the same client_id returns the stored one), committed with the other
    sends waiting at that moment (`chat.pipeline`); `message:new` goes to the room after
    the commit. Ack `{ok, created, message}`."""
    acked = pipeline.send(
        member,
        _int(data, "conversation_id"),
        _text(data, "body"),
        _text(data, "client_id"),
        _int(data, "reply_to_id", required=False),
    )
    return {"created": acked.created, "message": acked.message}


def _light_fields(data: Any) -> tuple[int, str, str, int | None] | None:
    """`message:send`'s fields (conversation_id, body, client_id, reply_to_id) when each has
    the type the standard handler's `_int` and `_text` accept; None otherwise (the standard
    handler then says which field is wrong)."""
    if not isinstance(data, dict):
        return None
    conversation_id, reply_to_id = data.get("conversation_id"), data.get("reply_to_id")
    body, client_id = data.get("body"), data.get("client_id")
    shaped = (
        _is_id(conversation_id)
        and (reply_to_id is None or _is_id(reply_to_id))
        and _is_text(body)
        and _is_text(client_id)
    )
    return (conversation_id, body, client_id, reply_to_id) if shaped else None


def _light_send(standard: Callable, sid: str, data: Any = None) -> dict | None:
    """`message:send` without Flask-SocketIO's per-event request context (it rebuilds the
    connect request and decodes its session cookie for every event: about a sixth of a
    send's CPU), without an app context (only a batch's leader pushes one) and without a
    database connection of its own: the rate is spent (for the member who connected), the
    payload's shape is checked, and the send goes to the pipeline unchecked, with the
    login session's token saved at connect; the batch's leader checks the text, the
    session row again (revoked, idle, account status), the membership, the block and a
    stored retry for every send of the batch in one read (`chat.batch_checks`). Only a
    send that goes through answers here; anything else (no live session, over the rate,
    a refusal, a failure) is handed to the `standard` handler, which answers in the
    member's language, ends a dead session's socket and logs, as for every other event.
    A handed-over send stored nothing (refusals write nothing; a failed batch rolled
    back), so the standard handler's own check decides it again (a refused send spends
    two of the rate, not one)."""
    environ = socketio.server.get_environ(sid, namespace="/")
    token = environ.get(SESSION_TOKEN) if environ else None
    fields = _light_fields(data) if token is not None else None
    if fields is None:
        return standard(sid, data)
    app = environ["flask.app"]
    try:
        if _spend("send", environ[USER_ID], app.config):
            acked = pipeline.send_as(app, token, *fields)
            if acked is not None:
                return {"ok": True, "created": acked.created, "message": acked.message}
    except Exception:  # a failed batch logged itself; the standard handler answers
        log.debug("The light message:send of %s is handed over", sid, exc_info=True)
    return standard(sid, data)


def init_app(app) -> None:
    """Serve `message:send` by `_light_send`, with Flask-SocketIO's handler behind it. Called
    by the app factory after `socketio.init_app` (which builds the Socket.IO server)."""
    standard = socketio.server.handlers["/"]["message:send"]
    socketio.server.on("message:send", partial(_light_send, standard), namespace="/")


@socketio.on("message:edit")
@_handle("send")
def edit_message(member: User, data: dict) -> dict:
    """`message:edit {conversation_id, message_id, body}`: the sender changes their text;
    `message:updated` follows. Ack `{ok, message}`."""
    message = services.edit_message(
        member, _int(data, "conversation_id"), _int(data, "message_id"), _text(data, "body")
    )
    return {"message": services.payload(message)}


@socketio.on("message:delete")
@_handle("send")
def delete_message(member: User, data: dict) -> dict:
    """`message:delete {conversation_id, message_id}`: the sender deletes their message;
    `message:deleted` follows. Ack `{ok, message}` (the tombstone)."""
    message = services.delete_message(
        member, _int(data, "conversation_id"), _int(data, "message_id")
    )
    return {"message": services.payload(message)}


@socketio.on("message:react")
@_handle("send")
def react(member: User, data: dict) -> dict:
    """`message:react {conversation_id, message_id, emoji}`: add or take back a reaction;
    `message:updated` follows. Ack `{ok, message}`."""
    message = services.react(
        member, _int(data, "conversation_id"), _int(data, "message_id"), _text(data, "emoji")
    )
    return {"message": services.payload(message)}


@socketio.on("sync")
@_handle("read")
def sync(member: User, data: dict) -> dict:
    """`sync {conversation_id, after_seq}`: what changed after `after_seq`, oldest change
    first, a page at a time. Ack `{ok, messages, has_more, reset, last_seq}`."""
    changes = services.changes_after(member, _int(data, "conversation_id"), _int(data, "after_seq"))
    return {
        "messages": [services.payload(message) for message in changes.messages],
        "has_more": changes.has_more,
        "reset": changes.reset,
        "last_seq": changes.last_seq,
    }


@socketio.on("read")
@_handle("read")
def read(member: User, data: dict) -> dict:
    """`read {conversation_id, seq}`: the member has read up to `seq`; the room hears
    `read {conversation_id, user_id, seq}`. Ack `{ok, seq}` (the read position now)."""
    row = services.mark_read(member, _int(data, "conversation_id"), _int(data, "seq"))
    return {"seq": row.last_read_seq}


@socketio.on("join")
@_handle("read")
def join(member: User, data: dict) -> dict:
    """`join {conversation_id}`: (re)join a conversation's room after a membership check
    (connecting already joins them all). Ack `{ok, last_seq}`."""
    conversation = services.live_room(member, _int(data, "conversation_id"))
    join_room(conversation_room(conversation.id))
    return {"last_seq": conversation.last_seq}


@socketio.on("typing")
def typing(data: Any = None) -> None:
    """`typing {conversation_id}` (no ack): relayed to the room without the sender as
    `typing {conversation_id, user_id, name}`, at most once per CHAT_TYPING_LIMIT; more
    often is dropped silently (the indicator is a hint, not a message)."""
    try:
        member = _member()
        if not _spend("typing", member.id):
            return
        if not isinstance(data, dict):
            return
        conversation = services.live_room(member, _int(data, "conversation_id"))
        emit(
            "typing",
            {
                "conversation_id": conversation.id,
                "user_id": member.id,
                "name": member.display_name,
            },
            to=conversation_room(conversation.id),
            include_self=False,
        )
    except (_Refused, ServiceError):
        pass
    except Exception:
        log.exception("Socket event typing failed")
    finally:
        db.session.rollback()
