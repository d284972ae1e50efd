"""Events: organisers post activities; members RSVP with their guests, seats never overbook.

This package holds the domain model (`models.py`), the verbs (`services.py`: create, update
and cancel an event; RSVP, change the party, cancel, promote from the waitlist), the list
query (`queries.py`), the pages (`routes.py`, `forms.py`) and the demo events (`demo.py`).
The API and calendars build on the same services.
"""

from flask import Blueprint

bp = Blueprint("events", __name__)

from community.events import checkin_routes, routes, staff_routes  # noqa: E402,F401
from community.events import comments as _comments  # noqa: E402,F401  (registers the subject)
from community.events import display as _display  # noqa: E402

bp.add_app_template_global(_display.event_when, "event_when")
bp.add_app_template_global(_display.zone_label, "zone_label")
bp.add_app_template_global(_display.event_end, "event_end")
bp.add_app_template_global(_display.category_label, "category_label")


@bp.app_template_global("event_time")
def _event_time(event):
    """`event`'s time by the one display rule, for the member looking at the page."""
    from flask_login import current_user

    zone = current_user.timezone if current_user.is_authenticated else None
    return _display.event_time(event, zone)
