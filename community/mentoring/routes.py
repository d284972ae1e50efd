"""Programme and application pages: the list of programmes with "My mentoring", a
programme, the coordinator's editor and applications page, and the apply / edit / withdraw
forms. Every change is a POST with CSRF and works without JavaScript; the rules live in
`programmes`, `applications` and `access`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from community.core.errors import Conflict, Forbidden, NotFound, ServiceError
from community.core.forms import run_action, show_service_error
from community.core.timezones import zone_label
from community.extensions import db
from community.mentoring import access, applications, bp, outcomes, pairs, programmes
from community.mentoring.forms import (
    PREFERENCE_LABELS,
    QUESTION_FOR_LABELS,
    ApplicationForm,
    DecideForm,
    ProgrammeForm,
    WithdrawForm,
)
from community.mentoring.models import ApplicationStatus
from community.profiles import reference as ref
from community.profiles.directory import visible_ids

PHASE_LABELS = {
    programmes.Phase.OPEN: _l("Open for applications"),
    programmes.Phase.UPCOMING: _l("Starting soon"),
    programmes.Phase.RUNNING: _l("Running"),
    programmes.Phase.ENDED: _l("Ended"),
}

bp.add_app_template_global(
    lambda s: str(applications.STATUS_LABELS.get(s, s)), "mentoring_status_label"
)
bp.add_app_template_global(
    lambda s: str(applications.ROLE_LABELS.get(s, s)), "mentoring_role_label"
)
bp.add_app_template_global(lambda p: str(PHASE_LABELS.get(p, p)), "mentoring_phase_label")
bp.add_app_template_global(
    lambda key: str(ref.PROFESSIONAL_FIELDS.get(key, key)) if key else "", "mentoring_field_label"
)
bp.add_app_template_global(
    lambda key: str(ref.EDUCATION_LABELS.get(key, key)) if key else "", "mentoring_education_label"
)


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


# --- programmes ------------------------------------------------------------------------------


@bp.get("/mentoring")
@login_required
def index():
    """The programmes (open for applications first, then running, then ended), keyset
    paged, with "My mentoring" (my applications and how many pairs I am in) at the top."""
    page = programmes.list_programmes(request.args.get("cursor"))
    mine = applications.my_applications(current_user, limit=20).items
    return render_template(
        "mentoring/index.html",
        page=page,
        mine=mine,
        pairs=applications.pair_count(current_user),
        phase=programmes.phase,
        may_create=access.may_create_programme(current_user),
    )


@bp.get("/mentoring/<int:programme_id>")
@login_required
def programme(programme_id: int):
    """A programme: dates, the deadline in its time zone, the description, how many applied
    and were accepted, and my buttons (apply, edit, withdraw) or the coordinator's links."""
    found = access.programme_for(current_user, programme_id)
    return _programme_page(found)


def _programme_page(found, withdraw_form=None, status: int = 200):
    mine = applications.own_application(current_user, found)
    return render_template(
        "mentoring/programme.html",
        programme=found,
        phase=programmes.phase(found),
        deadline_ends=programmes.deadline_ends_at(found),
        zone=zone_label(found.timezone),
        figures=programmes.figures([found.id])[found.id],
        mine=mine,
        my_pair=pairs.my_pair_in(current_user, found.id) if mine else None,
        records_outcomes=outcomes.records_outcomes(mine),
        can_apply=applications.why_not_apply(current_user, found) is None,
        coordinates=access.may_coordinate(current_user, found),
        withdraw_form=withdraw_form or WithdrawForm(formdata=None),
        question_for=QUESTION_FOR_LABELS,
    ), status


def _programme_form(form, found=None, status: int = 200):
    return render_template("mentoring/programme_form.html", form=form, programme=found), status


@bp.route("/mentoring/new", methods=["GET", "POST"])
@login_required
def new():
    """A coordinator (or admin) creates a programme; 403 for other members."""
    if not access.may_create_programme(current_user):
        raise Forbidden(_("Only coordinators can create mentoring programmes."))
    form = ProgrammeForm()
    if request.method == "GET":
        form.timezone.data = current_user.timezone or "UTC"
    if form.validate_on_submit():
        try:
            found = programmes.create_programme(current_user, form.programme_data())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The programme is created. Members can apply now."), "success")
            return redirect(url_for("mentoring.programme", programme_id=found.id))
    return _programme_form(form, status=_status(form))


@bp.route("/mentoring/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def edit(programme_id: int):
    """The programme's coordinator (or an admin) edits it; 403 for other members."""
    found = access.coordinated_programme(current_user, programme_id)
    form = ProgrammeForm() if request.method == "POST" else ProgrammeForm.for_programme(found)
    if form.validate_on_submit():
        try:
            programmes.update_programme(current_user, found, form.programme_data())
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("mentoring.programme", programme_id=found.id))
    return _programme_form(form, found, status=_status(form))


# --- applying --------------------------------------------------------------------------------


def _apply_page(found, form, mine, found_people=(), status: int = 200):
    chosen = [int(value) for value in (form.avoid_ids.data or [])]
    readonly = mine is not None and applications.why_not_apply(current_user, found) is not None
    avoided = [row.avoided_user_id for row in mine.avoids] if readonly else []
    # Names only of members the applicant may find in the directory: a profile link to a
    # hidden profile is kept, but its name is not revealed here.
    named = {*chosen, *avoided}
    names = applications.names_of(visible_ids(current_user, named) if named else set())
    names.update({user.id: user.display_name for user in found_people})
    return render_template(
        "mentoring/apply.html",
        programme=found,
        form=form,
        mine=mine,
        answers=form.answer_fields(found),
        questions=found.questions,
        chosen=chosen,
        found_people=[user for user in found_people if user.id not in chosen],
        names=names,
        preference_labels=PREFERENCE_LABELS,
        readonly=readonly,
        answers_by_question={a.question_id: a.text for a in mine.answers} if mine else {},
        deadline_ends=programmes.deadline_ends_at(found),
        zone=zone_label(found.timezone),
    ), status


@bp.route("/mentoring/<int:programme_id>/apply", methods=["GET", "POST"])
@login_required
def apply(programme_id: int):
    """Apply as mentor or mentee, or edit my application until the deadline (read-only
    after it). "Find" searches members by name for the avoid list without saving."""
    found = access.programme_for(current_user, programme_id)
    mine = applications.own_application(current_user, found)
    closed = applications.why_not_apply(current_user, found)
    if request.method == "GET":
        if closed and mine is None:
            flash(closed, "error")
            return redirect(url_for("mentoring.programme", programme_id=found.id))
        data = ApplicationForm.initial(mine, applications.profile_defaults(current_user), found)
        form = ApplicationForm.for_programme(found, formdata=None, data=data)
        return _apply_page(found, form, mine)
    form = ApplicationForm.for_programme(found)
    if "find" in request.form:
        people = applications.find_members(current_user, form.avoid_search.data or "")
        if not people:
            flash(_("Nobody you can find by that name. Try part of the name, or their profile link."),
                  "info")  # fmt: skip
        return _apply_page(found, form, mine, people)
    if closed:
        flash(closed, "error")
        return redirect(url_for("mentoring.programme", programme_id=found.id)), 303
    if form.validate_on_submit():
        try:
            data = form.application_data(found)
            if mine is None:
                applications.apply(current_user, found, data)
            else:
                applications.update_application(current_user, mine, data)
        except (NotFound, Forbidden):
            raise
        except Conflict as error:
            error.settle()
            flash(error.message, "error")
            return redirect(url_for("mentoring.programme", programme_id=found.id)), 303
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your application is saved. You can change it until the deadline.")
                  if mine is None else _("Your changes are saved."), "success")  # fmt: skip
            return redirect(url_for("mentoring.programme", programme_id=found.id))
    return _apply_page(found, form, mine, status=_status(form))


@bp.post("/mentoring/<int:programme_id>/withdraw")
@login_required
def withdraw(programme_id: int):
    """Withdraw my application, at any time, with a reason."""
    found = access.programme_for(current_user, programme_id)
    mine = applications.own_application(current_user, found)
    if mine is None:
        raise NotFound(_("We could not find that application."))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            applications.withdraw(current_user, mine, form.reason.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your application is withdrawn. Thank you for letting us know."), "success")
            return redirect(url_for("mentoring.programme", programme_id=found.id))
    return _programme_page(found, withdraw_form=form, status=422)


# --- the coordinator -------------------------------------------------------------------------


@bp.get("/mentoring/<int:programme_id>/applications", endpoint="applications")
@login_required
def applications_page(programme_id: int):
    """The coordinator's list: applications by role and status, each with its answers and
    avoid list, and the accept / decline buttons (403 for other members)."""
    found = access.coordinated_programme(current_user, programme_id)
    role = request.args.get("role") if request.args.get("role") in applications.ROLES else None
    status = request.args.get("status")
    status = status if status in {s.value for s in ApplicationStatus} else None
    page = applications.applications_of(
        current_user,
        found,
        role,
        status,
        request.args.get("cursor"),
        applications.APPLICATIONS_PAGE,
    )
    counts = applications.counts_by_role(current_user, found, role, status)
    avoided = {row.avoided_user_id for application in page.items for row in application.avoids}
    return render_template(
        "mentoring/applications.html",
        programme=found,
        page=page,
        groups=applications.by_role(page, counts, role),
        role=role,
        status=status,
        statuses=applications.STATUS_LABELS,
        names=applications.names_of(avoided),
        questions={question.id: question.text for question in found.questions},
        language_name=ref.language_name,
        preference_labels=PREFERENCE_LABELS,
        decide_form=DecideForm(formdata=None),
    )


@bp.post("/mentoring/<int:programme_id>/applications/<int:application_id>/decide")
@login_required
def decide(programme_id: int, application_id: int):
    """The coordinator accepts or declines an application; the applicant is told."""
    found = access.coordinated_programme(current_user, programme_id)
    application = applications.application_for(current_user, found, application_id)
    form = DecideForm()
    return run_action(
        form,
        lambda: applications.decide(current_user, application, form.status.data),
        success=lambda row: _("%(name)s is %(status)s.", name=row.user.display_name,
                              status=str(applications.STATUS_LABELS[row.status]).lower()),
        back=url_for("mentoring.applications", programme_id=found.id),
        invalid=_("Choose accept or decline."),
    )  # fmt: skip
