"""The outcome page (a mentee's own) and the coordinator's report pages: the report with its
SVG charts and data tables, and its CSV export. Thin views: the rules live in `outcomes`
and `report`, the charts in `charts`."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.errors import Forbidden, NotFound, ServiceError
from community.core.forms import show_service_error
from community.extensions import db
from community.mentoring import bp, outcomes
from community.mentoring import report as reports
from community.mentoring.access import coordinated_programme
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


@bp.get("/mentoring/<int:programme_id>/report")
@login_required
def report(programme_id: int):
    """The coordinator's report (the programme's coordinator and admins; 403 for other
    members): every figure with its denominator and definition, the SVG charts each with
    its data table, and which figures would read "fewer than 5" outside the programme."""
    programme = coordinated_programme(current_user, programme_id)
    data = reports.build_report(programme)
    summary = reports.public_summary(programme, data)
    return render_template(
        "mentoring/report.html",
        programme=programme,
        report=data,
        summary=summary,
        hidden_outside=reports.suppressed_measures(summary),
        charts=reports.charts_for(data),
        sections=reports.SECTION_TITLES,
        section_title=reports.section_title,
    )


@bp.get("/mentoring/<int:programme_id>/report.csv")
@login_required
def report_csv(programme_id: int):
    """The report as CSV (coordinator and admins): `?table=outcomes` for the outcomes per
    kind instead of one row per figure; `?audience=public` for the figures an outsider may
    see (small groups as "fewer than 5"). Cells that a spreadsheet would run are made
    inert (`report.safe_cell`)."""
    programme = coordinated_programme(current_user, programme_id)
    public = request.args.get("audience") == "public"
    outcomes_table = request.args.get("table") == "outcomes"
    data = reports.build_report(programme)
    if outcomes_table:
        header = ["outcome", "kind", "count", "denominator"]
        if public:
            rows = reports.public_outcome_rows(reports.public_summary(programme, data))
        else:
            rows = reports.outcome_rows(data)
    else:
        header = ["section", "measure", "count", "denominator"]
        if public:
            rows = reports.public_figure_rows(reports.public_summary(programme, data))
        else:
            header.append("definition")
            rows = reports.figure_rows(data)
    name = "-".join(
        ["mentoring", str(programme.id), "outcomes" if outcomes_table else "report"]
        + (["public"] if public else [])
    )
    return Response(
        reports.csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
