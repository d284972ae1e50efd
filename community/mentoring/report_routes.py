"""The outcome page (a mentee's own) and the coordinator's report pages: the report with its
SVG charts and data tables, and its CSV export. Thin views: the rules live in `outcomes`
and `report`, the charts in `charts`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.errors import Forbidden, NotFound, ServiceError
from community.core.forms import show_service_error
from community.extensions import db
from community.mentoring import bp, outcomes
from community.mentoring.outcome_forms import OutcomeForm

bp.add_app_template_global(outcomes.outcome_label, "mentoring_outcome_label")
bp.add_app_template_global(outcomes.checkpoint_label, "mentoring_checkpoint_label")


@bp.route("/mentoring/<int:programme_id>/outcome", methods=["GET", "POST"])
@login_required
def outcome(programme_id: int):
    """A mentee records an outcome (GET `?checkpoint=` preselects the prompt it answers)
    and sees their own history, newest first. Only the programme's accepted mentees: 404
    for everyone else (`outcomes.mentee_programme`)."""
    programme, application = outcomes.mentee_programme(current_user, programme_id)
    form = OutcomeForm()
    form.offer_checkpoints(outcomes.answerable_checkpoints(application))
    if request.method == "GET":
        wanted = request.args.get("checkpoint")
        if wanted in {choice.value for choice in form.checkpoint.choices}:
            form.checkpoint.data = wanted
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                outcomes.record_outcome(current_user, programme, form.outcome.data,
                                        form.note.data or "", form.checkpoint.data)  # fmt: skip
            except (NotFound, Forbidden):
                raise
            except ServiceError as error:
                show_service_error(form, error)
            else:
                db.session.commit()
                flash(_("Thank you: your outcome is recorded."), "success")
                return redirect(url_for("mentoring.outcome", programme_id=programme.id))
    history = outcomes.outcome_history(programme, current_user.id)
    return render_template(
        "mentoring/outcome.html", programme=programme, form=form, history=history
    ), status
