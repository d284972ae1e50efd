"""The events feature's notifications: events as notification targets (with the viewer's
RSVP), and the kinds the event services record. Imported by `community.events.services`.

An event is visible as a target by `queries.visible_event_clauses` (the list twin of
`get_visible_event`). News about taking part (a seat, a change, a host's message, a
reminder) is hidden once the member is no longer on the event's list (a host removed them,
or they cancelled); "event.removed" and "event.cancelled" stay.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, literal, select, union_all
from sqlalchemy.orm import lazyload

from community.core.urls import site_path
from community.events.models import Event, Rsvp, RsvpStatus
from community.events.queries import visible_event_clauses
from community.extensions import db
from community.notifications.kinds import (
    APP,
    INSTANT,
    NotificationKind,
    Seen,
    Target,
    about_target,
    register_kind,
    register_target,
)


@dataclass(frozen=True)
class EventTarget:
    event: Event
    rsvp: Rsvp | None

    @property
    def title(self) -> str:
        return self.event.title

    @property
    def listed(self) -> bool:
        """Whether the viewer is still going or waitlisted."""
        return self.rsvp is not None and self.rsvp.status != RsvpStatus.CANCELLED


def _load_events(viewer, ids: list[int], seen: Seen) -> dict[int, EventTarget]:
    """The events of `ids` `viewer` may see, with their RSVP: two queries (the events'
    own collections are not loaded)."""
    statement = select(Event).where(Event.id.in_(ids), *visible_event_clauses(viewer))
    events = list(db.session.scalars(statement.options(lazyload("*"))))
    rsvps = {
        row.event_id: row
        for row in db.session.scalars(
            select(Rsvp).where(Rsvp.user_id == viewer.id, Rsvp.event_id.in_(ids))
        )
    }
    return {event.id: EventTarget(event, rsvps.get(event.id)) for event in events}


# Viewers per statement in `_load_events_many` (SQLite allows 500 parts in a compound SELECT).
VIEWERS_PER_STATEMENT = 250


def _load_events_many(viewers: list, ids: list[int]) -> dict[int, dict[int, EventTarget]]:
    """`_load_events` for many viewers at once (a bulk notice to an event's members): which
    of `ids` each viewer may see, by the same `visible_event_clauses`, in one UNION ALL per
    VIEWERS_PER_STATEMENT viewers; the events once; their RSVPs in one query."""
    visible: dict[int, set[int]] = {viewer.id: set() for viewer in viewers}
    for start in range(0, len(viewers), VIEWERS_PER_STATEMENT):
        parts = [
            select(
                literal(viewer.id, Integer).label("viewer_id"), Event.id.label("event_id")
            ).where(Event.id.in_(ids), *visible_event_clauses(viewer))
            for viewer in viewers[start : start + VIEWERS_PER_STATEMENT]
        ]
        for viewer_id, event_id in db.session.execute(union_all(*parts)):
            visible[viewer_id].add(event_id)
    shown = set().union(*visible.values())
    if not shown:
        return {}
    events = {
        event.id: event
        for event in db.session.scalars(
            select(Event).where(Event.id.in_(shown)).options(lazyload("*"))
        )
    }
    rsvps = {
        (row.user_id, row.event_id): row
        for row in db.session.scalars(
            select(Rsvp).where(Rsvp.event_id.in_(shown), Rsvp.user_id.in_(list(visible)))
        )
    }
    return {
        viewer_id: {
            event_id: EventTarget(events[event_id], rsvps.get((viewer_id, event_id)))
            for event_id in event_ids
            if event_id in events
        }
        for viewer_id, event_ids in visible.items()
    }


register_target(
    Target(
        "event",
        _load_events,
        plain=lambda found: found.event,
        load_visible_many=_load_events_many,
    )
)


def _url(notification, found: EventTarget) -> str:
    return site_path("events.show", event_id=found.event.id)


def _listed(notification, found: EventTarget, seen: Seen) -> bool:
    return found.listed


def _changed(n, found: EventTarget, seen: Seen) -> str:
    changes = set((n.data or {}).get("changes") or [])
    if changes == {"time"}:
        return _("The time of “%(title)s” changed.", title=found.title)
    if changes == {"place"}:
        return _("The place of “%(title)s” changed.", title=found.title)
    if changes == {"time", "place"}:
        return _("The time and place of “%(title)s” changed.", title=found.title)
    return _("“%(title)s” changed.", title=found.title)


def _reminder(n, found: EventTarget, seen: Seen) -> str:
    if (n.data or {}).get("when") == "day":
        return _("“%(title)s” is tomorrow.", title=found.title)
    return _("“%(title)s” starts within the hour.", title=found.title)


def _message(n, found: EventTarget, seen: Seen) -> str:
    return _(
        "%(name)s wrote to the members of “%(title)s”: %(subject)s",
        name=seen.actor_name(n),
        title=found.title,
        subject=str((n.data or {}).get("subject") or ""),
    )


for name, label, text, also in (
    (
        "event.promoted",
        _l("A seat for you from the waitlist"),
        lambda n, found, seen: _(
            "A seat came free: you are going to “%(title)s”.", title=found.title
        ),
        _listed,
    ),
    (
        "event.seat_free",
        _l("A seat is free on an event you wait for"),
        lambda n, found, seen: _(
            "A seat is free at “%(title)s”: the first to claim it gets it.", title=found.title
        ),
        _listed,
    ),
    ("event.changed", _l("Changes to your events"), _changed, _listed),
    (
        "event.cancelled",
        _l("Cancelled events"),
        lambda n, found, seen: _("“%(title)s” was cancelled.", title=found.title),
        None,
    ),
    (
        "event.removed",
        _l("Taken off an event's list"),
        lambda n, found, seen: _("A host took you off the list of “%(title)s”.", title=found.title),
        None,
    ),
    ("event.message", _l("Messages from event hosts"), _message, _listed),
    ("event.reminder", _l("Event reminders"), _reminder, _listed),
):
    register_kind(
        NotificationKind(name, label, "events", INSTANT, about_target(text, _url, also=also))
    )


# --- organiser tools (#18): requests to come, and staff roles ------------------------------


def _staff_added(n, found: EventTarget, seen: Seen) -> str:
    if (n.data or {}).get("role") == "door_helper":
        return _(
            "%(name)s made you a door helper of “%(title)s”.",
            name=seen.actor_name(n),
            title=found.title,
        )
    return _(
        "%(name)s made you a co-host of “%(title)s”.", name=seen.actor_name(n), title=found.title
    )


def _hosting(notification, found: EventTarget, seen: Seen) -> bool:
    """A request is news for those who still host the event."""
    from community.events.services import can_manage

    return can_manage(seen.viewer, found.event)


def _on_staff(notification, found: EventTarget, seen: Seen) -> bool:
    """A role is news while the member still holds one on the event."""
    from community.events.services import staff_roles

    return found.event.id in staff_roles(seen.viewer)


for name, label, text, delivery, also in (
    (
        "event.request",
        _l("Requests to come to events you host"),
        lambda n, found, seen: _(
            "%(name)s asks to come to “%(title)s”.", name=seen.actor_name(n), title=found.title
        ),
        INSTANT,
        _hosting,
    ),
    (
        # The member is mailed either way (the RSVP confirmation), so the app only.
        "event.request_accepted",
        _l("A host accepted your request"),
        lambda n, found, seen: _(
            "A host accepted your request to come to “%(title)s”.", title=found.title
        ),
        APP,
        _listed,
    ),
    (
        "event.request_declined",
        _l("A host could not accept your request"),
        lambda n, found, seen: _(
            "A host could not accept your request to come to “%(title)s”.", title=found.title
        ),
        APP,
        None,
    ),
    ("event.staff_added", _l("Made a co-host or door helper"), _staff_added, INSTANT, _on_staff),
):
    register_kind(
        NotificationKind(name, label, "events", delivery, about_target(text, _url, also=also))
    )
