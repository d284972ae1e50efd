"""Each member's choice, per notification kind, of how it reaches them: in the app only, by
email at once, or in a daily or weekly digest.

The defaults come from the kinds registry (`community.notifications.kinds`); a member's row
is stored only where their choice differs from the default, so a changed default reaches
everyone who never chose. Transactional mail (confirmation, reset) is not a kind and is
never switchable. Called by the settings page, the JSON API, `notify` (email at once), the
digest and chat-email jobs, and the unsubscribe link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from community.core.database import get_or_create
from community.core.errors import Invalid
from community.extensions import db
from community.notifications import kinds as registry
from community.notifications.email_models import NotificationSetting
from community.notifications.kinds import Delivery

# The settings page's headings for the registry's categories, in its order.
CATEGORY_LABELS = {
    "messages": _l("Messages"),
    "events": _l("Events"),
    "comments": _l("Comments"),
    "posts": _l("Posts"),
    "connections": _l("Connections"),
    "groups": _l("Groups"),
    "gigs": _l("Gigs"),
    "learning": _l("Learning"),
    "mentoring": _l("Mentoring"),
}
DIGESTS = (Delivery.DAILY, Delivery.WEEKLY)
# Direct messages are emailed after a delay when still unread, never held for a digest.
CHAT_KIND = "chat.message"
CHAT_CHOICES = (Delivery.APP, Delivery.INSTANT)


def choices_for(kind: str) -> tuple[Delivery, ...]:
    """The deliveries a member may choose for `kind`."""
    return CHAT_CHOICES if kind == CHAT_KIND else tuple(Delivery)


def defaults() -> dict[str, Delivery]:
    """Every switchable kind with its default delivery, in the registry's order."""
    return {kind.name: Delivery(kind.default_delivery) for kind in registry.all_kinds()}


def label(kind: str) -> str:
    """A kind's name on the settings page and in emails."""
    try:
        return str(registry.kind_of(kind).label)
    except KeyError:
        return kind


def grouped(kinds: Iterable[str]) -> list[tuple[str, list[str]]]:
    """`kinds` under their category headings, categories in the settings page's order."""
    order = list(CATEGORY_LABELS)
    groups: dict[str, list[str]] = {}
    for kind in kinds:
        groups.setdefault(registry.kind_of(kind).category, []).append(kind)
    ranked = sorted(groups, key=lambda c: (order.index(c) if c in order else len(order), c))
    return [(str(CATEGORY_LABELS.get(c, c.title())), groups[c]) for c in ranked]


def delivery_label(delivery: Delivery) -> str:
    return registry.delivery_labels()[delivery.value]


def settings_for(user_id: int) -> dict[str, Delivery]:
    """`user_id`'s delivery for every kind (their choice, else the default): one query."""
    chosen = defaults()
    rows = db.session.execute(
        select(NotificationSetting.kind, NotificationSetting.delivery).where(
            NotificationSetting.user_id == user_id
        )
    ).all()
    for kind, delivery in rows:
        if kind in chosen and delivery in Delivery._value2member_map_:
            chosen[kind] = Delivery(delivery)
    return chosen


def delivery_for(user_id: int, kind: str) -> Delivery:
    """How `kind` reaches `user_id` (APP for a kind the registry does not know): one query."""
    default = defaults().get(kind)
    if default is None:
        return Delivery.APP
    stored = db.session.scalar(
        select(NotificationSetting.delivery).where(
            NotificationSetting.user_id == user_id, NotificationSetting.kind == kind
        )
    )
    if stored in Delivery._value2member_map_:
        return Delivery(stored)
    return default


def members_choosing(
    kind: str, deliveries: Iterable[Delivery], user_ids: Iterable[int]
) -> set[int]:
    """Which of `user_ids` have `kind` set to one of `deliveries`: one query."""
    ids = set(user_ids)
    if not ids:
        return set()
    wanted = set(deliveries)
    default = defaults().get(kind)
    stored = dict(
        db.session.execute(
            select(NotificationSetting.user_id, NotificationSetting.delivery).where(
                NotificationSetting.kind == kind, NotificationSetting.user_id.in_(ids)
            )
        ).all()
    )
    return {uid for uid in ids if stored.get(uid, default) in wanted}


def update_settings(user_id: int, choices: Mapping[str, object]) -> dict[str, Delivery]:
    """Set `user_id`'s delivery for the kinds in `choices` (kinds left out keep theirs);
    flush, no commit. A choice equal to the default removes the stored row. Raises Invalid
    naming the kind for an unknown kind or a delivery that kind does not offer. Called by
    the settings page and `PUT /api/v1/notification-settings`."""
    known = defaults()
    for kind, delivery in choices.items():
        if kind not in known:
            raise Invalid(_("There is no notification of that kind."), kind)
        if delivery not in {choice.value for choice in choices_for(kind)}:
            raise Invalid(_("Choose one of the options offered."), kind)
    current = settings_for(user_id)
    for kind, delivery in choices.items():
        if current[kind] != delivery:  # a form sends every kind: write only the changes
            _store(user_id, kind, Delivery(delivery), known[kind])
            current[kind] = Delivery(delivery)
    db.session.flush()
    return current


def _store(user_id: int, kind: str, delivery: Delivery, default: Delivery) -> None:
    if delivery == default:
        db.session.execute(
            delete(NotificationSetting).where(
                NotificationSetting.user_id == user_id, NotificationSetting.kind == kind
            )
        )
        return
    row, _created = get_or_create(
        NotificationSetting, {"delivery": delivery.value}, user_id=user_id, kind=kind
    )
    row.delivery = delivery.value


def stop_email(user_id: int, kinds: Iterable[str]) -> list[str]:
    """Switch `kinds` to "in the app only" for `user_id` (the unsubscribe link); flush, no
    commit. Returns the kinds that changed."""
    current = settings_for(user_id)
    changed = [kind for kind in kinds if kind in current and current[kind] != Delivery.APP]
    if changed:
        update_settings(user_id, {kind: Delivery.APP.value for kind in changed})
    return changed
