"""Gig forms: the editor, the list's filters (GET), the moderators' refusal, the application
and its status, and the CSRF-only buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Form,
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
from community.gigs import services
from community.gigs.city_notes import WHO_CAN_TAKE_HINTS, WHO_CAN_TAKE_LABELS
from community.gigs.models import Engagement, Gig, GigKind
from community.profiles import reference as ref
from community.profiles.services import MAX_TAG_LENGTH

KIND_LABELS = {
    GigKind.PAID_LOCAL: _l("Paid, local"),
    GigKind.REMOTE: _l("Remote"),
    GigKind.FREELANCE: _l("Freelance"),
    GigKind.VOLUNTEERING: _l("Volunteering"),
    GigKind.INTERNSHIP: _l("Internship"),
}
ENGAGEMENT_LABELS = {
    Engagement.EMPLOYEE: _l("As an employee"),
    Engagement.INVOICE: _l("On invoice (freelance)"),
    Engagement.VOLUNTARY: _l("Voluntary, unpaid"),
}
PERIOD_LABELS = {
    "hour": _l("per hour"),
    "day": _l("per day"),
    "week": _l("per week"),
    "month": _l("per month"),
    "project": _l("for the whole project"),
}
STATUS_LABELS = {
    "open": _l("Open"),
    "filled": _l("Filled"),
    "closed": _l("Closed"),
    "completed": _l("Completed"),
}
APPLICATION_STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "shortlisted": _l("Shortlisted"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Closed without an answer"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def who_label(value: str) -> str:
    return str(WHO_CAN_TAKE_LABELS.get(value, value))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _pairs(labels: dict, blank=None) -> list[SelectChoice]:
    options = [SelectChoice("", str(blank))] if blank is not None else []
    return options + [SelectChoice(str(value), str(label)) for value, label in labels.items()]


def _city_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", str(blank))] + [
        SelectChoice(slug, label) for slug, label in ref.city_choices()
    ]


class GigForm(FlaskForm):
    kind = RadioField(
        _l("What kind of gig is this?"),
        validators=[DataRequired(_l("Choose what kind of gig this is."))],
    )
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the gig a title.")), max_length(services.MAX_TITLE)],
        description=_l("Short and clear, for example “Translate our volunteer brochure”."),
        render_kw={"maxlength": services.MAX_TITLE},
    )
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(_l("Describe the work.")), max_length(services.MAX_DESCRIPTION)],
        description=_l(
            "What the work is, who it is for, how you will work together. You can use "
            "Markdown: *italic*, **bold**, [a link](https://example.org), lists."
        ),
        render_kw={"rows": 8, "maxlength": services.MAX_DESCRIPTION},
    )
    deliverable = StringField(
        _l("What will be delivered"),
        filters=[_strip],
        validators=[max_length(services.MAX_DELIVERABLE)],
        description=_l("For example “a translated brochure” or “a tested survey”."),
    )
    skills = StringField(
        _l("Skills wanted"),
        filters=[_strip],
        validators=[max_length(services.MAX_SKILLS * (MAX_TAG_LENGTH + 2))],
        description=_l(
            "Separate them with commas, for example “Translation, Danish”. They are the same "
            "tags members put on their profiles, so the right people find the gig."
        ),
    )
    languages = SelectMultipleField(
        _l("Languages the work needs"),
        validators=[Optional()],
        description=_l("Hold Ctrl (or Cmd) to choose more than one."),
    )
    who_can_take = RadioField(
        _l("Who can take it?"),
        validators=[DataRequired(_l("Choose who can take this gig."))],
    )
    remote = BooleanField(_l("The work is remote"))
    city = SelectField(
        _l("City"),
        validators=[Optional()],
        description=_l("Where the work is done, when it is not remote."),
    )
    overlap_hours = IntegerField(
        _l("Hours of overlap needed (remote)"),
        validators=[Optional(), NumberRange(0, 12, _l("Give between 0 and 12 hours."))],
        description=_l("Hours a working day must overlap with your time zone."),
        render_kw={"inputmode": "numeric"},
    )
    countries = SelectMultipleField(
        _l("Countries it can be done from (remote)"),
        validators=[Optional()],
        description=_l("None chosen: from anywhere."),
    )
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    duration = StringField(
        _l("Duration"),
        filters=[_strip],
        validators=[max_length(services.MAX_DURATION)],
        description=_l("When there are no fixed dates, for example “about 3 weeks”."),
    )
    hours_per_week = IntegerField(
        _l("Hours a week"),
        validators=[Optional(), NumberRange(1, 80, _l("Give between 1 and 80 hours."))],
        render_kw={"inputmode": "numeric"},
    )
    compensation_amount = IntegerField(
        _l("Pay"),
        validators=[Optional(), NumberRange(0, services.MAX_COMPENSATION)],
        description=_l("A whole amount. Leave it empty for voluntary work."),
        render_kw={"inputmode": "numeric"},
    )
    currency = SelectField(_l("Currency"), validators=[Optional()])
    compensation_period = SelectField(_l("Per"), validators=[Optional()])
    engagement = RadioField(
        _l("How is the work engaged?"),
        validators=[DataRequired(_l("Choose how the work is engaged."))],
    )
    deadline = DateField(
        _l("Apply by"),
        validators=[Optional()],
        description=_l("The last day to apply, in your time zone. The gig closes after it."),
    )
    organisation = StringField(
        _l("On behalf of an organisation"),
        filters=[_strip],
        validators=[max_length(services.MAX_ORGANISATION)],
        description=_l(
            "Its name, if you post for an organisation. A moderator checks such gigs first."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = _pairs(KIND_LABELS)
        self.who_can_take.choices = _pairs(WHO_CAN_TAKE_LABELS)
        self.engagement.choices = _pairs(ENGAGEMENT_LABELS)
        self.city.choices = _city_choices(_l("Choose a city"))
        self.languages.choices = [SelectChoice(c, n) for c, n in ref.language_choices()]
        self.countries.choices = [SelectChoice(c, n) for c, n in ref.country_choices()]
        self.currency.choices = [SelectChoice("", str(_l("Choose a currency")))] + [
            SelectChoice(c, c) for c in services.CURRENCIES
        ]
        self.compensation_period.choices = _pairs(PERIOD_LABELS, _l("Choose"))

    @staticmethod
    def who_hint(value: str) -> str:
        return str(WHO_CAN_TAKE_HINTS.get(value, ""))

    @classmethod
    def for_gig(cls, gig: Gig) -> GigForm:
        return cls(
            data={
                "kind": gig.kind,
                "title": gig.title,
                "description": gig.description,
                "deliverable": gig.deliverable,
                "skills": ", ".join(row.tag.label for row in gig.skills),
                "languages": [row.code for row in gig.languages],
                "who_can_take": gig.who_can_take,
                "remote": gig.remote,
                "city": gig.city or "",
                "overlap_hours": gig.overlap_hours,
                "countries": [row.code for row in gig.countries],
                "starts_on": gig.starts_on,
                "ends_on": gig.ends_on,
                "duration": gig.duration,
                "hours_per_week": gig.hours_per_week,
                "compensation_amount": gig.compensation_amount,
                "currency": gig.currency or "",
                "compensation_period": gig.compensation_period or "",
                "engagement": gig.engagement,
                "deadline": gig.deadline,
                "organisation": gig.organisation,
            }
        )

    def gig_data(self) -> services.GigData:
        cleared = {
            name
            for name in ("starts_on", "ends_on", "deadline", "hours_per_week", "overlap_hours")
            if self[name].data is None
        }
        if self.compensation_amount.data is None:
            cleared.add("compensation")
        return services.GigData(
            kind=self.kind.data,
            title=self.title.data,
            description=self.description.data,
            deliverable=self.deliverable.data or "",
            organisation=self.organisation.data or "",
            who_can_take=self.who_can_take.data,
            skills=[label for label in (self.skills.data or "").split(",") if label.strip()],
            languages=list(self.languages.data or []),
            city=self.city.data or "",
            remote=bool(self.remote.data),
            overlap_hours=self.overlap_hours.data,
            countries=list(self.countries.data or []),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            duration=self.duration.data or "",
            hours_per_week=self.hours_per_week.data,
            compensation_amount=self.compensation_amount.data,
            currency=self.currency.data or "",
            compensation_period=self.compensation_period.data or "",
            engagement=self.engagement.data,
            deadline=self.deadline.data,
            cleared=cleared,
        )


class GigFilterForm(Form):
    """GET filters of the list (no CSRF: it changes nothing)."""

    kind = SelectField(_l("Kind"), validators=[Optional()])
    skill = StringField(_l("Skill"), filters=[_strip], validators=[max_length(MAX_TAG_LENGTH)])
    language = SelectField(_l("Language"), validators=[Optional()])
    place = SelectField(_l("City or remote"), validators=[Optional()])
    who = SelectField(_l("Who can take it"), validators=[Optional()])
    pay = SelectField(_l("Paid or voluntary"), validators=[Optional()])

    def __init__(self, *args, languages: list[str] | None = None, **kwargs) -> None:
        """`languages`: the codes to offer (those the listed gigs use; None: all)."""
        super().__init__(*args, **kwargs)
        self.kind.choices = _pairs(KIND_LABELS, _l("Any kind"))
        offered = set(languages) if languages is not None else None
        if offered is not None and self.language.data in ref.language_codes():
            offered.add(self.language.data)  # keep what was asked for, even if none match
        self.language.choices = [SelectChoice("", str(_l("Any language")))] + [
            SelectChoice(c, n) for c, n in ref.language_choices() if offered is None or c in offered
        ]
        self.place.choices = [
            SelectChoice("", str(_l("Anywhere"))),
            SelectChoice("remote", str(_l("Remote"))),
        ] + [SelectChoice(slug, label) for slug, label in ref.city_choices()]
        self.who.choices = _pairs(WHO_CAN_TAKE_LABELS, _l("Anyone"))
        self.pay.choices = [
            SelectChoice("", str(_l("Either"))),
            SelectChoice("paid", str(_l("Paid"))),
            SelectChoice("voluntary", str(_l("Voluntary"))),
        ]

    def filters(self):
        from community.gigs.queries import GigFilters

        if not self.validate():
            return GigFilters()
        return GigFilters(
            kind=self.kind.data or "",
            skill=self.skill.data or "",
            language=self.language.data or "",
            place=self.place.data or "",
            who=self.who.data or "",
            pay=self.pay.data or "",
        )


class RejectForm(FlaskForm):
    reason = StringField(
        _l("Why is it refused?"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Say why the gig is refused.")),
            max_length(services.MAX_REVIEW_REASON),
        ],
        description=_l("The poster sees this."),
    )


class ApplyForm(FlaskForm):
    message = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(_l("Write a short message to the poster."))],
        description=_l("Why this gig, and what you bring. The poster and you see it, no one else."),
        render_kw={"rows": 6},
    )
    link = StringField(
        _l("Link to your CV or a work sample"),
        filters=[_strip],
        description=_l("An https:// address."),
        render_kw={"type": "url", "inputmode": "url"},
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Private reason (declined only, optional)"),
        description=_l("Only the applicant sees it."),
        render_kw={"rows": 2},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice(value, str(APPLICATION_STATUS_LABELS[value]))
            for value in ("submitted", "shortlisted", "accepted", "declined")
        ]


class ActionForm(FlaskForm):
    """A button that changes one thing (close, reopen, approve, withdraw): CSRF only."""


class FeedbackForm(FlaskForm):
    """One side's feedback on the other, after a completed gig."""

    rating = RadioField(
        _l("How was it?"), validators=[InputRequired(_l("Choose a rating from 1 to 5."))]
    )
    comment = TextAreaField(
        _l("In a few words"),
        filters=[_strip],
        validators=[max_length(2000)],
        description=_l("They read it once you have both written, or 14 days after completion."),
        render_kw={"rows": 3},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rating.choices = _pairs(RATING_LABELS)


RATING_LABELS = {
    "5": _l("5: excellent"),
    "4": _l("4: good"),
    "3": _l("3: fine"),
    "2": _l("2: not great"),
    "1": _l("1: poor"),
}


class ReferenceForm(FlaskForm):
    """The poster's reference for a member of the team."""

    hours = IntegerField(
        _l("Hours worked"),
        validators=[
            Optional(),
            NumberRange(1, 5000, _l("Give the hours as a number from 1 to 5000.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    skills_used = StringField(
        _l("Skills used"),
        filters=[_strip],
        validators=[max_length(300)],
        description=_l("For example: Danish, copywriting, InDesign."),
    )
    statement = TextAreaField(
        _l("Reference"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Say in a sentence or two what the member did.")),
            max_length(3000),
        ],
        description=_l(
            "What they did and how well: it can go on their profile as a verified entry."
        ),
        render_kw={"rows": 4},
    )


class ProfileEntryForm(FlaskForm):
    """The member's choice to show a reference on their profile, with a work sample."""

    shown = BooleanField(_l("Show this reference on my profile"))
    sample_link = StringField(
        _l("Link to the deliverable"),
        filters=[_strip],
        description=_l("An https:// address of the work itself, if it is public."),
        render_kw={"inputmode": "url"},
    )
    sample_note = StringField(
        _l("About the work sample"),
        filters=[_strip],
        validators=[max_length(300)],
    )


class ReportForm(FlaskForm):
    """A member's report of a gig."""

    reason = RadioField(
        _l("What is wrong?"), validators=[InputRequired(_l("Choose why you report this gig."))]
    )
    details = TextAreaField(
        _l("Anything the moderators should know"),
        filters=[_strip],
        validators=[max_length(1000)],
        description=_l("Only the moderators see your report."),
        render_kw={"rows": 3},
    )

    def __init__(self, *args, **kwargs) -> None:
        from community.gigs.reports import REASONS

        super().__init__(*args, **kwargs)
        self.reason.choices = _pairs(REASONS)
