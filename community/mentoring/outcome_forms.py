"""The outcome form of the outcome page: `outcome` (one of `models.Outcome`), `note`
(optional; the reason, required for "stopped") and `checkpoint` (which prompt it answers:
"any" or a checkpoint the mentee was asked at)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from community.core.forms import max_length
from community.mentoring.models import Checkpoint, Outcome
from community.mentoring.outcomes import CHECKPOINT_LABELS, MAX_NOTE, OUTCOME_LABELS


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        _l("Where are you now?"),
        validators=[InputRequired(_l("Choose what best describes where you are now."))],
    )
    note = TextAreaField(
        _l("A note"),
        description=_l(
            "Needed only if you stopped: tell us briefly why. Only you see this note; your "
            "coordinator sees outcomes only as totals."
        ),
        validators=[Optional(), max_length(MAX_NOTE)],
    )
    checkpoint = SelectField(_l("When is this about?"), default=Checkpoint.ANY.value)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outcome.choices = [SelectChoice(k.value, str(OUTCOME_LABELS[k])) for k in Outcome]

    def offer_checkpoints(self, answerable: tuple[Checkpoint, ...]) -> None:
        """Offer "now" and the checkpoints the mentee has been asked at."""
        self.checkpoint.choices = [
            SelectChoice(c.value, str(CHECKPOINT_LABELS[c])) for c in answerable
        ]
