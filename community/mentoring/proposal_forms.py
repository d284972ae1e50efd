"""Forms of the matching pages: the run (minimum fit), a re-run from a proposal (keeping its
pins and forbids, adding or removing one), confirming, and the proposed mentor's answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from community.core.forms import max_length
from community.mentoring.fit import MAX_SCORE
from community.mentoring.proposals import MAX_DECLINE_REASON


class RunForm(FlaskForm):
    """Run matching (the matching page) or run it again (a proposal page). On a re-run, at
    most one of `pin`, `forbid`, `unpin`, `unforbid` names a pair as "mentor_id-mentee_id";
    the proposal's other pins and forbids are kept."""

    min_score = DecimalField(
        _l("Minimum fit"),
        places=None,
        validators=[
            Optional(),
            NumberRange(0, MAX_SCORE, message=_l("Give a minimum fit from 0 to 100.")),
        ],
        description=_l("0 to 100. Pairs below it are never proposed; 0 allows every pair."),
        render_kw={"inputmode": "decimal"},
    )
    pin = HiddenField()
    forbid = HiddenField()
    unpin = HiddenField()
    unforbid = HiddenField()


class ConfirmForm(FlaskForm):
    """Confirm and publish a proposal, or the mentor's "accept" (a button)."""


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Why not? (the coordinator reads this)"),
        validators=[
            DataRequired(_l("Tell the coordinator why, in a few words.")),
            max_length(MAX_DECLINE_REASON),
        ],
        render_kw={"rows": 3},
    )
