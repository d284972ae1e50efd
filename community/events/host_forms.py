"""Forms of the organiser tools: staff, answering requests, the questions an event asks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from community.core.forms import max_length
from community.events.approval import MAX_DECLINE_MESSAGE
from community.events.models import MAX_QUESTIONS, QuestionKind, StaffRole
from community.events.questions import MAX_PROMPT, QuestionSpec


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class StaffSearchForm(Form):
    """The GET search for a member to add (no CSRF: it changes nothing)."""

    q = StringField(
        _l("Find a member by name"),
        filters=[_strip],
        validators=[Optional(), max_length(80)],
        description=_l("At least two letters of their name."),
    )


class StaffForm(FlaskForm):
    """Add a member as co-host or door helper, or change their role (a button each)."""

    user_id = IntegerField(validators=[InputRequired()])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(StaffRole.COHOST.value, str(_l("Co-host"))),
            SelectChoice(StaffRole.DOOR_HELPER.value, str(_l("Door helper"))),
        ],
    )


class DeclineForm(FlaskForm):
    """A host declines a request, with an optional message to the member."""

    message = TextAreaField(
        _l("Message to them"),
        filters=[_strip],
        validators=[max_length(MAX_DECLINE_MESSAGE)],
        description=_l("Optional. Sent with a kind note that you could not accept them."),
        render_kw={"rows": 2},
    )


class QuestionEntry(Form):
    """One slot of the questions form; a slot left without a question is no question."""

    question_id = HiddenField()
    prompt = StringField(_l("Question"), filters=[_strip], validators=[max_length(MAX_PROMPT)])
    kind = SelectField(
        _l("Answer as"),
        choices=[
            SelectChoice(QuestionKind.TEXT.value, str(_l("Short text"))),
            SelectChoice(QuestionKind.CHOICE.value, str(_l("One choice"))),
            SelectChoice(QuestionKind.YES_NO.value, str(_l("Yes or no"))),
        ],
        default=QuestionKind.TEXT.value,
    )
    choices = TextAreaField(
        _l("Choices"),
        description=_l("For “One choice”: one per line."),
        render_kw={"rows": 3},
    )
    required = BooleanField(_l("Members must answer"))


class QuestionsForm(FlaskForm):
    """The event's questions: MAX_QUESTIONS slots (q0, q1, q2), each a `QuestionEntry`."""

    q0 = FormField(QuestionEntry)
    q1 = FormField(QuestionEntry)
    q2 = FormField(QuestionEntry)

    @property
    def questions(self) -> list[FormField]:
        return [self[f"q{slot}"] for slot in range(MAX_QUESTIONS)]

    @classmethod
    def for_questions(cls, questions) -> QuestionsForm:
        data = [
            {
                "question_id": str(q.id),
                "prompt": q.prompt,
                "kind": q.kind,
                "choices": q.choices,
                "required": q.required,
            }
            for q in questions
        ]
        return cls(data={f"q{slot}": entry for slot, entry in enumerate(data)})

    def specs(self) -> list[QuestionSpec]:
        """The filled slots as specs; `self.slots` maps a spec's index to its slot."""
        specs = []
        self.slots = []
        for slot, entry in enumerate(self.questions):
            if not (entry.prompt.data or "").strip():
                continue
            raw_id = (entry.question_id.data or "").strip()
            specs.append(
                QuestionSpec(
                    kind=entry.kind.data,
                    prompt=entry.prompt.data,
                    choices=(entry.choices.data or "").splitlines(),
                    required=bool(entry.required.data),
                    id=int(raw_id) if raw_id.isdigit() else None,
                )
            )
            self.slots.append(slot)
        return specs
