"""Learning verbs and rules: add and edit items, the member's plan (add, change, mark done
with the skills gained, remove), the reminder setting and the weekly reminders.

Called by the learning pages, the JSON API, the `learning-reminders` command and the demo
seeder. Writes flush, never commit: the caller commits once. Refusals are `ServiceError`
kinds naming the field they concern.

Who may do what:
- Items are seen by every logged-in active member (`get_item`). Organisers, moderators and
  admins add them (`can_add_items`, the rule that creates events); the one who added an
  item (while still an organiser), moderators and admins edit it (`can_edit_item`).
- A plan is private: `get_own_entry` answers the same NotFound for another member's entry
  as for a missing one. A learning event goes into a plan only if the member may see it
  (`events.services.get_visible_event`).
- Skills gained reach the member's profile only when they ask for it (`add_to_profile`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.core.database import get_or_create, lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.core.markdown import render_markdown
from community.events.models import Event, EventCategory
from community.events.services import get_visible_event
from community.extensions import db
from community.learning.models import (
    LearningFormat,
    LearningItem,
    LearningKind,
    LearningPlanEntry,
    LearningPlanSettings,
    LearningReminder,
    LearningSkill,
    PlanStatus,
)
from community.notifications.services import notify
from community.profiles import reference as ref
from community.profiles.services import (
    MAX_TAG_LENGTH,
    MAX_TAGS,
    ProfileData,
    get_profile,
    tags_by_name,
    update_profile,
)

MAX_TITLE = 140
MAX_DESCRIPTION = 10_000
MAX_PROVIDER = 120
MAX_FUNDING = 200
MAX_LINK = 500
MAX_SKILLS = 10
MAX_COST = 1_000_000
MAX_GOAL_HOURS = 60
KINDS = tuple(kind.value for kind in LearningKind)
FORMATS = tuple(value.value for value in LearningFormat)
STATUSES = tuple(status.value for status in PlanStatus)
# The currencies of the host cities, and the two most posted from abroad.
CURRENCIES = ("EUR", "DKK", "SEK", "NOK", "CHF", "GBP", "PLN", "CZK", "AED", "QAR", "SGD", "USD")


@dataclass
class ItemData:
    """What an editor sends; None leaves a field as it is (edits). `free=True` clears the
    cost; `cleared` names optional fields set to nothing (city, funding, link)."""

    kind: str | None = None
    title: str | None = None
    description: str | None = None
    provider: str | None = None
    format: str | None = None
    city: str | None = None
    free: bool | None = None
    cost_amount: int | None = None
    currency: str | None = None
    cost_from: bool | None = None
    funding: str | None = None
    language: str | None = None
    skills: list[str] | None = None
    link: str | None = None
    cleared: set[str] = field(default_factory=set)


# --- who may do what -----------------------------------------------------------------------


def _active(user: User | None) -> bool:
    return user is not None and getattr(user, "status", None) == UserStatus.ACTIVE


def can_add_items(user: User | None) -> bool:
    """Organisers add learning items, and so do moderators and admins (as with events)."""
    return _active(user) and (user.has_role(Role.ORGANISER) or user.has_role(Role.MODERATOR))


def can_edit_item(user: User | None, item: LearningItem) -> bool:
    """The organiser who added the item (while an organiser), moderators and admins."""
    if not _active(user):
        return False
    if user.has_role(Role.MODERATOR):
        return True
    return item.created_by_id == user.id and user.has_role(Role.ORGANISER)


def get_item(viewer: User | None, item_id: int) -> LearningItem:
    """The item `item_id` for a logged-in active member, else NotFound. Called by every
    item page and endpoint before anything else."""
    item = db.session.get(LearningItem, item_id)
    if item is None or not _active(viewer):
        raise NotFound(_("We could not find that learning item."))
    return item


def get_editable_item(viewer: User | None, item_id: int) -> LearningItem:
    """The item for one who may edit it; Forbidden for members who may only see it."""
    item = get_item(viewer, item_id)
    if not can_edit_item(viewer, item):
        raise Forbidden(_("Only organisers, moderators and admins can change learning items."))
    return item


# --- items -----------------------------------------------------------------------------------


def create_item(editor: User, data: ItemData) -> LearningItem:
    """Add a learning item. Called by the new-item page, the API and the demo. Forbidden
    for members; Invalid on the field at fault."""
    if not can_add_items(editor):
        raise Forbidden(_("Only organisers, moderators and admins can add learning items."))
    item = LearningItem(created_by_id=editor.id, created_at=utcnow(), skills=[])
    _apply(item, data, creating=True)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(editor: User, item: LearningItem, data: ItemData) -> LearningItem:
    """Change an item (the editor page, PATCH); a real change sets `edited_at`."""
    if not can_edit_item(editor, item):
        raise Forbidden(_("Only organisers, moderators and admins can change learning items."))
    before = _snapshot(item)
    _apply(item, data, creating=False)
    if _snapshot(item) != before:
        item.edited_at = utcnow()
    db.session.flush()
    return item


def _snapshot(item: LearningItem) -> tuple:
    columns = LearningItem.__table__.columns.keys()
    return tuple(getattr(item, name) for name in columns if name != "edited_at") + tuple(
        row.tag_id for row in item.skills
    )


def _text(value: str | None, limit: int, name: str, message: str | None = None) -> str:
    text = " ".join((value or "").split())
    if message and not text:
        raise Invalid(message, name)
    if len(text) > limit:
        raise Invalid(too_long(limit), name)
    return text


def check_link(value: str, name: str = "link") -> str:
    """A link members may follow: http or https with a host, else Invalid on `name`."""
    link = (value or "").strip()
    if not link:
        return ""
    if len(link) > MAX_LINK:
        raise Invalid(too_long(MAX_LINK), name)
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in link):
        raise Invalid(_("Give a link starting with https://."), name)
    return link


def _apply(item: LearningItem, data: ItemData, *, creating: bool) -> None:
    if data.kind is not None or creating:
        if data.kind not in KINDS:
            raise Invalid(_("Choose what kind of learning this is."), "kind")
        item.kind = data.kind
    if data.title is not None or creating:
        item.title = _text(data.title, MAX_TITLE, "title", _("Give it a title."))
    if data.description is not None or creating:
        description = (data.description or "").strip()
        if not description:
            raise Invalid(_("Say what it teaches and who it is for."), "description")
        if len(description) > MAX_DESCRIPTION:
            raise Invalid(too_long(MAX_DESCRIPTION), "description")
        item.description = description
        item.description_html = render_markdown(description)
    if data.provider is not None or creating:
        item.provider = _text(data.provider, MAX_PROVIDER, "provider", _("Name the provider."))
    if data.format is not None or creating:
        if data.format not in FORMATS:
            raise Invalid(_("Choose online, in person or self-paced."), "format")
        item.format = data.format
    if "city" in data.cleared:
        item.city = None
    elif data.city is not None:
        if data.city and data.city not in ref.CITY_BY_SLUG:
            raise Invalid(_("Choose a city from the list."), "city")
        item.city = data.city or None
    if item.format == LearningFormat.IN_PERSON and not item.city:
        raise Invalid(_("Choose the city where it takes place."), "city")
    if item.format != LearningFormat.IN_PERSON:
        item.city = None
    _apply_cost(item, data, creating=creating)
    if "funding" in data.cleared:
        item.funding = ""
    elif data.funding is not None:
        item.funding = _text(data.funding, MAX_FUNDING, "funding")
    if data.language is not None or creating:
        if data.language not in ref.language_codes():
            raise Invalid(_("Choose the language it is taught in."), "language")
        item.language = data.language
    if "link" in data.cleared:
        item.link = ""
    elif data.link is not None:
        item.link = check_link(data.link)
    if data.skills is not None:
        labels = [label for label in data.skills if label.strip()]
        if len(labels) > MAX_SKILLS:
            raise Invalid(_("Add at most %(n)d skills.", n=MAX_SKILLS), "skills")
        if any(len(label.strip()) > MAX_TAG_LENGTH for label in labels):
            raise Invalid(_("Keep each skill under %(n)d characters.", n=MAX_TAG_LENGTH), "skills")
        current = {row.tag_id: row for row in item.skills}
        rows = []
        for index, tag in enumerate(tags_by_name(labels)):
            row = current.get(tag.id) or LearningSkill(tag=tag, tag_id=tag.id)
            row.position = index
            rows.append(row)
        item.skills = rows


def _apply_cost(item: LearningItem, data: ItemData, *, creating: bool) -> None:
    """Free, or an amount with its currency (and "from" when prices start there)."""
    if data.free:
        item.cost_amount = item.currency = None
        item.cost_from = False
        return
    if data.free is None and data.cost_amount is None and data.currency is None:
        if creating:
            item.cost_amount = item.currency = None
        if data.cost_from is not None and item.cost_amount is not None:
            item.cost_from = bool(data.cost_from)
        return
    amount = data.cost_amount if data.cost_amount is not None else item.cost_amount
    currency = data.currency if data.currency is not None else item.currency
    if amount is None or not 0 <= amount <= MAX_COST:
        raise Invalid(_("Give the cost as a whole amount, or mark it free."), "cost_amount")
    if currency not in CURRENCIES:
        raise Invalid(_("Choose the currency."), "currency")
    item.cost_amount, item.currency = amount, currency
    if data.cost_from is not None:
        item.cost_from = bool(data.cost_from)


# --- the plan ------------------------------------------------------------------------------


def _learning_event(member: User, event_id: int) -> Event:
    """A learning-category event `member` may see, else NotFound on "event_id"."""
    try:
        event = get_visible_event(member, event_id)
    except NotFound:
        raise NotFound(_("We could not find that event."), "event_id") from None
    if event.category != EventCategory.LEARNING:
        raise Invalid(_("Only learning events go into a learning plan."), "event_id")
    return event


def _check_goal(hours: int | None) -> int | None:
    if hours is not None and not 1 <= hours <= MAX_GOAL_HOURS:
        raise Invalid(
            _("Give between 1 and %(n)d hours a week, or none.", n=MAX_GOAL_HOURS),
            "weekly_goal_hours",
        )
    return hours


def add_to_plan(
    member: User,
    *,
    item_id: int | None = None,
    event_id: int | None = None,
    status: str = PlanStatus.WANT,
    weekly_goal_hours: int | None = None,
) -> LearningPlanEntry:
    """Put an item or a learning event into `member`'s plan (the "Add to my plan" button,
    POST /me/learning-plan). Conflict when it is there already (a race of two adds ends
    the same way, through the unique key). Marking done is `mark_done`'s, with its
    questions."""
    if not _active(member):
        raise Forbidden(_("Your account cannot keep a learning plan."))
    if (item_id is None) == (event_id is None):
        raise Invalid(_("Choose a learning item or a learning event."), "item_id")
    if status not in (PlanStatus.WANT, PlanStatus.DOING):
        raise Invalid(
            _("Add it as “want to do” or “doing”; mark it done from your plan."), "status"
        )
    _check_goal(weekly_goal_hours)
    if item_id is not None:
        try:
            get_item(member, item_id)
        except NotFound:
            raise NotFound(_("We could not find that learning item."), "item_id") from None
        keys = {"user_id": member.id, "item_id": item_id}
    else:
        _learning_event(member, event_id)
        keys = {"user_id": member.id, "event_id": event_id}
    now = utcnow()
    entry, created = get_or_create(
        LearningPlanEntry,
        defaults={
            "status": status,
            "weekly_goal_hours": weekly_goal_hours,
            "created_at": now,
            "updated_at": now,
        },
        **keys,
    )
    if not created:
        raise Conflict(_("It is already in your learning plan."))
    return entry


def get_own_entry(member: User | None, entry_id: int) -> LearningPlanEntry:
    """`member`'s own plan entry; NotFound for anyone else's (the same as a missing one)."""
    entry = db.session.get(LearningPlanEntry, entry_id)
    if entry is None or not _active(member) or entry.user_id != member.id:
        raise NotFound(_("We could not find that entry in your learning plan."))
    return entry


def update_entry(
    member: User,
    entry: LearningPlanEntry,
    *,
    status: str | None = None,
    weekly_goal_hours: int | None = None,
    clear_goal: bool = False,
) -> LearningPlanEntry:
    """Move an entry between want to do and doing, or change its weekly goal. Done goes
    through `mark_done`; a done entry may be moved back (its skills stay where they are)."""
    entry = get_own_entry(member, entry.id)
    if status is not None:
        if status not in STATUSES:
            raise Invalid(_("Choose want to do, doing or done."), "status")
        if status == PlanStatus.DONE and entry.status != PlanStatus.DONE:
            return mark_done(member, entry)
        if status != PlanStatus.DONE:
            entry.status = status
            entry.done_at = None
    if clear_goal:
        entry.weekly_goal_hours = None
    elif weekly_goal_hours is not None:
        entry.weekly_goal_hours = _check_goal(weekly_goal_hours)
    entry.updated_at = utcnow()
    db.session.flush()
    return entry


def entry_skills(entry: LearningPlanEntry) -> list[str]:
    """The skills the item (or the event's tags) builds: what "skills gained" offers."""
    if entry.item is not None:
        return [row.tag.label for row in entry.item.skills]
    if entry.event is not None:
        return [row.tag.label for row in entry.event.tags]
    return []


def mark_done(
    member: User,
    entry: LearningPlanEntry,
    *,
    skills: list[str] | None = None,
    evidence_link: str = "",
    add_to_profile: bool = False,
) -> LearningPlanEntry:
    """Mark an entry done with the skills gained (among those it builds) and an optional
    certificate or evidence link. The skills join the member's profile skills only with
    `add_to_profile`; never otherwise. Called by the "Mark done" page and the API."""
    entry = get_own_entry(member, entry.id)
    offered = {label.casefold(): label for label in entry_skills(entry)}
    chosen: list[str] = []
    for label in skills or []:
        found = offered.get(" ".join(label.split()).casefold())
        if found is None:
            raise Invalid(_("Choose among the skills it builds."), "skills")
        if found not in chosen:
            chosen.append(found)
    link = check_link(evidence_link, "evidence_link")
    if add_to_profile and not chosen:
        raise Invalid(_("Tick the skills to add to your profile."), "skills")
    if add_to_profile:
        profile = get_profile(member.id)
        have = [row.tag.label for row in profile.tags if row.kind == "skill"] if profile else []
        known = {label.casefold() for label in have}
        new = [label for label in chosen if label.casefold() not in known]
        if len(have) + len(new) > MAX_TAGS:
            raise Invalid(
                _("Your profile holds at most %(n)d skills; remove some first.", n=MAX_TAGS),
                "skills",
            )
        if new:
            update_profile(member, ProfileData(skills=have + new))
        entry.added_to_profile = True
    entry.status = PlanStatus.DONE
    entry.skills_gained = ", ".join(chosen)
    entry.evidence_link = link
    entry.done_at = entry.updated_at = utcnow()
    db.session.flush()
    return entry


def remove_entry(member: User, entry: LearningPlanEntry) -> None:
    """Take an entry out of one's plan (skills already on the profile stay there)."""
    entry = get_own_entry(member, entry.id)
    db.session.delete(entry)
    db.session.flush()


def plan_settings(member: User) -> LearningPlanSettings | None:
    return db.session.get(LearningPlanSettings, member.id)


def set_reminder(member: User, weekday: int | None) -> LearningPlanSettings:
    """Choose the weekday of one's weekly reminder (0 Monday … 6 Sunday), or none."""
    if weekday is not None and not 0 <= weekday <= 6:
        raise Invalid(_("Choose a day of the week, or no reminder."), "reminder_weekday")
    settings, _created = get_or_create(LearningPlanSettings, user_id=member.id)
    settings = lock_row(settings)
    settings.reminder_weekday = weekday
    settings.updated_at = utcnow()
    db.session.flush()
    return settings


# --- weekly reminders ----------------------------------------------------------------------


def week_of(moment: datetime) -> date:
    """The Monday of the (UTC) ISO week `moment` falls in: a reminder's claim key."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def send_reminders(now: datetime | None = None) -> int:
    """Send the weekly learning reminders due `now` (UTC): to each active member whose
    chosen weekday it is and who has not had this week's, claimed first through the unique
    (member, week) key, so two runs at once never send two. Idempotent; returns how many
    were sent. Called by `flask learning-reminders`."""
    now = now or utcnow()
    week = week_of(now)
    due = list(
        db.session.scalars(
            select(LearningPlanSettings.user_id)
            .join(User, User.id == LearningPlanSettings.user_id)
            .where(
                LearningPlanSettings.reminder_weekday == now.weekday(),
                User.status == UserStatus.ACTIVE,
                LearningPlanSettings.user_id.not_in(
                    select(LearningReminder.user_id).where(LearningReminder.week == week)
                ),
            )
            .order_by(LearningPlanSettings.user_id)
        )
    )
    sent = 0
    for user_id in due:
        try:
            with db.session.begin_nested():
                db.session.add(LearningReminder(user_id=user_id, week=week, sent_at=now))
        except IntegrityError:
            continue  # another run claimed this week's reminder at the same moment
        notify(user_id, "learning.reminder", target_type="learning_plan", target_id=user_id)
        sent += 1
    return sent


def visible_learning_event_ids(viewer: User, event_ids: list[int]) -> set[int]:
    """Which of `event_ids` `viewer` may still see (one query; the plan page)."""
    from community.events.queries import visible_event_clauses  # events' SQL twin

    if not event_ids:
        return set()
    return set(
        db.session.scalars(
            select(Event.id).where(Event.id.in_(event_ids), *visible_event_clauses(viewer))
        )
    )


# Registers this feature's notification kind (the registry is complete once services load).
from community.learning import notifications as _notifications  # noqa: E402,F401
