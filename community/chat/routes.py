"""Chat pages: my conversations, a conversation (history, composer, message actions), its
members, and the forms behind every button. Every action is a plain POST form with CSRF
that redirects back (no JavaScript needed); `static/js/chat.js` adds live updates on top.

Views stay thin: the rules are in `community.chat.services`, the same ones the JSON API and
the Socket.IO handlers call.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.chat import services
from community.chat.display import FILTERS
from community.chat.forms import (
    ActionForm,
    AddMembersForm,
    EditForm,
    FindMemberForm,
    NewConversationForm,
    ReactForm,
    ReportForm,
    SendForm,
    record_id,
)
from community.chat.models import ConversationKind, MemberRole, Message
from community.core.errors import NotFound, ServiceError
from community.core.forms import run_action, show_service_error
from community.extensions import db

bp = Blueprint("chat", __name__)
CANDIDATES_SHOWN = 12


@bp.app_template_global()
def chat_unread_ids() -> set[int]:
    """The conversations with unread messages, for the navigation's badge (once a request)."""
    if not current_user.is_authenticated:
        return set()
    if "chat_unread_ids" not in g:
        g.chat_unread_ids = services.unread_conversation_ids(current_user)
    return g.chat_unread_ids


@bp.app_template_global()
def chat_muted_ids() -> list[int]:
    """The conversations I muted, for the live client on the chat pages."""
    return sorted(services.muted_ids(current_user)) if current_user.is_authenticated else []


@bp.record_once
def _filters(state) -> None:
    state.app.jinja_env.filters.update(FILTERS)


def _to(conversation_id: int, message_id: int | None = None) -> str:
    anchor = f"m-{message_id}" if message_id else "composer"
    return url_for("chat.show", conversation_id=conversation_id, _anchor=anchor)


def _candidates(find: FindMemberForm) -> list:
    """Members to start a conversation with: those the search finds, else my connections."""
    from community.connections.services import network
    from community.profiles.directory import DirectoryFilters, search_members

    if find.find.data and find.validate():
        page = search_members(current_user, DirectoryFilters(q=find.find.data), None, 12)
        return [card.user for card in page.items]
    return [
        user for _connection, user in network(current_user, None, CANDIDATES_SHOWN).connected.items
    ]


# --- my conversations ----------------------------------------------------------------------


@bp.get("/chat")
@login_required
def index():
    """My conversations, newest activity first, and the "New conversation" form."""
    find = FindMemberForm(request.args)
    return _render_index(find, NewConversationForm(formdata=None))


def _render_index(find: FindMemberForm, form: NewConversationForm, status: int = 200):
    page = services.my_conversations(current_user, request.args.get("cursor"))
    candidates = _candidates(find)
    form.member_ids.choices = [(user.id, user.display_name) for user in candidates]
    return render_template(
        "chat/index.html", page=page, find=find, form=form, unread_label=services.unread_label
    ), status


@bp.post("/chat/new")
@login_required
def new():
    """Start a direct conversation (one member) or a group conversation (several and a
    name); a direct conversation that exists already is opened, not duplicated."""
    form = NewConversationForm()
    if form.validate_on_submit():
        try:
            conversation = services.start_conversation(
                current_user, form.member_ids.data or [], form.title.data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            return redirect(_to(conversation.id))
    return _render_index(FindMemberForm(request.args), form, 422)


# --- a conversation ------------------------------------------------------------------------


@bp.get("/chat/<int:conversation_id>")
@login_required
def show(conversation_id: int):
    """The conversation: the last 50 messages oldest first ("Earlier messages" goes back),
    the composer, who has seen my latest message. Opening it marks it read."""
    found = services.membership(current_user, conversation_id)
    cursor = request.args.get("cursor")
    if not cursor and found.member.last_read_seq < found.conversation.last_seq:
        services.mark_read(current_user, conversation_id, found.conversation.last_seq)
        db.session.commit()
    reply_to = request.args.get("reply", type=record_id)
    return _render_show(found, SendForm.fresh(reply_to), cursor)


def _render_show(found: services.Membership, form: SendForm, cursor: str | None, status=200):
    conversation, member = found.conversation, found.member
    page = services.history(current_user, conversation.id, cursor)
    messages = list(reversed(page.items))
    shown = {message.id for message in messages}
    quoted = [m.reply_to_id for m in messages if m.reply_to_id and m.reply_to_id not in shown]
    reply_to = None
    if form.reply_to_id.data:
        quoted.append(form.reply_to_id.data)
    quotes = {m.id: m for m in messages} | services.messages_by_id(quoted)
    if form.reply_to_id.data:
        reply_to = quotes.get(form.reply_to_id.data)
        if reply_to is None or reply_to.conversation_id != conversation.id or reply_to.deleted:
            form.reply_to_id.data, reply_to = None, None
    mine = [m for m in messages if m.sender_id == current_user.id and not m.deleted]
    seen = services.seen_by(conversation, mine[-1], current_user) if mine and not cursor else []
    blocked = conversation.kind == ConversationKind.DIRECT and services.blocked_direct(
        conversation, current_user
    )
    template_message = Message(
        id=0, conversation_id=conversation.id, position=0, seq=0, sender_id=current_user.id,
        sender=current_user._get_current_object(), body="", reactions={}, client_id="",
    )  # fmt: skip
    return render_template(
        "chat/show.html",
        conversation=conversation,
        member=member,
        name=services.names(current_user, [conversation])[conversation.id],
        is_group=conversation.kind == ConversationKind.GROUP,
        is_owner=member.role == MemberRole.OWNER,
        page=page,
        messages=messages,
        quotes=quotes,
        reply_to=reply_to,
        my_latest=mine[-1] if mine else None,
        seen=seen,
        blocked=blocked,
        latest_page=not cursor,
        form=form,
        action_form=ActionForm(),
        reactions=services.REACTIONS,
        template_message=template_message,
        member_names={str(k): v for k, v in services.member_names(conversation.id).items()},
    ), status


@bp.post("/chat/<int:conversation_id>/messages")
@login_required
def send(conversation_id: int):
    """The composer without JavaScript: store the message once per client_id, then back to
    the conversation (a double submit finds the stored message)."""
    found = services.membership(current_user, conversation_id)
    form = SendForm()
    if form.validate_on_submit():
        try:
            sent = services.send_message(
                current_user,
                conversation_id,
                form.body.data,
                form.client_id.data,
                form.reply_to_id.data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            return redirect(_to(conversation_id, sent.message.id))
    for hidden in (form.client_id, form.reply_to_id):  # not shown next to a field: on top
        form.form_errors.extend(hidden.errors)
        hidden.errors = []
    if form.form_errors or not form.client_id.data:
        # A page sent back after changing its text (or a broken one): the next submit is a
        # new message.
        form.client_id.data = SendForm.fresh().client_id.data
    if form.reply_to_id.data == 0:
        form.reply_to_id.data = None
    return _render_show(found, form, None, 422)


@bp.route("/chat/<int:conversation_id>/messages/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
def edit(conversation_id: int, message_id: int):
    """Edit my own message (shown as edited)."""
    found = services.membership(current_user, conversation_id)
    message = _message(found, message_id)
    if message.sender_id != current_user.id or message.deleted:
        abort(404)
    form = EditForm(data={"body": message.body} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.edit_message(current_user, conversation_id, message_id, form.body.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Your message is changed."), "success")
            return redirect(_to(conversation_id, message_id))
    return render_template("chat/edit.html", found=found, message=message, form=form)


def _message(found: services.Membership, message_id: int) -> Message:
    message = db.session.get(Message, message_id)
    if message is None or message.conversation_id != found.conversation.id:
        raise NotFound(_("We could not find that message."))
    return message


@bp.post("/chat/<int:conversation_id>/messages/<int:message_id>/delete")
@login_required
def delete(conversation_id: int, message_id: int):
    """Delete my own message: it stays in its place as "Message deleted"."""
    return run_action(
        ActionForm(),
        services.delete_message,
        current_user,
        conversation_id,
        message_id,
        success=_("Your message is deleted."),
        back=_to(conversation_id, message_id),
    )


@bp.post("/chat/<int:conversation_id>/messages/<int:message_id>/react")
@login_required
def react(conversation_id: int, message_id: int):
    """Add my reaction to a message, or take it back."""
    form = ReactForm()
    return run_action(
        form,
        services.react,
        current_user,
        conversation_id,
        message_id,
        form.emoji.data,
        success=_("Your reaction is saved."),
        back=_to(conversation_id, message_id),
    )


@bp.post("/chat/<int:conversation_id>/messages/<int:message_id>/unread")
@login_required
def unread(conversation_id: int, message_id: int):
    """Mark this message and everything after it unread; back to my conversations."""
    return run_action(
        ActionForm(),
        services.mark_unread,
        current_user,
        conversation_id,
        message_id,
        success=_("Marked as unread."),
        back=url_for("chat.index"),
    )


@bp.route("/chat/<int:conversation_id>/messages/<int:message_id>/report", methods=["GET", "POST"])
@login_required
def report(conversation_id: int, message_id: int):
    """Report someone else's message to the moderators."""
    found = services.membership(current_user, conversation_id)
    message = _message(found, message_id)
    if message.sender_id == current_user.id or message.deleted:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report_message(current_user, conversation_id, message_id, form.reason.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you. The moderators will look at this message."), "success")
            return redirect(_to(conversation_id, message_id))
    return render_template("chat/report.html", found=found, message=message, form=form)


@bp.post("/chat/<int:conversation_id>/mute")
@login_required
def mute(conversation_id: int):
    """Mute the conversation (it stays in the list, without counting in the badge), or
    unmute it (`muted=0`)."""
    muted = request.form.get("muted") != "0"
    return run_action(
        ActionForm(),
        services.set_muted,
        current_user,
        conversation_id,
        muted,
        success=_("Conversation muted.") if muted else _("Conversation unmuted."),
        back=_to(conversation_id),
    )


@bp.route("/chat/<int:conversation_id>/leave", methods=["GET", "POST"])
@login_required
def leave(conversation_id: int):
    """Leave a group conversation (asks first)."""
    found = services.membership(current_user, conversation_id)
    if found.conversation.kind != ConversationKind.GROUP:
        abort(404)
    form = ActionForm()
    if request.method == "POST":
        return run_action(
            form,
            services.leave,
            current_user,
            conversation_id,
            success=_("You left the conversation."),
            back=url_for("chat.index"),
        )
    name = services.names(current_user, [found.conversation])[conversation_id]
    return render_template("chat/leave.html", found=found, name=name, form=form)


# --- members of a group conversation ------------------------------------------------------


@bp.get("/chat/<int:conversation_id>/members")
@login_required
def members(conversation_id: int):
    """Who is in the conversation; its owner adds and removes members here."""
    found = services.membership(current_user, conversation_id)
    return _render_members(found, AddMembersForm(formdata=None))


def _render_members(found: services.Membership, form: AddMembersForm, status: int = 200):
    conversation = found.conversation
    page = services.members_page(conversation, request.args.get("cursor"))
    ids = services.member_ids(conversation.id)
    is_owner = conversation.kind == ConversationKind.GROUP and found.member.role == MemberRole.OWNER
    find = FindMemberForm(request.args)
    if is_owner:
        present = set(ids)
        form.member_ids.choices = [
            (user.id, user.display_name) for user in _candidates(find) if user.id not in present
        ]
    return render_template(
        "chat/members.html",
        conversation=conversation,
        name=services.names(current_user, [conversation])[conversation.id],
        page=page,
        member_count=len(ids),
        is_owner=is_owner,
        is_group=conversation.kind == ConversationKind.GROUP,
        form=form,
        find=find,
        action_form=ActionForm(),
    ), status


@bp.post("/chat/<int:conversation_id>/members")
@login_required
def add_members(conversation_id: int):
    """The owner adds members."""
    found = services.membership(current_user, conversation_id)
    form = AddMembersForm()
    if form.validate_on_submit():
        try:
            added = services.add_members(current_user, conversation_id, form.member_ids.data or [])
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Added: %(names)s.", names=", ".join(p.display_name for p in added))
                if added
                else _("They are already in the conversation."),
                "success",
            )
            return redirect(url_for("chat.members", conversation_id=conversation_id))
    return _render_members(found, form, 422)


@bp.post("/chat/<int:conversation_id>/members/<int:user_id>/remove")
@login_required
def remove_member(conversation_id: int, user_id: int):
    """The owner takes a member out."""
    return run_action(
        ActionForm(),
        services.remove_member,
        current_user,
        conversation_id,
        user_id,
        success=_("Removed from the conversation."),
        back=url_for("chat.members", conversation_id=conversation_id),
    )
