"""Group pages: the list, a group, its members, the editor, joining and leaving, the
organisers' tools (requests, removing members, co-organisers, the invite link and
making a new one)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.errors import Forbidden, NotFound, ServiceError
from community.core.forms import flash_service_error, run_action, show_service_error
from community.events.queries import EventFilters, list_events, my_rsvps
from community.events.services import can_create_events, place_for
from community.extensions import db
from community.groups import bp, covers, services
from community.groups.access import membership_of
from community.groups.forms import ActionForm, GroupFilterForm, GroupForm, LeaveForm
from community.groups.models import Group, MembershipStatus
from community.posts import queries as post_queries
from community.posts import services as post_services

EVENTS_SHOWN = 5
POSTS_SHOWN = 5  # the newest; the feed filtered by the group has the rest
SUCCESSORS_SHOWN = 200


def _group_or_404(slug: str) -> Group:
    return services.get_visible_group(current_user, slug)


def _back(group: Group) -> str:
    return url_for("groups.show", slug=group.slug)


@bp.get("/groups")
@login_required
def index():
    """The groups this member may see, their own first, filtered by a GET form, keyset-paged;
    on the groups they organise, how many join requests wait."""
    form = GroupFilterForm(request.args)
    filters = form.filters()
    page = services.list_groups(current_user, filters, request.args.get("cursor"))
    mine = services.my_group_ids(current_user, [group.id for group in page.items])
    return render_template(
        "groups/index.html",
        form=form,
        filters=filters,
        page=page,
        mine=mine,
        waiting=services.waiting_requests(mine),
        can_create=services.can_create_groups(current_user),
    )


@bp.get("/groups/<slug>")
@login_required
def show(slug: str):
    """A group: what it is, join or leave, its upcoming events, some of its members, and
    for its organisers the requests to answer and the invite link."""
    group = _group_or_404(slug)
    can_manage = services.can_manage_group(current_user, group)
    events = list_events(current_user, EventFilters(group_id=group.id), None, EVENTS_SHOWN)
    posts = post_queries.list_posts(
        current_user, post_queries.PostFilters(group=str(group.id)), None, POSTS_SHOWN
    )
    post_ids = [post.id for post in posts.items]
    return render_template(
        "groups/show.html",
        group=group,
        mine=membership_of(current_user, group.id),
        can_manage=can_manage,
        members=services.list_members(group, None, services.MEMBERS_SHOWN, viewer=current_user),
        events=events,
        rsvps=my_rsvps(current_user, events.items),
        places={event.id: place_for(None, event) for event in events.items},
        requests=services.pending_requests(group) if can_manage else [],
        invite_url=services.invite_url(group) if can_manage else None,
        action_form=ActionForm(),
        can_create_events=can_create_events(current_user),
        posts=posts,
        post_comments=post_queries.comment_counts(current_user, post_ids),
        helped=post_services.found_helpful(current_user, post_ids),
    )


@bp.get("/groups/<slug>/members")
@login_required
def members(slug: str):
    """Every active member, organisers first, keyset-paged; organisers' tools per member."""
    group = _group_or_404(slug)
    return render_template(
        "groups/members.html",
        group=group,
        page=services.list_members(group, request.args.get("cursor"), viewer=current_user),
        can_manage=services.can_manage_group(current_user, group),
        action_form=ActionForm(),
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def new():
    """The new-group form (organisers, moderators and admins; others learn why: 403)."""
    if not services.can_create_groups(current_user):
        return render_template("groups/not_organiser.html"), 403
    form = GroupForm()
    status = 200
    if form.validate_on_submit():
        try:
            cover = _uploaded_cover()
            group = services.create_group(current_user, form.group_data())
            if cover is not None or form.cover_alt.data:
                services.set_cover(current_user, group, cover, form.cover_alt.data)
        except ServiceError as error:
            show_service_error(form, error)
            status = error.status if error.field == "cover" else 200
        else:
            db.session.commit()
            flash(_("Your group is ready. Invite people to join."), "success")
            return redirect(_back(group))
    return render_template("groups/form.html", form=form, group=None), status


@bp.route("/groups/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """The group editor, for its organisers, moderators and admins (others: 403 or 404)."""
    group = _group_or_404(slug)
    if not services.can_manage_group(current_user, group):
        abort(403)
    form = GroupForm() if request.method == "POST" else GroupForm.for_group(group)
    status = 200
    if form.validate_on_submit():
        try:
            cover = _uploaded_cover()
            services.update_group(current_user, group, form.group_data())
            if form.remove_cover.data:
                services.remove_cover(current_user, group)
            else:
                services.set_cover(current_user, group, cover, form.cover_alt.data)
        except ServiceError as error:
            show_service_error(form, error)
            status = error.status if error.field == "cover" else 200
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(_back(group))
    return render_template("groups/form.html", form=form, group=group), status


def _uploaded_cover() -> bytes | None:
    upload = request.files.get("cover")
    return covers.process_cover(upload.read()) if upload and upload.filename else None


@bp.get("/groups/covers/<name>")
@login_required
def cover(name: str):
    """A group's cover image, for those who may see the group (the same 404 otherwise)."""
    group = covers.find_group_by_cover(name)
    if group is None:
        abort(404)
    services.get_visible_group(current_user, group.slug)
    response = send_from_directory(
        covers.STORE.directory(), name, mimetype="image/webp", max_age=86400
    )
    response.cache_control.private = True
    return response


@bp.post("/groups/<slug>/join")
@login_required
def join(slug: str):
    """Join a public group."""
    group = _group_or_404(slug)
    return run_action(
        ActionForm(),
        services.join_group,
        current_user,
        group,
        success=_("Welcome to %(name)s!", name=group.name),
        back=_back(group),
    )


@bp.route("/groups/<slug>/join/<token>", methods=["GET", "POST"])
@login_required
def invite(slug: str, token: str):
    """The invite link an organiser shares: shows the group's name and asks to join (a
    private group's organisers approve the request). A wrong token: the missing-group 404."""
    group = services.get_group_for_invite(current_user, slug, token)
    form = ActionForm()
    if request.method == "POST":
        return run_action(
            form,
            services.request_to_join,
            current_user,
            group,
            success=_("Your request is sent. The organisers will answer soon.")
            if group.is_private
            else _("Welcome to %(name)s!", name=group.name),
            back=url_for("groups.invite", slug=group.slug, token=token),
        )
    mine = membership_of(current_user, group.id)
    if mine is not None and mine.status == MembershipStatus.ACTIVE:
        return redirect(_back(group))
    return render_template("groups/invite.html", group=group, mine=mine, form=form, token=token)


@bp.route("/groups/<slug>/invite-link", methods=["GET", "POST"])
@login_required
def new_invite_link(slug: str):
    """Make a new invite link, for the group's organisers (others: 403, or the missing
    404): the GET asks first, saying the old link stops working; the POST renews it."""
    group = _group_or_404(slug)
    if not services.can_manage_group(current_user, group):
        abort(403)
    form = ActionForm()
    if not form.is_submitted():
        return render_template("groups/new_invite_link.html", group=group, form=form)
    return run_action(
        form,
        services.rotate_invite_link,
        current_user,
        group,
        success=_("Here is the new invite link. The old one no longer works."),
        back=_back(group) + "#invite-link",
    )


@bp.route("/groups/<slug>/leave", methods=["GET", "POST"])
@login_required
def leave(slug: str):
    """Leave the group (or withdraw a request): the GET asks first, and the last organiser
    chooses who takes over."""
    group = services.get_group_to_leave(current_user, slug)
    leaving = services.leaving(current_user, group, SUCCESSORS_SHOWN)
    form = LeaveForm()
    form.successor_id.choices = [("", _("Choose a member"))] + [
        (str(row.user_id), row.user.display_name) for row in leaving.successors
    ]
    if request.method == "POST" and form.validate_on_submit():
        successor = form.successor_id.data
        try:
            services.leave_group(
                current_user, group, int(successor) if str(successor or "").isdigit() else None
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("You have left %(name)s.", name=group.name), "success")
            return redirect(url_for("groups.index"))
    elif request.method == "POST":
        abort(400)
    return render_template(
        "groups/leave.html",
        group=group,
        mine=leaving.membership,
        form=form,
        last_organiser=leaving.last_organiser,
    )


@bp.post("/groups/<slug>/requests/<int:user_id>/approve")
@login_required
def approve(slug: str, user_id: int):
    group = _group_or_404(slug)
    return run_action(
        ActionForm(),
        services.approve_request,
        current_user,
        group,
        user_id,
        success=_("The request is approved: they are a member now."),
        back=_back(group),
    )


@bp.post("/groups/<slug>/requests/<int:user_id>/decline")
@login_required
def decline(slug: str, user_id: int):
    group = _group_or_404(slug)
    return run_action(
        ActionForm(),
        services.decline_request,
        current_user,
        group,
        user_id,
        success=_("The request is declined."),
        back=_back(group),
    )


@bp.route("/groups/<slug>/members/<int:user_id>/remove", methods=["GET", "POST"])
@login_required
def remove(slug: str, user_id: int):
    """Take a member out of the group, for its organisers: the GET asks first (naming the
    member), the POST does it."""
    group = _group_or_404(slug)
    form = ActionForm()
    if not form.is_submitted():
        try:
            row = services.member_to_remove(current_user, group, user_id)
        except (NotFound, Forbidden):
            raise
        except ServiceError as error:
            flash_service_error(error)
            return redirect(url_for("groups.members", slug=group.slug))
        return render_template("groups/remove.html", group=group, row=row, form=form)
    return run_action(
        form,
        services.remove_member,
        current_user,
        group,
        user_id,
        success=_("The member is removed from the group."),
        back=url_for("groups.members", slug=group.slug),
    )


@bp.post("/groups/<slug>/members/<int:user_id>/organiser")
@login_required
def make_organiser(slug: str, user_id: int):
    group = _group_or_404(slug)
    return run_action(
        ActionForm(),
        services.make_organiser,
        current_user,
        group,
        user_id,
        success=_("They are now a co-organiser of the group."),
        back=url_for("groups.members", slug=group.slug),
    )
