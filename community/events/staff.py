"""An event's staff: co-hosts and door helpers (`StaffRole`), chosen by its owner.

Only the event's owner (`services.is_event_owner`: its organiser, moderators and admins)
adds, changes and removes staff; co-hosts cannot. Each change is recorded in the audit log
(`community.audit.services.record`) in the same transaction, the member added is notified
("event.staff_added"), the request's cached roles are dropped (`forget_staff_roles`) and
the event's chat room is brought in line (co-hosts are in it).

Called by the "Hosts and helpers" page (`staff_routes`), the event page (co-hosts shown)
and the demo.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.audit.services import entries_for, record
from community.auth.models import User
from community.auth.roles import UserStatus
from community.connections.relations import (
    blocked_ids_select,
    connected_ids_select,
    is_blocked_either_way,
)
from community.core.database import get_or_create, lock_row
from community.core.effects import on_commit
from community.core.errors import Conflict, Invalid, NotFound
from community.events.models import Event, EventStaff, StaffRole
from community.events.services import (
    can_check_in,
    forget_staff_roles,
    get_visible_event,
    is_event_owner,
    sync_chat_room,
)
from community.events.sockets import leave_checkin_room
from community.extensions import db
from community.notifications.services import notify
from community.profiles.directory import visible_to_clause
from community.profiles.models import Profile

AUDIT_TARGET = "event"
MAX_QUERY = 80
MAX_FOUND = 10


def staff_of(event: Event) -> list[EventStaff]:
    """`event`'s co-hosts, then door helpers, each by when they were added, members loaded."""
    return list(
        db.session.scalars(
            select(EventStaff)
            .where(EventStaff.event_id == event.id)
            .options(joinedload(EventStaff.user))
            .order_by(EventStaff.role, EventStaff.created_at, EventStaff.id)
        )
    )


def cohosts(event: Event) -> list[User]:
    """The co-hosts shown on the event page ("Hosted by X with Y and Z"): active members."""
    return [
        row.user
        for row in staff_of(event)
        if row.role == StaffRole.COHOST and row.user.status == UserStatus.ACTIVE
    ]


def find_members(owner: User, event: Event, query: str) -> list[User]:
    """Members whose name contains `query` that `owner` may add and may find in the
    directory (`profiles.directory.visible_to_clause`: active, confirmed, a profile they may
    see, not blocked either way), not the organiser. At most MAX_FOUND, by name. Owners
    only (NotFound)."""
    if not is_event_owner(owner, event):
        raise NotFound(_("We could not find that event."))
    text = " ".join((query or "").split())[:MAX_QUERY]
    if len(text) < 2:
        return []
    return list(
        db.session.scalars(
            select(User)
            .outerjoin(Profile, Profile.user_id == User.id)
            .where(
                visible_to_clause(
                    owner, connected_ids_select(owner.id), blocked_ids_select(owner.id)
                ),
                func.lower(User.display_name).contains(text.lower(), autoescape=True),
                User.id != event.organiser_id,
            )
            .order_by(User.display_name, User.id)
            .limit(MAX_FOUND)
        )
    )


def _member(owner: User, event: Event, user_id: int) -> User:
    """The member `user_id` if `owner` may give them a role on `event`: an active account
    that may see the event, not blocked either way with the owner (NotFound otherwise, the
    same for a missing one); not the organiser (Conflict)."""
    member = db.session.get(User, user_id)
    if member is None or member.status != UserStatus.ACTIVE:
        raise NotFound(_("We could not find that member."), "user_id")
    if is_blocked_either_way(owner.id, member.id):
        raise NotFound(_("We could not find that member."), "user_id")
    if member.id == event.organiser_id:
        raise Conflict(_("The organiser already runs this event."), "user_id")
    return member


def set_staff(owner: User, event: Event, user_id: int, role: str) -> EventStaff:
    """`assign` for callers that do not ask whether the member was new (the staff page)."""
    return assign(owner, event, user_id, role)[0]


def assign(owner: User, event: Event, user_id: int, role: str) -> tuple[EventStaff, bool]:
    """Make `user_id` a co-host or door helper of `event`, or change their role; True when
    they had no role before. Owners only (NotFound for others, like the page). Refuses an
    unknown role (Invalid on "role"). Adding twice with the same role changes nothing; a
    new member or a changed role is recorded in the audit log and notifies the member.
    Called by the staff page (`set_staff`) and `POST /api/v1/events/{id}/staff`."""
    if not is_event_owner(owner, event):
        raise NotFound(_("We could not find that event."))
    if role not in set(StaffRole):
        raise Invalid(_("Choose co-host or door helper."), "role")
    member = _member(owner, event, user_id)
    event = lock_row(event)
    row, created = get_or_create(
        EventStaff,
        event_id=event.id,
        user_id=member.id,
        defaults={"role": role, "added_by_id": owner.id},
    )
    if not created and row.role == role:
        return row, False
    previous = None if created else row.role
    row.role = role
    record(
        owner,
        "event.staff_added" if created else "event.staff_changed",
        AUDIT_TARGET,
        event.id,
        subject=member,
        role=role,
        **({"previous_role": previous} if previous else {}),
    )
    notify(
        member.id,
        "event.staff_added",
        actor_id=owner.id,
        target_type="event",
        target_id=event.id,
        title=event.title,
        role=role,
    )
    db.session.flush()
    forget_staff_roles(member.id)
    sync_chat_room(event)
    return row, created


def remove_staff(owner: User, event: Event, user_id: int) -> None:
    """Take `user_id`'s role on `event` away (recorded in the audit log). Owners only
    (NotFound); Conflict when they have no role. A member who may no longer check people in
    leaves the live check-in room after the commit, on every process
    (`sockets.leave_checkin_room`), without waiting for their next `checkin:watch`."""
    if not is_event_owner(owner, event):
        raise NotFound(_("We could not find that event."))
    event = lock_row(event)
    row = db.session.scalar(
        select(EventStaff)
        .where(EventStaff.event_id == event.id, EventStaff.user_id == user_id)
        .options(joinedload(EventStaff.user))
    )
    if row is None:
        raise Conflict(_("That member has no role on this event."), "user_id")
    record(owner, "event.staff_removed", AUDIT_TARGET, event.id, subject=row.user, role=row.role)
    db.session.delete(row)
    db.session.flush()
    forget_staff_roles(user_id)
    sync_chat_room(event)
    if not can_check_in(row.user, event):  # a moderator keeps the door
        on_commit(leave_checkin_room, user_id, event.id)


def history(owner: User, event: Event):
    """The audit entries of `event`'s staff changes, newest first (owners only)."""
    if not is_event_owner(owner, event):
        raise NotFound(_("We could not find that event."))
    return entries_for(AUDIT_TARGET, event.id)


def owned_event(viewer: User, event_id: int) -> Event:
    """The event for its owner; the 404 of a missing event for everyone else (co-hosts,
    door helpers and members included)."""
    event = get_visible_event(viewer, event_id)
    if not is_event_owner(viewer, event):
        raise NotFound(_("We could not find that event."))
    return event
