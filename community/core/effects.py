"""Side effects that run after the transaction that caused them commits, never before.

A service that changes data and wants something to happen outside the database (a
Socket.IO event, a file written or deleted, the mail sender woken up, a cache dropped)
queues it with `on_commit` (or `emit_after_commit`). One `after_commit` listener runs the
queue once the outermost transaction has committed; a rollback drops what was queued
inside the rolled-back transaction (or savepoint). Whoever commits, a page view, an API
view, a CLI command or a socket handler, the effects run the same way.

The model is Zulip's `send_event_on_commit` (Django's `transaction.on_commit`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from community.extensions import db, socketio

log = logging.getLogger(__name__)

_QUEUE = "alongside.after_commit"


@dataclass
class _Effect:
    transaction: SessionTransaction | None
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict


def on_commit(fn: Callable[..., Any], *args: Any, session: Session | None = None, **kwargs) -> None:
    """Run `fn(*args, **kwargs)` after the current transaction commits; never if it rolls back.

    Called by services (never by views). Effects run in the order they were queued, inside
    the committing code's app context, and must not use the database session: the
    transaction is over when they run. An effect that raises is logged and the rest still
    run (the commit itself has already succeeded).
    """
    session = session or db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:  # nothing done yet: begin, so a rollback can drop the effect
        transaction = session.begin()
    session.info.setdefault(_QUEUE, []).append(_Effect(transaction, fn, args, kwargs))


def emit_after_commit(event_name: str, payload: Any, *, to: str | list[str]) -> None:
    """Emit a Socket.IO event to a room (or rooms) once the current transaction commits.

    Always to an explicit room (`user:<id>`, `conversation:<id>`), never a broadcast. Through
    the message queue when one is configured, so every app process delivers it.
    """
    on_commit(socketio.emit, event_name, payload, to=to, namespace="/")


def pending_effects(session: Session | None = None) -> int:
    """How many effects wait for the current transaction (tests and debugging)."""
    session = session or db.session()
    return len(session.info.get(_QUEUE, []))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """True when `transaction` is `ended` or one of its savepoints."""
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    """Run the queue once the outermost transaction has committed (savepoints wait)."""
    if session.in_nested_transaction():
        return  # a savepoint was released: its effects now belong to the enclosing one
    effects = session.info.pop(_QUEUE, [])
    for effect in effects:
        try:
            effect.fn(*effect.args, **effect.kwargs)
        except Exception:
            log.exception("An after-commit effect failed: %r", effect.fn)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """Forget the effects queued in a transaction or savepoint that rolled back."""
    effects = session.info.get(_QUEUE)
    if not effects:
        return
    if previous_transaction.parent is None:
        session.info.pop(_QUEUE, None)
        return
    session.info[_QUEUE] = [
        effect for effect in effects if not _within(effect.transaction, previous_transaction)
    ]
