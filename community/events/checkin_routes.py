"""Check-in pages (#18): my ticket, the door's check-in page, no-shows and the final list,
and my events with what I attended. Thin views over `events.checkin` and
`events.attendance`; the rules live there."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField

from community.core.database import utcnow
from community.core.errors import Conflict, Forbidden, NotFound, ServiceError
from community.core.forms import flash_service_error, run_action
from community.core.urls import safe_next_url
from community.events import attendance, bp, checkin, services
from community.events.display import event_when
from community.events.forms import ActionForm
from community.extensions import db


class CodeForm(FlaskForm):
    """The door's code field: a ticket's six characters, any case, spaces allowed."""

    code = StringField(
        _l("Ticket code"),
        description=_l("Six letters and digits, e.g. K7M 2QX."),
    )


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@bp.get("/events/<int:event_id>/ticket")
@login_required
def ticket(event_id: int):
    """My ticket: the event, my party, the QR code and the code to read out (`?user_id=`:
    a member's ticket, for hosts). Not going: a page saying why."""
    event = services.get_visible_event(current_user, event_id)
    user_id = request.args.get("user_id", type=int)
    try:
        found = checkin.ticket_for(current_user, event, user_id)
    except Conflict as refusal:
        refusal.settle()
        return render_template("events/ticket.html", event=event, ticket=None, refusal=refusal)
    db.session.commit()  # a first ticket keeps its code
    return render_template(
        "events/ticket.html",
        event=event,
        ticket=found,
        place=services.place_for(current_user, event),
        refusal=None,
    )


def _door_page(event, status: int = 200, form: CodeForm | None = None):
    search = request.args.get("q", "")[: checkin.MAX_SEARCH]
    code = request.args.get("code", "")
    found = None
    if code:
        try:
            row = checkin.find_party(event, code=code)
            found = checkin.door_list(event, rsvp_ids=[row.id])[0]
        except ServiceError as error:
            flash(error.message, "error")
    opens, closes = checkin.door_window(event)
    now = utcnow()
    return render_template(
        "events/checkin.html",
        event=event,
        parties=checkin.door_list(event, search),
        found=found,
        search=search,
        counts=checkin.door_counts(event),
        form=form or CodeForm(formdata=None),
        action_form=ActionForm(),
        is_open=opens <= now <= closes,
        closed=now > closes,
        opens_at=event_when(opens, event.timezone),
        back=request.full_path.rstrip("?"),
    ), status


@bp.get("/events/<int:event_id>/checkin")
@login_required
def checkin_page(event_id: int):
    """The door: counts, the code field (and the camera where the browser can read QR
    codes), the going list by name with a button per person. For hosts and door helpers; a
    member who opens their own QR code's link is told politely to show it at the door."""
    event = services.get_visible_event(current_user, event_id)
    if not services.can_check_in(current_user, event):
        if request.args.get("code"):
            return render_template("events/checkin_refused.html", event=event), 403
        raise NotFound(_("We could not find that event."))
    return _door_page(event)


def _back(event) -> str:
    default = url_for("events.checkin_page", event_id=event.id)
    return safe_next_url(request.form.get("back"), default)


def _answer(event, result: checkin.CheckinResult | checkin.Party, message: str):
    if _wants_json():
        party = result.party if isinstance(result, checkin.CheckinResult) else result
        counts = checkin.door_counts(event)
        return jsonify(
            message=message,
            party=checkin.party_payload(party),
            counts={"checked_in": counts.checked_in, "expected": counts.expected},
        )
    flash(message, "success")
    return redirect(_back(event))


def _refused(event, error: ServiceError):
    if isinstance(error, (NotFound, Forbidden)) and error.field is None:
        raise error
    if _wants_json():
        error.settle()
        return jsonify(error={"code": error.code, "message": error.message}), error.status
    flash_service_error(error)
    return redirect(_back(event))


def _checked_in_message(event, result: checkin.CheckinResult) -> str:
    person = result.person
    who = _person_name(result.party, result.guest)
    if result.created:
        return _("%(who)s is checked in.", who=who)
    return _(
        "%(who)s was already checked in by %(by)s at %(at)s.",
        who=who,
        by=person.checked_in_by or _("a helper"),
        at=checkin.local_time(person.checked_in_at, event.timezone),
    )


def _person_name(party: checkin.Party, guest: int) -> str:
    if guest == 0:
        return party.name
    return _("%(name)s's guest %(n)d", name=party.name, n=guest)


def _door_event(event_id: int):
    event = checkin.get_checkin_event(current_user, event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return event


@bp.post("/events/<int:event_id>/checkin/code")
@login_required
def checkin_by_code(event_id: int):
    """Check in the next person of the party whose ticket code was typed or scanned."""
    event = _door_event(event_id)
    try:
        result = checkin.check_in(current_user, event, code=request.form.get("code", ""))
    except ServiceError as error:
        return _refused(event, error)
    db.session.commit()
    return _answer(event, result, _checked_in_message(event, result))


@bp.post("/events/<int:event_id>/checkin/<int:user_id>/<int(min=0, max=5):guest>")
@login_required
def checkin_person(event_id: int, user_id: int, guest: int):
    """One tap: check in one person of a party (the member, or guest n)."""
    event = _door_event(event_id)
    try:
        result = checkin.check_in(current_user, event, user_id=user_id, guest=guest)
    except ServiceError as error:
        return _refused(event, error)
    db.session.commit()
    return _answer(event, result, _checked_in_message(event, result))


@bp.post("/events/<int:event_id>/checkin/<int:user_id>/<int(min=0, max=5):guest>/undo")
@login_required
def undo_checkin(event_id: int, user_id: int, guest: int):
    """Undo one person's check-in."""
    event = _door_event(event_id)
    try:
        party = checkin.undo_check_in(current_user, event, user_id, guest)
    except ServiceError as error:
        return _refused(event, error)
    db.session.commit()
    return _answer(
        event, party, _("Undone: %(who)s is not checked in.", who=_person_name(party, guest))
    )


# --- after the event -----------------------------------------------------------------------


@bp.post("/events/<int:event_id>/attendance/<int:user_id>/no-show")
@login_required
def mark_no_show(event_id: int, user_id: int):
    """A host marks a party as a no-show (`value=0`: takes the mark back)."""
    event = services.get_hosted_event(current_user, event_id, hidden=True)
    no_show = request.form.get("value", "1") != "0"
    return run_action(
        ActionForm(),
        checkin.mark_no_show,
        current_user,
        event,
        user_id,
        no_show,
        success=_("Marked as not attended.") if no_show else _("The no-show mark is taken back."),
        back=url_for("events.attendees", event_id=event.id) + "#attendance-title",
    )


@bp.post("/events/<int:event_id>/attendance/final")
@login_required
def accept_final(event_id: int):
    """A host accepts the check-in list as final: the rest are no-shows."""
    event = services.get_hosted_event(current_user, event_id, hidden=True)
    return run_action(
        ActionForm(),
        checkin.accept_as_final,
        current_user,
        event,
        success=lambda marked: _(
            "The list is final: %(n)d parties without a check-in are marked as not attended.",
            n=marked,
        ),
        back=url_for("events.attendees", event_id=event.id) + "#attendance-title",
    )


@bp.get("/events/mine")
@login_required
def my_events():
    """My events: coming ones with their tickets, or (`?when=past`) the ones I went to or
    was marked absent from. My own attendance only."""
    past = request.args.get("when") == "past"
    page = attendance.my_events(
        current_user.id, past=past, now=utcnow(), cursor=request.args.get("cursor")
    )
    return render_template("events/mine.html", page=page, past=past)


# --- what the shared event templates include -----------------------------------------------


@bp.app_template_global("checkin_panel")
def checkin_panel(event, state=None) -> dict:
    """What `events/_checkin_links.html` shows on an event page: my ticket link when I am
    going, the check-in link for hosts and door helpers, the attendance counts for hosts
    once the event has started (one query, hosts only)."""
    if not current_user.is_authenticated:
        return {}
    started = event.starts_at <= utcnow()
    hosting = services.can_manage(current_user, event)
    return {
        "ticket": bool(state and state.status == "going" and event.status != "cancelled"),
        "door": services.can_check_in(current_user, event) and event.status != "cancelled",
        "counts": attendance.attendance_counts([event.id])[event.id]
        if hosting and started
        else None,
    }


@bp.app_template_global("attendance_list")
def attendance_list(event):
    """The attendee page's attendance section for hosts, once the event has started."""
    if event.starts_at > utcnow() or not services.can_manage(current_user, event):
        return None
    return {
        "parties": checkin.door_list(event),
        "counts": attendance.attendance_counts([event.id])[event.id],
        "form": ActionForm(),
    }


@bp.app_template_filter("door_time")
def door_time(instant, event) -> str:
    """A check-in's time on the event's clock ("19:02")."""
    return checkin.local_time(instant, event.timezone)
