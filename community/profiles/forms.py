"""The profile form (grouped in sections on the page) and the directory filter form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from community.auth.services import MAX_DISPLAY_NAME
from community.core.errors import Invalid
from community.core.forms import max_length
from community.presence.services import is_hidden as presence_hidden
from community.profiles import reference as ref
from community.profiles.directory import MAX_SEARCH
from community.profiles.services import (
    MAX_BIO,
    MAX_FAMILY_SITUATION,
    MAX_HEADLINE,
    MAX_TAG_LENGTH,
    ProfileData,
)

NEW_TAG_ROWS = 3
EXTRA_LANGUAGE_ROWS = 2
# Profile columns the editor shows and saves as they are.
SAVED_FIELDS = (
    "headline", "bio", "host_city", "home_country", "professional_field", "education_level",
    "availability", "visibility", "nationality", "work_permit", "family_situation",
)  # fmt: skip


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def choices(pairs, blank=None) -> list[SelectChoice]:
    """SelectChoice list from (value, label) pairs, with an optional blank first option."""
    options = [SelectChoice("", str(blank))] if blank is not None else []
    return options + [SelectChoice(value, str(label)) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """Several checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LanguageRow(Form):
    code = SelectField(_l("Language"), validators=[Optional()], validate_choice=False)
    level = SelectField(_l("Level"), validators=[Optional()], validate_choice=False)


class ProfileForm(FlaskForm):
    # About you
    display_name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your name.")), max_length(MAX_DISPLAY_NAME)],
        render_kw={"autocomplete": "name"},
    )
    headline = StringField(
        _l("Headline"),
        filters=[_strip],
        validators=[max_length(MAX_HEADLINE)],
        description=_l('One line that says what you do, e.g. "UX researcher, 8 years in fintech".'),
    )
    bio = TextAreaField(
        _l("About you"),
        validators=[max_length(MAX_BIO)],
        description=_l(
            "Your story, what you did before the move and what you would like to do now. "
            "You can use Markdown: *italic*, **bold**, [a link](https://example.com)."
        ),
        render_kw={"rows": 6},
    )
    avatar = FileField(
        _l("Photo"),
        description=_l("A JPEG, PNG or WebP image up to 5 MB. We crop it to a square."),
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )
    remove_avatar = BooleanField(_l("Remove my photo"))
    # Where you are
    host_city = SelectField(_l("City you live in now"), validate_choice=False)
    home_country = SelectField(
        _l("Home country"), validate_choice=False, render_kw={"autocomplete": "country"}
    )
    # Work and skills
    professional_field = SelectField(_l("Professional field"), validate_choice=False)
    education_level = SelectField(_l("Highest education"), validate_choice=False)
    skills_keep = CheckboxesField(_l("Your skills"), validate_choice=False)
    skills_new = FieldList(
        StringField(_l("Add a skill"), filters=[_strip]), min_entries=NEW_TAG_ROWS
    )
    interests_keep = CheckboxesField(_l("Your interests"), validate_choice=False)
    interests_new = FieldList(
        StringField(_l("Add an interest"), filters=[_strip]), min_entries=NEW_TAG_ROWS
    )
    languages = FieldList(FormField(LanguageRow), min_entries=1)
    # What you are looking for
    looking_for = CheckboxesField(_l("I am looking for"), validate_choice=False)
    availability = SelectField(_l("Time I can give"), validate_choice=False)
    # Privacy
    visibility = RadioField(_l("Who can see my profile"), validate_choice=False)
    show_presence = BooleanField(
        _l("Show when I am online"),
        description=_l(
            "Members who can see your profile see “Online” or “Away” next to your name. "
            "If you turn this off, nobody sees it, and you do not see anyone else's."
        ),
    )
    nationality = SelectField(_l("Nationality"), validate_choice=False)
    work_permit = SelectField(_l("Work permit"), validate_choice=False)
    family_situation = StringField(
        _l("Family situation"),
        filters=[_strip],
        validators=[max_length(MAX_FAMILY_SITUATION)],
        description=_l("For example: two children, 4 and 7."),
    )
    submit = SubmitField(_l("Save profile"))

    @classmethod
    def for_profile(cls, user, profile) -> ProfileForm:
        """The editor filled in from `user`'s saved profile (None: not saved yet)."""
        data = MultiDict({"display_name": user.display_name})
        if profile is None:
            data["visibility"] = ref.Visibility.MEMBERS.value
        else:
            for name in SAVED_FIELDS:
                data[name] = getattr(profile, name) or ""
            for row in profile.tags:
                data.add(f"{row.kind}s_keep", row.tag.label)
            for row in profile.looking_for:
                data.add("looking_for", row.value)
            for index, row in enumerate(profile.languages):
                data[f"languages-{index}-code"] = row.code
                data[f"languages-{index}-level"] = row.level
        if not presence_hidden(user.id):
            data["show_presence"] = "y"
        form = cls(formdata=data)
        form.ensure_language_rows(len(profile.languages) if profile else 0)
        return form

    def ensure_language_rows(self, filled: int = 0) -> None:
        """Leave EXTRA_LANGUAGE_ROWS empty rows after the filled ones (no JavaScript needed)."""
        while len(self.languages) < filled + EXTRA_LANGUAGE_ROWS:
            self.languages.append_entry()

    def profile_data(self) -> ProfileData:
        """What was submitted, as the profile service takes it. Raises Invalid."""
        languages = []
        for row in self.languages:
            code, level = row.form.code.data, row.form.level.data
            if code and not level:
                raise Invalid(_("Choose a level for each language."), "languages")
            if code:
                languages.append((code, level))
        return ProfileData(
            display_name=self.display_name.data,
            **{name: self[name].data or "" for name in SAVED_FIELDS if name != "visibility"},
            visibility=self.visibility.data or ref.Visibility.MEMBERS.value,
            skills=list(self.skills_keep.data or []) + [t for t in self.skills_new.data if t],
            interests=list(self.interests_keep.data or [])
            + [t for t in self.interests_new.data if t],
            languages=languages,
            looking_for=list(self.looking_for.data or []),
        )

    def set_choices(self) -> None:
        """Fill the lists from the reference data, in the page's language."""
        countries = ref.country_choices()
        self.host_city.choices = choices(ref.city_choices(), _l("Choose a city"))
        self.home_country.choices = choices(countries, _l("Choose a country"))
        self.nationality.choices = choices(countries, _l("Prefer not to say"))
        self.professional_field.choices = choices(
            ref.PROFESSIONAL_FIELDS.items(), _l("Choose a field")
        )
        self.education_level.choices = choices(
            ref.EDUCATION_LABELS.items(), _l("Prefer not to say")
        )
        self.availability.choices = choices(ref.AVAILABILITY_LABELS.items(), _l("Choose an option"))
        self.work_permit.choices = choices(ref.WORK_PERMIT_LABELS.items(), _l("Prefer not to say"))
        self.looking_for.choices = choices(ref.LOOKING_FOR_LABELS.items())
        # The member's own tags, as ticked checkboxes (unticking one removes it).
        for keep in (self.skills_keep, self.interests_keep):
            keep.choices = choices((label, label) for label in dict.fromkeys(keep.data or []))
        self.visibility.choices = choices(ref.VISIBILITY_LABELS.items())
        language_options = choices(ref.language_choices(), _l("Choose a language"))
        level_options = choices(ref.LANGUAGE_LEVEL_LABELS.items(), _l("Choose a level"))
        for row in self.languages:
            row.form.code.choices = language_options
            row.form.level.choices = level_options


class DirectoryForm(Form):
    """GET filters of the directory (no CSRF: it changes nothing)."""

    q = StringField(_l("Name or headline"), filters=[_strip], validators=[max_length(MAX_SEARCH)])
    skill = StringField(_l("Skill"), filters=[_strip], validators=[max_length(MAX_TAG_LENGTH)])
    language = SelectField(_l("Speaks"), validate_choice=False)
    city = SelectField(_l("Lives in"), validate_choice=False)
    looking_for = SelectField(_l("Looking for"), validate_choice=False)

    def set_choices(self) -> None:
        self.language.choices = choices(ref.language_choices(), _l("Any language"))
        self.city.choices = choices(ref.city_choices(), _l("Any city"))
        self.looking_for.choices = choices(ref.LOOKING_FOR_LABELS.items(), _l("Anything"))
