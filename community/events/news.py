"""News about a member's events: their unread event notifications, worded for people.

The services record notifications ("event.promoted", "event.seat_free", "event.changed",
"event.cancelled", "event.removed", "event.message", "event.reminder"); the notifications
page comes with its own issue. Until then, and after it, the event page shows a member's
unread ones about that event at the top and marks them read (`take_event_news`), and the
home page lists the newest unread ones with a link to each event (`unread_event_news`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_

from community.auth.models import User
from community.auth.roles import Role
from community.connections.relations import blocked_ids_select
from community.events.models import Event
from community.extensions import db
from community.notifications.models import Notification
from community.notifications.services import mark_read, unread_for_target, unread_select

TARGET = "event"
# How many unread items the home page lists at most.
HOME_NEWS_SHOWN = 5


@dataclass(frozen=True)
class News:
    """One notification worded for the member: `label` is the lead-in ("Good news"),
    `text` says what happened, `note` is an optional quoted extra (a host's message),
    `tone` picks the notice's style ("success", "warning" or "info"; the words carry the
    meaning, the colour only repeats it)."""

    notification: Notification
    label: str
    text: str
    tone: str
    note: str = ""


def describe(notification: Notification) -> News:
    """`notification` (one about an event) in words, by its kind."""
    data = notification.data or {}
    kind = notification.kind
    if kind == "event.promoted":
        return News(
            notification,
            _("Good news"),
            _("A seat came free and you are going."),
            "success",
        )
    if kind == "event.seat_free":
        return News(
            notification,
            _("A seat is free"),
            _("The first member on the waitlist to claim it gets it."),
            "info",
        )
    if kind == "event.changed":
        return News(notification, _("Changed"), _change_text(data.get("changes") or []), "info")
    if kind == "event.cancelled":
        return News(
            notification, _("Cancelled"), _("The organiser cancelled this event."), "warning"
        )
    if kind == "event.removed":
        return News(
            notification,
            _("Removed"),
            _("A host took you off the list of this event."),
            "warning",
            str(data.get("message") or ""),
        )
    if kind == "event.message":
        return News(
            notification,
            _("Message from a host"),
            _("A host wrote to the members of this event. The full message is in your email."),
            "info",
            str(data.get("subject") or ""),
        )
    if kind == "event.reminder":
        text = (
            _("This event is tomorrow.")
            if data.get("when") == "day"
            else _("This event starts within the hour.")
        )
        return News(notification, _("Reminder"), text, "info")
    return News(notification, _("News"), _("There is news about this event."), "info")


def _change_text(changes: list[str]) -> str:
    found = set(changes)
    if found == {"time"}:
        return _("The time changed. The new time is below.")
    if found == {"place"}:
        return _("The place changed. The new place is below.")
    if found == {"time", "place"}:
        return _("The time and the place changed. The details below are up to date.")
    return _("This event changed. The details below are up to date.")


def take_event_news(viewer: User, event: Event) -> list[News]:
    """`viewer`'s unread notifications about `event` in words, newest first (at most
    `UNREAD_SHOWN`), now marked read (flushed; the event page commits after showing them).
    The caller has checked that `viewer` may see `event`. Two queries at most."""
    notifications = unread_for_target(viewer.id, TARGET, event.id)
    mark_read(viewer.id, notifications)
    return [describe(notification) for notification in notifications]


@dataclass(frozen=True)
class EventNews:
    """A home-page item: the event and what happened to it."""

    event: Event
    news: News


def unread_event_news(viewer: User, limit: int = HOME_NEWS_SHOWN) -> list[EventNews]:
    """`viewer`'s newest unread notifications about events, at most `limit`, with each
    event (and its organiser) loaded: one query. Events `get_visible_event` would hide from
    `viewer` (an organiser either of them blocked) are left out, as on the events list;
    moderators and the event's own organiser see theirs. Not marked read: opening the event
    page does that. Called by the member home page."""
    statement = (
        unread_select(viewer.id, TARGET)
        .add_columns(Event)
        .join(Event, Event.id == Notification.target_id)
        .limit(limit)
    )
    if not viewer.has_role(Role.MODERATOR):
        statement = statement.where(
            or_(
                Event.organiser_id == viewer.id,
                Event.organiser_id.not_in(blocked_ids_select(viewer.id)),
            )
        )
    rows = db.session.execute(statement).all()
    return [EventNews(event, describe(notification)) for notification, event in rows]
