"""Profile pages, the profile editor, the directory and avatar files."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.api.auth import current_token
from community.auth.models import User
from community.connections.forms import ActionForm, ConnectForm
from community.connections.services import relationship_with
from community.core.errors import ServiceError
from community.core.forms import show_service_error
from community.extensions import db, limiter
from community.gigs.completion import profile_entries
from community.presence.services import set_hidden as set_presence_hidden
from community.profiles import bp
from community.profiles.avatars import (
    avatar_dir,
    change_avatar,
    find_profile_by_avatar,
    process_avatar,
)
from community.profiles.directory import DirectoryFilters, search_members
from community.profiles.forms import DirectoryForm, ProfileForm
from community.profiles.reference import Visibility
from community.profiles.services import (
    completeness,
    get_profile,
    get_visible_member,
    tag_suggestions,
    update_profile,
)


def viewer() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _carries_photo() -> bool:
    upload = request.files.get("avatar")
    return current_user.is_authenticated and upload is not None and bool(upload.filename)


# Decoding a photo costs CPU: a member may send 10 an hour (a 429 after that).
photos_per_account = limiter.limit(
    lambda: current_app.config["PHOTO_LIMIT_PER_ACCOUNT"],
    key_func=lambda: f"account:{current_user.id}",
    methods=["POST"],
    exempt_when=lambda: not _carries_photo(),
    scope="photo-account",
)


@bp.get("/members")
@login_required
def directory():
    """Find members by skill, language, city, goal or name; a cursor-paged list of cards."""
    form = DirectoryForm(request.args)
    form.set_choices()
    filters = DirectoryFilters()
    if form.validate():
        filters = DirectoryFilters(
            **{
                name: form[name].data or ""
                for name in ("q", "skill", "language", "city", "looking_for")
            }
        )
    page = search_members(current_user, filters, request.args.get("cursor"))
    return render_template(
        "profiles/directory.html",
        form=form,
        filters=filters,
        page=page,
        skill_suggestions=tag_suggestions("skill"),
    )


@bp.get("/members/<int:user_id>")
def profile(user_id: int):
    """A member's profile, as the viewer may see it (public profiles need no account)."""
    member, member_profile = get_visible_member(viewer(), user_id)
    is_owner = current_user.is_authenticated and current_user.id == member.id
    return render_template(
        "profiles/profile.html",
        member=member,
        profile=member_profile,
        is_owner=is_owner,
        completeness=completeness(member, member_profile) if is_owner else None,
        relation=relationship_with(current_user, member)
        if current_user.is_authenticated and not is_owner
        else None,
        action_form=ActionForm(),
        connect_form=ConnectForm(),
        verified_work=profile_entries(member.id),
    )


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
@photos_per_account
def edit_profile():
    """The profile editor. A refused field or photo keeps everything else that was typed."""
    if request.method == "POST":
        form = ProfileForm()
        form.ensure_language_rows()
    else:
        form = ProfileForm.for_profile(current_user, get_profile(current_user.id))
    form.set_choices()
    status = 200
    if form.validate_on_submit():
        upload = request.files.get("avatar")
        try:
            photo = process_avatar(upload.read()) if upload and upload.filename else None
            profile = update_profile(current_user, form.profile_data())
            set_presence_hidden(current_user, not form.show_presence.data)
            change_avatar(profile, photo, remove=form.remove_avatar.data)
        except ServiceError as error:
            show_service_error(form, error)
            status = error.status if error.field == "avatar" else 200
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("profiles.profile", user_id=current_user.id))
    return render_template(
        "profiles/edit.html",
        form=form,
        profile=get_profile(current_user.id),
        skill_suggestions=tag_suggestions("skill"),
        interest_suggestions=tag_suggestions("interest"),
    ), status


@bp.get("/avatars/<name>")
def avatar(name: str):
    """An avatar file, only for viewers who may see its profile (the same 404 otherwise).

    Names are random and change with the photo. A public profile's photo may sit in shared
    caches, any other only in the viewer's browser; both for a day, so a removed or hidden
    photo does not linger.
    """
    profile = find_profile_by_avatar(name)
    if profile is None:
        abort(404)
    token = current_token()  # API clients follow avatar_url with their bearer token
    get_visible_member(token.user if token is not None else viewer(), profile.user_id)
    response = send_from_directory(avatar_dir(), name, mimetype="image/webp", max_age=86400)
    public = profile.visibility == Visibility.PUBLIC
    response.cache_control.public = public
    response.cache_control.private = not public
    response.headers["Content-Disposition"] = "inline"
    return response
