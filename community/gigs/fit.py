""" "For you": open gigs ranked by how well they fit one member, each with its reasons in
words. Called by the gigs list's "For you" view and `GET /api/v1/gigs?for_you=true`, for the
signed-in member only; it changes nothing.

The fit is a sum of parts, each with a ceiling, computed in one SQL statement so the
ranking covers every open gig however many there are (`FitParts`):

| part | points | how |
|---|---|---|
| skills | 40 | the share of the gig's skills the member has (10 when it names none) |
| languages | 20 | the share of the gig's languages the member speaks (10 when it names none) |
| place | 15 | a local gig in the member's host city, or a remote one they may do from there |
| hours | 10 | the gig's hours a week against the member's availability (5 when unknown) |
| time zone | 10 | remote: how much of the poster's working day the member's overlaps, against the hours the gig needs (local gigs: 10) |
| who can take it | 5 | the gig's "who can take it" against the member's work-permit situation |

The total is then multiplied by the permit factor: a gig that needs the right to work here
counts for less when the member has said they may work only with restrictions, have
applied, are unsure (0.6) or may not work here (0.2). The work-permit situation is read
here, for the member ranked, and goes nowhere else: no reason, page or answer names it.

Left out altogether: gigs not open, waiting for review or past their deadline; the
member's own gigs and those they applied to; local gigs in another city; remote gigs
limited to countries that do not include the member's host country; gigs in languages of
which the member speaks none (when the member has listed their languages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Float, and_, case, cast, exists, func, literal, or_, select

from community.auth.models import User
from community.core.database import utcnow
from community.extensions import db
from community.gigs.models import (
    ApplicationStatus,
    Gig,
    GigApplication,
    GigCountry,
    GigLanguage,
    GigReview,
    GigSkill,
    GigStatus,
    WhoCanTake,
)
from community.profiles.models import Profile, ProfileLanguage, ProfileTag
from community.profiles.reference import (
    CITY_BY_SLUG,
    Availability,
    WorkPermit,
    city_label,
    language_name,
)

LIMIT = 50  # gigs a "for you" list shows: a ranking, not a catalogue
REASONS = 4  # the strongest reasons a gig shows
WORKDAY = (time(9), time(17))  # the working day assumed on both sides, local time

SKILLS, LANGUAGES, PLACE, HOURS, TIME_ZONE, WHO = 40, 20, 15, 10, 10, 5

# Hours a week that fit each availability fully, and half.
HOURS_FIT = {
    Availability.FEW_HOURS: (8, 15),
    Availability.PART_TIME: (25, 32),
    Availability.FULL_TIME: (80, 80),
}
# The permit factor of a gig that needs the right to work here.
RIGHT_TO_WORK_FACTOR = {
    WorkPermit.FULL_RIGHT: 1.0,
    WorkPermit.RESTRICTED: 0.6,
    WorkPermit.APPLYING: 0.6,
    WorkPermit.UNSURE: 0.6,
    WorkPermit.NONE: 0.2,
}
# Points for "who can take it", by the member's situation (None: not said).
WHO_POINTS = {
    WhoCanTake.RIGHT_TO_WORK: {WorkPermit.FULL_RIGHT: WHO},
    WhoCanTake.UNPAID_NONPROFIT: {"*": WHO},
    WhoCanTake.REMOTE_ABROAD: {"*": WHO},
}


@dataclass(frozen=True)
class Member:
    """What the ranking knows of the member it ranks for."""

    id: int
    skill_ids: frozenset[int]
    languages: frozenset[str]
    city: str | None
    country: str | None
    availability: str | None
    work_permit: str | None  # private: used for the factor, never shown
    timezone: str


@dataclass(frozen=True)
class FitParts:
    skills: float
    languages: float
    place: float
    hours: float
    time_zone: float
    who: float
    factor: float
    overlap: int | None  # remote: hours the two working days share


@dataclass(frozen=True)
class Fit:
    gig: Gig
    score: int  # 0..100
    parts: FitParts
    reasons: list[str]


def member_for(user: User) -> Member:
    """The member's skills, languages, place, availability and permit, from their profile."""
    profile = db.session.get(Profile, user.id)
    skills = db.session.scalars(
        select(ProfileTag.tag_id).where(ProfileTag.user_id == user.id, ProfileTag.kind == "skill")
    ).all()
    languages = db.session.scalars(
        select(ProfileLanguage.code).where(ProfileLanguage.user_id == user.id)
    ).all()
    city = profile.host_city if profile else None
    known = CITY_BY_SLUG.get(city or "")
    return Member(
        id=user.id,
        skill_ids=frozenset(skills),
        languages=frozenset(languages),
        city=city,
        country=known.country if known else None,
        availability=profile.availability if profile else None,
        work_permit=profile.work_permit if profile else None,
        timezone=user.timezone or (known.timezone if known else "UTC"),
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def overlap_hours(member_zone: str, poster_zone: str, on: date) -> int:
    """Whole hours two 9-to-5 working days, one in each zone, share on `on`."""
    spans = []
    for name in (member_zone, poster_zone):
        zone = _zone(name)
        start = datetime.combine(on, WORKDAY[0], zone)
        spans.append((start, datetime.combine(on, WORKDAY[1], zone)))
    (a_start, a_end), (b_start, b_end) = spans
    shared = min(a_end, b_end) - max(a_start, b_start)
    return max(0, int(shared / timedelta(hours=1)))


def _parts(member: Member, today: date):
    """The SQL expressions of each part, for the gig row being ranked."""
    skill_ids = sorted(member.skill_ids) or [0]
    codes = sorted(member.languages) or [""]
    gig_skills = select(func.count()).where(GigSkill.gig_id == Gig.id).scalar_subquery()
    shared_skills = (
        select(func.count())
        .where(GigSkill.gig_id == Gig.id, GigSkill.tag_id.in_(skill_ids))
        .scalar_subquery()
    )
    gig_languages = select(func.count()).where(GigLanguage.gig_id == Gig.id).scalar_subquery()
    spoken = (
        select(func.count())
        .where(GigLanguage.gig_id == Gig.id, GigLanguage.code.in_(codes))
        .scalar_subquery()
    )
    skills = case(
        (gig_skills == 0, literal(SKILLS / 4)),
        else_=cast(shared_skills, Float) * SKILLS / gig_skills,
    )
    languages = case(
        (gig_languages == 0, literal(LANGUAGES / 2)),
        else_=cast(spoken, Float) * LANGUAGES / gig_languages,
    )
    place = literal(float(PLACE))  # every gig left in is in the right place (`_where`)
    fits = HOURS_FIT.get(member.availability)
    if fits is None:  # not said, or "not right now"
        hours = literal(HOURS / 2 if member.availability is None else 0.0)
    else:
        full, half = fits
        hours = case(
            (Gig.hours_per_week.is_(None), literal(HOURS / 2)),
            (Gig.hours_per_week <= full, literal(float(HOURS))),
            (Gig.hours_per_week <= half, literal(HOURS / 2)),
            else_=literal(0.0),
        )
    zones = db.session.scalars(
        select(Gig.timezone).distinct().where(Gig.remote.is_(True), Gig.status == GigStatus.OPEN)
    ).all()
    overlaps = {zone: overlap_hours(member.timezone, zone, today) for zone in zones}
    overlap = literal(8)  # no remote gig open at all
    if overlaps:
        overlap = case(
            *((Gig.timezone == zone, literal(hours)) for zone, hours in overlaps.items()),
            else_=literal(8),
        )
    time_zone = case(
        (Gig.remote.is_(False), literal(float(TIME_ZONE))),
        (or_(Gig.overlap_hours.is_(None), Gig.overlap_hours == 0), literal(float(TIME_ZONE))),
        (overlap >= Gig.overlap_hours, literal(float(TIME_ZONE))),
        else_=cast(overlap, Float) * TIME_ZONE / Gig.overlap_hours,
    )
    who = case(
        *(
            (
                Gig.who_can_take == kind,
                literal(float(points.get("*", points.get(member.work_permit, 0)))),
            )
            for kind, points in WHO_POINTS.items()
        ),
        else_=literal(0.0),
    )
    factor = case(
        (
            Gig.who_can_take == WhoCanTake.RIGHT_TO_WORK,
            literal(RIGHT_TO_WORK_FACTOR.get(member.work_permit, 0.6)),
        ),
        else_=literal(1.0),
    )
    return {
        "skills": skills,
        "languages": languages,
        "place": place,
        "hours": hours,
        "time_zone": time_zone,
        "who": who,
        "factor": factor,
        "overlap": case((Gig.remote.is_(True), overlap), else_=literal(None)),
        "gig_languages": gig_languages,
        "spoken": spoken,
    }


def _where(member: Member, parts: dict, today: date) -> list:
    applied = exists().where(
        GigApplication.gig_id == Gig.id,
        GigApplication.applicant_id == member.id,
        GigApplication.status != ApplicationStatus.WITHDRAWN,
    )
    limited = exists().where(GigCountry.gig_id == Gig.id)
    allowed = exists().where(GigCountry.gig_id == Gig.id, GigCountry.code == (member.country or ""))
    local_here = and_(Gig.remote.is_(False), Gig.city == member.city) if member.city else False
    rules = [
        Gig.status == GigStatus.OPEN,
        Gig.review == GigReview.APPROVED,
        or_(Gig.deadline.is_(None), Gig.deadline >= today),
        Gig.poster_id != member.id,
        ~applied,
        or_(local_here, and_(Gig.remote.is_(True), or_(~limited, allowed))),
    ]
    if member.languages:  # a member who listed none is not held to them
        rules.append(or_(parts["gig_languages"] == 0, parts["spoken"] > 0))
    return rules


def for_you(user: User, limit: int = LIMIT, member: Member | None = None) -> list[Fit]:
    """The open gigs that fit `user` best, best first (ties: newest first), at most `limit`,
    each with its score, its parts and its reasons in words (`member`: `member_for(user)`,
    when the caller has it already)."""
    member = member or member_for(user)
    today = utcnow().date()
    parts = _parts(member, today)
    names = ("skills", "languages", "place", "hours", "time_zone", "who")
    scored = (
        select(
            Gig.id,
            Gig.created_at,
            *(parts[name].label(name) for name in (*names, "factor", "overlap")),
        )
        .where(*_where(member, parts, today))
        .subquery("scored")
    )
    total = sum((scored.c[name] for name in names[1:]), scored.c[names[0]]) * scored.c.factor
    rows = db.session.execute(
        select(scored, total.label("total"))
        .order_by(total.desc(), scored.c.created_at.desc(), scored.c.id.desc())
        .limit(limit)
    ).all()
    gigs = {
        gig.id: gig
        for gig in db.session.scalars(select(Gig).where(Gig.id.in_([r.id for r in rows])))
    }
    fits = []
    for row in rows:
        fit_parts = FitParts(
            *(float(getattr(row, name)) for name in (*names, "factor")),
            overlap=None if row.overlap is None else int(row.overlap),
        )
        gig = gigs[row.id]
        fits.append(Fit(gig, round(float(row.total)), fit_parts, reasons(member, gig, fit_parts)))
    return fits


def profile_gaps(member: Member) -> list[str]:
    """What the member could add to their profile for a better ranking, in words."""
    gaps = []
    if not member.skill_ids:
        gaps.append(_("your skills"))
    if not member.languages:
        gaps.append(_("the languages you speak"))
    if not member.city:
        gaps.append(_("the city you live in"))
    if not member.availability:
        gaps.append(_("how much time you have"))
    return gaps


def listing(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(first)s and %(last)s", first=", ".join(words[:-1]), last=words[-1])


def reasons(member: Member, gig: Gig, parts: FitParts) -> list[str]:
    """The fit in words, the `REASONS` strongest first; never a word about the member's
    permit."""
    said: list[tuple[float, str]] = []
    shared = [link.tag.label for link in gig.skills if link.tag_id in member.skill_ids]
    if shared:
        said.append(
            (
                parts.skills,
                ngettext(
                    "Wants %(skills)s, a skill you have",
                    "Wants %(skills)s, skills you have",
                    len(shared),
                    skills=listing(shared),
                ),
            )
        )
    spoken = [language_name(link.code) for link in gig.languages if link.code in member.languages]
    if spoken:
        said.append(
            (parts.languages, _("In %(languages)s, which you speak", languages=listing(spoken)))
        )
    if gig.remote:
        if gig.countries:
            said.append((parts.place, _("Remote, and open to people living where you do")))
        else:
            said.append((parts.place, _("Remote, from anywhere")))
        if parts.overlap is not None and gig.overlap_hours:
            said.append(
                (
                    parts.time_zone,
                    ngettext(
                        "Your working day overlaps the poster's by %(num)d hour",
                        "Your working day overlaps the poster's by %(num)d hours",
                        parts.overlap,
                    ),
                )
            )
    else:
        said.append((parts.place, _("In %(city)s, where you live", city=city_label(gig.city))))
    if gig.hours_per_week and parts.hours >= HOURS:
        said.append(
            (
                parts.hours,
                ngettext(
                    "%(num)d hour a week fits the time you have",
                    "%(num)d hours a week fit the time you have",
                    gig.hours_per_week,
                ),
            )
        )
    if gig.who_can_take == WhoCanTake.REMOTE_ABROAD:
        said.append((parts.who, _("For an employer abroad")))
    elif gig.who_can_take == WhoCanTake.UNPAID_NONPROFIT:
        said.append((parts.who, _("Unpaid, for a non-profit")))
    said.sort(key=lambda item: -item[0])
    return [text for _points, text in said[:REASONS]]
