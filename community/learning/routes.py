"""Learning pages: the list with its filters and the learning events beside it, an item,
the item editor, and the member's private plan (add, status and weekly goal, mark done with
the skills gained, remove, the weekly reminder). Every change is a POST with CSRF and works
without JavaScript; the rules live in `services`, the lists in `queries`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.errors import Forbidden, NotFound, ServiceError
from community.core.forms import run_action, show_service_error
from community.events.services import get_visible_event
from community.extensions import db
from community.learning import bp, queries, services
from community.learning.forms import (
    ActionForm,
    AddToPlanForm,
    DoneForm,
    EntryForm,
    ItemForm,
    LearningFilterForm,
    ReminderForm,
    format_label,
    kind_label,
    status_label,
    weekday_label,
)

bp.add_app_template_global(kind_label, "learning_kind_label")
bp.add_app_template_global(format_label, "learning_format_label")
bp.add_app_template_global(status_label, "learning_status_label")
bp.add_app_template_global(weekday_label, "weekday_label")


def _form_problems(form) -> str:
    messages = [message for errors in form.errors.values() for message in errors]
    return " ".join(str(message) for message in messages) or _("Check the form and try again.")


@bp.get("/learning")
@login_required
def index():
    """The list: learning items newest first, filtered by a GET form and keyset-paged
    (`?cursor=`); upcoming learning events the member may see beside them (`?events=`);
    and suggestions from the skills open gigs near the member want."""
    form = LearningFilterForm(request.args)
    filters = form.filters()
    page = queries.list_items(current_user, filters, request.args.get("cursor"))
    events = queries.learning_events(current_user, filters, request.args.get("events"))
    return render_template(
        "learning/index.html",
        form=form,
        filters=filters,
        page=page,
        events=events,
        planned=queries.planned(
            current_user, [i.id for i in page.items], [e.id for e in events.items]
        ),
        suggestions=[] if filters.active() else queries.suggestions(current_user),
        add_form=AddToPlanForm(formdata=None),
        can_add=services.can_add_items(current_user),
    )


@bp.get("/learning/<int:item_id>")
@login_required
def show(item_id: int):
    """One item with "Add to my plan" (or where it stands in the plan)."""
    item = services.get_item(current_user, item_id)
    return render_template(
        "learning/show.html",
        item=item,
        status=queries.planned(current_user, [item.id]).get(("item", item.id)),
        plan_form=AddToPlanForm(formdata=None),
        can_edit=services.can_edit_item(current_user, item),
    )


def _not_allowed():
    return render_template("learning/not_organiser.html"), 403


@bp.route("/learning/new", methods=["GET", "POST"])
@login_required
def new():
    """Add a learning item (organisers, moderators, admins; members learn who can: 403)."""
    if not services.can_add_items(current_user):
        return _not_allowed()
    form = ItemForm()
    if form.validate_on_submit():
        try:
            item = services.create_item(current_user, form.item_data())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The learning item is added."), "success")
            return redirect(url_for("learning.show", item_id=item.id))
    return render_template("learning/form.html", form=form, item=None), 422 if form.errors else 200


@bp.route("/learning/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):
    """Edit an item (who added it, moderators and admins; others who see it: 403)."""
    item = services.get_item(current_user, item_id)
    if not services.can_edit_item(current_user, item):
        return _not_allowed()
    form = ItemForm() if request.method == "POST" else ItemForm.for_item(item)
    if form.validate_on_submit():
        try:
            services.update_item(current_user, item, form.item_data())
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("learning.show", item_id=item.id))
    return render_template("learning/form.html", form=form, item=item), 422 if form.errors else 200


@bp.post("/learning/<int:item_id>/plan")
@login_required
def add_item(item_id: int):
    """Put an item into one's plan (want to do, or doing)."""
    item = services.get_item(current_user, item_id)
    form = AddToPlanForm()
    return run_action(
        form,
        lambda: services.add_to_plan(current_user, item_id=item.id, status=form.status.data),
        success=_("Added to your learning plan."),
        back=url_for("learning.show", item_id=item.id),
        invalid=_form_problems,
    )


@bp.post("/learning/events/<int:event_id>/plan")
@login_required
def add_event(event_id: int):
    """Put a learning event into one's plan (only one the member may see)."""
    event = get_visible_event(current_user, event_id)
    form = AddToPlanForm()
    return run_action(
        form,
        lambda: services.add_to_plan(current_user, event_id=event.id, status=form.status.data),
        success=_("Added to your learning plan."),
        back=url_for("learning.index"),
        invalid=_form_problems,
    )


@bp.get("/learning/plan")
@login_required
def plan():
    """The member's own plan (nobody else's, ever): doing, want to do, done, the weekly
    hours planned, the reminder day, and suggestions."""
    entries = queries.plan_entries(current_user)
    settings = services.plan_settings(current_user)
    weekday = settings.reminder_weekday if settings else None
    return render_template(
        "learning/plan.html",
        entries=entries,
        hours=sum(e.weekly_goal_hours or 0 for e in entries["doing"]),
        weekday=weekday,
        reminder_form=ReminderForm(
            formdata=None, reminder_weekday="" if weekday is None else str(weekday)
        ),
        entry_form=EntryForm(formdata=None),
        action_form=ActionForm(formdata=None),
        suggestions=queries.suggestions(current_user),
    )


@bp.post("/learning/plan/reminder")
@login_required
def reminder():
    """Choose the weekly reminder's day, or none."""
    form = ReminderForm()
    day = form.reminder_weekday.data
    return run_action(
        form,
        services.set_reminder,
        current_user,
        int(day) if day else None,
        success=_("Your reminder is saved.") if day else _("No weekly reminder."),
        back=url_for("learning.plan"),
        invalid=_form_problems,
    )


@bp.post("/learning/plan/<int:entry_id>")
@login_required
def update_entry(entry_id: int):
    """Change an entry's status (want to do, doing) and its hours a week."""
    entry = services.get_own_entry(current_user, entry_id)
    form = EntryForm()
    hours = form.weekly_goal_hours.data
    return run_action(
        form,
        lambda: services.update_entry(
            current_user,
            entry,
            status=form.status.data,
            weekly_goal_hours=hours,
            clear_goal=hours is None,
        ),
        success=_("Your plan is updated."),
        back=url_for("learning.plan") + f"#entry-{entry.id}",
        invalid=_form_problems,
    )


@bp.route("/learning/plan/<int:entry_id>/done", methods=["GET", "POST"])
@login_required
def done(entry_id: int):
    """Mark an entry done: which skills were gained, an optional certificate or evidence
    link, and only if ticked, the skills go on the member's profile."""
    entry = services.get_own_entry(current_user, entry_id)
    form = DoneForm(skills=services.entry_skills(entry))
    if request.method == "GET" and entry.skills_gained:
        form.skills.data = entry.skills_gained.split(", ")
        form.evidence_link.data = entry.evidence_link
    if form.validate_on_submit():
        try:
            services.mark_done(
                current_user,
                entry,
                skills=form.skills.data or [],
                evidence_link=form.evidence_link.data or "",
                add_to_profile=bool(form.add_to_profile.data),
            )
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            added = form.add_to_profile.data and form.skills.data
            flash(
                _("Well done! The skills are on your profile.")
                if added
                else _("Well done! It is marked done."),
                "success",
            )
            return redirect(url_for("learning.plan") + f"#entry-{entry.id}")
    status = 422 if form.errors else 200
    return render_template("learning/done.html", form=form, entry=entry), status


@bp.post("/learning/plan/<int:entry_id>/remove")
@login_required
def remove(entry_id: int):
    """Take an entry out of one's plan (skills on the profile stay)."""
    entry = services.get_own_entry(current_user, entry_id)
    return run_action(
        ActionForm(),
        services.remove_entry,
        current_user,
        entry,
        success=_("Removed from your learning plan."),
        back=url_for("learning.plan"),
    )
