"""The forms of a pair's page and the coordinator's pair list. Field names (what a browser
posts): fit `answer`, `note`; a new goal `text`; a goal's edit `goal<id>-text`; a goal's
review `goal<id>-review`; a meeting `held_on`, `topics`, `next_steps`; the mentor's
feedback `rating`, `comment`; ending a pair `reason`. Rules live in `pairs`; these check
the shape and keep what was typed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from community.core.forms import max_length
from community.mentoring import pairs

FIT_LABELS = {
    "yes": _l("Yes, a good fit"),
    "deciding": _l("Still deciding"),
    "no": _l("No, not a good fit"),
}

REVIEW_LABELS = {
    "met": _l("Met"),
    "partly": _l("Partly met"),
    "not_met": _l("Not met"),
}

PAIR_STATUS_LABELS = {
    "awaiting_mentor": _l("Waiting for the mentor"),
    "active": _l("Active"),
    "declined": _l("Declined by the mentor"),
    "ended": _l("Ended"),
    "completed": _l("Completed"),
}

# The parts of a fit score (`community.mentoring.fit`), in words.
PART_LABELS = {
    "field": _l("Professional field"),
    "industry": _l("Industries"),
    "industries": _l("Industries"),
    "qualifications": _l("Qualifications"),
    "languages": _l("Languages"),
    "language": _l("Languages"),
    "interests": _l("Interests"),
    "goals": _l("Goals and what the mentor offers"),
    "wishes": _l("Wishes"),
    "preferences": _l("Preferences"),
}

RATING_LABELS = {
    "5": _l("5: excellent"),
    "4": _l("4: good"),
    "3": _l("3: fine"),
    "2": _l("2: not great"),
    "1": _l("1: poor"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in labels.items()]


class ActionForm(FlaskForm):
    """A button that changes one thing (delete, nudge): CSRF only."""


class FitForm(FlaskForm):
    answer = RadioField(
        _l("Is this a good fit?"),
        validators=[InputRequired(_l("Choose yes, still deciding or no."))],
    )
    note = TextAreaField(
        _l("A note"),
        filters=[_strip],
        validators=[max_length(pairs.MAX_NOTE)],
        description=_l("Your partner reads it. The coordinator only sees yes, deciding or no."),
        render_kw={"rows": 2},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.answer.choices = _choices(FIT_LABELS)


class GoalForm(FlaskForm):
    text = StringField(
        _l("Goal"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Write the goal in a sentence.")),
            max_length(pairs.MAX_GOAL),
        ],
    )


class NewGoalForm(GoalForm):
    text = StringField(
        _l("Add a goal"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Write the goal in a sentence.")),
            max_length(pairs.MAX_GOAL),
        ],
        description=_l("For example: “Rewrite my CV for the Danish market by March”."),
    )


class GoalReviewForm(FlaskForm):
    review = RadioField(
        _l("How did it go?"), validators=[InputRequired(_l("Choose met, partly or not met."))]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.review.choices = _choices(REVIEW_LABELS)


class MeetingForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date you met."))])
    topics = TextAreaField(
        _l("What you talked about"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Write what you talked about.")),
            max_length(pairs.MAX_TOPICS),
        ],
        render_kw={"rows": 3},
    )
    next_steps = TextAreaField(
        _l("Next steps"),
        filters=[_strip],
        validators=[max_length(pairs.MAX_NEXT_STEPS)],
        render_kw={"rows": 2},
    )


class FeedbackForm(FlaskForm):
    rating = RadioField(
        _l("How is the mentoring going?"),
        validators=[InputRequired(_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("In a few words"),
        filters=[_strip],
        validators=[max_length(pairs.MAX_COMMENT)],
        description=_l("Your mentee never sees this. The coordinator sees the rating only."),
        render_kw={"rows": 3},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rating.choices = _choices(RATING_LABELS)


class EndForm(FlaskForm):
    reason = StringField(
        _l("Why does the pair end?"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Say in a few words why the pair ends.")),
            max_length(pairs.MAX_REASON),
        ],
        description=_l(
            "For the programme's records. Both sides are told the pair ended so they can be "
            "paired again."
        ),
    )
