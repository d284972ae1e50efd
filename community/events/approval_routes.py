"""Hosts' pages for requests and questions: accept or decline a request (buttons on the
attendee page), and the event's "Questions" page. Hosts only (`services.can_manage`):
everyone else, door helpers included, gets the 404 of a missing event.

The attendee page and the RSVP form get their extra parts through the template globals
below (`host_requests`, `rsvp_questions`), so their routes stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.errors import Forbidden, NotFound, ServiceError
from community.core.forms import add_form_error, run_action
from community.events import approval, bp, questions, services
from community.events.forms import ActionForm
from community.events.host_forms import DeclineForm, QuestionsForm
from community.events.models import Event, EventQuestion, Rsvp
from community.extensions import db


def _hosted(event_id: int) -> Event:
    return services.get_hosted_event(current_user, event_id, hidden=True)


@bp.post("/events/<int:event_id>/requests/<int:user_id>/accept")
@login_required
def accept_request(event_id: int, user_id: int):
    """Accept a request: going if the seats are free, else the end of the waitlist."""
    event = _hosted(event_id)
    return run_action(
        ActionForm(),
        approval.accept,
        current_user,
        event,
        user_id,
        success=lambda result: approval.accepted_message(*result),
        back=url_for("events.attendees", event_id=event.id),
    )


@bp.post("/events/<int:event_id>/requests/<int:user_id>/decline")
@login_required
def decline_request(event_id: int, user_id: int):
    """Decline a request, with an optional message to the member."""
    event = _hosted(event_id)
    form = DeclineForm()
    back = url_for("events.attendees", event_id=event.id)
    return run_action(
        form,
        approval.decline,
        current_user,
        event,
        user_id,
        form.message.data or "",
        success=_("The request is declined and the member has been told."),
        back=back,
        invalid=lambda form: " ".join(form.message.errors),
    )


@bp.route("/events/<int:event_id>/questions", methods=["GET", "POST"])
@login_required
def questions_page(event_id: int):
    """The questions the event asks at RSVP (up to three), set by its hosts."""
    event = _hosted(event_id)
    form = QuestionsForm() if request.method == "POST" else None
    if form is None:
        form = QuestionsForm.for_questions(questions.questions_of(event))
    status = 200
    if form.validate_on_submit():
        specs = form.specs()
        try:
            questions.set_questions(current_user, event, specs)
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            error.settle()
            _question_error(form, error)
            status = 422
        else:
            db.session.commit()
            flash(_("The questions are saved."), "success")
            return redirect(url_for("events.questions_page", event_id=event.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "events/questions.html",
        event=event,
        form=form,
        retention_days=questions.retention_days(),
    ), status


def _question_error(form: QuestionsForm, error: ServiceError) -> None:
    """Show a refusal next to the slot and field it names ("questions.<n>.<field>")."""
    parts = (error.field or "").split(".")
    if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(form.slots):
        entry = form.questions[form.slots[int(parts[1])]]
        if parts[2] in entry.form._fields:
            entry.form[parts[2]].errors = [*entry.form[parts[2]].errors, error.message]
            return
    add_form_error(form, error.message)


def answers_from_form(event: Event) -> dict[int, str]:
    """The RSVP form's answers ("answer-<question id>" fields) for `questions.rsvp_with_answers`."""
    found = {}
    for name, value in request.form.items():
        if name.startswith("answer-") and name[7:].isdigit():
            found[int(name[7:])] = value
    return found


# --- parts of other pages ------------------------------------------------------------------


@dataclass
class HostRequests:
    """The attendee page's extra parts: pending requests with answers, and everyone's
    answers (hosts only)."""

    requests: list[Rsvp]
    questions: list[EventQuestion]
    answers: dict[int, dict[int, str]]
    listed: list[Rsvp]
    decline_form: DeclineForm
    action_form: ActionForm
    retention_days: int


@bp.app_template_global("host_requests")
def host_requests(event: Event) -> HostRequests:
    """For `templates/events/_host_requests.html` on the attendee page (whose route has
    checked the viewer hosts the event; the services check again)."""
    pending = approval.requests(current_user, event)
    listed = pending + services.attendees(event)
    return HostRequests(
        requests=pending,
        questions=questions.questions_of(event),
        answers=questions.answers_for(current_user, event),
        listed=listed,
        decline_form=DeclineForm(),
        action_form=ActionForm(),
        retention_days=questions.retention_days(),
    )


@dataclass
class RsvpQuestions:
    questions: list[EventQuestion]
    answers: dict[int, str]
    retention_days: int
    errors: dict[int, str]


@bp.app_template_global("rsvp_questions")
def rsvp_questions(
    event: Event, typed: dict[int, str] | None = None, error: tuple[int, str] | None = None
) -> RsvpQuestions:
    """The questions the RSVP form asks, with the member's own answers, or after a refused
    RSVP the answers they `typed` and the `error` (question id, message) to show."""
    return RsvpQuestions(
        questions=questions.questions_of(event),
        answers=typed if typed is not None else questions.my_answers(current_user, event),
        retention_days=questions.retention_days(),
        errors=dict([error]) if error else {},
    )
