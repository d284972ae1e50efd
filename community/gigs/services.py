"""Gig verbs: post and edit a gig, the review holds and the moderators' approve / reject,
and the poster's mark filled / close / reopen.

Called by the gig pages, the JSON API, the `close-gigs` command and the demo seeder. Writes
flush, never commit: the caller commits once. Refusals are `ServiceError` kinds naming the
field they concern.

Who sees a gig (`get_visible_gig`, and `visible_gigs_clause`, its SQL twin used by the list,
the API, notifications and search): any logged-in active member sees an approved gig; a gig
waiting for review or refused is seen by its poster and by moderators and admins only.
Everyone else gets the same NotFound as for a missing gig.

Review holds (`hold_reason`), checked when a gig is posted and again when it is edited:
- a gig whose text asks applicants for money (`MONEY_PATTERNS`) is held whoever posts it;
- a gig posted on behalf of an organisation waits, unless a moderator or admin posts it;
- a gig by an account younger than `NEW_ACCOUNT_DAYS` waits, unless its poster is an
  organiser, moderator or admin.
Editing a shown gig so that it asks for money (or names an organisation) holds it again;
editing a refused gig sends it back to the queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, true

from community.audit.services import record
from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.core.markdown import render_markdown
from community.core.timezones import member_zone
from community.extensions import db
from community.gigs.models import (
    Engagement,
    Gig,
    GigCountry,
    GigKind,
    GigLanguage,
    GigReview,
    GigSkill,
    GigStatus,
    WhoCanTake,
)
from community.notifications.services import notify
from community.profiles import reference as ref
from community.profiles.services import MAX_TAG_LENGTH, tags_by_name

MAX_TITLE = 140
MAX_DESCRIPTION = 20_000
MAX_DELIVERABLE = 200
MAX_ORGANISATION = 120
MAX_DURATION = 60
MAX_SKILLS = 10
MAX_LANGUAGES = 8
MAX_REVIEW_REASON = 200
MAX_COMPENSATION = 10_000_000
NEW_ACCOUNT_DAYS = 7

KINDS = tuple(kind.value for kind in GigKind)
WHO_CAN_TAKE = tuple(value.value for value in WhoCanTake)
ENGAGEMENTS = tuple(value.value for value in Engagement)
PERIODS = ("hour", "day", "week", "month", "project")
CURRENCIES = ("EUR", "DKK", "SEK", "NOK", "CHF", "GBP", "USD", "SGD", "AED", "PLN", "CZK")

# What a gig must never ask of an applicant: a fee, a deposit or payment details. A gig whose
# title, description, deliverable or organisation matches one of these waits for a moderator,
# whoever posts it. Case-insensitive, on word boundaries; English plus the obvious Danish,
# Dutch and German words. A pattern list is crude by design: it holds for a human to look,
# it never refuses.
MONEY_PATTERNS: tuple[tuple[str, str], ...] = (
    # English
    (r"(registration|training|processing|application|admin(istration)?|joining|starter)"
     r"[\s-]+(fee|cost|charge)s?", "a fee"),
    (r"\bfees?\s+(of|is|are)\b", "a fee"),
    (r"\b(refundable\s+)?deposit\b", "a deposit"),
    (r"\bpay\s+(to|before\s+you|in\s+order\s+to)\s+(apply|start|join|register)", "pay to apply"),
    (r"\b(bank|card|credit[\s-]card|debit[\s-]card|payment)\s+(details|number|info(rmation)?)",
     "payment details"),
    (r"\biban\b", "an IBAN"),
    (r"\bwestern\s+union\b", "Western Union"),
    (r"\bmoneygram\b", "MoneyGram"),
    (r"\b(gift\s*cards?|bitcoin|crypto(currency)?)\b", "a gift card or crypto payment"),
    (r"\bcvv\b", "a card code"),
    # Danish
    (r"\b(gebyr|tilmeldingsgebyr|depositum|kontonummer|kortoplysninger)\b", "a fee"),
    # Dutch
    (r"\b(inschrijfgeld|inschrijvingskosten|borg|administratiekosten|rekeningnummer|"
     r"bankgegevens|betaalgegevens)\b", "a fee or payment details"),
    # German
    (r"\b(gebühr|anmeldegebühr|bearbeitungsgebühr|kaution|bankverbindung|kontodaten|"
     r"kreditkartendaten|vorkasse)\b", "a fee or payment details"),
)  # fmt: skip
_MONEY = [(re.compile(pattern, re.IGNORECASE), what) for pattern, what in MONEY_PATTERNS]


def asks_for_money(*texts: str | None) -> str | None:
    """What the text asks applicants to pay or hand over ("a fee", "an IBAN"), or None."""
    joined = "\n".join(text for text in texts if text)
    for pattern, what in _MONEY:
        if pattern.search(joined):
            return what
    return None


@dataclass
class GigData:
    """What a poster sends; None leaves a field as it is (edits). `cleared` names optional
    fields set to nothing (dates, hours, compensation, deadline, city)."""

    kind: str | None = None
    title: str | None = None
    description: str | None = None
    deliverable: str | None = None
    organisation: str | None = None
    who_can_take: str | None = None
    skills: list[str] | None = None
    languages: list[str] | None = None
    city: str | None = None
    remote: bool | None = None
    overlap_hours: int | None = None
    countries: list[str] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    duration: str | None = None
    hours_per_week: int | None = None
    compensation_amount: int | None = None
    currency: str | None = None
    compensation_period: str | None = None
    engagement: str | None = None
    deadline: date | None = None
    cleared: set[str] = field(default_factory=set)


# --- who may do what -------------------------------------------------------------------------


def _active(user: User | None) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and (user.status == UserStatus.ACTIVE)
    )


def is_moderator(user: User | None) -> bool:
    return _active(user) and (user.has_role(Role.MODERATOR) or user.has_role(Role.ADMIN))


def is_trusted_poster(user: User) -> bool:
    """Organisers, moderators and admins: their gigs show at once (unless they ask for
    money, or an organiser posts on behalf of an organisation)."""
    return user.has_role(Role.ORGANISER) or is_moderator(user)


def can_see(viewer: User | None, gig: Gig) -> bool:
    if not _active(viewer):
        return False
    if gig.review == GigReview.APPROVED:
        return True
    return gig.poster_id == viewer.id or is_moderator(viewer)


def visible_gigs_clause(viewer: User) -> ColumnElement[bool]:
    """SQL twin of `can_see` (the viewer is an active member)."""
    if is_moderator(viewer):
        return true()
    return or_(Gig.review == GigReview.APPROVED, Gig.poster_id == viewer.id)


def get_visible_gig(viewer: User | None, gig_id: int) -> Gig:
    """The gig if `viewer` may see it, else NotFound, the same as for a missing one."""
    gig = db.session.get(Gig, gig_id)
    if gig is None or not can_see(viewer, gig):
        raise NotFound(_("We could not find that gig."))
    return gig


def is_poster(user: User | None, gig: Gig) -> bool:
    return _active(user) and gig.poster_id == user.id


def get_own_gig(viewer: User | None, gig_id: int) -> Gig:
    """The gig for its poster (edit, close): Forbidden for others who may see it."""
    gig = get_visible_gig(viewer, gig_id)
    if gig.poster_id != viewer.id:
        raise Forbidden(_("Only its poster can change a gig."))
    return gig


# --- time --------------------------------------------------------------------------------------


def gig_zone(gig: Gig) -> ZoneInfo:
    return ZoneInfo(member_zone(gig.timezone))


def deadline_ends_at(gig: Gig) -> datetime | None:
    """The instant the deadline day ends in the gig's time zone (UTC), or None."""
    if gig.deadline is None:
        return None
    local = datetime.combine(gig.deadline + timedelta(days=1), time(0), tzinfo=gig_zone(gig))
    return local.astimezone(ZoneInfo("UTC"))


def past_deadline(gig: Gig, now: datetime | None = None) -> bool:
    ends = deadline_ends_at(gig)
    return ends is not None and (now or utcnow()) >= ends


def today_in(zone: str) -> date:
    return utcnow().astimezone(ZoneInfo(member_zone(zone))).date()


# --- holds ---------------------------------------------------------------------------------


def hold_reason(poster: User, gig: Gig) -> str | None:
    """Why `gig` must wait for a moderator, in words for its poster, or None."""
    money = asks_for_money(gig.title, gig.description, gig.deliverable, gig.organisation)
    if money:
        return _(
            "It seems to ask applicants for money (%(what)s). Gigs never ask applicants to pay "
            "or hand over payment details; a moderator will check it.",
            what=money,
        )
    if gig.organisation and not is_moderator(poster):
        return _("It is posted on behalf of an organisation, which a moderator checks first.")
    created = poster.created_at
    young = created is not None and utcnow() - created < timedelta(days=NEW_ACCOUNT_DAYS)
    if young and not is_trusted_poster(poster):
        return _(
            "Your account is less than %(n)d days old, so a moderator checks your first gigs.",
            n=NEW_ACCOUNT_DAYS,
        )
    return None


def _hold(gig: Gig, reason: str) -> None:
    gig.review = GigReview.PENDING
    gig.review_reason = reason[:MAX_REVIEW_REASON]
    gig.reviewed_by_id = None
    gig.reviewed_at = None


# --- writing -------------------------------------------------------------------------------


def create_gig(poster: User, data: GigData) -> Gig:
    """Post a gig. Called by the new-gig page, the API and the demo. Invalid naming the
    field; a gig that must be checked first is stored with `review` pending and its reason.
    """
    if not _active(poster):
        raise Forbidden(_("Your account cannot post gigs."))
    gig = Gig(
        poster_id=poster.id,
        created_at=utcnow(),
        timezone=member_zone(poster.timezone),
        status=GigStatus.OPEN,
        review=GigReview.APPROVED,
    )
    _apply(gig, data, creating=True)
    if gig.deadline is not None and gig.deadline < today_in(gig.timezone):
        raise Invalid(_("The deadline cannot be in the past."), "deadline")
    reason = hold_reason(poster, gig)
    if reason:
        _hold(gig, reason)
    db.session.add(gig)
    db.session.flush()
    return gig


def update_gig(editor: User, gig: Gig, data: GigData) -> Gig:
    """Change one's own gig. A change that makes it ask for money (or names an
    organisation) holds it again; a refused gig goes back to the queue. Forbidden for
    anyone but its poster."""
    if not is_poster(editor, gig):
        raise Forbidden(_("Only its poster can change a gig."))
    gig = lock_row(gig)
    before = _snapshot(gig)
    _apply(gig, data, creating=False)
    if _snapshot(gig) != before:
        gig.edited_at = utcnow()
        reason = hold_reason(editor, gig)
        if gig.review == GigReview.REJECTED:
            _hold(gig, reason or _("Changed after a moderator refused it."))
        elif (
            reason
            and gig.review == GigReview.APPROVED
            and (
                asks_for_money(gig.title, gig.description, gig.deliverable, gig.organisation)
                or (gig.organisation and not is_moderator(editor))
            )
        ):
            _hold(gig, reason)
        elif reason and gig.review == GigReview.PENDING:
            gig.review_reason = reason[:MAX_REVIEW_REASON]
    db.session.flush()
    return gig


_COMPARED = (
    "kind", "title", "description", "deliverable", "organisation", "who_can_take", "city",
    "remote", "overlap_hours", "starts_on", "ends_on", "duration", "hours_per_week",
    "compensation_amount", "currency", "compensation_period", "engagement", "deadline",
)  # fmt: skip


def _snapshot(gig: Gig) -> tuple:
    return (
        *(getattr(gig, name) for name in _COMPARED),
        tuple(row.tag_id for row in gig.skills),
        tuple(row.code for row in gig.languages),
        tuple(row.code for row in gig.countries),
    )


def _text(value: str | None, limit: int, field_name: str, required: str | None = None) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise Invalid(required, field_name)
    if len(text) > limit:
        raise Invalid(too_long(limit), field_name)
    return text


def _choice(value: str | None, allowed, field_name: str, message: str) -> str:
    if value not in allowed:
        raise Invalid(message, field_name)
    return value


def _apply(gig: Gig, data: GigData, *, creating: bool) -> None:
    """Check and set what `data` sends (all of it when creating), then the rules that tie
    fields together. Raises Invalid naming the first field refused."""

    def given(name: str) -> bool:
        return creating or getattr(data, name) is not None or name in data.cleared

    if given("kind"):
        gig.kind = _choice(data.kind, KINDS, "kind", _("Choose what kind of gig this is."))
    if given("title"):
        gig.title = _text(data.title, MAX_TITLE, "title", _("Give the gig a title."))
    if given("description"):
        description = (data.description or "").strip()
        if not description:
            raise Invalid(_("Describe the work."), "description")
        if len(description) > MAX_DESCRIPTION:
            raise Invalid(too_long(MAX_DESCRIPTION), "description")
        gig.description = description
        gig.description_html = render_markdown(description)
    if given("deliverable"):
        gig.deliverable = _text(data.deliverable, MAX_DELIVERABLE, "deliverable")
    if given("organisation"):
        gig.organisation = _text(data.organisation, MAX_ORGANISATION, "organisation")
    if given("who_can_take"):
        gig.who_can_take = _choice(
            data.who_can_take, WHO_CAN_TAKE, "who_can_take", _("Choose who can take this gig.")
        )
    if given("engagement"):
        gig.engagement = _choice(
            data.engagement, ENGAGEMENTS, "engagement", _("Choose how the work is engaged.")
        )
    if given("remote"):
        gig.remote = bool(data.remote)
    if "city" in data.cleared:
        gig.city = None
    elif data.city is not None or creating:
        if data.city and data.city not in ref.CITY_BY_SLUG:
            raise Invalid(_("Choose a city from the list."), "city")
        gig.city = data.city or None
    if "overlap_hours" in data.cleared:
        gig.overlap_hours = None
    elif data.overlap_hours is not None:
        if not 0 <= data.overlap_hours <= 12:
            raise Invalid(_("Give between 0 and 12 hours of overlap."), "overlap_hours")
        gig.overlap_hours = data.overlap_hours
    if data.countries is not None:
        codes = sorted({code.strip().upper() for code in data.countries if code.strip()})
        if any(code not in ref.country_codes() for code in codes):
            raise Invalid(_("Choose countries from the list."), "countries")
        current = {row.code: row for row in gig.countries}
        gig.countries = [current.get(code) or GigCountry(code=code) for code in codes]
    if data.languages is not None:
        codes = list(dict.fromkeys(code.strip().lower() for code in data.languages if code))
        if len(codes) > MAX_LANGUAGES:
            raise Invalid(_("Choose at most %(n)d languages.", n=MAX_LANGUAGES), "languages")
        if any(code not in ref.language_codes() for code in codes):
            raise Invalid(_("Choose languages from the list."), "languages")
        current = {row.code: row for row in gig.languages}
        rows = []
        for index, code in enumerate(codes):
            row = current.get(code) or GigLanguage(code=code)
            row.position = index
            rows.append(row)
        gig.languages = rows
    if data.skills is not None:
        labels = [label.strip() for label in data.skills if label.strip()]
        if len(labels) > MAX_SKILLS:
            raise Invalid(_("Add at most %(n)d skills.", n=MAX_SKILLS), "skills")
        if any(len(label) > MAX_TAG_LENGTH for label in labels):
            raise Invalid(_("Keep each skill under %(n)d characters.", n=MAX_TAG_LENGTH), "skills")
        current = {row.tag_id: row for row in gig.skills}
        rows = []
        for index, tag in enumerate(tags_by_name(labels)):
            row = current.get(tag.id) or GigSkill(tag=tag, tag_id=tag.id)
            row.position = index
            rows.append(row)
        gig.skills = rows
    for name in ("starts_on", "ends_on", "deadline", "hours_per_week"):
        if name in data.cleared:
            setattr(gig, name, None)
        elif getattr(data, name) is not None:
            setattr(gig, name, getattr(data, name))
    if given("duration"):
        gig.duration = _text(data.duration, MAX_DURATION, "duration")
    if gig.hours_per_week is not None and not 1 <= gig.hours_per_week <= 80:
        raise Invalid(_("Give between 1 and 80 hours a week."), "hours_per_week")
    if "compensation" in data.cleared:
        gig.compensation_amount = gig.currency = gig.compensation_period = None
    else:
        if data.compensation_amount is not None:
            gig.compensation_amount = data.compensation_amount
        if data.currency is not None:
            gig.currency = data.currency.upper() or None
        if data.compensation_period is not None:
            gig.compensation_period = data.compensation_period or None
    _check_together(gig)


def _check_together(gig: Gig) -> None:
    """The rules between fields: city or remote, dates in order, compensation complete."""
    if gig.remote:
        gig.city = None
    else:
        if not gig.city:
            raise Invalid(_("Choose the city, or say the work is remote."), "city")
        gig.overlap_hours = None
        gig.countries = []
    if gig.starts_on and gig.ends_on and gig.ends_on < gig.starts_on:
        raise Invalid(_("The end date must be on or after the start date."), "ends_on")
    amount = gig.compensation_amount
    if amount is not None:
        if not 0 <= amount <= MAX_COMPENSATION:
            raise Invalid(_("Give an amount between 0 and 10,000,000."), "compensation_amount")
        if gig.engagement == Engagement.VOLUNTARY:
            raise Invalid(
                _(
                    "Voluntary work has no pay: leave the amount empty or choose another "
                    "engagement."
                ),
                "compensation_amount",
            )
        if gig.currency not in CURRENCIES:
            raise Invalid(_("Choose the currency."), "currency")
        if gig.compensation_period not in PERIODS:
            raise Invalid(_("Choose what the amount is per."), "compensation_period")
    else:
        gig.currency = gig.compensation_period = None
        if gig.engagement == Engagement.EMPLOYEE and gig.kind != GigKind.INTERNSHIP:
            raise Invalid(_("An employee is paid: give the amount."), "compensation_amount")


# --- review --------------------------------------------------------------------------------


def pending_gigs() -> list[Gig]:
    """The gigs waiting for a moderator, oldest first (the moderation list)."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            select(Gig)
            .where(Gig.review == GigReview.PENDING)
            .options(joinedload(Gig.poster))
            .order_by(Gig.created_at, Gig.id)
        )
    )


def pending_count() -> int:
    """How many gigs wait for a moderator (the link on the list, for moderators)."""
    from sqlalchemy import func, select

    return db.session.scalar(
        select(func.count()).select_from(Gig).where(Gig.review == GigReview.PENDING)
    )


def _review(moderator: User, gig: Gig, verdict: str, reason: str) -> Gig:
    if not is_moderator(moderator):
        raise NotFound(_("We could not find that gig."))
    gig = lock_row(gig)
    if gig.review != GigReview.PENDING:
        raise Conflict(_("This gig is not waiting for review any more."))
    gig.review = verdict
    gig.review_reason = reason
    gig.reviewed_by_id = moderator.id
    gig.reviewed_at = utcnow()
    record(moderator, f"gig.{verdict}", "gig", gig.id, subject=gig.poster, reason=reason)
    notify(
        gig.poster_id,
        "gig.approved" if verdict == GigReview.APPROVED else "gig.rejected",
        actor_id=moderator.id,
        target_type="gig",
        target_id=gig.id,
        title=gig.title,
        reason=reason,
    )
    db.session.flush()
    return gig


def approve_gig(moderator: User, gig: Gig) -> Gig:
    """A moderator lets a held gig show. Audited; the poster is told."""
    return _review(moderator, gig, GigReview.APPROVED, "")


def reject_gig(moderator: User, gig: Gig, reason: str) -> Gig:
    """A moderator refuses a held gig, saying why (required). Audited; the poster is told
    and sees the reason on the gig's page."""
    reason = _text(reason, MAX_REVIEW_REASON, "reason", _("Say why the gig is refused."))
    return _review(moderator, gig, GigReview.REJECTED, reason)


# --- the poster's actions ------------------------------------------------------------------


def mark_filled(poster: User, gig: Gig) -> Gig:
    """The poster found someone: no more applications."""
    return _set_status(poster, gig, GigStatus.FILLED)


def close_gig(poster: User, gig: Gig) -> Gig:
    """The poster closes the gig to applications."""
    return _set_status(poster, gig, GigStatus.CLOSED)


def reopen_gig(poster: User, gig: Gig) -> Gig:
    """Open a filled or closed gig again; Conflict past its deadline."""
    if past_deadline(gig):
        raise Conflict(
            _("The deadline has passed: change the deadline first, then reopen the gig."),
            "deadline",
        )
    return _set_status(poster, gig, GigStatus.OPEN)


def _set_status(poster: User, gig: Gig, status: str) -> Gig:
    if not is_poster(poster, gig):
        raise Forbidden(_("Only its poster can change a gig."))
    gig = lock_row(gig)
    if gig.status == GigStatus.COMPLETED:
        raise Conflict(_("This gig is completed."))
    if gig.status == status:
        return gig
    was_open = gig.status == GigStatus.OPEN
    gig.status = status
    gig.closed_at = None if status == GigStatus.OPEN else utcnow()
    db.session.flush()
    if was_open and status == GigStatus.FILLED:
        from community.gigs.applications import close_open_applications

        close_open_applications(gig, status, gig.closed_at)
    return gig


# Registers this feature's notification kinds (the registry is complete once services load).
from community.gigs import notifications as _notifications  # noqa: E402,F401
