"""Events take comments through the comments component (`community.comments`).

Registered when the events package is imported: who may see an event's comments is who
may see the event (`services.get_visible_event`); its hosts (`services.can_manage`) remove
comments, as moderators and admins always may. A cancelled event keeps its comments
readable but takes no new ones (nothing more will happen there); a past event still does
(members thank the host and share what they learnt).
"""

from __future__ import annotations

from flask_babel import gettext as _

from community.comments.registry import SubjectKind, register
from community.core.urls import site_path
from community.events import services
from community.events.models import Event, EventStatus

SUBJECT = "event"


def _closed(event: Event) -> str | None:
    if event.status == EventStatus.CANCELLED:
        return _("This event was cancelled, so it takes no new comments.")
    return None


register(
    SubjectKind(
        name=SUBJECT,
        load=services.get_visible_event,
        can_moderate=services.can_manage,
        closed=_closed,
        url=lambda event: site_path("events.show", event_id=event.id),
        owner_id=lambda event: event.organiser_id,
        title=lambda event: event.title,
    )
)
