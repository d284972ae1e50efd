"""The learning list, the learning events beside it, a member's plan and the suggestions,
each in a fixed number of queries.

`list_items` is the one list query (page and API): filtered, newest first, keyset-paged.
`learning_events` lists upcoming events of the learning category by the events' own
visibility rule (`events.queries.visible_event_clauses`, the SQL twin of
`get_visible_event`), so an event a member may not see never shows here.
`suggestions` ranks items by how many open, approved gigs in the member's host city (or
remote) want the skills they build, with the reason in words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from community.auth.models import User
from community.connections.relations import blocked_ids_select
from community.core.database import utcnow
from community.core.pagination import Page, keyset
from community.events.models import Event, EventCategory, EventLanguage, EventStatus, EventTag
from community.events.queries import visible_event_clauses
from community.extensions import db
from community.gigs.models import Gig, GigReview, GigSkill, GigStatus
from community.learning.models import (
    LearningFormat,
    LearningItem,
    LearningPlanEntry,
    LearningSkill,
    PlanStatus,
)
from community.profiles.models import Profile, Tag
from community.profiles.reference import CITY_BY_SLUG
from community.profiles.services import normalise_tag

PAGE_SIZE = 20
MAX_LIMIT = 100
EVENTS_SHOWN = 4
SUGGESTIONS = 5


@dataclass(frozen=True)
class LearningFilters:
    kind: str = ""  # a LearningKind, or "event" for learning events only
    format: str = ""
    language: str = ""
    skill: str = ""
    free: bool = False
    city: str = ""

    def active(self) -> bool:
        return bool(
            self.kind or self.format or self.language or self.skill or self.free or self.city
        )

    @property
    def events_only(self) -> bool:
        return self.kind == "event"

    def shows_events(self) -> bool:
        """Whether learning events fit these filters (events are workshops, free to list,
        online or in person, never self-paced)."""
        return self.kind in ("", "event", "workshop") and self.format != LearningFormat.SELF_PACED


def _skill_clause(skill: str):
    return select(Tag.id).where(Tag.name == normalise_tag(skill)).scalar_subquery()


def list_items(
    viewer: User, filters: LearningFilters, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page[LearningItem]:
    """A page of learning items, newest first, filtered. One query (the skills come with a
    second, `selectin`, for the whole page). BadCursor (400) for a cursor we did not make.
    Called by `/learning` and `GET /api/v1/learning`."""
    statement = select(LearningItem)
    if filters.events_only:
        statement = statement.where(LearningItem.id.is_(None))
    elif filters.kind:
        statement = statement.where(LearningItem.kind == filters.kind)
    if filters.format:
        statement = statement.where(LearningItem.format == filters.format)
    if filters.language:
        statement = statement.where(LearningItem.language == filters.language)
    if filters.free:
        statement = statement.where(LearningItem.cost_amount.is_(None))
    if filters.city:
        statement = statement.where(LearningItem.city == filters.city)
    if filters.skill:
        statement = statement.where(
            LearningItem.id.in_(
                select(LearningSkill.item_id).where(
                    LearningSkill.tag_id == _skill_clause(filters.skill)
                )
            )
        )
    order = [LearningItem.created_at.desc(), LearningItem.id.desc()]
    return keyset(statement, order, cursor, limit)


def learning_events(
    viewer: User,
    filters: LearningFilters,
    cursor: str | None = None,
    limit: int = EVENTS_SHOWN,
    *,
    now: datetime | None = None,
) -> Page[Event]:
    """Upcoming, scheduled events of the learning category that `viewer` may see, soonest
    first, by the list's filters that apply to events (city, language, skill as a tag,
    online or in person). An empty page when the filters rule events out. One query."""
    if not filters.shows_events():
        return Page([], None, None)
    now = now or utcnow()
    statement = (
        select(Event)
        .options(joinedload(Event.organiser).lazyload(User.role_rows))
        .where(
            *visible_event_clauses(viewer),
            Event.category == EventCategory.LEARNING,
            Event.status == EventStatus.SCHEDULED,
            Event.ends_at > now,
        )
    )
    if filters.city:
        statement = statement.where(Event.city == filters.city)
    if filters.language:
        statement = statement.where(Event.languages.any(EventLanguage.code == filters.language))
    if filters.skill:
        statement = statement.where(Event.tags.any(EventTag.tag_id == _skill_clause(filters.skill)))
    if filters.format == LearningFormat.ONLINE:
        statement = statement.where(Event.online_url != "")
    elif filters.format == LearningFormat.IN_PERSON:
        statement = statement.where(Event.online_url == "")
    return keyset(statement, [Event.starts_at.asc(), Event.id.asc()], cursor, limit)


# --- the plan ----------------------------------------------------------------------------------


def plan_entries(member: User) -> dict[str, list[LearningPlanEntry]]:
    """`member`'s plan by status (doing, want to do, done), each newest change first, with
    items, their skills and events loaded: a fixed number of queries. Entries of events the
    member may no longer see are left out."""
    rows = list(
        db.session.scalars(
            select(LearningPlanEntry)
            .where(LearningPlanEntry.user_id == member.id)
            .options(
                selectinload(LearningPlanEntry.item),
                selectinload(LearningPlanEntry.event).lazyload(Event.organiser),
            )
            .order_by(LearningPlanEntry.updated_at.desc(), LearningPlanEntry.id.desc())
        )
    )
    event_ids = [row.event_id for row in rows if row.event_id]
    from community.learning.services import visible_learning_event_ids

    seen = visible_learning_event_ids(member, event_ids)
    plan: dict[str, list[LearningPlanEntry]] = {status: [] for status in PlanStatus}
    for row in rows:
        if row.event_id and row.event_id not in seen:
            continue
        plan[row.status].append(row)
    return plan


def planned(member: User, item_ids: list[int], event_ids: list[int] = ()) -> dict:
    """{("item", id) or ("event", id): status} for those of a page in `member`'s plan."""
    if not item_ids and not event_ids:
        return {}
    found = {}
    for item_id, event_id, status in db.session.execute(
        select(LearningPlanEntry.item_id, LearningPlanEntry.event_id, LearningPlanEntry.status)
        .where(LearningPlanEntry.user_id == member.id)
        .where(
            or_(
                LearningPlanEntry.item_id.in_(list(item_ids) or [-1]),
                LearningPlanEntry.event_id.in_(list(event_ids) or [-1]),
            )
        )
    ):
        found[("item", item_id) if item_id else ("event", event_id)] = status
    return found


# --- suggestions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    item: LearningItem
    gigs: int  # open gigs near the member (or remote) wanting a skill it builds
    reason: str


def _open_gigs_near(viewer: User, city: str | None):
    """The ids of open, approved gigs in `city` or remote whose poster and the viewer have
    not blocked each other (the gigs the member could see in "open near me")."""
    place = Gig.remote.is_(True) if not city else or_(Gig.city == city, Gig.remote.is_(True))
    return select(Gig.id).where(
        Gig.review == GigReview.APPROVED,
        Gig.status == GigStatus.OPEN,
        place,
        Gig.poster_id != viewer.id,
        Gig.poster_id.not_in(blocked_ids_select(viewer.id)),
    )


def suggestions(viewer: User, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Items that build skills wanted by open gigs in the viewer's host city or remote,
    ranked by how many such gigs want any of their skills (ties: newest item first),
    leaving out items already in the viewer's plan. Each says why, naming its most wanted
    skill ("3 open gigs in Copenhagen want Danish"). Three queries."""
    city = db.session.scalar(select(Profile.host_city).where(Profile.user_id == viewer.id))
    gig_ids = _open_gigs_near(viewer, city).scalar_subquery()
    in_plan = select(LearningPlanEntry.item_id).where(
        LearningPlanEntry.user_id == viewer.id, LearningPlanEntry.item_id.is_not(None)
    )
    wanting = func.count(distinct(GigSkill.gig_id))
    ranked = db.session.execute(
        select(LearningSkill.item_id, wanting)
        .join(GigSkill, GigSkill.tag_id == LearningSkill.tag_id)
        .where(GigSkill.gig_id.in_(gig_ids), LearningSkill.item_id.not_in(in_plan))
        .group_by(LearningSkill.item_id)
        .order_by(wanting.desc(), LearningSkill.item_id.desc())
        .limit(limit)
    ).all()
    if not ranked:
        return []
    item_ids = [row[0] for row in ranked]
    # Per item and skill: how many of those gigs want it, local and remote apart.
    per_skill: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for item_id, label, total, remote in db.session.execute(
        select(
            LearningSkill.item_id,
            Tag.label,
            func.count(distinct(GigSkill.gig_id)),
            func.count(distinct(Gig.id)).filter(Gig.remote.is_(True)),
        )
        .join(Tag, Tag.id == LearningSkill.tag_id)
        .join(GigSkill, GigSkill.tag_id == LearningSkill.tag_id)
        .join(Gig, Gig.id == GigSkill.gig_id)
        .where(LearningSkill.item_id.in_(item_ids), GigSkill.gig_id.in_(gig_ids))
        .group_by(LearningSkill.item_id, Tag.label)
    ):
        per_skill[item_id].append((total, remote, label))
    items = {
        item.id: item
        for item in db.session.scalars(select(LearningItem).where(LearningItem.id.in_(item_ids)))
    }
    city_name = CITY_BY_SLUG[city].name if city in CITY_BY_SLUG else None
    found = []
    for item_id, gigs in ranked:
        total, remote, label = max(per_skill[item_id], key=lambda s: (s[0], s[2]))
        found.append(Suggestion(items[item_id], gigs, _reason(total, remote, label, city_name)))
    return found


def _reason(total: int, remote: int, skill: str, city: str | None) -> str:
    if remote == total or city is None:
        return (
            _("%(n)d open remote gigs want %(skill)s", n=total, skill=skill)
            if total > 1
            else _("1 open remote gig wants %(skill)s", skill=skill)
        )
    if remote == 0:
        return (
            _("%(n)d open gigs in %(city)s want %(skill)s", n=total, city=city, skill=skill)
            if total > 1
            else _("1 open gig in %(city)s wants %(skill)s", city=city, skill=skill)
        )
    return _(
        "%(n)d open gigs in %(city)s or remote want %(skill)s", n=total, city=city, skill=skill
    )
