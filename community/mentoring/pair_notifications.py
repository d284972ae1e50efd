"""The notification kinds of a pair's life (target `mentoring_pair`, category "mentoring"):
a side answered "no" (to the coordinator), the pair was ended for re-pairing, the monthly
"time to meet" reminder and the coordinator's nudge (to both sides). Imported by `pairs`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.core.urls import site_path
from community.mentoring.notifications import CATEGORY
from community.notifications.kinds import INSTANT, NotificationKind, about_target, register_kind

NOT_A_FIT = "mentoring.pair_not_fit"
ENDED = "mentoring.pair_ended"
REMINDER = "mentoring.pair_reminder"
NUDGE = "mentoring.pair_nudge"


def _pair_url(notification, pair) -> str:
    return site_path("mentoring.pair", pair_id=pair.id)


def _programme_pairs_url(notification, pair) -> str:
    return site_path("mentoring.programme_pairs", programme_id=pair.programme_id)


def _my_pairs_url(notification, pair) -> str:
    return site_path("mentoring.my_pairs")


def _active(notification, pair, seen) -> bool:
    return pair.status == "active"


register_kind(
    NotificationKind(
        NOT_A_FIT,
        _l("A mentoring pair is not a good fit"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, pair, seen: _(
                "%(name)s answered that their mentoring pair is not a good fit. You can end "
                "the pair so they can be paired again.",
                name=seen.actor_name(n),
            ),
            _programme_pairs_url,
            also=_active,  # moot once the pair has ended
        ),
    )
)

register_kind(
    NotificationKind(
        ENDED,
        _l("Your mentoring pair was ended"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, pair, seen: _(
                "Your mentoring pair in “%(programme)s” has ended, so you can be paired "
                "again. Thank you for being honest about the fit.",
                programme=n.data.get("programme", ""),
            ),
            _my_pairs_url,
        ),
    )
)

register_kind(
    NotificationKind(
        REMINDER,
        _l("Reminders to meet your mentoring partner"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, pair, seen: _(
                "Time to meet? Your mentoring pair in “%(programme)s” has not logged a meeting "
                "for a month. A short call counts too.",
                programme=n.data.get("programme", ""),
            ),
            _pair_url,
            also=_active,
        ),
    )
)

register_kind(
    NotificationKind(
        NUDGE,
        _l("Nudges from your mentoring coordinator"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, pair, seen: _(
                "%(name)s, your coordinator in “%(programme)s”, hopes you two can meet soon. "
                "Log your next meeting on your pair's page.",
                name=seen.actor_name(n),
                programme=n.data.get("programme", ""),
            ),
            _pair_url,
            also=_active,
        ),
    )
)
