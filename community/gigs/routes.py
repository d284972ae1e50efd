"""Gig pages: the list, a gig, the editor, the poster's buttons (filled, close, reopen) and
the moderators' review list. Every change is a POST with CSRF and works without JavaScript;
the rules live in `services`, the list in `queries`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.auth.models import User
from community.core.errors import Conflict, Forbidden, NotFound, ServiceError
from community.core.forms import flash_service_error, run_action, show_service_error
from community.extensions import db
from community.gigs import applications, bp, completion, fit, queries, reports, services
from community.gigs.city_notes import WHO_CAN_TAKE_HINTS, all_notes, note_for_city
from community.gigs.forms import (
    APPLICATION_STATUS_LABELS,
    ENGAGEMENT_LABELS,
    PERIOD_LABELS,
    STATUS_LABELS,
    ActionForm,
    GigFilterForm,
    GigForm,
    RejectForm,
    StatusForm,
    kind_label,
    who_label,
)
from community.gigs.models import GigReview, GigStatus
from community.profiles.directory import visible_ids

bp.add_app_template_global(kind_label, "gig_kind_label")
bp.add_app_template_global(who_label, "gig_who_label")
bp.add_app_template_global(lambda s: str(STATUS_LABELS.get(s, s)), "gig_status_label")
bp.add_app_template_global(lambda s: str(ENGAGEMENT_LABELS.get(s, s)), "gig_engagement_label")
bp.add_app_template_global(lambda s: str(PERIOD_LABELS.get(s, s)), "gig_period_label")
bp.add_app_template_global(
    lambda s: str(APPLICATION_STATUS_LABELS.get(s, s)), "gig_application_status_label"
)


@bp.get("/gigs")
@login_required
def index():
    """Approved open gigs, newest first, filtered by a GET form and keyset-paged."""
    form = GigFilterForm(request.args, languages=queries.listed_languages())
    filters = form.filters()
    page = queries.list_gigs(current_user, filters, request.args.get("cursor"))
    waiting = services.pending_count() if services.is_moderator(current_user) else None
    return render_template(
        "gigs/index.html", form=form, filters=filters, page=page, waiting=waiting
    )


@bp.get("/gigs/for-you")
@login_required
def for_you():
    """The open gigs that fit me best, best first, each with its reasons (`fit.for_you`),
    and what my profile lacks for a better ranking."""
    member = fit.member_for(current_user)
    return render_template(
        "gigs/for_you.html",
        fits=fit.for_you(current_user, member=member),
        gaps=fit.profile_gaps(member),
        listing=fit.listing,
    )


@bp.get("/gigs/<int:gig_id>")
@login_required
def show(gig_id: int):
    """A gig: what, where, pay, who can take it (with the note for its city's country), and
    the poster's buttons or the member's Apply form; once completed, the feedback and
    references of the people who took part."""
    return _gig_page(services.get_visible_gig(current_user, gig_id))


def _gig_page(gig, *, status: int = 200, apply_form=None, bound: dict | None = None):
    """The gig page for the signed-in member. A POST that refuses its form passes the bound
    form (`apply_form`, or `bound`: {form key: form}) to show it again with what was typed,
    and its status (422)."""
    from community.gigs.forms import FeedbackForm, ProfileEntryForm, ReferenceForm, ReportForm

    mine = applications.own_application(current_user, gig)
    can_apply = applications.can_apply(current_user, gig)
    # An application that closed with the gig (or unanswered) may be sent again once the
    # gig takes applications again: the form shows, with a word about the earlier one.
    apply_again = mine is not None and mine.status == "expired" and can_apply
    if apply_again:
        mine = None
    is_poster = services.is_poster(current_user, gig)
    bound = bound or {}
    feedback = completion.feedback_for(current_user, gig)
    completed = gig.status == GigStatus.COMPLETED
    team = completion.team(gig) if is_poster else []
    written = completion.references(gig) if completed else {}
    references = {member_id: written.get(member_id) for member_id in team}
    my_reference = written.get(current_user.id)
    names = dict(
        db.session.execute(
            select(User.id, User.display_name).where(
                User.id.in_([*team, *(view.other_id for view in feedback)])
            )
        ).all()
    )
    feedback_forms = {
        view.other_id: bound.get(f"feedback-{view.other_id}")
        or FeedbackForm(
            formdata=None,
            prefix=f"fb{view.other_id}-",
            rating=str(view.mine.rating) if view.mine else None,
            comment=view.mine.comment if view.mine else "",
        )
        for view in feedback
    }
    reference_forms = {
        member_id: bound.get(f"reference-{member_id}")
        or ReferenceForm(formdata=None, prefix=f"ref{member_id}-", obj=references[member_id])
        for member_id in team
    }
    entry_form = bound.get("entry") or (
        ProfileEntryForm(formdata=None, obj=my_reference, shown=my_reference.on_profile)
        if my_reference
        else None
    )
    return render_template(
        "gigs/show.html",
        gig=gig,
        note=note_for_city(gig.city),
        who_hint=str(WHO_CAN_TAKE_HINTS.get(gig.who_can_take, "")),
        is_poster=is_poster,
        is_moderator=services.is_moderator(current_user),
        action_form=ActionForm(),
        apply_form=apply_form or (applications.apply_form(gig) if mine is None else None),
        can_apply=can_apply,
        apply_again=apply_again,
        mine=mine,
        past_deadline=services.past_deadline(gig),
        poster_profile=bool(visible_ids(current_user, {gig.poster_id})),
        team=team,
        names=names,
        feedback=feedback,
        feedback_forms=feedback_forms,
        references=references,
        reference_forms=reference_forms,
        my_reference=my_reference,
        entry_form=entry_form,
        report_form=bound.get("report") or (None if is_poster else ReportForm(formdata=None)),
    ), status


def _render_form(form: GigForm, gig=None, status: int = 200):
    return (
        render_template(
            "gigs/form.html",
            form=form,
            gig=gig,
            notes=all_notes(),
            who_hints={key.value: str(text) for key, text in WHO_CAN_TAKE_HINTS.items()},
        ),
        status,
    )


@bp.route("/gigs/new", methods=["GET", "POST"])
@login_required
def new():
    """Post a gig; it shows at once or waits for a moderator (the page says which)."""
    form = GigForm()
    if form.validate_on_submit():
        try:
            gig = services.create_gig(current_user, form.gig_data())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            _flash_posted(gig)
            return redirect(url_for("gigs.show", gig_id=gig.id))
    return _render_form(form, status=422 if form.errors or form.form_errors else 200)


def _flash_posted(gig) -> None:
    if gig.review == GigReview.PENDING:
        flash(_("Your gig is saved. A moderator checks it before it shows: %(why)s",
                why=gig.review_reason), "info")  # fmt: skip
    else:
        flash(_("Your gig is published."), "success")


@bp.route("/gigs/<int:gig_id>/edit", methods=["GET", "POST"])
@login_required
def edit(gig_id: int):
    """Edit one's own gig (a change that asks for money holds it again)."""
    gig = services.get_own_gig(current_user, gig_id)
    form = GigForm() if request.method == "POST" else GigForm.for_gig(gig)
    if form.validate_on_submit():
        was = gig.review
        try:
            services.update_gig(current_user, gig, form.gig_data())
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            if gig.review == GigReview.PENDING and was != GigReview.PENDING:
                _flash_posted(gig)
            else:
                flash(_("Your changes are saved."), "success")
            return redirect(url_for("gigs.show", gig_id=gig.id))
    return _render_form(form, gig, status=422 if form.errors or form.form_errors else 200)


def _poster_action(gig_id: int, verb, success: str):
    gig = services.get_own_gig(current_user, gig_id)
    return run_action(
        ActionForm(), verb, current_user, gig, success=success,
        back=url_for("gigs.show", gig_id=gig.id),
    )  # fmt: skip


@bp.post("/gigs/<int:gig_id>/filled")
@login_required
def filled(gig_id: int):
    """The poster marks the gig filled."""
    return _poster_action(gig_id, services.mark_filled, _("The gig is marked filled."))


@bp.post("/gigs/<int:gig_id>/close")
@login_required
def close(gig_id: int):
    """The poster closes the gig to applications."""
    return _poster_action(gig_id, services.close_gig, _("The gig is closed."))


@bp.post("/gigs/<int:gig_id>/reopen")
@login_required
def reopen(gig_id: int):
    """The poster opens the gig again (not past its deadline)."""
    return _poster_action(gig_id, services.reopen_gig, _("The gig is open again."))


# --- moderation ------------------------------------------------------------------------------


def _moderator_only() -> None:
    if not services.is_moderator(current_user):
        raise NotFound(_("We could not find that page."))


@bp.get("/moderation/gigs")
@login_required
def moderation():
    """Gigs waiting for review, oldest first, with why they wait, and the open reports of
    gigs (moderators and admins; 404 for everyone else)."""
    _moderator_only()
    return render_template(
        "gigs/moderation.html",
        gigs=services.pending_gigs(),
        reports=reports.open_reports(current_user),
        reasons=reports.REASONS,
        action_form=ActionForm(),
        reject_form=RejectForm(formdata=None),
    )


@bp.post("/moderation/gigs/<int:gig_id>/approve")
@login_required
def approve(gig_id: int):
    """A moderator lets a held gig show."""
    _moderator_only()
    gig = services.get_visible_gig(current_user, gig_id)
    return run_action(
        ActionForm(), services.approve_gig, current_user, gig,
        success=_("The gig is approved and shows now."), back=url_for("gigs.moderation"),
    )  # fmt: skip


@bp.post("/moderation/gigs/<int:gig_id>/reject")
@login_required
def reject(gig_id: int):
    """A moderator refuses a held gig with a reason (required)."""
    _moderator_only()
    gig = services.get_visible_gig(current_user, gig_id)
    form = RejectForm()
    return run_action(
        form, lambda: services.reject_gig(current_user, gig, form.reason.data or ""),
        success=_("The gig is refused; its poster is told why."),
        back=url_for("gigs.moderation"),
        invalid=lambda f: " ".join(map(str, f.reason.errors)) or _("Say why the gig is refused."),
    )  # fmt: skip


# --- applications --------------------------------------------------------------------------


@bp.post("/gigs/<int:gig_id>/apply")
@login_required
def apply(gig_id: int):
    """Apply with a message and an optional link; a refusal re-shows the gig page with the
    form's errors and what was typed (422)."""
    from community.gigs.forms import ApplyForm

    gig = services.get_visible_gig(current_user, gig_id)
    form = ApplyForm()
    if form.validate_on_submit():
        try:
            applications.apply(current_user, gig, form.message.data, form.link.data or "")
        except (NotFound, Forbidden):
            raise
        except Conflict as error:
            flash_service_error(error)
            return redirect(url_for("gigs.show", gig_id=gig.id)), 303
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your application is sent. You can follow it under My applications."),
                  "success")  # fmt: skip
            return redirect(url_for("gigs.show", gig_id=gig.id))
    return _gig_page(gig, status=422, apply_form=form)


@bp.post("/gigs/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    """The applicant withdraws their application."""
    application = applications.get_application(current_user, application_id)
    if application.applicant_id != current_user.id:
        raise NotFound(_("We could not find that application."))
    return run_action(
        ActionForm(), applications.withdraw, current_user, application,
        success=_("Your application is withdrawn."),
        back=url_for("gigs.show", gig_id=application.gig_id),
    )  # fmt: skip


@bp.get("/gigs/applications")
@login_required
def my_applications():
    """My applications and where each stands."""
    page = applications.my_applications(current_user, request.args.get("cursor"))
    # A gig held for review again since (edited to ask for money) is not linked: its page
    # would be the same 404 as a missing gig's.
    shown = {row.gig_id for row in page.items if services.can_see(current_user, row.gig)}
    return render_template("gigs/mine.html", page=page, shown=shown, action_form=ActionForm())


@bp.get("/gigs/<int:gig_id>/applications")
@login_required
def applicants(gig_id: int):
    """The poster's view of the applicants (404 for everyone else, moderators included)."""
    gig = services.get_visible_gig(current_user, gig_id)
    rows = applications.applicants(current_user, gig)
    shown = visible_ids(current_user, {row.applicant_id for row in rows})
    return render_template(
        "gigs/applicants.html",
        gig=gig,
        rows=rows,
        shown=shown,
        status_form=StatusForm(formdata=None),
    )


@bp.post("/gigs/applications/<int:application_id>/status")
@login_required
def set_status(application_id: int):
    """The poster shortlists, accepts or declines an applicant."""
    application = applications.get_application(current_user, application_id)
    if application.gig.poster_id != current_user.id:
        raise NotFound(_("We could not find that application."))
    form = StatusForm()
    return run_action(
        form,
        lambda: applications.set_status(
            current_user, application, form.status.data, form.reason.data or ""
        ),
        success=_("The applicant is told."),
        back=url_for("gigs.applicants", gig_id=application.gig_id),
        invalid=_("Choose shortlisted, accepted or declined."),
    )


# --- completion ------------------------------------------------------------------------------


@bp.post("/gigs/<int:gig_id>/complete")
@login_required
def complete(gig_id: int):
    """The poster marks the gig completed; the team is asked for its feedback."""
    gig = services.get_own_gig(current_user, gig_id)
    return run_action(
        ActionForm(), completion.complete, current_user, gig,
        success=_("The gig is completed. Tell the people who did it how it went, and write "
                  "them a reference."),
        back=url_for("gigs.show", gig_id=gig.id),
    )  # fmt: skip


def _save(gig, key: str, form, save, success: str):
    """Validate `form`, call `save()`, commit and go back to the gig; a refusal shows the
    gig page again with the form's errors and what was typed (422)."""
    if form.validate_on_submit():
        try:
            save()
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for("gigs.show", gig_id=gig.id))
    return _gig_page(gig, status=422, bound={key: form})


@bp.post("/gigs/<int:gig_id>/feedback/<int:subject_id>")
@login_required
def give_feedback(gig_id: int, subject_id: int):
    """Feedback from the poster on a team member, or from a team member on the poster."""
    from community.gigs.forms import FeedbackForm

    gig = services.get_visible_gig(current_user, gig_id)
    form = FeedbackForm(prefix=f"fb{subject_id}-")
    return _save(
        gig, f"feedback-{subject_id}", form,
        lambda: completion.give_feedback(
            current_user, gig, subject_id, int(form.rating.data), form.comment.data or ""
        ),
        _("Thank you: your feedback is saved."),
    )  # fmt: skip


@bp.post("/gigs/<int:gig_id>/references/<int:member_id>")
@login_required
def write_reference(gig_id: int, member_id: int):
    """The poster's reference for a member of the team."""
    from community.gigs.forms import ReferenceForm

    gig = services.get_own_gig(current_user, gig_id)
    form = ReferenceForm(prefix=f"ref{member_id}-")
    return _save(
        gig, f"reference-{member_id}", form,
        lambda: completion.write_reference(
            current_user, gig, member_id, hours=form.hours.data,
            skills_used=form.skills_used.data or "", statement=form.statement.data or "",
        ),
        _("The reference is saved; the member can show it on their profile."),
    )  # fmt: skip


@bp.post("/gigs/<int:gig_id>/reference")
@login_required
def show_reference(gig_id: int):
    """The member shows or hides their reference on their profile, with a work sample."""
    from community.gigs.forms import ProfileEntryForm

    gig = services.get_visible_gig(current_user, gig_id)
    reference = completion.reference_for(gig, current_user.id)
    if reference is None:
        raise NotFound(_("There is no such reference."))
    form = ProfileEntryForm()
    return _save(
        gig, "entry", form,
        lambda: completion.show_on_profile(
            current_user, reference.id, shown=form.shown.data,
            sample_link=form.sample_link.data or "", sample_note=form.sample_note.data or "",
        ),
        _("Your profile shows this reference.") if form.shown.data
        else _("This reference is no longer on your profile."),
    )  # fmt: skip


# --- reports -------------------------------------------------------------------------------


@bp.post("/gigs/<int:gig_id>/report")
@login_required
def report(gig_id: int):
    """A member reports a gig to the moderators (once)."""
    from community.gigs.forms import ReportForm

    gig = services.get_visible_gig(current_user, gig_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            reports.report(current_user, gig, form.reason.data, form.details.data or "")
        except Conflict as error:
            flash_service_error(error)
            return redirect(url_for("gigs.show", gig_id=gig.id))
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you: the moderators will look at this gig."), "success")
            return redirect(url_for("gigs.show", gig_id=gig.id))
    return _gig_page(gig, status=422, bound={"report": form})


@bp.post("/moderation/gigs/reports/<int:report_id>/resolve")
@login_required
def resolve_report(report_id: int):
    """A moderator marks a report handled."""
    _moderator_only()
    return run_action(
        ActionForm(), reports.resolve, current_user, report_id,
        success=_("The report is marked handled."), back=url_for("gigs.moderation"),
    )  # fmt: skip
