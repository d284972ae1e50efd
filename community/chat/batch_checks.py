"""The checks of a batch of light `message:send`s, in one read on the batch's connection.

The socket's light `message:send` (`chat.sockets._light_send`) hands its send to the send
pipeline unchecked, as a `Request`: the login session's token (hashed) and the send's
fields. The batch's leader (`chat.pipeline`) asks one statement for all of its
requests (`judge`): each sender's session row (live, unrevoked, of an active account, as
`auth.sessions.live_session_outerjoin` says), their membership of the conversation, a block
either way, the message their client_id already stored, and the conversation of the
message they reply to. The rules that read the row are the ones of a single send
(`auth.sessions.member_from_row`, `services.judged`), so a batched send is checked exactly
as one sent alone. A send that fails any check is left out of the batch and handed back
to its sender (None), whose standard handler checks it again and answers in the member's
language (or ends a dead session's socket); so one refused send never fails another.

The requests travel as one JSON parameter, read as a table by the database
(`core.database.json_rows`): one statement, built once per database, for any batch size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Integer, String, and_, select, true

from community.auth.models import User
from community.auth.sessions import (
    hash_token,
    live_session_join,
    live_session_outerjoin,
    member_from_row,
)
from community.chat import services
from community.chat.models import Conversation, ConversationMember, Message
from community.core.database import json_rows
from community.core.errors import ServiceError
from community.extensions import db

MAX_TOKEN = 128  # characters in a login session's token (as `auth.sessions` checks it)


@dataclass(frozen=True)
class Request:
    """A light send before its checks: who (the session token's hash) and what."""

    token_hash: str
    conversation_id: int
    body: str
    client_id: str
    reply_to_id: int | None


def request(
    token: object, conversation_id: int, body: str, client_id: str, reply_to_id: int | None
) -> Request | None:
    """The light send of the login session `token` (its text and client id are cleaned and
    checked in the batch, `judge`); None for a token that cannot be one. No SQL and no app
    context: called in the sender's thread, before the batch."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        return None
    return Request(hash_token(token), conversation_id, body, client_id, reply_to_id)


_FIELDS = (
    ("i", Integer),  # the request's place in the batch
    ("token_hash", String),
    ("conversation_id", Integer),
    ("client_id", String),
    ("reply_to_id", Integer),
)


@cache
def _statement(dialect: str):
    """The batch's one read, built once per database: one row per request, whatever fails.

    SQLite: the requests LEFT JOINed flat to each sender's session, account, membership,
    conversation and stored retry; its planner looks each one up by its index. PostgreSQL:
    the same joins inside a LATERAL subquery per request, so each is an index lookup
    whatever the statistics say (as flat joins, the planner estimates 100 requests and
    hashes the whole messages and sessions tables for every batch)."""
    requests = json_rows(dialect, "requests", _FIELDS)
    sender = User.__table__.c.id
    conversations = Conversation.__table__
    members = ConversationMember.__table__
    messages = Message.__table__

    def send_joins(left):
        return (
            left.outerjoin(
                members,
                and_(
                    members.c.user_id == sender,
                    members.c.conversation_id == requests.c.conversation_id,
                ),
            )
            .outerjoin(conversations, conversations.c.id == members.c.conversation_id)
            .outerjoin(
                messages,
                and_(messages.c.sender_id == sender, messages.c.client_id == requests.c.client_id),
            )
        )

    checks = [members.c.id.label("member_id"), *services.send_check_columns(sender)]
    reply = services.reply_conversation(requests.c.reply_to_id)
    if dialect == "sqlite":
        session_columns, with_sessions = live_session_outerjoin(requests, requests.c.token_hash)
        return select(requests.c.i, *session_columns, *checks, reply).select_from(
            send_joins(with_sessions)
        )
    session_columns, sessions, live = live_session_join(requests.c.token_hash)
    checked = (
        select(*session_columns, *checks)
        .select_from(send_joins(sessions))
        .where(*live)
        .lateral("checked")
    )
    return select(requests.c.i, checked, reply).select_from(requests.outerjoin(checked, true()))


def judge(requests: list[Request]) -> list[services.Sent | services.Draft | None]:
    """Check `requests` in one read (see the module's docstring) and their texts and
    client ids as a send's (`services.clean_body`, `clean_client_id`), in the caller's session
    (the batch's leader, which then writes the drafts on the same connection): for each,
    the `Draft` to store, the stored message of a retry (`Sent`, created False), or None
    when the send is refused or its session is not live (its sender's standard handler
    then answers). Writes nothing but a session's 15-minute touch."""
    batch = json.dumps(
        [
            {
                "i": n,
                "token_hash": r.token_hash,
                "conversation_id": r.conversation_id,
                "client_id": r.client_id,
                "reply_to_id": r.reply_to_id,
            }
            for n, r in enumerate(requests)
        ]
    )
    statement = _statement(db.session.get_bind().dialect.name)
    rows = {row.i: row for row in db.session.execute(statement, {"requests": batch})}
    return [_outcome(r, rows.get(n)) for n, r in enumerate(requests)]


def _outcome(request: Request, row) -> services.Sent | services.Draft | None:
    if row is None or row.session_id is None or row.user_id is None:
        return None  # no such session, revoked, or the account is not active
    member = member_from_row(row)
    if member is None:  # unseen too long
        return None
    try:
        return services.judged(
            member,
            row,
            request.conversation_id,
            services.clean_body(request.body),
            services.clean_client_id(request.client_id),
            request.reply_to_id,
        )
    except ServiceError:  # not a member, blocked, a used client_id, a bad text ...
        return None
