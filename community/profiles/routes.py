"""Profile pages, the profile editor, the directory and avatar files."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from community.auth.models import User
from community.connections.forms import ActionForm, ConnectForm
from community.connections.services import relationship_with
from community.core.forms import add_form_error
from community.core.pagination import BadCursor
from community.extensions import db
from community.profiles import bp
from community.profiles import reference as ref
from community.profiles.avatars import AvatarError, avatar_dir, remove_avatar, store_avatar
from community.profiles.directory import DirectoryFilters, search_members
from community.profiles.forms import EXTRA_LANGUAGE_ROWS, DirectoryForm, ProfileForm
from community.profiles.services import (
    ProfileData,
    ProfileError,
    can_view_profile,
    completeness,
    get_profile,
    tag_suggestions,
    update_profile,
)


def viewer() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def get_visible_member_or_404(user_id: int) -> tuple[User, object]:
    """The member and profile if the viewer may see them; the same 404 otherwise."""
    member = db.session.get(User, user_id)
    if member is None:
        abort(404)
    profile = get_profile(member.id)
    if not can_view_profile(viewer(), member, profile):
        abort(404)
    return member, profile


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
    try:
        page = search_members(current_user, filters, request.args.get("cursor"))
    except BadCursor:
        abort(400)
    return render_template(
        "profiles/directory.html",
        form=form,
        filters=filters,
        page=page,
        skill_suggestions=tag_suggestions("skill"),
        next_args={**request.args.to_dict(), "cursor": page.next_cursor},
    )


@bp.get("/members/<int:user_id>")
def profile(user_id: int):
    """A member's profile, as the viewer may see it (public profiles need no account)."""
    member, member_profile = get_visible_member_or_404(user_id)
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
    )


def _form_from_profile(user: User) -> ProfileForm:
    profile = get_profile(user.id)
    data = MultiDict()
    data["display_name"] = user.display_name
    if profile is not None:
        for name in ("headline", "bio", "host_city", "home_country", "professional_field",
                     "education_level", "availability", "visibility", "nationality",
                     "work_permit", "family_situation"):  # fmt: skip
            data[name] = getattr(profile, name) or ""
        for row in profile.tags:
            data.add(f"{row.kind}s_keep", row.tag.label)
        for row in profile.looking_for:
            data.add("looking_for", row.value)
        for index, row in enumerate(profile.languages):
            data[f"languages-{index}-code"] = row.code
            data[f"languages-{index}-level"] = row.level
    else:
        data["visibility"] = ref.Visibility.MEMBERS.value
    form = ProfileForm(formdata=data)
    while len(form.languages) < len(profile.languages if profile else []) + EXTRA_LANGUAGE_ROWS:
        form.languages.append_entry()
    return form


def _profile_data(form: ProfileForm) -> ProfileData:
    languages = []
    for row in form.languages:
        code, level = row.form.code.data, row.form.level.data
        if code and not level:
            raise ProfileError(_("Choose a level for each language."), "languages")
        if code:
            languages.append((code, level))
    return ProfileData(
        display_name=form.display_name.data,
        headline=form.headline.data or "",
        bio=form.bio.data or "",
        home_country=form.home_country.data or "",
        host_city=form.host_city.data or "",
        professional_field=form.professional_field.data or "",
        education_level=form.education_level.data or "",
        availability=form.availability.data or "",
        visibility=form.visibility.data or ref.Visibility.MEMBERS.value,
        skills=list(form.skills_keep.data or []) + [t for t in form.skills_new.data if t],
        interests=list(form.interests_keep.data or []) + [t for t in form.interests_new.data if t],
        languages=languages,
        looking_for=list(form.looking_for.data or []),
        nationality=form.nationality.data or "",
        work_permit=form.work_permit.data or "",
        family_situation=form.family_situation.data or "",
    )


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    """The profile editor. A refused field or photo keeps everything else that was typed."""
    form = ProfileForm() if request.method == "POST" else _form_from_profile(current_user)
    form.set_choices()
    status = 200
    if form.validate_on_submit():
        try:
            profile = update_profile(current_user, _profile_data(form))
            upload = request.files.get("avatar")
            if form.remove_avatar.data and profile.avatar_name:
                remove_avatar(profile.avatar_name)
                profile.avatar_name = None
            elif upload is not None and upload.filename:
                profile.avatar_name = store_avatar(upload.read(), profile.avatar_name)
        except ProfileError as error:
            db.session.rollback()
            add_form_error(form, error.message, error.field)
        except AvatarError as error:
            db.session.rollback()
            add_form_error(form, error.message, "avatar")
            status = error.status
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("profiles.profile", user_id=current_user.id))
    elif request.method == "POST":
        status = 400 if form.errors.get("csrf_token") else 200
    if request.method == "POST":
        while len(form.languages) < EXTRA_LANGUAGE_ROWS:
            form.languages.append_entry()
        form.set_choices()
    return render_template(
        "profiles/edit.html",
        form=form,
        profile=get_profile(current_user.id),
        skill_suggestions=tag_suggestions("skill"),
        interest_suggestions=tag_suggestions("interest"),
    ), status


@bp.get("/avatars/<name>")
def avatar(name: str):
    """Avatar files: random names, our content type, cached for a year (names change)."""
    import re

    from community.profiles.avatars import NAME_PATTERN

    if not re.fullmatch(NAME_PATTERN, name):
        abort(404)
    response = send_from_directory(avatar_dir(), name, mimetype="image/webp", max_age=31536000)
    response.headers["Content-Disposition"] = "inline"
    return response
