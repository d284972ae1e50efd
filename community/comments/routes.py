"""Comment pages: write or reply (from the subject's page), edit and delete one's own,
remove as a host or moderator. Every change is a POST with CSRF and works without
JavaScript; afterwards the member lands back on the comment on the subject's page."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.comments import bp, services
from community.comments.display import comment_time, comment_when
from community.comments.forms import ActionForm, CommentForm, EditCommentForm
from community.comments.models import Comment
from community.comments.registry import SubjectKind, kind_of
from community.core.errors import Forbidden, NotFound, ServiceError
from community.core.forms import run_action, show_service_error
from community.extensions import db

bp.add_app_template_global(comment_time, "comment_time")
bp.add_app_template_global(comment_when, "comment_when")


def comment_url(kind: SubjectKind, subject, comment: Comment) -> str:
    """The subject's page at `comment` (on the page of comments that shows its thread)."""
    url = kind.url(subject)
    cursor = services.cursor_for(comment)
    if cursor:
        url += "?" + urlencode({"comments": cursor})
    return f"{url}#comment-{comment.id}"


@bp.post("/comments/<subject_type>/<int:subject_id>")
@login_required
def add(subject_type: str, subject_id: int):
    """Write a comment, or a reply (`parent_id`), on a subject; form errors show on a page
    of their own with what was typed."""
    kind = kind_of(subject_type)
    subject = kind.load(current_user, subject_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = services.add_comment(
                current_user, subject_type, subject_id, form.body.data, form.parent()
            )
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your comment is posted."), "success")
            return redirect(comment_url(kind, subject, comment))
    if form.parent_id.errors:
        abort(400)  # not from our reply form
    parent = None
    if form.parent():
        parent = services.get_comment(current_user, form.parent()).comment
    return render_template(
        "comments/form.html", form=form, subject_url=kind.url(subject), parent=parent
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    """Edit one's own comment (the list then marks it "edited")."""
    found = services.get_own_comment(current_user, comment_id)
    form = EditCommentForm(data={"body": found.comment.body})
    if form.validate_on_submit():
        try:
            services.edit_comment(current_user, found.comment, form.body.data)
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your comment is saved."), "success")
            return redirect(comment_url(found.kind, found.subject, found.comment))
    return render_template(
        "comments/edit.html",
        form=form,
        comment=found.comment,
        subject_url=found.kind.url(found.subject),
    )


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete(comment_id: int):
    """Delete one's own comment: the GET asks first, the POST does it."""
    found = services.get_own_comment(current_user, comment_id)
    back = found.kind.url(found.subject) + "#comments"
    form = ActionForm()
    if not form.is_submitted():
        return render_template(
            "comments/confirm.html", form=form, comment=found.comment, action="delete", back=back
        )
    return run_action(
        form,
        services.delete_comment,
        current_user,
        found.comment,
        success=_("Your comment is deleted."),
        back=back,
    )


@bp.route("/comments/<int:comment_id>/remove", methods=["GET", "POST"])
@login_required
def remove(comment_id: int):
    """Remove a comment as a host of its subject or a moderator: the GET asks first."""
    found = services.get_moderated_comment(current_user, comment_id)
    back = found.kind.url(found.subject) + "#comments"
    form = ActionForm()
    if not form.is_submitted():
        return render_template(
            "comments/confirm.html", form=form, comment=found.comment, action="remove", back=back
        )
    return run_action(
        form,
        services.remove_comment,
        current_user,
        found,
        success=_("The comment is removed."),
        back=back,
    )
