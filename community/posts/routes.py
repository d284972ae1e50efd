"""Post pages: the feed, a post with its comments, the editor, delete and remove, and the
"helpful" and "answer" buttons. Every change is a POST with CSRF and works without
JavaScript; the rules live in `services`, the lists in `queries`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.comments import services as comments
from community.comments.forms import CommentForm
from community.core.errors import Forbidden, NotFound, ServiceError
from community.core.forms import run_action, show_service_error
from community.extensions import db
from community.groups.access import readable_group_clause
from community.groups.models import Group
from community.posts import bp, queries, services
from community.posts.forms import ActionForm, AnswerForm, PostFilterForm, PostForm, kind_label
from community.posts.models import PostKind
from community.posts.services import SUBJECT
from community.profiles.directory import visible_ids

bp.add_app_template_global(kind_label, "post_kind_label")


def _readable_groups() -> list[Group]:
    return list(
        db.session.scalars(
            select(Group).where(readable_group_clause(current_user, Group.id)).order_by(Group.name)
        )
    )


@bp.get("/posts")
@login_required
def index():
    """The feed: every post this member may see, newest first, filtered by a GET form and
    keyset-paged; offers and requests matching their profile say why."""
    form = PostFilterForm(request.args, groups=_readable_groups())
    filters = form.filters()
    page = queries.list_posts(current_user, filters, request.args.get("cursor"))
    ids = [post.id for post in page.items]
    return render_template(
        "posts/index.html",
        form=form,
        filters=filters,
        page=page,
        reasons=queries.match_reasons(current_user, page.items),
        counts=queries.comment_counts(current_user, ids),
        groups=queries.group_names(page.items),
        helped=services.found_helpful(current_user, ids),
    )


@bp.get("/posts/<int:post_id>")
@login_required
def show(post_id: int):
    """A post: its text, tags, "helpful" button, and its comments (`?comments=<cursor>`),
    with the answer marked on a question."""
    post = services.get_visible_post(current_user, post_id)
    listing = comments.list_comments(
        current_user, SUBJECT, post.id, request.args.get("comments"), subject=post
    )
    if post.kind == PostKind.QUESTION and post.answer_comment_id:
        listing.marks[post.answer_comment_id] = _("Answer")
    group = db.session.get(Group, post.group_id) if post.group_id else None
    return render_template(
        "posts/show.html",
        post=post,
        group=group,
        comments=listing,
        comment_form=CommentForm(formdata=None),
        action_form=ActionForm(),
        answer_form=AnswerForm(formdata=None),
        helped=bool(services.found_helpful(current_user, [post.id])),
        reason=queries.match_reasons(current_user, [post]).get(post.id),
        can_edit=services.can_edit(current_user, post),
        can_remove=services.can_remove(current_user, post),
        answer=_answer_of(post),
        author_profile=bool(visible_ids(current_user, {post.author_id})),
    )


def _answer_of(post):
    """The live comment marked as a question's answer (for the summary above the thread)."""
    if post.kind != PostKind.QUESTION or not post.answer_comment_id:
        return None
    found = None
    try:
        found = comments.get_comment(current_user, post.answer_comment_id).comment
    except NotFound:
        return None
    return found if found.live else None


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
def new():
    """Write a post; `?kind=` preselects its kind, `?group=<id>` its group."""
    groups = services.postable_groups(current_user)
    if request.method == "POST":
        form = PostForm(groups=groups)
    else:
        kind = request.args.get("kind", "")
        group = request.args.get("group", "")
        form = PostForm(
            groups=groups,
            data={
                "kind": kind if kind in services.KINDS else None,
                "group_id": group if group.isascii() and group.isdigit() else "",
            },
        )
    if form.validate_on_submit():
        try:
            post = services.create_post(current_user, form.post_data())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your post is published."), "success")
            return redirect(url_for("posts.show", post_id=post.id))
    return render_template("posts/form.html", form=form, post=None)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):
    """Edit one's own post (it then shows "edited")."""
    post = services.get_own_post(current_user, post_id)
    groups = services.postable_groups(current_user)
    if request.method == "POST":
        form = PostForm(groups=groups, post=post)
    else:
        form = PostForm.for_post(post, groups)
    if form.validate_on_submit():
        try:
            services.update_post(current_user, post, form.post_data())
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("posts.show", post_id=post.id))
    return render_template("posts/form.html", form=form, post=post)


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete(post_id: int):
    """Delete one's own post: the GET asks first, the POST does it."""
    post = services.get_own_post(current_user, post_id)
    form = ActionForm()
    if not form.is_submitted():
        return render_template("posts/confirm.html", form=form, post=post, action="delete")
    return run_action(
        form,
        services.delete_post,
        current_user,
        post,
        success=_("Your post is deleted."),
        back=url_for("posts.index"),
    )


@bp.route("/posts/<int:post_id>/remove", methods=["GET", "POST"])
@login_required
def remove(post_id: int):
    """Remove a post as a moderator, an admin or an organiser of its group."""
    post = services.get_visible_post(current_user, post_id)
    if not services.can_remove(current_user, post):
        raise Forbidden(_("Only moderators and the group's organisers can remove posts."))
    form = ActionForm()
    if not form.is_submitted():
        return render_template("posts/confirm.html", form=form, post=post, action="remove")
    return run_action(
        form,
        services.remove_post,
        current_user,
        post,
        success=_("The post is removed."),
        # A group's organiser goes back to the group's posts, where they came from.
        back=url_for("posts.index", group=post.group_id)
        if post.group_id
        else url_for("posts.index"),
    )


@bp.post("/posts/<int:post_id>/helpful")
@login_required
def helpful(post_id: int):
    """Mark the post helpful (once per member)."""
    post = services.get_visible_post(current_user, post_id)
    return run_action(
        ActionForm(),
        services.mark_helpful,
        current_user,
        post,
        success=_("Thank you: the author will know it helped."),
        back=url_for("posts.show", post_id=post.id),
    )


@bp.post("/posts/<int:post_id>/helpful/undo")
@login_required
def unhelpful(post_id: int):
    """Take back one's "helpful"."""
    post = services.get_visible_post(current_user, post_id)
    return run_action(
        ActionForm(),
        services.unmark_helpful,
        current_user,
        post,
        success=_("Your “helpful” is taken back."),
        back=url_for("posts.show", post_id=post.id),
    )


@bp.post("/posts/<int:post_id>/answer")
@login_required
def answer(post_id: int):
    """Mark a comment as the answer to one's own question."""
    post = services.get_visible_post(current_user, post_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    return run_action(
        form,
        services.mark_answer,
        current_user,
        post,
        int(form.comment_id.data),
        success=_("The answer is marked."),
        back=url_for("posts.show", post_id=post.id) + f"#comment-{form.comment_id.data}",
    )


@bp.post("/posts/<int:post_id>/answer/clear")
@login_required
def clear_answer(post_id: int):
    """Take the answer mark off one's own question."""
    post = services.get_visible_post(current_user, post_id)
    return run_action(
        ActionForm(),
        services.clear_answer,
        current_user,
        post,
        success=_("The answer mark is taken off."),
        back=url_for("posts.show", post_id=post.id),
    )
