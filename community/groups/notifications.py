"""The groups feature's notifications: groups as notification targets (those the viewer
may read, `access.readable_group_clause`), and the kinds the group services record.
Imported by `community.groups.services`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.core.urls import site_path
from community.extensions import db
from community.groups.access import readable_group_clause
from community.groups.models import Group
from community.notifications.kinds import (
    DAILY,
    NotificationKind,
    Seen,
    Target,
    about_target,
    register_kind,
    register_target,
)


def _load_groups(viewer, ids: list[int], seen: Seen) -> dict[int, Group]:
    """The groups of `ids` `viewer` may read: one query."""
    statement = select(Group).where(Group.id.in_(ids), readable_group_clause(viewer, Group.id))
    return {group.id: group for group in db.session.scalars(statement)}


register_target(Target("group", _load_groups))

register_kind(
    NotificationKind(
        "group.join_requested",
        _l("Requests to join your groups"),
        "groups",
        DAILY,
        about_target(
            lambda n, group, seen: _(
                "%(name)s asked to join “%(group)s”.", name=seen.actor_name(n), group=group.name
            ),
            lambda n, group: site_path("groups.show", slug=group.slug),
            grouped=lambda count, n, group: _(
                "%(count)d members asked to join “%(group)s”.", count=count, group=group.name
            ),
        ),
    )
)

register_kind(
    NotificationKind(
        "group.join_approved",
        _l("Your requests to join a group, approved"),
        "groups",
        DAILY,
        about_target(
            lambda n, group, seen: _("You are now a member of “%(group)s”.", group=group.name),
            lambda n, group: site_path("groups.show", slug=group.slug),
        ),
    )
)

register_kind(
    NotificationKind(
        "group.made_organiser",
        _l("Made an organiser of a group"),
        "groups",
        DAILY,
        about_target(
            lambda n, group, seen: _(
                "%(name)s made you an organiser of “%(group)s”.",
                name=seen.actor_name(n),
                group=group.name,
            ),
            lambda n, group: site_path("groups.show", slug=group.slug),
        ),
    )
)
