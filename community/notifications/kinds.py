"""Every kind of notification, registered by the feature that owns it, and how a kind is
put into words for one member.

A feature registers its kinds once, at import (`register_kind(NotificationKind(...))`, in
its own `notifications.py`, imported at the end of its `services.py`, so the registry is
complete whenever the app is made), and the loader of each target type its notifications
point at (`register_target(Target(...))`): the posts feature loads posts, events load
events, the comments component loads comments.

`describe_many(notifications, viewer)` words a page of notifications for `viewer`: for
each target type it asks the feature's loader once for the targets `viewer` may still see
(the feature's own visibility rule, in SQL), it looks the actors up once (blocked either
way: the notification is hidden; a profile the viewer may not see: the actor is named
"Someone"), then each kind's `describe` writes the text and the link from what was
loaded, or answers None when the member may no longer see the thing. The notifications
page, the JSON API, live delivery and the emails (digests, instant mail) all use it, so
they show and hide the same notifications. A page costs a bounded number of queries: two
or three per target type present plus five for the actors, whatever the page size.

Deliveries are what a member may choose per kind (the settings of part 2): "app" (in the
app only), "instant" (an email at once), "daily" or "weekly" (a digest).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from community.auth.models import User
from community.auth.roles import UserStatus
from community.extensions import db
from community.notifications.models import Notification


class Delivery(StrEnum):
    """How a member takes a kind of notification (`preferences`); a kind's default."""

    APP = "app"
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


APP, INSTANT, DAILY, WEEKLY = Delivery
DELIVERIES = tuple(Delivery)


def delivery_labels() -> dict[str, str]:
    """Each delivery in words, for the settings page."""
    return {
        APP: _("In the app only"),
        INSTANT: _("Email at once"),
        DAILY: _("Daily digest"),
        WEEKLY: _("Weekly digest"),
    }


@dataclass(frozen=True)
class Described:
    """One notification in words for one member: `text` (plain text, escaped where shown),
    `url` (a path on this site), `actor_name` (None when nobody acted or the actor's
    profile is hidden from the viewer), `group_key` (notifications with the same key may be
    shown as one line: same kind, same thing) and `group_text(n)` (that line for n of them,
    or None when the kind does not group)."""

    notification: Notification
    text: str
    url: str
    actor_name: str | None = None
    group_key: tuple = ()
    grouped_text: Callable[[int], str] | None = field(default=None, compare=False)

    @property
    def kind(self) -> str:
        return self.notification.kind


@dataclass
class Seen:
    """What `describe_many` loaded for one viewer: the visible targets by (type, id), the
    names of the actors the viewer may see, and who is blocked either way. Handed to each
    kind's `describe`."""

    viewer: User
    targets: dict[tuple[str, int], Any]
    actor_names: dict[int, str]
    blocked: set[int]

    def target(self, notification: Notification) -> Any | None:
        """The notification's target if the viewer may still see it, else None."""
        if notification.target_type is None or notification.target_id is None:
            return None
        return self.targets.get((notification.target_type, notification.target_id))

    def plain(self, type_name: str, target_id: int) -> Any | None:
        """The feature's own model of a loaded, visible target (`Target.plain`), or None."""
        found = self.targets.get((type_name, target_id))
        if found is None:
            return None
        target = _TARGETS.get(type_name)
        return target.plain(found) if target is not None else found

    def actor_name(self, notification: Notification) -> str:
        """The actor's name, or a neutral "Someone" when the viewer may not see their
        profile."""
        name = self.actor_names.get(notification.actor_id or 0)
        return name if name is not None else _("Someone")

    def actor_blocked(self, notification: Notification) -> bool:
        return notification.actor_id is not None and notification.actor_id in self.blocked


@dataclass(frozen=True)
class NotificationKind:
    """One kind of notification. `label` names it on the settings page, `category` groups
    it there ("messages", "events", "comments", "connections", "groups", "posts"),
    `default_delivery` is one of DELIVERIES, `describe(notification, seen)` words it for
    `seen.viewer` (None: they may no longer see it). Use `describe()` / `describe_many()`
    below rather than calling the field yourself: they load what it needs."""

    name: str
    label: Any
    category: str
    default_delivery: str
    describe: Callable[[Notification, Seen], Described | None]


@dataclass(frozen=True)
class Target:
    """How to load one target type for a viewer: `load_visible(viewer, ids, seen)` returns
    {id: object} for those of `ids` the viewer may see (the feature's own rule), in a
    bounded number of queries. `seen` has the viewer's blocks already loaded. `plain(obj)`
    is the feature's own model in what was loaded (a loader may wrap it with more)."""

    name: str
    load_visible: Callable[[User, list[int], Seen], dict[int, Any]]
    plain: Callable[[Any], Any] = lambda obj: obj
    # Optional, for `describe_each` (bulk notices): {viewer id: {id: object}} for many
    # viewers at once in a bounded number of queries, by the same rule as `load_visible`.
    # Without it each viewer is loaded on their own.
    load_visible_many: Callable[[list[User], list[int]], dict[int, dict[int, Any]]] | None = None


_KINDS: dict[str, NotificationKind] = {}
_TARGETS: dict[str, Target] = {}


def register_kind(kind: NotificationKind) -> NotificationKind:
    """Make `kind` known. Called once per kind, at import, by the feature that owns it."""
    if kind.default_delivery not in DELIVERIES:
        raise ValueError(f"unknown delivery {kind.default_delivery!r} for {kind.name}")
    if kind.name in _KINDS:
        raise ValueError(f"notification kind {kind.name} registered twice")
    _KINDS[kind.name] = kind
    return kind


def register_target(target: Target) -> Target:
    """Make a target type loadable. Called once per type, at import, by its feature."""
    _TARGETS[target.name] = target
    return target


def kind_of(name: str) -> NotificationKind:
    """The registered kind `name` (KeyError for anything else)."""
    return _KINDS[name]


def all_kinds() -> list[NotificationKind]:
    """Every registered kind, by category then name (the settings page's order)."""
    return sorted(_KINDS.values(), key=lambda kind: (kind.category, kind.name))


def load_targets(viewer: User, wanted: dict[str, set[int]], seen: Seen) -> None:
    """Load into `seen.targets` the visible ones of `wanted` ({type: ids}). Also used by
    loaders whose targets hang on other targets (a comment on a post)."""
    for type_name, ids in wanted.items():
        target = _TARGETS.get(type_name)
        ids = {i for i in ids if (type_name, i) not in seen.targets}
        if target is None or not ids:
            continue
        for target_id, obj in target.load_visible(viewer, sorted(ids), seen).items():
            seen.targets[(type_name, target_id)] = obj


def _actor_names(viewer: User, actor_ids: set[int], blocked: set[int]) -> dict[int, str]:
    """Names of the actors whose profile `viewer` may see (`can_view_profile`, batched)."""
    from community.profiles.directory import visible_ids  # profiles build on notifications

    actor_ids = {i for i in actor_ids if i not in blocked}
    if not actor_ids:
        return {}
    shown = visible_ids(viewer, actor_ids) | ({viewer.id} & actor_ids)
    if not shown:
        return {}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(shown)))
    return {row.id: row.display_name for row in rows}


def describe_many(
    notifications: Sequence[Notification], viewer: User, *, names: bool = True
) -> list[Described | None]:
    """Each of `notifications` in words for `viewer`, in the same order; None for those the
    viewer may no longer see (or of a kind nobody registered). Called by the notifications
    page, the API, live delivery, the unread count and the emails. `names=False` (the
    bell's count, which only needs what is visible) skips looking up whose profile the
    viewer may see: every actor is "Someone" in those words, visibility is the same."""
    notifications = list(notifications)
    if not notifications:
        return []
    if viewer is None or viewer.status != UserStatus.ACTIVE:
        return [None] * len(notifications)
    from community.connections.relations import blocked_ids_select  # builds on notifications

    blocked = set(db.session.scalars(blocked_ids_select(viewer.id)))
    actor_ids = {n.actor_id for n in notifications if n.actor_id is not None}
    seen = Seen(viewer, {}, _actor_names(viewer, actor_ids, blocked) if names else {}, blocked)
    wanted: dict[str, set[int]] = defaultdict(set)
    for notification in notifications:
        if notification.target_type is not None and notification.target_id is not None:
            wanted[notification.target_type].add(notification.target_id)
    load_targets(viewer, wanted, seen)
    return [_describe(notification, seen) for notification in notifications]


def describe_each(
    notifications: Sequence[Notification], recipients: dict[int, User]
) -> list[Described | None]:
    """Each of `notifications` in words for its own recipient (`recipients[n.user_id]`), by
    the rule of `describe_many`, for many recipients at once: the blocks of all of them in
    one query, each target type once for all of them when its feature gives
    `load_visible_many` (else once per recipient), actors' names per recipient only when
    there is an actor. Called by `services.notify_many` (bulk notices); the answer matches
    `describe(n, recipients[n.user_id])` for each."""
    from community.connections.relations import blocked_ids_of_many  # builds on notifications

    notifications = list(notifications)
    viewers = {
        n.user_id: recipients[n.user_id]
        for n in notifications
        if n.user_id in recipients and recipients[n.user_id].status == UserStatus.ACTIVE
    }
    if not viewers:
        return [None] * len(notifications)
    blocked = blocked_ids_of_many(list(viewers))
    actors: dict[int, set[int]] = defaultdict(set)  # viewer id -> the actors to name
    for n in notifications:
        if n.actor_id:
            actors[n.user_id].add(n.actor_id)
    seens: dict[int, Seen] = {}
    for viewer_id, viewer in viewers.items():
        actor_ids = actors.get(viewer_id)
        names = _actor_names(viewer, actor_ids, blocked[viewer_id]) if actor_ids else {}
        seens[viewer_id] = Seen(viewer, {}, names, blocked[viewer_id])
    wanted: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for n in notifications:
        if n.user_id in viewers and n.target_type is not None and n.target_id is not None:
            wanted[n.target_type][n.user_id].add(n.target_id)
    for type_name, by_viewer in wanted.items():
        target = _TARGETS.get(type_name)
        if target is None or target.load_visible_many is None:
            for viewer_id, ids in by_viewer.items():
                load_targets(viewers[viewer_id], {type_name: ids}, seens[viewer_id])
            continue
        ids = sorted(set().union(*by_viewer.values()))
        found = target.load_visible_many([viewers[v] for v in by_viewer], ids)
        for viewer_id in by_viewer:
            for target_id, obj in found.get(viewer_id, {}).items():
                seens[viewer_id].targets[(type_name, target_id)] = obj
    return [_describe(n, seens[n.user_id]) if n.user_id in seens else None for n in notifications]


def _describe(notification: Notification, seen: Seen) -> Described | None:
    if notification.user_id != seen.viewer.id:
        return None  # never word someone else's notification
    kind = _KINDS.get(notification.kind)
    if kind is None or seen.actor_blocked(notification):
        return None
    return kind.describe(notification, seen)


def describe(notification: Notification, viewer: User) -> Described | None:
    """One notification in words for `viewer` (`describe_many` for one)."""
    return describe_many([notification], viewer)[0]


def visible_only(
    notifications: Iterable[Notification], viewer: User, *, names: bool = True
) -> list[tuple[Notification, Described]]:
    """The pairs (notification, described) of those `viewer` may still see, in order."""
    notifications = list(notifications)
    described = describe_many(notifications, viewer, names=names)
    return [(n, d) for n, d in zip(notifications, described, strict=True) if d is not None]


# --- helpers for the features' describe functions ----------------------------------------


def about_target(
    text: Callable[[Notification, Any, Seen], str],
    url: Callable[[Notification, Any], str],
    *,
    grouped: Callable[[int, Notification, Any], str] | None = None,
    also: Callable[[Notification, Any, Seen], bool] | None = None,
) -> Callable[[Notification, Seen], Described | None]:
    """A `describe` for a kind about one target: None when the target is not visible (or
    `also` says no), else `text(notification, target, seen)` linking to
    `url(notification, target)`. `grouped(n, notification, target)` words several unread
    ones about the same target as one line."""

    def describe_one(notification: Notification, seen: Seen) -> Described | None:
        target = seen.target(notification)
        if target is None or (also is not None and not also(notification, target, seen)):
            return None
        return Described(
            notification,
            text(notification, target, seen),
            url(notification, target),
            seen.actor_names.get(notification.actor_id or 0),
            (notification.kind, notification.target_type, _group_id(notification, target)),
            (lambda n: grouped(n, notification, target)) if grouped is not None else None,
        )

    return describe_one


def _group_id(notification: Notification, target: Any) -> Any:
    """What a group of notifications is about: a comment's subject, or the target itself."""
    subject = getattr(target, "group_subject", None)
    return subject if subject is not None else notification.target_id


__all__ = [
    "APP",
    "DAILY",
    "DELIVERIES",
    "INSTANT",
    "WEEKLY",
    "Described",
    "NotificationKind",
    "Seen",
    "Target",
    "about_target",
    "all_kinds",
    "describe",
    "describe_each",
    "describe_many",
    "kind_of",
    "register_kind",
    "register_target",
    "visible_only",
]
