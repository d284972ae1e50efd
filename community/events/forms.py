"""Event forms: the list filters (GET), the event editor, the RSVP and plain action buttons."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
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
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from community.core.forms import max_length
from community.events.display import CATEGORY_LABELS, ZONES, zone_label
from community.events.hosting import MAX_BODY, MAX_SUBJECT
from community.events.models import MAX_GUESTS, AttendeeAudience, Event
from community.events.queries import MAX_SEARCH, EventFilters
from community.events.series import (
    MAX_DATES,
    ORDINAL_WORDS,
    RepeatData,
    Scope,
    is_last_weekday,
    weekday_ordinal,
)
from community.events.services import (
    MAX_CAPACITY,
    MAX_COVER_ALT,
    MAX_DESCRIPTION,
    MAX_EVENT_LANGUAGES,
    MAX_EVENT_TAGS,
    MAX_ONLINE_URL,
    MAX_REMOVAL_MESSAGE,
    MAX_TITLE,
    MAX_VENUE,
    EventData,
)
from community.profiles import reference as ref
from community.profiles.services import MAX_TAG_LENGTH

# The hours before the start an organiser may pick for the promotion cut-off.
CUTOFF_CHOICES = (0, 1, 2, 3, 4, 6, 12, 24, 48)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _category_choices(blank=None):
    options = [SelectChoice("", str(blank))] if blank is not None else []
    return options + [
        SelectChoice(value.value, str(label)) for value, label in CATEGORY_LABELS.items()
    ]


def guest_choices(allowed: int) -> list[SelectChoice]:
    """ "Just me", "Me + 1" ... up to the guests the event allows."""
    return [SelectChoice(0, str(_l("Just me")))] + [
        SelectChoice(n, str(_l("Me + %(n)d", n=n))) for n in range(1, allowed + 1)
    ]


class EventFilterForm(Form):
    """GET filters of the events list (no CSRF: it changes nothing)."""

    q = StringField(_l("Search"), filters=[_strip], validators=[max_length(MAX_SEARCH)])
    category = SelectField(_l("Category"), validators=[Optional()])
    mode = SelectField(
        _l("Where"),
        choices=[
            SelectChoice("", str(_l("Online or in person"))),
            SelectChoice("online", str(_l("Online"))),
            SelectChoice("in_person", str(_l("In person"))),
        ],
        validators=[Optional()],
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    free_seats = BooleanField(_l("Only events with free seats"))
    city = SelectField(_l("City"), validators=[Optional()])
    language = SelectField(_l("Language spoken"), validators=[Optional()])
    step_free = BooleanField(_l("Step-free access"))
    child_friendly = BooleanField(_l("Child-friendly"))
    childcare = BooleanField(_l("Childcare offered"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = _category_choices(_l("Any category"))
        self.city.choices = [SelectChoice("", str(_l("Any city")))] + [
            SelectChoice(slug, label) for slug, label in ref.city_choices()
        ]
        self.language.choices = [SelectChoice("", str(_l("Any language")))] + [
            SelectChoice(code, label) for code, label in ref.language_choices()
        ]

    def filters(self, past: bool) -> EventFilters:
        """The filters this form asks for (none when it does not validate)."""
        if not self.validate():
            return EventFilters(past=past)
        return EventFilters(
            past=past,
            q=self.q.data or "",
            category=self.category.data or "",
            mode=self.mode.data or "",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            free_seats=bool(self.free_seats.data),
            city=self.city.data or "",
            language=self.language.data or "",
            step_free=bool(self.step_free.data),
            child_friendly=bool(self.child_friendly.data),
            childcare=bool(self.childcare.data),
        )


class EventForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the event a title.")), max_length(MAX_TITLE)],
        description=_l("Short and clear, for example “Coffee morning in Nørrebro”."),
    )
    category = SelectField(_l("Category"), validators=[DataRequired(_l("Choose a category."))])
    description = TextAreaField(
        _l("What will happen"),
        validators=[max_length(MAX_DESCRIPTION)],
        description=_l("Who it is for and what to bring. You can use Markdown."),
        render_kw={"rows": 6},
    )
    date = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date of the event."))])
    start_time = TimeField(
        _l("Starts at"), validators=[InputRequired(_l("Enter the time it starts."))]
    )
    end_time = TimeField(
        _l("Ends at"),
        validators=[InputRequired(_l("Enter the time it ends."))],
        description=_l("An end before the start means it ends the next day."),
    )
    timezone = SelectField(
        _l("Time zone"),
        description=_l("The date and times below are in this zone."),
    )
    venue = StringField(
        _l("Venue address"),
        filters=[_strip],
        validators=[max_length(MAX_VENUE)],
        description=_l("Leave it empty for an online event."),
    )
    venue_private = BooleanField(
        _l("Show the address only to members who are going (for a home, say)")
    )
    online_url = StringField(
        _l("Online link"),
        filters=[_strip],
        validators=[max_length(MAX_ONLINE_URL)],
        description=_l("For an online event: only members who are going see it."),
        render_kw={"type": "url", "inputmode": "url", "autocomplete": "url"},
    )
    capacity = IntegerField(
        _l("Seats"),
        validators=[
            Optional(),
            NumberRange(1, MAX_CAPACITY, _l("Give a number of seats from 1, or leave it empty.")),
        ],
        description=_l("Leave it empty for no limit. Guests take seats too."),
        render_kw={"inputmode": "numeric", "min": 1},
    )
    guests_allowed = SelectField(
        _l("Guests each member may bring"),
        coerce=int,
        choices=[SelectChoice(n, str(n)) for n in range(MAX_GUESTS + 1)],
        default=0,
    )
    group_id = SelectField(
        _l("Group"),
        validate_choice=False,  # the service checks the organiser runs the group
        description=_l(
            "Post it in one of the groups you organise; a private group's events are for its members only."
        ),
    )
    city = SelectField(
        _l("City"),
        validate_choice=False,  # the service names a city it does not know
        description=_l("For an in-person event: members filter the list by city."),
    )
    languages = SelectMultipleField(
        _l("Languages spoken"),
        validate_choice=False,
        description=_l(
            "Choose up to %(n)d. On a computer, hold Ctrl or ⌘ to pick several.",
            n=MAX_EVENT_LANGUAGES,
        ),
        render_kw={"size": 6},
    )
    step_free = BooleanField(_l("Step-free access (no stairs, or a lift)"))
    child_friendly = BooleanField(_l("Child-friendly"))
    childcare = BooleanField(_l("Childcare offered"))
    tags = StringField(
        _l("Tags"),
        filters=[_strip],
        validators=[max_length(MAX_EVENT_TAGS * (MAX_TAG_LENGTH + 2))],
        description=_l(
            "Separate them with commas, for example “job search, Danish”. They are the same "
            "tags members put on their profiles."
        ),
    )
    cover = FileField(
        _l("Cover image"),
        description=_l("A JPEG, PNG or WebP image up to 5 MB. We crop it to a wide banner."),
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )
    cover_alt = StringField(
        _l("Describe the image"),
        filters=[_strip],
        validators=[max_length(MAX_COVER_ALT)],
        description=_l("Needed with an image: what it shows, for members who cannot see it."),
    )
    remove_cover = BooleanField(_l("Remove the cover image"))

    promotion_cutoff_hours = SelectField(
        _l("Stop filling freed seats from the waitlist"),
        description=_l(
            "Hours before the start. After that, the waitlist is told a seat is free and "
            "the first to claim it gets it, so nobody is handed a seat too late to come."
        ),
        default="",
    )

    # Only on the new-event form: how the event repeats.
    repeat = SelectField(
        _l("Repeats"),
        default="",
        description=_l("Each date gets its own seats and RSVPs."),
    )
    repeat_until = DateField(
        _l("Last date"),
        validators=[Optional()],
        description=_l("For a repeating event: the series ends on or before this date."),
    )
    repeat_count = IntegerField(
        _l("Or a number of dates"),
        validators=[
            Optional(),
            NumberRange(2, MAX_DATES, _l("Give from 2 to %(max)d dates.", max=MAX_DATES)),
        ],
        description=_l("Instead of a last date, from 2 to %(n)d.", n=MAX_DATES),
        render_kw={"inputmode": "numeric", "min": 2, "max": MAX_DATES},
    )
    rsvp_whole_series = BooleanField(_l("Members may RSVP to every date at once"))
    requires_approval = BooleanField(
        _l("Members need my approval to come"),
        description=_l(
            "RSVPs become requests: you or a co-host accept or decline each one on the "
            "attendee page. Turning this off later leaves open requests waiting for you."
        ),
    )
    # Only when editing a date of a series: which dates the change applies to.
    scope = RadioField(_l("Change which dates?"), default=Scope.ONE, validators=[Optional()])

    def set_choices(self, current_zone: str | None = None) -> None:
        self.city.choices = [SelectChoice("", str(_l("No city (online)")))] + [
            SelectChoice(slug, label) for slug, label in ref.city_choices()
        ]
        self.languages.choices = [
            SelectChoice(code, label) for code, label in ref.language_choices()
        ]
        self.category.choices = _category_choices(_l("Choose a category"))
        self.repeat.choices = repeat_choices(self.date.data)
        chosen = self.repeat.data
        if chosen and chosen not in {choice.value for choice in self.repeat.choices}:
            # A rule that does not fit the date (a fifth Tuesday, "last" mid-month): keep
            # the choice so the series rules can say why, next to this field.
            general = {choice.value: choice for choice in repeat_choices(None)}
            if chosen in general:
                self.repeat.choices = [*self.repeat.choices, general[chosen]]
        self.scope.choices = scope_choices(_l("Only this date"))
        usual = current_app.config["EVENT_PROMOTION_CUTOFF_MINUTES"] / 60
        self.promotion_cutoff_hours.choices = [
            SelectChoice("", str(_l("%(n)s hours before (the usual)", n=f"{usual:g}")))
        ] + [
            SelectChoice(
                str(hours),
                str(_l("Never: fill seats until the start"))
                if hours == 0
                else ngettext("%(num)d hour before", "%(num)d hours before", hours),
            )
            for hours in CUTOFF_CHOICES
        ]
        zones = sorted({*ZONES, current_zone} - {None, ""})
        self.timezone.choices = [
            SelectChoice(zone, f"{zone_label(zone)} ({zone})") for zone in zones
        ]

    def set_groups(self, groups, current=None) -> None:
        """The "Group" choices: the groups the organiser runs (and the event's own group,
        kept when editing). Shown only when there is one to choose."""
        options = {group.id: group.name for group in groups}
        if current is not None:
            options.setdefault(current.id, current.name)
        self.group_id.choices = [SelectChoice("", str(_l("No group")))] + [
            SelectChoice(str(group_id), name) for group_id, name in options.items()
        ]

    @classmethod
    def for_event(cls, event: Event) -> EventForm:
        zone = ZoneInfo(event.timezone)
        starts = event.starts_at.astimezone(zone)
        ends = event.ends_at.astimezone(zone)
        cutoff = event.promotion_cutoff_hours
        form = cls(
            obj=event,
            date=starts.date(),
            start_time=starts.time(),
            end_time=ends.time(),
            promotion_cutoff_hours="" if cutoff is None else str(cutoff),
        )
        # The event's own attributes of these names are rows: the form holds their values.
        form.city.data = event.city or ""
        form.group_id.data = str(event.group_id) if event.group_id else ""
        form.languages.data = [row.code for row in event.languages]
        form.tags.data = ", ".join(row.tag.label for row in event.tags)
        return form

    @classmethod
    def copy_of(cls, event: Event) -> EventForm:
        """A new-event form prefilled from `event` (its host's "Copy"): everything but the
        date and times, which the organiser chooses anew, and the cover image."""
        form = cls.for_event(event)
        form.date.data = form.start_time.data = form.end_time.data = None
        form.cover_alt.data = ""
        return form

    def event_data(self, *, editing: bool) -> EventData:
        """What the form says, for create_event / update_event."""
        starts = datetime.combine(self.date.data, self.start_time.data)
        ends = datetime.combine(self.date.data, self.end_time.data)
        if ends <= starts:
            ends += timedelta(days=1)
        venue = self.venue.data or ""
        online_url = self.online_url.data or ""
        cleared = set()
        if self.capacity.data is None:
            cleared.add("capacity")
        cutoff = self.promotion_cutoff_hours.data or ""
        if not cutoff:
            cleared.add("promotion_cutoff_hours")
        group = str(self.group_id.data or "")
        if not group:
            cleared.add("group_id")
        if editing:
            cleared |= {
                name for name, value in (("venue", venue), ("online_url", online_url)) if not value
            }
        return EventData(
            title=self.title.data or "",
            description=self.description.data or "",
            category=self.category.data,
            starts_at=starts,
            ends_at=ends,
            timezone=self.timezone.data,
            venue=venue or None,
            venue_private=bool(self.venue_private.data),
            online_url=online_url or None,
            capacity=self.capacity.data,
            guests_allowed=self.guests_allowed.data,
            promotion_cutoff_hours=int(cutoff) if cutoff else None,
            group_id=(int(group) if group.isdigit() and len(group) < 11 else -1) if group else None,
            city=self.city.data or "",
            step_free=bool(self.step_free.data),
            child_friendly=bool(self.child_friendly.data),
            childcare=bool(self.childcare.data),
            requires_approval=bool(self.requires_approval.data),
            languages=list(self.languages.data or []),
            tags=[label for label in (self.tags.data or "").split(",") if label.strip()],
            cleared=cleared,
        )

    def repeat_data(self) -> RepeatData | None:
        """How the new event repeats, or None when it does not (for create_series)."""
        choice = self.repeat.data or ""
        if not choice:
            return None
        ordinal = None
        frequency = choice
        if choice == "monthly_weekday":
            ordinal = weekday_ordinal(self.date.data)
        elif choice == "monthly_last":
            frequency, ordinal = "monthly_weekday", -1
        return RepeatData(
            frequency=frequency,
            until=self.repeat_until.data,
            count=self.repeat_count.data,
            ordinal=ordinal,
            rsvp_whole_series_allowed=bool(self.rsvp_whole_series.data),
        )


def repeat_choices(day: date | None) -> list[SelectChoice]:
    """The "Repeats" options, named from the chosen first date when there is one
    ("Monthly on the first Tuesday"); "last" only when the date is in its month's last
    week. Without a date yet (a fresh form), general names."""
    options = [SelectChoice("", str(_l("Does not repeat")))]
    if day is None:
        options.extend(
            [
                SelectChoice("weekly", str(_l("Weekly, on the same weekday"))),
                SelectChoice("biweekly", str(_l("Every two weeks, on the same weekday"))),
                SelectChoice("monthly_date", str(_l("Monthly, on the same date"))),
                SelectChoice(
                    "monthly_weekday",
                    str(_l("Monthly, on the same weekday (such as the first Tuesday)")),
                ),
                SelectChoice(
                    "monthly_last",
                    str(_l("Monthly, on the last of that weekday (such as the last Friday)")),
                ),
            ]
        )
        return options
    weekday = format_date(day, "EEEE", locale=get_locale() or "en_GB")
    options += [
        SelectChoice("weekly", str(_l("Weekly on %(day)s", day=weekday))),
        SelectChoice("biweekly", str(_l("Every two weeks on %(day)s", day=weekday))),
        SelectChoice("monthly_date", str(_l("Monthly on day %(n)d", n=day.day))),
    ]
    ordinal = weekday_ordinal(day)
    if ordinal <= 4:
        options.append(
            SelectChoice(
                "monthly_weekday",
                str(
                    _l(
                        "Monthly on the %(ordinal)s %(day)s",
                        ordinal=ORDINAL_WORDS[ordinal],
                        day=weekday,
                    )
                ),
            )
        )
    if is_last_weekday(day):
        options.append(
            SelectChoice(
                "monthly_last",
                str(_l("Monthly on the last %(day)s", day=weekday)),
            )
        )
    return options


def scope_choices(one: str) -> list[SelectChoice]:
    return [
        SelectChoice(Scope.ONE, str(one)),
        SelectChoice(Scope.FOLLOWING, str(_l("This and the following dates"))),
        SelectChoice(Scope.ALL, str(_l("All coming dates"))),
    ]


class CancelForm(FlaskForm):
    """Cancel an event; for a date of a series, which dates."""

    scope = RadioField(_l("Cancel which dates?"), default=Scope.ONE, validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope.choices = scope_choices(_l("Only this date"))


class RsvpForm(FlaskForm):
    guests = SelectField(_l("Who is coming"), coerce=int, default=0)


class ActionForm(FlaskForm):
    """Cancel an RSVP or an event: just the CSRF token."""


class RemoveAttendeeForm(FlaskForm):
    """A host takes a member off the attendee list, with an optional message to them."""

    message = TextAreaField(
        _l("Message to them"),
        filters=[_strip],
        validators=[max_length(MAX_REMOVAL_MESSAGE)],
        description=_l("Sent with the notice that they are off the list."),
        render_kw={"rows": 3},
    )


class MessageAttendeesForm(FlaskForm):
    """A host writes to the event's going and/or waitlisted members."""

    audience = SelectField(
        _l("Send to"),
        choices=[
            SelectChoice(AttendeeAudience.BOTH.value, str(_l("Everyone going or waiting"))),
            SelectChoice(AttendeeAudience.GOING.value, str(_l("Members who are going"))),
            SelectChoice(AttendeeAudience.WAITLISTED.value, str(_l("Members on the waitlist"))),
        ],
        default=AttendeeAudience.BOTH.value,
    )
    subject = StringField(
        _l("Subject"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the message a subject.")), max_length(MAX_SUBJECT)],
    )
    body = TextAreaField(
        _l("Message"),
        filters=[_strip],
        validators=[DataRequired(_l("Write the message.")), max_length(MAX_BODY)],
        description=_l("Each member gets it as a notification and by email."),
        render_kw={"rows": 5},
    )
