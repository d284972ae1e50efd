"""Groups in the one search (kind "group", code 4; see `community.search`).

A group's document is its name (title) and its public text: the description as plain text
and its city. Who finds a group is who may open it (`access.can_read`): a public group
every member, a private one only its active members, moderators and admins; for everyone
else it does not exist, in the results and in the counts.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Connection, select

from community.auth.models import User
from community.extensions import db
from community.groups.access import readable_group_clause
from community.groups.models import Group, GroupVisibility
from community.profiles import reference as ref
from community.search.kinds import plain_text
from community.search.registry import Document, Hit, Kind, Result, Watch, probe, register


def _documents(connection: Connection, ids: list[int]) -> dict[int, Document]:
    rows = connection.execute(
        select(Group.id, Group.name, Group.description_html, Group.city).where(Group.id.in_(ids))
    ).all()
    documents = {}
    for group_id, name, description_html, city in rows:
        body = [plain_text(description_html), ref.city_label(city)]
        documents[group_id] = Document(name, "\n".join(part for part in body if part))
    return documents


def _visible(viewer: User, ref_id):
    """`access.can_read` as SQL, probed per candidate (`probe`)."""
    return probe(
        select(Group.id).where(Group.id == ref_id, readable_group_clause(viewer, Group.id))
    )


def _present(viewer: User, hits: list[Hit]) -> list[Result]:
    """City, member count, public or private."""
    groups = {
        row.id: row
        for row in db.session.connection().execute(
            select(Group.id, Group.slug, Group.city, Group.member_count, Group.visibility).where(
                Group.id.in_([hit.ref_id for hit in hits])
            )
        )
    }
    results = []
    for hit in hits:
        group = groups.get(hit.ref_id)
        if group is None:
            continue
        meta = [
            ref.city_label(group.city),
            ngettext("%(num)d member", "%(num)d members", group.member_count),
            str(_l("Private") if group.visibility == GroupVisibility.PRIVATE else _l("Public")),
        ]
        results.append(
            Result(
                type="group",
                id=hit.ref_id,
                title=hit.title,
                snippet=hit.snippet,
                url=url_for("groups.show", slug=group.slug),
                meta=[line for line in meta if line],
            )
        )
    return results


GROUP = register(
    Kind(
        name="group",
        code=4,
        label=_l("Groups"),
        singular=_l("Group"),
        watches=(Watch(Group, lambda group: group.id, ("name", "description_html", "city")),),
        all_ids=lambda connection: select(Group.id).order_by(Group.id),
        documents=_documents,
        visible=_visible,
        present=_present,
    )
)
