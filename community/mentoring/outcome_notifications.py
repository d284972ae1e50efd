"""The outcome prompt's notification kind (`mentoring.outcome_prompt`): a mentee is asked,
at a checkpoint, where they are now. Its target is the programme (`mentoring_programme`);
it links to the outcome page with the checkpoint preselected, and is moot (hidden) once the
mentee has recorded an outcome for that checkpoint. Imported by `outcomes`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.core.urls import site_path
from community.extensions import db
from community.mentoring.models import Checkpoint, MentoringOutcome
from community.mentoring.notifications import CATEGORY
from community.notifications.kinds import (
    INSTANT,
    NotificationKind,
    Seen,
    about_target,
    register_kind,
)

# A key in `Seen.targets` no target type uses: the viewer's answered (programme, checkpoint)
# pairs, loaded once per `describe_many` whatever the number of prompts on the page.
_ANSWERED = ("mentoring_outcome_answered", 0)


def _question(checkpoint: str | None, name: str) -> str:
    """The prompt's words for `checkpoint`."""
    if checkpoint == Checkpoint.MONTHS_3:
        return _("It is 3 months since “%(name)s” ended. Where are you now?", name=name)
    if checkpoint == Checkpoint.MONTHS_6:
        return _("It is 6 months since “%(name)s” ended. Where are you now?", name=name)
    if checkpoint == Checkpoint.MONTHS_12:
        return _("It is a year since “%(name)s” ended. Where are you now?", name=name)
    return _("“%(name)s” has ended. Where are you now? Tell us your outcome.", name=name)


def _answered(seen: Seen) -> set[tuple[int, str]]:
    if _ANSWERED not in seen.targets:
        seen.targets[_ANSWERED] = {
            (programme_id, checkpoint)
            for programme_id, checkpoint in db.session.execute(
                select(MentoringOutcome.programme_id, MentoringOutcome.checkpoint)
                .where(
                    MentoringOutcome.mentee_id == seen.viewer.id,
                    MentoringOutcome.checkpoint != Checkpoint.ANY,
                )
                .distinct()
            )
        }
    return seen.targets[_ANSWERED]


def _text(notification, programme, seen: Seen) -> str:
    return _question(notification.data.get("checkpoint"), programme.name)


def _url(notification, programme) -> str:
    return site_path(
        "mentoring.outcome",
        programme_id=programme.id,
        checkpoint=notification.data.get("checkpoint", Checkpoint.END),
    )


register_kind(
    NotificationKind(
        "mentoring.outcome_prompt",
        _l("Questions about your mentoring outcome"),
        CATEGORY,
        INSTANT,
        about_target(
            _text,
            _url,
            also=lambda n, programme, seen: (
                (programme.id, n.data.get("checkpoint")) not in _answered(seen)
            ),
        ),
    )
)
