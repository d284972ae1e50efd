"""The "Hosts and helpers" page: an event's owner adds, changes and removes co-hosts and
door helpers, and sees the history of these changes. Owners only (`staff.owned_event`:
everyone else, co-hosts included, gets the 404 of a missing event)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.forms import run_action
from community.events import bp, staff
from community.events.forms import ActionForm
from community.events.host_forms import StaffForm, StaffSearchForm
from community.events.models import StaffRole


@bp.get("/events/<int:event_id>/staff")
@login_required
def staff_page(event_id: int):
    """The event's co-hosts and door helpers, a search for members to add (`?q=`), and the
    audit history of staff changes."""
    event = staff.owned_event(current_user, event_id)
    search = StaffSearchForm(request.args)
    found = (
        staff.find_members(current_user, event, search.q.data or "") if search.validate() else []
    )
    rows = staff.staff_of(event)
    return render_template(
        "events/staff.html",
        event=event,
        rows=rows,
        roles={row.user_id: row.role for row in rows},
        search=search,
        found=found,
        searched=bool(search.q.data),
        staff_form=StaffForm(),
        action_form=ActionForm(),
        history=staff.history(current_user, event),
        StaffRole=StaffRole,
    )


@bp.post("/events/<int:event_id>/staff")
@login_required
def set_staff(event_id: int):
    """Add a member as co-host or door helper, or change their role."""
    event = staff.owned_event(current_user, event_id)
    form = StaffForm()
    if not form.validate_on_submit():
        abort(400)
    role = form.role.data
    return run_action(
        form,
        staff.set_staff,
        current_user,
        event,
        form.user_id.data,
        role,
        success=lambda row: (
            _("%(name)s is now a co-host.", name=row.user.display_name)
            if role == StaffRole.COHOST
            else _("%(name)s is now a door helper.", name=row.user.display_name)
        ),
        back=url_for("events.staff_page", event_id=event.id),
    )


@bp.post("/events/<int:event_id>/staff/<int:user_id>/remove")
@login_required
def remove_staff(event_id: int, user_id: int):
    """Take a member's role on the event away."""
    event = staff.owned_event(current_user, event_id)
    return run_action(
        ActionForm(),
        staff.remove_staff,
        current_user,
        event,
        user_id,
        success=_("Their role on this event is removed."),
        back=url_for("events.staff_page", event_id=event.id),
    )


@bp.app_template_global("event_cohosts")
def event_cohosts(event):
    """The co-hosts the event page shows next to the organiser."""
    return staff.cohosts(event)


@bp.app_template_global("is_event_owner_of")
def is_event_owner_of(event) -> bool:
    """Whether the member looking may change the event's staff (the foundation's rule)."""
    from community.events.services import is_event_owner

    return current_user.is_authenticated and is_event_owner(current_user, event)
