"""The gigs feature's notifications: gigs as notification targets, and the kinds of the
review (approved, refused), of applications (a new one for the poster, a status change and
an expiry for the applicant) and the poster's reminder. Imported by `gigs.services`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from community.core.urls import site_path
from community.extensions import db
from community.gigs.models import Gig
from community.notifications.kinds import (
    DAILY,
    INSTANT,
    NotificationKind,
    Seen,
    Target,
    about_target,
    register_kind,
    register_target,
)

CATEGORY = "gigs"


def _load_gigs(viewer, ids: list[int], seen: Seen) -> dict[int, Gig]:
    """The gigs of `ids` `viewer` may see (`visible_gigs_clause`): one query."""
    from community.gigs.services import visible_gigs_clause

    return {
        gig.id: gig
        for gig in db.session.scalars(
            select(Gig).where(Gig.id.in_(ids), visible_gigs_clause(viewer)).options(lazyload("*"))
        )
    }


register_target(Target("gig", _load_gigs))


def _gig_url(notification, gig: Gig) -> str:
    return site_path("gigs.show", gig_id=gig.id)


def _applicants_url(notification, gig: Gig) -> str:
    return site_path("gigs.applicants", gig_id=gig.id)


def _mine_url(notification, gig: Gig) -> str:
    return site_path("gigs.my_applications")


STATUS_WORDS = {
    "shortlisted": _l("shortlisted"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "submitted": _l("back to submitted"),
}


register_kind(
    NotificationKind(
        "gig.approved",
        _l("Your gig is approved"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, gig, seen: _(
                "Your gig “%(title)s” is approved and shows now.", title=gig.title
            ),
            _gig_url,
            also=lambda n, gig, seen: gig.review == "approved",  # not held again since
        ),
    )
)

register_kind(
    NotificationKind(
        "gig.rejected",
        _l("Your gig was not approved"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, gig, seen: _(
                "A moderator did not approve your gig “%(title)s”: %(reason)s",
                title=gig.title,
                reason=n.data.get("reason", ""),
            ),
            _gig_url,
            also=lambda n, gig, seen: gig.review == "rejected",  # not edited and resent since
        ),
    )
)

register_kind(
    NotificationKind(
        "gig.application",
        _l("New applications to your gigs"),
        CATEGORY,
        DAILY,
        about_target(
            lambda n, gig, seen: _(
                "%(name)s applied to your gig “%(title)s”.",
                name=seen.actor_name(n),
                title=gig.title,
            ),
            _applicants_url,
            grouped=lambda count, n, gig: _(
                "%(count)d new applications to your gig “%(title)s”.",
                count=count,
                title=gig.title,
            ),
            also=lambda n, gig, seen: gig.status == "open",  # moot once the gig is closed
        ),
    )
)

register_kind(
    NotificationKind(
        "gig.status",
        _l("Your applications' progress"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, gig, seen: _(
                "Your application to “%(title)s” is %(status)s.",
                title=gig.title,
                status=str(STATUS_WORDS.get(n.data.get("status", ""), n.data.get("status", ""))),
            ),
            _mine_url,
        ),
    )
)

register_kind(
    NotificationKind(
        "gig.reminder",
        _l("Applications waiting for your answer"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, gig, seen: _(
                "%(count)d applications to “%(title)s” have waited 3 working days for your answer.",
                count=n.data.get("count", 1),
                title=gig.title,
            ),
            _applicants_url,
            also=lambda n, gig, seen: gig.status == "open",  # moot once the gig is closed
        ),
    )
)

register_kind(
    NotificationKind(
        "gig.stopped",
        _l("Applications that closed because the gig was filled"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, gig, seen: _(
                "“%(title)s” has been filled, so your application is closed. Thank you for "
                "applying; if the gig opens again, you can apply again.",
                title=gig.title,
            ),
            _mine_url,
        ),
    )
)

register_kind(
    NotificationKind(
        "gig.expired",
        _l("Applications that closed without an answer"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, gig, seen: _(
                "Your application to “%(title)s” has closed: the poster did not answer in "
                "14 days. This says nothing about you; thank you for applying, and good luck "
                "with the next one.",
                title=gig.title,
            ),
            _mine_url,
        ),
    )
)

register_kind(
    NotificationKind(
        "gig.completed",
        _l("Gigs you worked on are completed"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, gig, seen: _(
                "%(name)s marked “%(title)s” completed. Tell them how it went: your feedback "
                "shows once you have both written.",
                name=seen.actor_name(n),
                title=gig.title,
            ),
            _gig_url,
        ),
    )
)

register_kind(
    NotificationKind(
        "gig.reference",
        _l("References for your work"),
        CATEGORY,
        INSTANT,
        about_target(
            lambda n, gig, seen: _(
                "%(name)s wrote you a reference for “%(title)s”. You can show it on your profile.",
                name=seen.actor_name(n),
                title=gig.title,
            ),
            _gig_url,
        ),
    )
)
