"""Event pages: the list, an event, RSVPs, the organisers' editor and attendee list."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from community.api.auth import current_token
from community.comments import services as comments
from community.comments.forms import CommentForm
from community.core.database import utcnow
from community.core.errors import Forbidden, NotFound, ServiceError
from community.core.forms import flash_service_error, run_action, show_service_error
from community.events import bp, covers, hosting, questions, series, services
from community.events.approval_routes import answers_from_form
from community.events.comments import SUBJECT
from community.events.covers import find_event_by_cover, process_cover
from community.events.forms import (
    ActionForm,
    CancelForm,
    EventFilterForm,
    EventForm,
    MessageAttendeesForm,
    RemoveAttendeeForm,
    RsvpForm,
    guest_choices,
)
from community.events.models import Event, RsvpStatus
from community.events.news import take_event_news
from community.events.queries import (
    connections_going,
    list_events,
    my_rsvps,
    who_is_going,
)
from community.extensions import db
from community.groups.services import organised_groups

# A service names these fields; the form asks for them under other names.
FORM_FIELDS = {
    "starts_at": "start_time",
    "ends_at": "end_time",
    "repeat.frequency": "repeat",
    "repeat.ordinal": "repeat",
    "repeat.until": "repeat_until",
    "repeat.count": "repeat_count",
}


def _event_or_404(event_id: int) -> Event:
    return services.get_visible_event(current_user, event_id)


def _host_event_or_404(event_id: int) -> Event:
    """The event, for its hosts only: others get 403 if they can see it, else 404."""
    return services.get_hosted_event(current_user, event_id)


@bp.get("/events")
@login_required
def index():
    """Upcoming events (or `?when=past`), filtered by a GET form, keyset-paged."""
    form = EventFilterForm(request.args)
    filters = form.filters(past=request.args.get("when") == "past")
    page = list_events(current_user, filters, request.args.get("cursor"))
    rsvps = my_rsvps(current_user, page.items)
    return render_template(
        "events/index.html",
        form=form,
        filters=filters,
        page=page,
        rsvps=rsvps,
        friends=connections_going(current_user, page.items),
        # The list shows every event's public place: a private address or an online link
        # only ever on the event's own page.
        places={event.id: services.place_for(None, event) for event in page.items},
        can_create=services.can_create_events(current_user),
    )


@bp.get("/events/<int:event_id>")
@login_required
def show(event_id: int):
    """An event: the member's unread news about it (shown once: marked read), when, where
    (as far as this member may know), the RSVP form, who is going, and its comments (a
    page of threads, `?comments=<cursor>`)."""
    event = _event_or_404(event_id)
    news = take_event_news(current_user, event)
    page = _show_page(event, news=news)
    if news:
        db.session.commit()  # the news was shown: it stays read
    return page


def _show_page(
    event: Event,
    *,
    news=(),
    form: RsvpForm | None = None,
    typed: dict[int, str] | None = None,
    answer_error: tuple[int, str] | None = None,
) -> str:
    """The event page. After a refused RSVP, `form` is the posted one (the party size
    typed), `typed` the answers typed and `answer_error` (question id, message) the
    refusal to show next to that question."""
    mine = services.rsvp_of(current_user, event)
    state = services.rsvp_state(mine) if mine and mine.status != RsvpStatus.CANCELLED else None
    if form is None:
        form = RsvpForm(guests=mine.guests if state else 0)
        form.guests.choices = guest_choices(event.guests_allowed)
    return render_template(
        "events/show.html",
        event=event,
        news=news,
        place=services.place_for(current_user, event, mine, known=True),
        state=state,
        form=form,
        action_form=ActionForm(),
        going=who_is_going(current_user, event),
        can_manage=services.can_manage(current_user, event),
        is_event_owner=services.is_event_owner(current_user, event),
        can_create=services.can_create_events(current_user),
        started=event.starts_at <= utcnow(),
        comments=comments.list_comments(
            current_user, SUBJECT, event.id, request.args.get("comments"), subject=event
        ),
        comment_form=CommentForm(formdata=None),
        can_claim=services.may_claim_seat(event, state),
        series_rule=series.describe(event.series) if event.series_id else None,
        series_dates=series.upcoming_dates(event),
        rsvp_typed=typed,
        rsvp_error=answer_error,
    )


@bp.post("/events/<int:event_id>/rsvp")
@login_required
def rsvp(event_id: int):
    """RSVP, or change the party; the flash says where the member stands. An answer
    refused (a required question left blank) re-shows the page (422) with all that was
    typed and the refusal next to its question; other refusals are flashed."""
    event = _event_or_404(event_id)
    form = _rsvp_form(event)
    back = url_for("events.show", event_id=event.id)
    if not form.validate_on_submit():
        flash(_("Choose who is coming from the list."), "error")
        return redirect(back)
    answers = answers_from_form(event)
    try:
        result = questions.rsvp_with_answers(current_user, event, form.guests.data, answers)
    except (NotFound, Forbidden):
        raise
    except ServiceError as error:
        question_id = questions.question_of_field(error.field)
        if question_id is None:
            flash_service_error(error)
            return redirect(back)
        error.settle()
        refused = (question_id, error.message)
        return _show_page(event, form=form, typed=answers, answer_error=refused), 422
    db.session.commit()
    flash(_rsvp_message(result), "success")
    return redirect(back)


def _rsvp_form(event: Event) -> RsvpForm:
    form = RsvpForm()
    form.guests.choices = guest_choices(event.guests_allowed)
    return form


def _rsvp_message(result: services.RsvpResult) -> str:
    guests = result.seats - 1
    if result.status == RsvpStatus.REQUESTED:
        return _("Requested: the host will answer. We will tell you when they do.")
    if result.status == RsvpStatus.WAITLISTED:
        return _(
            "You are on the waitlist, number %(n)d. We will tell you if a seat frees up.",
            n=result.position,
        )
    if guests:
        return ngettext(
            "You are going, with %(num)d guest.", "You are going, with %(num)d guests.", guests
        )
    return _("You are going.")


@bp.post("/events/<int:event_id>/rsvp/cancel")
@login_required
def cancel_rsvp(event_id: int):
    event = _event_or_404(event_id)
    return run_action(
        ActionForm(),
        services.cancel_rsvp,
        current_user,
        event,
        success=_("Your RSVP is cancelled. You can RSVP again while seats are free."),
        back=url_for("events.show", event_id=event.id),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new():
    """The new-event form; members without the organiser role learn how to get it (403)."""
    if not services.can_create_events(current_user):
        return render_template("events/not_organiser.html"), 403
    copy_of = None
    if request.method == "POST":
        form = EventForm()
    elif request.args.get("copy", type=int):
        copy_of = _host_event_or_404(request.args.get("copy", type=int))
        form = EventForm.copy_of(copy_of)
    else:
        form = EventForm(timezone=_default_zone())
    form.set_choices(form.timezone.data)
    form.set_groups(organised_groups(current_user))
    status = 200
    if form.validate_on_submit():
        try:
            cover = _uploaded_cover()
            repeat = form.repeat_data()
            data = form.event_data(editing=False)
            if repeat is None:
                event = services.create_event(current_user, data)
            else:
                event = series.create_series(current_user, data, repeat)[0]
            if cover is not None or form.cover_alt.data:
                services.set_cover(current_user, event, cover, form.cover_alt.data)
        except ServiceError as error:
            _show_error(form, error)
            status = error.status if error.field == "cover" else 200
        else:
            db.session.commit()
            flash(
                _("Your series is published.") if repeat else _("Your event is published."),
                "success",
            )
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None, copy_of=copy_of), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event = _host_event_or_404(event_id)
    form = EventForm() if request.method == "POST" else EventForm.for_event(event)
    form.set_choices(event.timezone)
    form.set_groups(organised_groups(current_user), event.group)
    status = 200
    if form.validate_on_submit():
        try:
            cover = _uploaded_cover()
            series.update_dates(
                current_user, event, form.event_data(editing=True), form.scope.data or "one"
            )
            if form.remove_cover.data:
                services.remove_cover(current_user, event)
            else:
                services.set_cover(current_user, event, cover, form.cover_alt.data)
        except ServiceError as error:
            _show_error(form, error)
            status = error.status if error.field == "cover" else 200
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event, copy_of=None), status


def _uploaded_cover() -> bytes | None:
    """The editor's cover upload, decoded and re-encoded (None when no file was chosen).
    Done before any row lock is taken: Pillow's work holds no write lock."""
    upload = request.files.get("cover")
    return process_cover(upload.read()) if upload and upload.filename else None


@bp.get("/events/covers/<name>")
def cover(name: str):
    """An event's cover image, for those who may see the event (the same 404 otherwise).
    API clients follow `cover_url` with their bearer token. Names are random and change
    with the image, so browsers keep it for a day (privately: events are for members)."""
    event = find_event_by_cover(name)
    if event is None:
        abort(404)
    token = current_token()
    services.get_visible_event(token.user if token is not None else _viewer(), event.id)
    response = send_from_directory(
        covers.STORE.directory(), name, mimetype="image/webp", max_age=86400
    )
    response.cache_control.private = True
    response.headers["Content-Disposition"] = "inline"
    return response


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _show_error(form: EventForm, error: ServiceError) -> None:
    error.field = FORM_FIELDS.get(error.field, error.field)
    show_service_error(form, error)


def _default_zone() -> str:
    zone = getattr(current_user, "timezone", "") or ""
    return zone if zone and zone != "UTC" else "Europe/Copenhagen"


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(event_id: int):
    """Cancel an event: the GET asks first, the POST does it."""
    event = _host_event_or_404(event_id)
    if not services.is_event_owner(current_user, event):
        raise Forbidden(_("Only the event's organiser can cancel it."))
    form = CancelForm()
    if request.method == "GET":
        return render_template("events/cancel.html", event=event, form=form)
    return run_action(
        form,
        series.cancel_dates,
        current_user,
        event,
        form.scope.data or "one",
        success=_("The dates are cancelled. Members going or waiting have been told.")
        if event.series_id and form.scope.data in ("following", "all")
        else _("The event is cancelled. Members going or waiting have been told."),
        back=url_for("events.show", event_id=event.id),
    )


@bp.post("/events/<int:event_id>/rsvp/every-date")
@login_required
def rsvp_every_date(event_id: int):
    """RSVP the same party to every coming date of the series; the flash sums it up."""
    event = _event_or_404(event_id)
    form = _rsvp_form(event)
    return run_action(
        form,
        series.rsvp_every_date,
        current_user,
        event,
        form.guests.data,
        success=_series_message,
        back=url_for("events.show", event_id=event.id),
        invalid=_("Choose who is coming from the list."),
    )


def _series_message(summary: series.SeriesRsvpSummary) -> str:
    parts = [ngettext("going to %(num)d date", "going to %(num)d dates", summary.going)]
    if summary.waitlisted:
        parts.append(
            ngettext("waitlisted for %(num)d", "waitlisted for %(num)d", summary.waitlisted)
        )
    if summary.refused:
        parts.append(
            ngettext(
                "%(num)d date could not take your party",
                "%(num)d dates could not take your party",
                summary.refused,
            )
        )
    return _("You are %(parts)s.", parts=", ".join(parts))


@bp.post("/events/<int:event_id>/rsvp/every-date/cancel")
@login_required
def cancel_every_rsvp(event_id: int):
    """Cancel my RSVPs to every coming date of the series."""
    event = _event_or_404(event_id)
    return run_action(
        ActionForm(),
        series.cancel_every_rsvp,
        current_user,
        event,
        success=_("Your RSVPs to every coming date are cancelled."),
        back=url_for("events.show", event_id=event.id),
    )


def _attendees_page(event: Event, message_form: MessageAttendeesForm, status: int = 200):
    rows = services.attendees(event)
    return render_template(
        "events/attendees.html",
        event=event,
        going=[row for row in rows if row.status == RsvpStatus.GOING],
        waiting=[row for row in rows if row.status == RsvpStatus.WAITLISTED],
        remove_form=RemoveAttendeeForm(),
        message_form=message_form,
        started=event.starts_at <= utcnow(),
    ), status


@bp.get("/events/<int:event_id>/attendees")
@login_required
def attendees(event_id: int):
    """Going, then waitlisted parties, in join order, with the hosts' tools: remove, message,
    CSV (hosts only; others get the 404 of a missing event)."""
    event = services.get_hosted_event(current_user, event_id, hidden=True)
    return _attendees_page(event, MessageAttendeesForm())


@bp.post("/events/<int:event_id>/attendees/<int:user_id>/remove")
@login_required
def remove_attendee(event_id: int, user_id: int):
    """Take one member off the list (their seats go to the waitlist), telling them why."""
    event = services.get_hosted_event(current_user, event_id, hidden=True)
    form = RemoveAttendeeForm()
    back = url_for("events.attendees", event_id=event.id)
    return run_action(
        form,
        services.remove_attendee,
        current_user,
        event,
        user_id,
        form.message.data or "",
        success=_("The member is off the list and has been told."),
        back=back,
        invalid=lambda form: " ".join(form.message.errors),
    )


@bp.post("/events/<int:event_id>/attendees/message")
@login_required
def message_attendees(event_id: int):
    """Send a message to the going and/or waitlisted members (a notification and a mail)."""
    event = services.get_hosted_event(current_user, event_id, hidden=True)
    form = MessageAttendeesForm()
    if form.validate_on_submit():
        try:
            record = hosting.message_attendees(
                current_user, event, form.audience.data, form.subject.data, form.body.data
            )
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Your message is on its way to %(num)d member.",
                    "Your message is on its way to %(num)d members.",
                    record.recipients,
                ),
                "success",
            )
            return redirect(url_for("events.attendees", event_id=event.id))
    return _attendees_page(event, form, 422)


@bp.get("/events/<int:event_id>/attendees.csv")
@login_required
def attendees_csv(event_id: int):
    """The attendee list as a CSV download, safe to open in a spreadsheet (hosts only)."""
    event = services.get_hosted_event(current_user, event_id, hidden=True)
    response = Response(hosting.attendees_csv(event), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{hosting.csv_filename(event)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/events/<int:event_id>/claim")
@login_required
def claim_seat(event_id: int):
    """A waitlisted member claims a seat freed inside the promotion cut-off; the first wins."""
    event = _event_or_404(event_id)
    return run_action(
        ActionForm(),
        services.claim_seat,
        current_user,
        event,
        success=_("The seat is yours: you are going."),
        back=url_for("events.show", event_id=event.id),
    )
