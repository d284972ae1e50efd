"""Group commit for `message:send`: the sends that arrive while a transaction is being
written wait for it and are then written together, in one transaction.

Why: a send's writes (the seq, the message, the read position, the commit) happen under the
conversation's lock, on SQLite the one write lock of the database. With many senders the
sends queue there, one transaction each, and each of its statements gives the GIL away
and waits to get it back. One transaction for all the sends waiting at that moment turns
N transactions of 4 statements into one of 3.

How (a leader and followers, no thread of its own): a send joins the queue; if nobody is
writing it writes the queue at once (a send alone commits without waiting) and so
becomes the leader; otherwise it waits. A send joins either checked (`submit`: the
standard handler ran `services.check_send`: membership, block, a stored retry, the
reply) or unchecked (`submit_request`: the socket's light path, which checks out no
connection at all). The leader takes up to MAX_BATCH sends and, in its own session and
on one connection:

- checks the unchecked ones in one read for the whole batch (`batch_checks.judge`: each
  sender's session row, membership, a block either way, a stored retry, the reply). A
  retry of a message stored before is answered with it; a refused send (not a member,
  blocked, a dead or revoked session, a suspended account, a foreign reply, a client_id
  used for another text) is left out and handed back to its own sender (None), whose
  standard handler decides it again and answers in the member's language, so it never
  fails another. Then it writes the sends that passed (one send: `services.store_draft`,
  the one-send statements, built once);
- the conversations' counters, each advanced by its number of sends in one
  `UPDATE ... RETURNING` (the lock: SQLite's write lock, PostgreSQL's row locks, taken in
  id order first), and the seqs handed out in queue order, so each conversation's seqs
  stay gap-free in commit order;
- the messages in one multi-row INSERT (the unique (sender, client_id) still decides);
- each sender's read position in one UPDATE;
- one commit, after which each waiting sender gets its stored message for its ack (the
  first after-commit effect) and `message:new` goes out for each (`emit_after_commit`).

Two sends with the same (sender, client_id) in one batch (a retry racing its original)
store the first; the second answers with it (created False), or Conflict for another text
or conversation. If anything in the batch does not go as planned (a racing retry stored
meanwhile through another way, a member removed meanwhile, a database error), the batch
rolls back, nothing of it was acked or emitted, and every send in it is written again on
its own by its own caller (a checked one by `services.store_draft`; an unchecked one is
handed back to its standard handler), exactly as without the pipeline. When
the leader is done it hands the lead to the first send that queued meanwhile.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, String, Text, bindparam, insert, select, update

from community.auth.models import User
from community.auth.sessions import SessionMember
from community.chat import batch_checks, services
from community.chat.models import Conversation, ConversationMember, Message
from community.core.database import UTCDateTime, json_rows, utcnow
from community.core.effects import emit_after_commit, on_commit
from community.core.errors import Conflict, ServiceError
from community.extensions import db

log = logging.getLogger(__name__)

MAX_BATCH = 64  # sends in one transaction


@dataclass(frozen=True)
class Acked:
    """What the sender's ack carries: whether this send stored the message, and the message
    as the sockets send it (`services.payload`)."""

    created: bool
    message: dict


@dataclass(eq=False)
class _Waiting:
    draft: services.Draft | None  # checked (None: `request` waits for the batch's check)
    request: batch_checks.Request | None = None
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to write the next batch
    conflict: bool = False  # a racing send with this client_id had another text
    acked: Acked | None = None


class _Batch(Exception):
    """The batch cannot be written as planned: roll back, each send on its own."""


class SendPipeline:
    """One per app (so per database) and process; see the module's docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._leading = False

    def submit(self, draft: services.Draft) -> Acked:
        """Write `draft` with whatever else is waiting; return once it is committed."""
        waiting = self._wait(_Waiting(draft))
        if waiting.conflict:
            raise Conflict(_(services.CONFLICT), "client_id")
        if waiting.acked is None:  # the batch failed (or never ran): on its own
            return _alone(draft)
        return waiting.acked

    def submit_request(self, request: batch_checks.Request, app: Flask) -> Acked | None:
        """Check and write `request` with whatever else is waiting (its checks in the
        batch's one read); its answer once it is committed, or None when it was refused,
        its session is not live, or its batch failed: nothing of it was stored, and its
        sender's standard handler decides it again. Needs no app context: if this send
        leads a batch, it pushes one of `app` for the batch."""
        waiting = self._wait(_Waiting(None, request), app)
        return None if waiting.conflict else waiting.acked

    def _wait(self, waiting: _Waiting, app: Flask | None = None) -> _Waiting:
        """Queue `waiting`; lead the next batch if nobody is writing (or when handed the
        lead), in an app context of `app` if given; return once its batch is done."""
        with self._lock:
            self._queue.append(waiting)
            lead = not self._leading
            self._leading = True
        if not lead:
            waiting.done.wait()
        if lead or waiting.lead:
            if app is None:
                self._lead(waiting)
            else:
                with app.app_context():  # its end removes the leader's session
                    self._lead(waiting)
        return waiting

    def _lead(self, own: _Waiting) -> None:
        with self._lock:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        try:
            if batch == [own] and own.draft is not None:  # alone (idle, or under gevent,
                # where nobody queues while SQLite works): the one-send statements, built
                # once, in the sender's session
                own.acked = _alone(own.draft)
            else:
                _write(batch)
        finally:
            with self._lock:
                if self._queue:
                    following = self._queue[0]
                    following.lead = True
                    following.done.set()
                else:
                    self._leading = False
            for waiting in batch:
                if not waiting.lead:
                    waiting.done.set()


_pipelines_guard = threading.Lock()


def pipeline(app: Flask | None = None) -> SendPipeline:
    """The send pipeline of `app` (by default the current app)."""
    extensions = (current_app if app is None else app).extensions
    found = extensions.get("chat_send_pipeline")
    if found is None:
        with _pipelines_guard:
            found = extensions.setdefault("chat_send_pipeline", SendPipeline())
    return found


def send(
    sender: User | SessionMember,
    conversation_id: int,
    body: object,
    client_id: object,
    reply_to_id: int | None = None,
) -> Acked:
    """Store a message through the pipeline and COMMIT (the caller's transaction too: a
    send commits with the others of its batch, so it ends whatever its caller began).
    Called by the socket's standard `message:send` handler (a send the light path handed
    over). The same rules, errors and idempotency as `services.send_message`; a retry
    returns the stored message (created False)."""
    checked = services.check_send(sender, conversation_id, body, client_id, reply_to_id)
    if isinstance(checked, services.Sent):
        return Acked(False, services.payload(checked.message))
    db.session.commit()  # the check's read ends: its connection goes back to the pool
    return pipeline().submit(checked)


def send_as(
    app: Flask,
    token: object,
    conversation_id: int,
    body: object,
    client_id: object,
    reply_to_id: int | None = None,
) -> Acked | None:
    """`send` for the login session whose token is `token`, checked by the batch's leader
    in the batch's one read (`batch_checks`), so this send checks out no connection and
    commits nothing of its own. None when the session is not live, the send is refused or
    its batch failed: nothing was stored, and the caller's standard handler decides it
    again (a text or client id that cannot be sent too). Needs no app context. Called by
    the socket's light path of `message:send`, which spent the rate."""
    request = batch_checks.request(token, conversation_id, body, client_id, reply_to_id)
    return None if request is None else pipeline(app).submit_request(request, app)


def _alone(draft: services.Draft) -> Acked:
    """A send written on its own, in its caller's session (a batch of one, or the sends
    of a batch that failed)."""
    sent = services.store_draft(draft)
    acked = Acked(sent.created, services.payload(sent.message))
    db.session.commit()
    return acked


def _write(batch: list[_Waiting]) -> None:
    """Check the batch's unchecked requests (one read), then write its drafts in the
    leader's session on the same connection and commit; on any trouble roll back and mark
    every send to be written (or decided) on its own."""
    try:
        _check(batch)
        first: dict[tuple[int, str], _Waiting] = {}
        fresh, again = [], []
        for waiting in batch:
            if waiting.draft is None or waiting.acked is not None:
                continue  # refused (handed back to its sender), or a retry answered
            key = (waiting.draft.sender.id, waiting.draft.client_id)
            if key in first:
                again.append(waiting)
            else:
                first[key] = waiting
                fresh.append(waiting)
        if len(fresh) == 1 and not again:  # the one-send statements
            only = fresh[0]
            sent = services.store_draft(only.draft)
            acked = Acked(sent.created, services.payload(sent.message))
            db.session.commit()
            only.acked = acked
            return
        if fresh:
            messages = _store(fresh)
            # After the commit, first the answers (the senders wake), then `message:new`.
            on_commit(_settle, fresh, messages, again, first)
            for message in messages:
                emit_after_commit(
                    "message:new",
                    message,
                    to=services.conversation_room(message["conversation_id"]),
                )
        db.session.commit()  # (with nothing to write: a session's touch, if any)
    except (_Batch, ServiceError):
        db.session.rollback()
        _unanswer(batch)  # each send is written (or decided) on its own by its sender
    except Exception:
        db.session.rollback()
        _unanswer(batch)
        log.warning(
            "A batch of %d sends failed; each is sent on its own", len(batch), exc_info=True
        )


def _check(batch: list[_Waiting]) -> None:
    """The checks of the batch's unchecked requests, in one read: each gets its draft, the
    answer of a retry, or stays undecided (handed back to its sender)."""
    unchecked = [waiting for waiting in batch if waiting.request is not None]
    if not unchecked:
        return
    outcomes = batch_checks.judge([waiting.request for waiting in unchecked])
    for waiting, outcome in zip(unchecked, outcomes, strict=True):
        if isinstance(outcome, services.Sent):  # a retry of a message stored before
            waiting.acked = Acked(False, services.payload(outcome.message))
        else:
            waiting.draft = outcome


def _unanswer(batch: list[_Waiting]) -> None:
    """Forget the answers of a batch that rolled back (a retry's answer read in it too)."""
    for waiting in batch:
        waiting.acked = None
        waiting.conflict = False


def _settle(
    fresh: list[_Waiting],
    messages: list[dict],
    again: list[_Waiting],
    first: dict[tuple[int, str], _Waiting],
) -> None:
    """The answers of a committed batch; wakes its senders (an after-commit effect)."""
    for waiting, message in zip(fresh, messages, strict=True):
        waiting.acked = Acked(True, message)
    for waiting in again:  # a retry racing its original inside the batch
        original = first[(waiting.draft.sender.id, waiting.draft.client_id)]
        same = (
            waiting.draft.digest == original.draft.digest
            and waiting.draft.conversation_id == original.draft.conversation_id
        )
        if same:
            waiting.acked = Acked(False, original.acked.message)
        else:
            waiting.conflict = True
    for waiting in (*fresh, *again):
        if not waiting.lead:
            waiting.done.set()


_MESSAGE_FIELDS = (
    ("conversation_id", Integer),
    ("seq", Integer),
    ("sender_id", Integer),
    ("client_id", String),
    ("sent_digest", String),
    ("body", Text),
    ("reply_to_id", Integer),
)


@cache
def _batch_writes(dialect: str):
    """The batch's statements, built once per database; their rows travel as JSON
    parameters (`core.database.json_rows`), so any batch runs the same three statements:
    the conversations' counters, each advanced by its number of sends (`:counts`), the
    messages (`:new_messages`), the senders' read positions (`:reads`); and on PostgreSQL the
    conversations' row locks in id order first."""
    conversations = Conversation.__table__
    members = ConversationMember.__table__
    messages = Message.__table__
    counts = json_rows(dialect, "counts", (("conversation_id", Integer), ("n", Integer)))
    now = bindparam("now", type_=UTCDateTime())
    lock = (
        select(conversations.c.id)
        .where(conversations.c.id.in_(select(counts.c.conversation_id)))
        .order_by(conversations.c.id)
        .with_for_update()
    )
    take_seqs = (
        update(conversations)
        .where(conversations.c.id == counts.c.conversation_id)
        .values(last_seq=conversations.c.last_seq + counts.c.n, last_activity_at=now)
        .returning(conversations.c.id, conversations.c.last_seq)
    )
    rows = json_rows(dialect, "new_messages", _MESSAGE_FIELDS)
    store = (
        insert(messages)
        .from_select(
            [*(name for name, _kind in _MESSAGE_FIELDS), "position", "reactions", "created_at"],
            select(
                *(rows.c[name] for name, _kind in _MESSAGE_FIELDS),
                rows.c.seq,
                bindparam("reactions", type_=messages.c.reactions.type),
                now,
            ),
        )
        .returning(messages.c.id, messages.c.sender_id, messages.c.client_id)
    )
    reads = json_rows(dialect, "reads", (("member_id", Integer), ("seq", Integer)))
    read_own = (
        update(members)
        .where(members.c.id == reads.c.member_id)
        .values(last_read_seq=reads.c.seq)
        .returning(members.c.id)
    )
    return lock, take_seqs, store, read_own


def _store(fresh: list[_Waiting]) -> list[dict]:
    """The batch's writes (see the module's docstring); the payloads of its messages, in
    the order of `fresh`. Raises _Batch when a row is not where the checks left it."""
    dialect = db.session.get_bind().dialect.name
    lock, take_seqs, store, read_own = _batch_writes(dialect)
    counts = Counter(waiting.draft.conversation_id for waiting in fresh)
    batch_counts = json.dumps([{"conversation_id": c, "n": n} for c, n in counts.items()])
    now = utcnow()
    if dialect != "sqlite":  # row locks in one order: no deadlock
        db.session.execute(lock, {"counts": batch_counts})
    last = dict(db.session.execute(take_seqs, {"counts": batch_counts, "now": now}).all())
    if len(last) != len(counts):
        raise _Batch("a conversation is gone")
    next_seq = {cid: last[cid] - n + 1 for cid, n in counts.items()}
    rows, read = [], {}
    for waiting in fresh:
        draft = waiting.draft
        seq = next_seq[draft.conversation_id]
        next_seq[draft.conversation_id] = seq + 1
        rows.append(draft.values(seq, now))
        read[draft.member_id] = seq
    fields = [name for name, _kind in _MESSAGE_FIELDS]
    stored = {
        (sender_id, client_id): message_id
        for message_id, sender_id, client_id in db.session.execute(
            store,
            {
                "new_messages": json.dumps([{name: row[name] for name in fields} for row in rows]),
                "reactions": {},
                "now": now,
            },
        )
    }
    if len(stored) != len(rows):
        raise _Batch("a message was not stored")
    reads = json.dumps([{"member_id": m, "seq": seq} for m, seq in read.items()])
    if len(db.session.execute(read_own, {"reads": reads}).all()) != len(read):
        raise _Batch("a sender left the conversation meanwhile")
    return [
        services.stored_payload(stored[(values["sender_id"], values["client_id"])], values)
        for values in rows
    ]
