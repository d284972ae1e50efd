"""Presence (#17): online, away or offline, from a throttled heartbeat; who may see it; hiding it.

Rules:
- A socket sends `presence:heartbeat` about every 30 s while its page is visible. The store
  writes at most once per PRESENCE_WRITE_SECONDS (25) per member. (Settings in config.py.)
- A member is **online** while their last heartbeat is under PRESENCE_ONLINE_SECONDS (70)
  old, **away** after that, and **offline** once it is PRESENCE_OFFLINE_SECONDS (900) old or
  there is none. No "last seen" time is shown or sent: three coarse states tell a member
  whether to expect a quick answer without letting anyone log when another member reads.
- Only members allowed to see the profile (`profiles.directory.visible_ids`: the profile's
  visibility, blocks both ways, active accounts) see a member's presence, on the pages and
  live. A member who hides their presence is never shown and never sent, and (reciprocity,
  kept simple) sees nobody else's either.
- Live: `presence {user_id, status}` goes to the room `presence:<id>`, which a socket joins
  only through `watch` after the same check. A change of who may see a profile (a block, a
  connection ended, a stricter visibility, hiding) empties that room on every process and
  tells those sockets `presence:rewatch {user_id}`, so each one is checked again.
- Un-hiding is live too: a socket allowed to see a profile whose owner hides their presence
  waits in `presence-waiting:<id>` (it learns nothing there); un-hiding empties that room
  with `presence:rewatch {user_id}`, so those sockets ask again and get the status at once,
  and tells the member's own sockets `presence:rewatch {user_id: null}` (watch everyone
  again, now that they may see others, and send a heartbeat).
- The server knows "online" when a heartbeat arrives after a gap; "away" and "offline"
  happen by silence, so `sweep` (run every PRESENCE_SWEEP_SECONDS by the presence loop)
  announces the members whose last heartbeat crossed a threshold since the last sweep.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from community.auth.models import User
from community.core import control
from community.core.database import get_or_create, utcnow
from community.core.effects import emit_after_commit, on_commit
from community.extensions import db
from community.presence.models import MemberPresence
from community.presence.store import PresenceStore, current_store

ONLINE = "online"
AWAY = "away"
OFFLINE = "offline"

MAX_WATCH = 100  # members one `watch` may ask about


def setting(name: str) -> float:
    """One of the PRESENCE_*_SECONDS settings (config.py)."""
    return float(current_app.config[name])


def presence_room(user_id: int) -> str:
    """The sockets allowed to follow `user_id`'s presence (joined through `watch`)."""
    return f"presence:{user_id}"


def waiting_room(user_id: int) -> str:
    """Sockets allowed to see `user_id`'s profile that asked while `user_id` hid their
    presence: told to ask again when they show it (`set_hidden`). Nothing else goes there."""
    return f"presence-waiting:{user_id}"


def status_at(seen: datetime | None, now: datetime) -> str:
    """Online, away or offline for a last heartbeat at `seen` (None: never, or expired)."""
    if seen is None:
        return OFFLINE
    age = (now - seen).total_seconds()
    if age < setting("PRESENCE_ONLINE_SECONDS"):
        return ONLINE
    if age < setting("PRESENCE_OFFLINE_SECONDS"):
        return AWAY
    return OFFLINE


def is_hidden(user_id: int) -> bool:
    return bool(
        db.session.scalar(select(MemberPresence.hidden).where(MemberPresence.user_id == user_id))
    )


def hidden_ids(user_ids: Iterable[int]) -> set[int]:
    ids = set(user_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(MemberPresence.user_id).where(
                MemberPresence.user_id.in_(ids), MemberPresence.hidden.is_(True)
            )
        )
    )


def heartbeat(
    member: User, *, now: datetime | None = None, store: PresenceStore | None = None
) -> bool | None:
    """A socket of `member` says their page is open and visible. Writes the time (at most once
    per PRESENCE_WRITE_SECONDS) and, when the member was not online before, queues
    `presence {user_id, status: "online"}` to their presence room for after the commit.
    Called by the `presence:heartbeat` socket handler. Returns True when it wrote, False
    when the store's throttle skipped it, None when the member hides their presence."""
    now = now or utcnow()
    if is_hidden(member.id):
        return None
    touch = (store or current_store()).touch(member.id, now, setting("PRESENCE_WRITE_SECONDS"))
    if touch.written and status_at(touch.previous, now) != ONLINE:
        emit_after_commit(
            "presence", {"user_id": member.id, "status": ONLINE}, to=presence_room(member.id)
        )
    return touch.written


def statuses(
    viewer: User,
    user_ids: Iterable[int],
    *,
    now: datetime | None = None,
    store: PresenceStore | None = None,
) -> dict[int, str]:
    """The presence of those of `user_ids` that `viewer` may see: the profile rule, minus
    members who hide theirs; nothing at all when the viewer hides their own. Called by the
    chat and profile pages (through the `presence_of` template global) and by `watch`."""
    allowed, _waiting = _allowed(viewer, user_ids)
    return _read(allowed, now, store)


def _allowed(viewer: User, user_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """Which of `user_ids` `viewer` may see the presence of, and which only their hiding
    keeps from it (the profile rule allows them): the rule of `statuses`."""
    from community.profiles.directory import visible_ids  # presence builds on profiles

    ids = {int(user_id) for user_id in user_ids} - {viewer.id}
    if not ids or is_hidden(viewer.id):
        return set(), set()
    allowed = visible_ids(viewer, ids)
    hiding = hidden_ids(allowed)
    return allowed - hiding, hiding


def _read(allowed: set[int], now: datetime | None, store: PresenceStore | None) -> dict[int, str]:
    now = now or utcnow()
    seen = (store or current_store()).seen(allowed)
    return {user_id: status_at(seen.get(user_id), now) for user_id in sorted(allowed)}


def watch(viewer: User, user_ids: Iterable[int], join: Callable[[str], None]) -> dict[int, str]:
    """`statuses` for a socket that follows them: `join` (the socket's join_room) puts it in
    the presence room of each member it may see *before* their state is read, so a heartbeat
    in between is either read or received; and in the waiting room of each member hidden
    only by their own setting. Called by the `presence:watch` socket handler."""
    allowed, hiding = _allowed(viewer, user_ids)
    for user_id in allowed:
        join(presence_room(user_id))
    for user_id in hiding:
        join(waiting_room(user_id))
    return _read(allowed, None, None)


def set_hidden(member: User, hidden: bool, *, store: PresenceStore | None = None) -> bool:
    """The member's setting (privacy settings page and `PATCH /api/v1/me`). Hiding forgets
    their last heartbeat and, after the commit, empties their presence room on every
    process (its sockets are told `presence:rewatch`) and takes the member's own sockets
    out of every presence room (they see nobody). Showing it again, after the commit,
    tells the sockets waiting for it to ask again (`waiting_room`) and the member's own
    sockets to watch again and send a heartbeat. Returns whether it changed."""
    row, _created = get_or_create(MemberPresence, user_id=member.id)
    if row.hidden == hidden:
        return False
    row.hidden = hidden
    db.session.flush()
    from community.auth.sockets import user_room  # sockets build on the services

    if hidden:
        # At once, in Redis too: if this transaction rolls back, forgetting lost nothing.
        (store or current_store()).forget(member.id)
        viewers_changed(member.id)
        # And they see nobody either (reciprocity): their own sockets leave every presence
        # and waiting room they were in, and are told to ask again (they get nothing).
        on_commit(
            control.leave_prefixed,
            user_room(member.id),
            "presence",
            event="presence:rewatch",
            data={"user_id": None},
        )
    else:
        room = waiting_room(member.id)
        on_commit(control.leave, room, room, event="presence:rewatch", data={"user_id": member.id})
        emit_after_commit("presence:rewatch", {"user_id": None}, to=user_room(member.id))
    return True


def viewers_changed(*user_ids: int) -> None:
    """Who may see these members' profiles may have shrunk (a block, an ended connection, a
    stricter visibility, hiding): after the commit, every socket following their presence
    leaves the room, on every process, and is told `presence:rewatch {user_id}` to ask again
    (and be checked again). Called by the connections and profiles services."""
    for user_id in set(user_ids):
        room = presence_room(user_id)
        on_commit(control.leave, room, room, event="presence:rewatch", data={"user_id": user_id})
        # Nor does anyone wait for them any more: who still may, waits again on asking.
        waiting = waiting_room(user_id)
        on_commit(control.leave, waiting, waiting)


def sweep(
    since: datetime, until: datetime, *, store: PresenceStore | None = None
) -> dict[str, list[int]]:
    """Announce who went away or offline between `since` and `until`: the members whose
    last heartbeat crossed PRESENCE_ONLINE_SECONDS or PRESENCE_OFFLINE_SECONDS of age in that
    window get `presence {user_id, status}` (after the commit). Called by the presence loop
    (`community.presence.start_presence_sweeper`) and tests. Returns the ids by status."""
    store = store or current_store()
    online = timedelta(seconds=setting("PRESENCE_ONLINE_SECONDS"))
    offline = timedelta(seconds=setting("PRESENCE_OFFLINE_SECONDS"))
    crossed = {
        AWAY: store.seen_between(since - online, until - online),
        OFFLINE: store.seen_between(since - offline, until - offline),
    }
    hidden = hidden_ids(crossed[AWAY] + crossed[OFFLINE])
    for status, ids in crossed.items():
        crossed[status] = sorted(set(ids) - hidden)
        for user_id in crossed[status]:
            emit_after_commit(
                "presence", {"user_id": user_id, "status": status}, to=presence_room(user_id)
            )
    store.trim(until - offline)
    return crossed
