"""Group forms: the list's filters (GET), the group editor, and the buttons' CSRF forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from community.core.forms import max_length
from community.groups.models import Group, GroupVisibility
from community.groups.services import (
    MAX_COVER_ALT,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_SEARCH,
    GroupData,
    GroupFilters,
)
from community.profiles import reference as ref


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _cities(blank) -> list[SelectChoice]:
    return [SelectChoice("", str(blank))] + [
        SelectChoice(slug, label) for slug, label in ref.city_choices()
    ]


class GroupFilterForm(Form):
    """GET filters of the groups list (no CSRF: it changes nothing)."""

    q = StringField(_l("Search"), filters=[_strip], validators=[max_length(MAX_SEARCH)])
    city = SelectField(_l("City"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.city.choices = _cities(_l("Any city"))

    def filters(self) -> GroupFilters:
        if not self.validate():
            return GroupFilters()
        return GroupFilters(q=self.q.data or "", city=self.city.data or "")


class GroupForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the group a name.")), max_length(MAX_NAME)],
        description=_l("Short and clear, for example “Parents in Aarhus”."),
    )
    description = TextAreaField(
        _l("What is the group about?"),
        filters=[_strip],
        validators=[max_length(MAX_DESCRIPTION)],
        description=_l("Who it is for and what you do together. You can use Markdown."),
    )
    city = SelectField(
        _l("City"),
        validate_choice=False,  # the service names a city it does not know
        description=_l("For a city circle; leave it empty for a group about an interest."),
    )
    visibility = RadioField(
        _l("Who can see it?"),
        default=GroupVisibility.PUBLIC.value,
        choices=[
            SelectChoice(
                GroupVisibility.PUBLIC.value,
                str(_l("Public: every member sees it and can join")),
            ),
            SelectChoice(
                GroupVisibility.PRIVATE.value,
                str(_l("Private: only members see it; people join through your invite link")),
            ),
        ],
        validate_choice=False,
    )
    cover = FileField(
        _l("Cover image"),
        description=_l("A wide picture, JPEG, PNG, WebP or GIF, up to 5 MB."),
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )
    cover_alt = StringField(
        _l("What the image shows"),
        filters=[_strip],
        validators=[max_length(MAX_COVER_ALT)],
        description=_l("For members who cannot see it."),
    )
    remove_cover = BooleanField(_l("Remove the cover image"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.city.choices = _cities(_l("No city"))

    @classmethod
    def for_group(cls, group: Group) -> GroupForm:
        form = cls(obj=group)
        form.city.data = group.city or ""
        return form

    def group_data(self) -> GroupData:
        return GroupData(
            name=self.name.data or "",
            description=self.description.data or "",
            city=self.city.data or "",
            visibility=self.visibility.data or "",
        )


class ActionForm(FlaskForm):
    """A button's POST (join, leave, approve ...): CSRF only."""


class LeaveForm(FlaskForm):
    """Leave a group; the last organiser names who takes over."""

    successor_id = SelectField(
        _l("Who takes over as organiser?"), validate_choice=False, validators=[Optional()]
    )
    next = HiddenField()
