"""The kinds searchable today: members (profiles) and events.

A member's document is their display name (title) and what their profile shows to those
allowed to see it: headline, skills, interests, host city and bio. Never nationality,
work permit, family situation, e-mail or anything else private. An event's document is
its title, description, tags, category and city; never its venue (it may be private to
those going) or its online link.
"""

from __future__ import annotations

from collections import defaultdict

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import Connection, and_, bindparam, or_, select

from community.auth.models import User
from community.auth.roles import Role
from community.connections.relations import blocked_ids_select, connected_ids_select
from community.events.display import category_label, event_when
from community.events.models import Event, EventStatus, EventTag
from community.extensions import db
from community.groups.access import readable_group_clause
from community.profiles import reference as ref
from community.profiles.directory import visible_to_clause
from community.profiles.models import Profile, ProfileTag, Tag
from community.search.registry import Document, Hit, Kind, Result, Watch, probe, register


def tag_labels(connection: Connection, link, owner_column, ids: list[int]) -> dict[int, list]:
    """{owner id: [tag label, ...]} in the owner's order (profiles, events, posts)."""
    labels: dict[int, list[str]] = defaultdict(list)
    rows = connection.execute(
        select(owner_column, Tag.label)
        .join(Tag, Tag.id == link.tag_id)
        .where(owner_column.in_(ids))
        .order_by(owner_column, link.position)
    )
    for owner, label in rows:
        labels[owner].append(label)
    return labels


def tagged(owner_column, tag_column, tag: Tag) -> list[int]:
    """The owners (members, events, posts) carrying `tag`: the documents a renamed or
    deleted tag changes (a `Watch` on Tag; read before the flush for a deleted tag, whose
    link rows the database removes with it)."""
    connection = db.session.connection()
    return list(connection.scalars(select(owner_column).where(tag_column == tag.id).distinct()))


# --- members ------------------------------------------------------------------------------


def plain_text(html: str | None) -> str:
    """The text of sanitised HTML (rendered Markdown), without tags or entities."""
    # Only reads the text out (tags dropped, entities decoded); never rendered as markup.
    return Markup(html or "").striptags()  # noqa: S704


def _member_documents(connection: Connection, ids: list[int]) -> dict[int, Document]:
    rows = connection.execute(
        select(User.id, User.display_name, Profile.headline, Profile.bio_html, Profile.host_city)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(User.id.in_(ids))
    ).all()
    tags = tag_labels(connection, ProfileTag, ProfileTag.user_id, ids)
    documents = {}
    for user_id, name, headline, bio_html, city in rows:
        # Readable text first (snippets come from it), then the words to match on.
        body = [
            headline or "",
            plain_text(bio_html),
            " ".join(tags.get(user_id, [])),
            ref.city_label(city),
        ]
        documents[user_id] = Document(name, "\n".join(part for part in body if part))
    return documents


def _member_visible(viewer: User, ref_id):
    # One primary-key probe per match (`probe`), so a rare word costs little whatever the
    # number of members; the viewer's connections and blocks as subqueries, which the
    # database runs once per statement.
    connected, blocked = connected_ids_select(viewer.id), blocked_ids_select(viewer.id)
    return probe(
        select(User.id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(User.id == ref_id, visible_to_clause(viewer, connected, blocked))
    )


# The present statements are built once, their ids an expanding parameter.
_MEMBER_CITIES = select(Profile.user_id, Profile.host_city).where(
    Profile.user_id.in_(bindparam("ids", expanding=True))
)


def _member_present(viewer: User, hits: list[Hit]) -> list[Result]:
    ids = [hit.ref_id for hit in hits]
    cities = dict(db.session.connection().execute(_MEMBER_CITIES, {"ids": ids}).all())
    return [
        Result(
            type="member",
            id=hit.ref_id,
            title=hit.title,
            snippet=hit.snippet,
            url=url_for("profiles.profile", user_id=hit.ref_id),
            meta=[label for label in [ref.city_label(cities.get(hit.ref_id))] if label],
        )
        for hit in hits
    ]


MEMBER = register(
    Kind(
        name="member",
        code=1,
        label=_l("People"),
        singular=_l("Person"),
        watches=(
            Watch(User, lambda user: user.id, ("display_name",)),
            Watch(Profile, lambda profile: profile.user_id, ("headline", "bio", "host_city")),
            Watch(ProfileTag, lambda row: row.user_id),
            Watch(Tag, lambda tag: tagged(ProfileTag.user_id, ProfileTag.tag_id, tag), ("label",)),
        ),
        all_ids=lambda connection: select(User.id).order_by(User.id),
        documents=_member_documents,
        visible=_member_visible,
        present=_member_present,
    )
)


# --- events -------------------------------------------------------------------------------


def _event_documents(connection: Connection, ids: list[int]) -> dict[int, Document]:
    rows = connection.execute(
        select(Event.id, Event.title, Event.description_html, Event.category, Event.city).where(
            Event.id.in_(ids)
        )
    ).all()
    tags = tag_labels(connection, EventTag, EventTag.event_id, ids)
    documents = {}
    for event_id, title, description_html, category, city in rows:
        body = [
            plain_text(description_html),
            " ".join(tags.get(event_id, [])),
            category_label(category),
            ref.city_label(city),
        ]
        documents[event_id] = Document(title, "\n".join(part for part in body if part))
    return documents


def _event_visible(viewer: User, ref_id):
    """The rule of `events.queries.list_events` and `get_visible_event` (an organiser the
    viewer blocked or was blocked by hides the event, except from moderators and the
    organiser), plus the group rule (`readable_group_clause`)."""
    clauses = [readable_group_clause(viewer, Event.group_id)]
    if not viewer.has_role(Role.MODERATOR):
        clauses.append(
            or_(
                Event.organiser_id == viewer.id,
                Event.organiser_id.not_in(blocked_ids_select(viewer.id)),
            )
        )
    return probe(select(Event.id).where(Event.id == ref_id, and_(*clauses)))


_EVENT_FACTS = select(Event.id, Event.starts_at, Event.timezone, Event.status).where(
    Event.id.in_(bindparam("ids", expanding=True))
)


def _event_present(viewer: User, hits: list[Hit]) -> list[Result]:
    ids = [hit.ref_id for hit in hits]
    events = {row.id: row for row in db.session.connection().execute(_EVENT_FACTS, {"ids": ids})}
    results = []
    for hit in hits:
        event = events.get(hit.ref_id)
        if event is None:
            continue
        meta = [event_when(event.starts_at, event.timezone)]
        if event.status == EventStatus.CANCELLED:
            meta.append(str(_l("Cancelled")))
        results.append(
            Result(
                type="event",
                id=hit.ref_id,
                title=hit.title,
                snippet=hit.snippet,
                url=url_for("events.show", event_id=hit.ref_id),
                meta=meta,
            )
        )
    return results


EVENT = register(
    Kind(
        name="event",
        code=3,
        label=_l("Events"),
        singular=_l("Event"),
        watches=(
            Watch(Event, lambda event: event.id, ("title", "description_html", "category", "city")),
            Watch(EventTag, lambda row: row.event_id),
            Watch(Tag, lambda tag: tagged(EventTag.event_id, EventTag.tag_id, tag), ("label",)),
        ),
        all_ids=lambda connection: select(Event.id).order_by(Event.id),
        documents=_event_documents,
        visible=_event_visible,
        present=_event_present,
    )
)
