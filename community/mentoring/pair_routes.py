"""A pair's pages: "My mentoring pairs", a pair's page (only its mentor and mentee: the
same 404 for everyone else, the coordinator included) with its forms (fit answer, goals,
meetings, the mentor's feedback), and the coordinator's pair list of a programme (counts
only) with "End for re-pairing" and "Nudge". Every change is a POST with CSRF that works
without JavaScript; the rules live in `pairs`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.errors import Conflict, Forbidden, NotFound, ServiceError
from community.core.forms import flash_service_error, run_action, show_service_error
from community.extensions import db
from community.mentoring import bp, pairs
from community.mentoring.pair_forms import (
    FIT_LABELS,
    PAIR_STATUS_LABELS,
    PART_LABELS,
    REVIEW_LABELS,
    ActionForm,
    EndForm,
    FeedbackForm,
    FitForm,
    GoalForm,
    GoalReviewForm,
    MeetingForm,
    NewGoalForm,
)
from community.profiles.reference import language_name

bp.add_app_template_global(lambda s: str(FIT_LABELS.get(s, s)), "mentoring_fit_label")
bp.add_app_template_global(lambda s: str(REVIEW_LABELS.get(s, s)), "mentoring_review_label")
bp.add_app_template_global(
    lambda s: str(PAIR_STATUS_LABELS.get(s, s)), "mentoring_pair_status_label"
)
bp.add_app_template_global(
    lambda s: str(PART_LABELS.get(s, s.replace("_", " "))), "mentoring_part_label"
)
bp.add_app_template_global(lambda day: format_date(day, "EEE d MMMM yyyy"), "mentoring_day")


@bp.get("/mentoring/pairs")
@login_required
def my_pairs():
    """The viewer's mentoring pairs, as mentor or mentee, live ones first."""
    return render_template("mentoring/pairs.html", rows=pairs.my_pairs(current_user))


@bp.get("/mentoring/pairs/<int:pair_id>")
@login_required
def pair(pair_id: int):
    """A pair's page for its mentor and mentee: the other side, why they were matched, the
    fit answers, goals, meetings and (the mentor's) feedback."""
    return _pair_page(pairs.pair_view(current_user, pair_id))


def _pair_page(view: pairs.PairView, *, status: int = 200, bound: dict | None = None):
    """The pair page; a refused POST passes its bound form in `bound` ({key: form}) to show
    it again with what was typed and the errors (422)."""
    bound = bound or {}
    mine = view.fit.get(current_user.id)
    fit_form = bound.get("fit") or FitForm(
        formdata=None, answer=mine.answer if mine else None, note=mine.note if mine else ""
    )
    goal_forms = {
        goal.id: bound.get(f"goal-{goal.id}")
        or GoalForm(formdata=None, prefix=f"goal{goal.id}-", text=goal.text)
        for goal in view.goals
    }
    review_forms = {
        goal.id: bound.get(f"review-{goal.id}")
        or GoalReviewForm(formdata=None, prefix=f"goal{goal.id}-", review=goal.review)
        for goal in view.goals
    }
    feedback_form = None
    if view.role == "mentor":
        feedback_form = bound.get("feedback") or FeedbackForm(
            formdata=None,
            rating=str(view.feedback.rating) if view.feedback and view.feedback.rating else None,
            comment=view.feedback.comment if view.feedback else "",
        )
    return render_template(
        "mentoring/pair.html",
        view=view,
        active=view.pair.status == "active",
        fit_form=fit_form,
        goal_form=bound.get("goal") or NewGoalForm(formdata=None),
        goal_forms=goal_forms,
        review_forms=review_forms,
        meeting_form=bound.get("meeting") or MeetingForm(formdata=None),
        feedback_form=feedback_form,
        action_form=ActionForm(formdata=None),
        max_goals=pairs.MAX_GOALS,
        language_name=language_name,
    ), status


def _save(pair_id: int, key: str, form, save: Callable[[], Any], success: str, anchor: str):
    """Validate `form`, call `save()`, commit and go back to the pair page; a refusal shows
    the page again with the form's errors and what was typed (422). NotFound and
    Forbidden go to the one error handler."""
    view = pairs.pair_view(current_user, pair_id)  # 404 outside the pair, before anything
    if form.validate_on_submit():
        try:
            save()
        except (NotFound, Forbidden):
            raise
        except Conflict as error:  # the pair's state, not the input: said at the top
            flash_service_error(error)
            return _pair_page(pairs.pair_view(current_user, pair_id), status=error.status)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for("mentoring.pair", pair_id=pair_id, _anchor=anchor))
        view = pairs.pair_view(current_user, pair_id)
    return _pair_page(view, status=422, bound={key: form})


@bp.post("/mentoring/pairs/<int:pair_id>/fit")
@login_required
def answer_fit(pair_id: int):
    """A side answers "is this a good fit?"; a "no" tells the coordinator."""
    form = FitForm()
    return _save(
        pair_id, "fit", form,
        lambda: pairs.answer_fit(current_user, pair_id, form.answer.data, form.note.data or ""),
        _("Thank you: your answer is saved and your partner sees it."), "fit",
    )  # fmt: skip


@bp.post("/mentoring/pairs/<int:pair_id>/goals")
@login_required
def add_goal(pair_id: int):
    """A side adds a goal (up to 8)."""
    form = NewGoalForm()
    return _save(
        pair_id, "goal", form, lambda: pairs.add_goal(current_user, pair_id, form.text.data),
        _("The goal is added."), "goals",
    )  # fmt: skip


@bp.post("/mentoring/pairs/<int:pair_id>/goals/<int:goal_id>")
@login_required
def edit_goal(pair_id: int, goal_id: int):
    """A side rewords a goal."""
    form = GoalForm(prefix=f"goal{goal_id}-")
    return _save(
        pair_id, f"goal-{goal_id}", form,
        lambda: pairs.edit_goal(current_user, pair_id, goal_id, form.text.data),
        _("The goal is saved."), "goals",
    )  # fmt: skip


@bp.post("/mentoring/pairs/<int:pair_id>/goals/<int:goal_id>/review")
@login_required
def review_goal(pair_id: int, goal_id: int):
    """A side reviews a goal near or after the end: met, partly, not met."""
    form = GoalReviewForm(prefix=f"goal{goal_id}-")
    return _save(
        pair_id, f"review-{goal_id}", form,
        lambda: pairs.review_goal(current_user, pair_id, goal_id, form.review.data),
        _("Your review of the goal is saved."), "goals",
    )  # fmt: skip


@bp.post("/mentoring/pairs/<int:pair_id>/goals/<int:goal_id>/delete")
@login_required
def remove_goal(pair_id: int, goal_id: int):
    """A side removes a goal."""
    pairs.pair_view(current_user, pair_id)
    return run_action(
        ActionForm(), pairs.remove_goal, current_user, pair_id, goal_id,
        success=_("The goal is removed."),
        back=url_for("mentoring.pair", pair_id=pair_id, _anchor="goals"),
    )  # fmt: skip


@bp.post("/mentoring/pairs/<int:pair_id>/meetings")
@login_required
def log_meeting(pair_id: int):
    """A side logs a meeting: date, topics, next steps."""
    form = MeetingForm()
    return _save(
        pair_id, "meeting", form,
        lambda: pairs.log_meeting(
            current_user, pair_id, form.held_on.data, form.topics.data, form.next_steps.data or ""
        ),
        _("The meeting is logged."), "meetings",
    )  # fmt: skip


@bp.route("/mentoring/pairs/<int:pair_id>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(pair_id: int, meeting_id: int):
    """The author changes a meeting they logged, on a page of its own."""
    pair, meeting = pairs.own_meeting(current_user, pair_id, meeting_id)
    form = MeetingForm(obj=meeting)
    status = 200
    if form.validate_on_submit():
        try:
            pairs.edit_meeting(
                current_user, pair_id, meeting_id, form.held_on.data, form.topics.data,
                form.next_steps.data or "",
            )  # fmt: skip
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The meeting is saved."), "success")
            return redirect(url_for("mentoring.pair", pair_id=pair_id, _anchor="meetings"))
    if form.is_submitted():
        status = 422
    return render_template(
        "mentoring/pair_meeting.html", pair=pair, meeting=meeting, form=form
    ), status


@bp.post("/mentoring/pairs/<int:pair_id>/meetings/<int:meeting_id>/delete")
@login_required
def delete_meeting(pair_id: int, meeting_id: int):
    """The author deletes a meeting they logged."""
    pairs.own_meeting(current_user, pair_id, meeting_id)
    return run_action(
        ActionForm(), pairs.delete_meeting, current_user, pair_id, meeting_id,
        success=_("The meeting is deleted."),
        back=url_for("mentoring.pair", pair_id=pair_id, _anchor="meetings"),
    )  # fmt: skip


@bp.post("/mentoring/pairs/<int:pair_id>/feedback")
@login_required
def give_feedback(pair_id: int):
    """The mentor's rating and comment on the pair (never shown to the mentee)."""
    form = FeedbackForm()
    return _save(
        pair_id, "feedback", form,
        lambda: pairs.give_feedback(
            current_user, pair_id, int(form.rating.data), form.comment.data or ""
        ),
        _("Thank you: your feedback is saved."), "feedback",
    )  # fmt: skip


# --- the coordinator -----------------------------------------------------------------------


@bp.get("/mentoring/<int:programme_id>/pairs")
@login_required
def programme_pairs(programme_id: int):
    """The coordinator's list of a programme's pairs: counts, dates and fit answers only."""
    return _programme_pairs_page(pairs.coordinator_pairs(current_user, programme_id))


def _programme_pairs_page(listing: pairs.CoordinatorPairs, *, status: int = 200, bound=None):
    bound = bound or {}
    end_forms = {
        row.pair_id: bound.get(row.pair_id) or EndForm(formdata=None, prefix=f"end{row.pair_id}-")
        for row in listing.rows
        if row.said_no and row.status == "active"
    }
    return render_template(
        "mentoring/pairs_coordinator.html",
        listing=listing,
        end_forms=end_forms,
        action_form=ActionForm(formdata=None),
    ), status


@bp.post("/mentoring/pairs/<int:pair_id>/end")
@login_required
def end_pair(pair_id: int):
    """The coordinator ends a pair with a "no" so matching can pair the mentee again."""
    programme_id = _coordinated_pair_programme(pair_id)
    form = EndForm(prefix=f"end{pair_id}-")
    if form.validate_on_submit():
        try:
            pairs.end_pair(current_user, pair_id, form.reason.data)
        except (NotFound, Forbidden):
            raise
        except Conflict as error:
            flash_service_error(error)
            return redirect(url_for("mentoring.programme_pairs", programme_id=programme_id))
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The pair has ended. Run matching again to pair the mentee."), "success")
            return redirect(url_for("mentoring.programme_pairs", programme_id=programme_id))
    listing = pairs.coordinator_pairs(current_user, programme_id)
    return _programme_pairs_page(listing, status=422, bound={pair_id: form})


@bp.post("/mentoring/pairs/<int:pair_id>/nudge")
@login_required
def nudge(pair_id: int):
    """The coordinator nudges a quiet pair (at most once a week)."""
    programme_id = _coordinated_pair_programme(pair_id)
    return run_action(
        ActionForm(), pairs.nudge, current_user, pair_id,
        success=_("Both are reminded to meet."),
        back=url_for("mentoring.programme_pairs", programme_id=programme_id),
    )  # fmt: skip


def _coordinated_pair_programme(pair_id: int) -> int:
    """The programme of `pair_id` if the viewer coordinates it (`pairs.coordinated_pair`)."""
    return pairs.coordinated_pair(current_user, pair_id).programme_id
