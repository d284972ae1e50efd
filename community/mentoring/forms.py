"""Programme and application forms: the coordinator's programme editor (with up to five
extra questions), the apply / edit form (with the programme's questions for the role and the
people to avoid), withdrawing with a reason, and the coordinator's accept / decline."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from community.core.forms import max_length
from community.core.timezones import zone_choices
from community.mentoring import applications, programmes
from community.mentoring.models import FieldPreference, MentoringApplication, Programme, QuestionFor
from community.profiles import reference as ref

QUESTION_FOR_LABELS = {
    QuestionFor.BOTH: _l("Mentors and mentees"),
    QuestionFor.MENTOR: _l("Mentors only"),
    QuestionFor.MENTEE: _l("Mentees only"),
}
PREFERENCE_LABELS = {
    FieldPreference.ANY: _l("Either is fine"),
    FieldPreference.SAME: _l("Someone in my own field"),
    FieldPreference.DIFFERENT: _l("Someone from a different field"),
}
ROLE_CHOICES = {
    "mentee": _l("Mentee: I would like a mentor"),
    "mentor": _l("Mentor: I would like to mentor someone"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _choices(labels: dict, blank=None) -> list[SelectChoice]:
    options = [SelectChoice("", str(blank))] if blank is not None else []
    return options + [SelectChoice(str(value), str(label)) for value, label in labels.items()]


def _labels(text: str | None) -> list[str]:
    return [label.strip() for label in (text or "").split(",") if label.strip()]


# --- programmes ------------------------------------------------------------------------------


class QuestionForm(Form):
    text = StringField(
        _l("Question"),
        filters=[_strip],
        validators=[max_length(programmes.MAX_QUESTION)],
        render_kw={"maxlength": programmes.MAX_QUESTION},
    )
    asked_of = SelectField(_l("Asked of"), choices=_choices(QUESTION_FOR_LABELS))


class ProgrammeForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give the programme a name.")),
            max_length(programmes.MAX_NAME),
        ],
        description=_l("For example “International Business Mentoring, Copenhagen 2027”."),
        render_kw={"maxlength": programmes.MAX_NAME},
    )
    description = TextAreaField(
        _l("Description"),
        validators=[max_length(programmes.MAX_DESCRIPTION)],
        description=_l(
            "Who it is for, how often pairs meet, what a mentor gives. You can use Markdown: "
            "*italic*, **bold**, [a link](https://example.org), lists."
        ),
        render_kw={"rows": 8},
    )
    city = SelectField(_l("City"), validators=[Optional()])
    online = BooleanField(_l("Pairs meet online"))
    timezone = SelectField(
        _l("Time zone"),
        description=_l("The deadline ends at midnight in this time zone."),
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(_l("Give the first day."))])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(_l("Give the last day."))])
    application_deadline = DateField(
        _l("Apply by"),
        validators=[InputRequired(_l("Give the last day to apply."))],
        description=_l("The last day to apply; it must be before the programme starts."),
    )
    default_capacity = IntegerField(
        _l("Mentees per mentor"),
        default=1,
        validators=[
            InputRequired(_l("Give a number from 0 to 10.")),
            NumberRange(0, programmes.MAX_CAPACITY, _l("Give a number from 0 to 10.")),
        ],
        description=_l("How many mentees a mentor takes unless they say otherwise."),
        render_kw={"inputmode": "numeric", "min": 0, "max": programmes.MAX_CAPACITY},
    )
    mentors_accept = BooleanField(_l("Mentors accept their proposed mentee before the pair starts"))
    questions = FieldList(
        FormField(QuestionForm),
        min_entries=programmes.MAX_QUESTIONS,
        max_entries=programmes.MAX_QUESTIONS,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.city.choices = [
            SelectChoice("", str(_l("No city (tick “Pairs meet online” below)")))
        ] + [SelectChoice(slug, label) for slug, label in ref.city_choices()]
        self.timezone.choices = [
            SelectChoice(zone, label) for zone, label in zone_choices(self.timezone.data)
        ]
        for number, entry in enumerate(self.questions, start=1):
            entry.form.text.label.text = str(_l("Question %(n)d", n=number))
            entry.form.asked_of.label.text = str(_l("Question %(n)d is asked of", n=number))

    @classmethod
    def for_programme(cls, programme: Programme) -> ProgrammeForm:
        questions = [{"text": q.text, "asked_of": q.asked_of} for q in programme.questions]
        return cls(
            data={
                "name": programme.name,
                "description": programme.description,
                "city": programme.city or "",
                "online": programme.online,
                "timezone": programme.timezone,
                "starts_on": programme.starts_on,
                "ends_on": programme.ends_on,
                "application_deadline": programme.application_deadline,
                "default_capacity": programme.default_capacity,
                "mentors_accept": programme.mentors_accept,
                "questions": questions,
            }
        )

    def programme_data(self) -> programmes.ProgrammeData:
        return programmes.ProgrammeData(
            name=self.name.data or "",
            description=self.description.data or "",
            city=self.city.data or "",
            online=bool(self.online.data),
            timezone=self.timezone.data,
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            application_deadline=self.application_deadline.data,
            default_capacity=self.default_capacity.data,
            mentors_accept=bool(self.mentors_accept.data),
            questions=[
                programmes.QuestionData(entry.form.text.data or "", entry.form.asked_of.data)
                for entry in self.questions
            ],
        )


# --- applications ----------------------------------------------------------------------------


class ApplicationForm(FlaskForm):
    """Apply or edit. The programme's extra questions are added per programme
    (`for_programme`) as `answer_<question id>`."""

    role = RadioField(
        _l("How would you like to take part?"),
        choices=_choices(ROLE_CHOICES),
        validators=[DataRequired(_l("Choose mentor or mentee."))],
    )
    field = SelectField(
        _l("Your professional field"),
        validators=[DataRequired(_l("Choose a field from the list."))],
    )
    education_level = SelectField(_l("Education"), validators=[Optional()])
    experience_years = IntegerField(
        _l("Years of work experience"),
        validators=[Optional(), NumberRange(0, 60, _l("Give a number of years from 0 to 60."))],
        render_kw={"inputmode": "numeric", "min": 0, "max": 60},
    )
    qualifications = TextAreaField(
        _l("Qualifications and experience"),
        validators=[max_length(applications.MAX_TEXT)],
        description=_l("Your degrees, certificates and the work you have done."),
        render_kw={"rows": 4},
    )
    languages = SelectMultipleField(
        _l("Languages you can meet in"),
        validators=[DataRequired(_l("Choose at least one language you can meet in."))],
        description=_l("Taken from your profile; change them for this programme if you like."),
    )
    industries = StringField(
        _l("Industries"),
        filters=[_strip],
        validators=[max_length(600)],
        description=_l("Separate them with commas, for example “Logistics, Shipping”."),
    )
    interests = StringField(
        _l("Interests"),
        filters=[_strip],
        validators=[max_length(600)],
        description=_l("Separate them with commas, for example “Running, Board games”."),
    )
    goals = TextAreaField(
        _l("What you want from a mentor (mentees)"),
        validators=[max_length(applications.MAX_TEXT)],
        description=_l("For example “I want to move into consulting here”."),
        render_kw={"rows": 3},
    )
    offer = TextAreaField(
        _l("What you can offer (mentors)"),
        validators=[max_length(applications.MAX_TEXT)],
        description=_l("For example “I am a management consultant and know the local market”."),
        render_kw={"rows": 3},
    )
    prefers_field = RadioField(
        _l("Would you rather be paired with"),
        choices=_choices(PREFERENCE_LABELS),
        default=FieldPreference.ANY.value,
    )
    prefers_language = SelectField(
        _l("A language you would rather meet in"), validators=[Optional()]
    )
    wishes = TextAreaField(
        _l("Anything else you wish for"),
        validators=[max_length(applications.MAX_TEXT)],
        description=_l("In your own words: the kind of person, how you like to work."),
        render_kw={"rows": 3},
    )
    availability = StringField(
        _l("When you can meet"),
        filters=[_strip],
        validators=[max_length(applications.MAX_AVAILABILITY)],
        description=_l("For example “weekday evenings” or “Saturday mornings”."),
    )
    capacity = IntegerField(
        _l("How many mentees you can take (mentors)"),
        validators=[Optional(), NumberRange(0, 10, _l("Give a number from 0 to 10."))],
        description=_l("0 pauses you: you stay in the programme but get no new mentee."),
        render_kw={"inputmode": "numeric", "min": 0, "max": 10},
    )
    avoid_ids = SelectMultipleField(_l("People you must not be paired with"), coerce=int,
                                    validate_choice=False)  # fmt: skip
    avoid_links = TextAreaField(
        _l("Or add them by their profile link"),
        validators=[max_length(2000)],
        description=_l("Paste the address of their profile page, one a line. They are never told."),
        render_kw={"rows": 2},
    )
    avoid_search = StringField(
        _l("Find them by name"), filters=[_strip], validators=[max_length(80)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.field.choices = _choices(ref.PROFESSIONAL_FIELDS, _l("Choose a field"))
        self.education_level.choices = _choices(ref.EDUCATION_LABELS, _l("Not given"))
        self.languages.choices = [SelectChoice(c, n) for c, n in ref.language_choices()]
        self.prefers_language.choices = [SelectChoice("", str(_l("No preference")))] + [
            SelectChoice(c, n) for c, n in ref.language_choices()
        ]

    @classmethod
    def for_programme(cls, programme: Programme, **kwargs) -> ApplicationForm:
        """A form class with one `answer_<id>` field per extra question, instantiated."""
        fields = {
            f"answer_{question.id}": TextAreaField(
                question.text,
                validators=[max_length(applications.MAX_ANSWER)],
                description=str(QUESTION_FOR_LABELS.get(question.asked_of, "")),
                render_kw={"rows": 2},
            )
            for question in programme.questions
        }
        form_class = type("ProgrammeApplicationForm", (cls,), fields)
        return form_class(**kwargs)

    def answer_fields(self, programme: Programme) -> list:
        return [self[f"answer_{question.id}"] for question in programme.questions]

    @staticmethod
    def initial(
        application: MentoringApplication | None, defaults: dict, programme: Programme
    ) -> dict:
        """Form data for editing `application`, or a new one from the profile's defaults."""
        if application is None:
            return {**defaults, "capacity": programme.default_capacity}
        data = {
            name: getattr(application, name)
            for name in (
                "role", "field", "experience_years", "qualifications", "goals", "offer",
                "prefers_field", "wishes", "availability", "capacity",
            )
        }  # fmt: skip
        data.update(
            education_level=application.education_level or "",
            prefers_language=application.prefers_language or "",
            languages=[row.code for row in application.languages],
            industries=", ".join(r.tag.label for r in application.tags if r.kind == "industry"),
            interests=", ".join(r.tag.label for r in application.tags if r.kind == "interest"),
            avoid_ids=[row.avoided_user_id for row in application.avoids],
        )
        for answer in application.answers:
            data[f"answer_{answer.question_id}"] = answer.text
        return data

    def avoid_user_ids(self) -> list[int]:
        """The chosen people plus those named by profile link (Invalid for a link that is
        not a member's profile)."""
        from community.core.errors import Invalid

        ids = [int(value) for value in (self.avoid_ids.data or [])]
        for line in (self.avoid_links.data or "").splitlines():
            if not line.strip():
                continue
            user_id = applications.user_id_from_link(line)
            if user_id is None:
                raise Invalid(
                    str(_l("“%(link)s” is not the link of a member's profile.", link=line.strip())),
                    "avoid_links",
                )
            ids.append(user_id)
        return ids

    def application_data(self, programme: Programme) -> applications.ApplicationData:
        cleared = {n for n in ("experience_years",) if self[n].data is None}
        if not self.education_level.data:
            cleared.add("education_level")
        return applications.ApplicationData(
            role=self.role.data,
            field=self.field.data,
            education_level=self.education_level.data or None,
            experience_years=self.experience_years.data,
            qualifications=self.qualifications.data or "",
            languages=list(self.languages.data or []),
            industries=_labels(self.industries.data),
            interests=_labels(self.interests.data),
            goals=self.goals.data or "",
            offer=self.offer.data or "",
            prefers_field=self.prefers_field.data or FieldPreference.ANY.value,
            prefers_language=self.prefers_language.data or "",
            wishes=self.wishes.data or "",
            availability=self.availability.data or "",
            capacity=self.capacity.data,
            avoid_user_ids=self.avoid_user_ids(),
            answers={q.id: self[f"answer_{q.id}"].data or "" for q in programme.questions},
            cleared=cleared,
        )


class WithdrawForm(FlaskForm):
    reason = StringField(
        _l("Why do you withdraw?"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Tell the coordinator briefly why you withdraw.")),
            max_length(applications.MAX_REASON),
        ],
        description=_l("Only the coordinator reads this, for example “I found a job”."),
    )


class DecideForm(FlaskForm):
    status = SelectField(choices=[SelectChoice(s, s) for s in applications.DECISIONS])
