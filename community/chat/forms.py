"""Chat forms: the composer, editing, reporting, starting a conversation, adding members,
and the CSRF-only forms of the buttons (delete, react, mute, leave, mark as unread)."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from community.chat.services import MAX_BODY, MAX_CLIENT_ID, MAX_REPORT, MAX_TITLE, REACTIONS
from community.core.database import MAX_ID
from community.core.forms import max_length


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def record_id(value) -> int:
    """A form's member or message id: a whole number a row could have (else ValueError, a
    form error), never a number too big for the database."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


def _reply_to(value):
    """The message a reply quotes: None when empty; an id no message has (0) when it is not
    a valid id, so the service refuses it rather than sending without the quote."""
    if value in (None, ""):
        return None
    try:
        return record_id(value)
    except (TypeError, ValueError):
        return 0


class ActionForm(FlaskForm):
    """A button's form: only the CSRF token."""


class SendForm(FlaskForm):
    """The composer. `client_id` is made when the page is rendered, so submitting the same
    page twice (a double click, a resent POST) stores one message."""

    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write a message.")), max_length(MAX_BODY)],
    )
    client_id = HiddenField(validators=[DataRequired(), max_length(MAX_CLIENT_ID)])
    reply_to_id = HiddenField(filters=[_reply_to], validators=[Optional()])

    @classmethod
    def fresh(cls, reply_to_id: int | None = None) -> SendForm:
        form = cls(formdata=None)
        form.client_id.data = str(uuid.uuid4())
        form.reply_to_id.data = reply_to_id
        return form


class EditForm(FlaskForm):
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write a message.")), max_length(MAX_BODY)],
    )


class ReactForm(FlaskForm):
    emoji = HiddenField(validators=[DataRequired()])

    def validate_emoji(self, field) -> None:  # the service says which are allowed
        if field.data not in REACTIONS:
            field.data = None


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong with this message?"),
        filters=[_strip],
        validators=[max_length(MAX_REPORT)],
        description=_l("Optional. The moderators see the message as it is now, and your words."),
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False, html_tag="ul")
    option_widget = CheckboxInput()


class NewConversationForm(FlaskForm):
    """Pick one member to talk with, or several and a name for a group conversation."""

    member_ids = MultiCheckboxField(_l("Who?"), coerce=record_id, validate_choice=False)
    title = StringField(
        _l("Name of the group conversation"),
        filters=[_strip],
        validators=[max_length(MAX_TITLE)],
        description=_l("Only when you pick more than one person, e.g. “Book club”."),
    )


class AddMembersForm(FlaskForm):
    member_ids = MultiCheckboxField(_l("Add"), coerce=record_id, validate_choice=False)


class FindMemberForm(FlaskForm):
    """The GET search for people to start a conversation with (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    find = StringField(
        _l("Find a member"),
        filters=[_strip],
        validators=[max_length(80)],
        description=_l("A name, a skill or a city."),
    )
