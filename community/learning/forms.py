"""Learning forms: the list's filters (GET), the item editor, "Add to my plan", an entry's
status and weekly goal, "Mark done" with the skills gained, and the reminder day."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from community.core.forms import max_length
from community.learning.models import LearningFormat, LearningItem, LearningKind, PlanStatus
from community.learning.queries import LearningFilters
from community.learning.services import (
    CURRENCIES,
    MAX_COST,
    MAX_DESCRIPTION,
    MAX_FUNDING,
    MAX_GOAL_HOURS,
    MAX_LINK,
    MAX_PROVIDER,
    MAX_SKILLS,
    MAX_TITLE,
    ItemData,
)
from community.profiles import reference as ref
from community.profiles.services import MAX_TAG_LENGTH

KIND_LABELS = {
    LearningKind.COURSE: _l("Course"),
    LearningKind.WORKSHOP: _l("Workshop"),
    LearningKind.LANGUAGE_CLASS: _l("Language class"),
    LearningKind.GUIDE: _l("Guide"),
}
FORMAT_LABELS = {
    LearningFormat.ONLINE: _l("Online"),
    LearningFormat.IN_PERSON: _l("In person"),
    LearningFormat.SELF_PACED: _l("Self-paced"),
}
STATUS_LABELS = {
    PlanStatus.WANT: _l("Want to do"),
    PlanStatus.DOING: _l("Doing"),
    PlanStatus.DONE: _l("Done"),
}
WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def format_label(value: str) -> str:
    return str(FORMAT_LABELS.get(value, value))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def weekday_label(day: int) -> str:
    return str(WEEKDAYS[day])


# Links are text inputs with inputmode="url", not type="url": a refused link is shown again
# as typed, and type="url" would make that page invalid HTML.


def _http_link() -> Regexp:
    """The form's first check of a link (the service checks it again): http(s) or empty."""
    return Regexp(r"^(https?://\S+)?$", message=_l("Give a link starting with https://."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _language_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", str(blank))] + [
        SelectChoice(code, name) for code, name in ref.language_choices()
    ]


def _city_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", str(blank))] + [
        SelectChoice(slug, label) for slug, label in ref.city_choices()
    ]


class LearningFilterForm(Form):
    """GET filters of the list (no CSRF: it changes nothing)."""

    kind = SelectField(_l("Kind"), validators=[Optional()])
    format = SelectField(_l("Format"), validators=[Optional()])
    language = SelectField(_l("Taught in"), validators=[Optional()])
    skill = StringField(_l("Skill"), filters=[_strip], validators=[max_length(MAX_TAG_LENGTH)])
    city = SelectField(_l("City"), validators=[Optional()])
    free = BooleanField(_l("Free only"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = (
            [SelectChoice("", str(_l("Any kind")))]
            + [SelectChoice(kind.value, str(label)) for kind, label in KIND_LABELS.items()]
            + [SelectChoice("event", str(_l("Learning events")))]
        )
        self.format.choices = [SelectChoice("", str(_l("Any format")))] + [
            SelectChoice(value.value, str(label)) for value, label in FORMAT_LABELS.items()
        ]
        self.language.choices = _language_choices(_l("Any language"))
        self.city.choices = _city_choices(_l("Any city"))

    def filters(self) -> LearningFilters:
        """The filters this form asks for (none when it does not validate)."""
        if not self.validate():
            return LearningFilters()
        return LearningFilters(
            kind=self.kind.data or "",
            format=self.format.data or "",
            language=self.language.data or "",
            skill=self.skill.data or "",
            free=bool(self.free.data),
            city=self.city.data or "",
        )


class ItemForm(FlaskForm):
    kind = RadioField(
        _l("What kind of learning is this?"),
        validators=[DataRequired(_l("Choose what kind of learning this is."))],
    )
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[DataRequired(_l("Give it a title.")), max_length(MAX_TITLE)],
        description=_l("For example “Danish for beginners (module 1)”."),
        render_kw={"maxlength": MAX_TITLE},
    )
    description = TextAreaField(
        _l("What it teaches and who it is for"),
        validators=[
            DataRequired(_l("Say what it teaches and who it is for.")),
            max_length(MAX_DESCRIPTION),
        ],
        description=_l("You can use Markdown: *italic*, **bold**, [a link](https://example.org)."),
        render_kw={"rows": 6, "maxlength": MAX_DESCRIPTION},
    )
    provider = StringField(
        _l("Provider"),
        filters=[_strip],
        validators=[DataRequired(_l("Name the provider.")), max_length(MAX_PROVIDER)],
        description=_l("Who runs it: a school, a platform, a municipality, a volunteer."),
        render_kw={"maxlength": MAX_PROVIDER, "autocomplete": "organization"},
    )
    format = RadioField(
        _l("Format"), validators=[DataRequired(_l("Choose online, in person or self-paced."))]
    )
    city = SelectField(
        _l("City"),
        validate_choice=False,  # the service names a city it does not know
        description=_l("For in-person learning: where it takes place."),
    )
    language = SelectField(
        _l("Taught in"),
        validate_choice=False,
        validators=[DataRequired(_l("Choose the language it is taught in."))],
    )
    free = BooleanField(_l("It is free"))
    cost_amount = IntegerField(
        _l("Amount"),
        validators=[
            Optional(),
            NumberRange(0, MAX_COST, _l("Give the cost as a whole amount, or mark it free.")),
        ],
        description=_l("A whole amount, for example 120. Leave it empty if it is free."),
        render_kw={"inputmode": "numeric", "min": 0},
    )
    currency = SelectField(_l("Currency"), validate_choice=False)
    cost_from = BooleanField(_l("Prices start at this amount (“from”)"))
    funding = StringField(
        _l("Funding"),
        filters=[_strip],
        validators=[max_length(MAX_FUNDING)],
        description=_l("For example “often covered by an employer's partner budget”."),
        render_kw={"maxlength": MAX_FUNDING},
    )
    skills = StringField(
        _l("Skills it builds"),
        filters=[_strip],
        validators=[max_length(MAX_SKILLS * (MAX_TAG_LENGTH + 2))],
        description=_l(
            "Separate them with commas, for example “Danish, CV writing”. They are the same "
            "skills members put on their profiles and gigs ask for."
        ),
    )
    link = StringField(
        _l("Link"),
        filters=[_strip],
        validators=[max_length(MAX_LINK), _http_link()],
        description=_l("Where to sign up or read more; it must start with https://."),
        render_kw={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k.value, str(label)) for k, label in KIND_LABELS.items()]
        self.format.choices = [
            SelectChoice(v.value, str(label)) for v, label in FORMAT_LABELS.items()
        ]
        self.city.choices = _city_choices(_l("Choose a city"))
        self.language.choices = _language_choices(_l("Choose a language"))
        self.currency.choices = [SelectChoice("", str(_l("Choose")))] + [
            SelectChoice(code, code) for code in CURRENCIES
        ]

    @classmethod
    def for_item(cls, item: LearningItem) -> ItemForm:
        return cls(
            data={
                "kind": item.kind,
                "title": item.title,
                "description": item.description,
                "provider": item.provider,
                "format": item.format,
                "city": item.city or "",
                "language": item.language,
                "free": item.cost_amount is None,
                "cost_amount": item.cost_amount,
                "currency": item.currency or "",
                "cost_from": item.cost_from,
                "funding": item.funding,
                "skills": ", ".join(row.tag.label for row in item.skills),
                "link": item.link,
            }
        )

    def item_data(self) -> ItemData:
        free = bool(self.free.data) or (
            self.cost_amount.data is None and not (self.currency.data or "")
        )
        return ItemData(
            kind=self.kind.data,
            title=self.title.data,
            description=self.description.data,
            provider=self.provider.data,
            format=self.format.data,
            city=self.city.data or "",
            language=self.language.data,
            free=free,
            cost_amount=None if free else self.cost_amount.data,
            currency=None if free else (self.currency.data or ""),
            cost_from=bool(self.cost_from.data) and not free,
            funding=self.funding.data or "",
            skills=[label for label in (self.skills.data or "").split(",") if label.strip()],
            link=self.link.data or "",
        )


def _open_statuses() -> list[SelectChoice]:
    return [
        SelectChoice(status.value, str(STATUS_LABELS[status]))
        for status in (PlanStatus.WANT, PlanStatus.DOING)
    ]


class AddToPlanForm(FlaskForm):
    """ "Add to my plan": want to do, or doing already."""

    status = SelectField(_l("Add as"), default=PlanStatus.WANT.value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _open_statuses()


class EntryForm(FlaskForm):
    """An entry's status (want to do, doing) and its weekly goal; "done" has its own page."""

    status = SelectField(_l("Status"))
    weekly_goal_hours = IntegerField(
        _l("Hours a week"),
        validators=[
            Optional(),
            NumberRange(1, MAX_GOAL_HOURS, _l("Give between 1 and 60 hours a week, or none.")),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_GOAL_HOURS},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _open_statuses()


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False, html_tag="ul")
    option_widget = CheckboxInput()


class DoneForm(FlaskForm):
    """Marking an entry done: the skills gained, evidence, and whether they go on the profile."""

    skills = MultiCheckboxField(_l("Which skills did you gain?"), validate_choice=False)
    evidence_link = StringField(
        _l("Certificate or evidence link"),
        filters=[_strip],
        validators=[max_length(MAX_LINK), _http_link()],
        description=_l("A certificate, a badge or your work; it must start with https://."),
        render_kw={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"},
    )
    add_to_profile = BooleanField(_l("Add the ticked skills to my profile"))

    def __init__(self, *args, skills: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.skills.choices = [SelectChoice(label, label) for label in skills]


class ReminderForm(FlaskForm):
    reminder_weekday = SelectField(
        _l("Weekly reminder"),
        description=_l("A notification on this day each week, with your plan (days in UTC)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reminder_weekday.choices = [SelectChoice("", str(_l("No reminder")))] + [
            SelectChoice(str(n), str(day)) for n, day in enumerate(WEEKDAYS)
        ]


class ActionForm(FlaskForm):
    """A button that changes one thing (remove from the plan): CSRF only."""
