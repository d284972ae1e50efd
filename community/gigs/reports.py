"""Reports of gigs (a scam, discrimination, a misleading offer): a record for moderation.

A member who may see a gig reports it once (the unique key; a second report is refused
kindly), never their own. Moderators see the open reports on `/moderation/gigs`, oldest
first, and mark each handled; that is recorded in the audit log. Nobody else sees who
reported what. The trust issue later merges these into the general moderation queue.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.audit.services import record
from community.auth.models import User
from community.core.database import get_or_create, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.extensions import db
from community.gigs import services
from community.gigs.models import Gig, GigReport

REASONS = {
    "scam": _l("A scam: it asks for money or personal details"),
    "discrimination": _l("Discrimination"),
    "misleading": _l("Misleading: the work or the pay is not what it says"),
    "other": _l("Something else"),
}
MAX_DETAILS = 1000


def report(member: User, gig: Gig, reason: str, details: str = "") -> GigReport:
    """`member` reports `gig` (which they may see). Refuses their own gig and a second
    report (409), an unknown reason and over-long details (422). Flushes."""
    if gig.poster_id == member.id:
        raise Conflict(_("You cannot report your own gig; edit or close it instead."))
    if reason not in REASONS:
        raise Invalid(_("Choose why you report this gig."), "reason")
    details = (details or "").strip()
    if len(details) > MAX_DETAILS:
        raise Invalid(too_long(MAX_DETAILS), "details")
    row, created = get_or_create(
        GigReport,
        gig_id=gig.id,
        reporter_id=member.id,
        defaults={"reason": reason, "details": details},
    )
    if not created:
        raise Conflict(_("You have already reported this gig. A moderator will look at it."))
    return row


def open_reports(moderator: User) -> list[GigReport]:
    """Reports not handled yet, oldest first, with their gigs (moderators only)."""
    if not services.is_moderator(moderator):
        raise NotFound(_("We could not find that page."))
    return list(
        db.session.scalars(
            select(GigReport)
            .where(GigReport.resolved_at.is_(None))
            .options(joinedload(GigReport.gig))
            .order_by(GigReport.created_at, GigReport.id)
        )
    )


def resolve(moderator: User, report_id: int) -> GigReport:
    """A moderator marks a report handled (audited). Handling it twice changes nothing."""
    if not services.is_moderator(moderator):
        raise Forbidden(_("Only moderators handle reports."))
    row = db.session.get(GigReport, report_id)
    if row is None:
        raise NotFound(_("There is no such report."))
    if row.resolved_at is None:
        row.resolved_at = utcnow()
        record(moderator, "gig.report_resolved", "gig", row.gig_id, reason=row.reason)
        db.session.flush()
    return row
