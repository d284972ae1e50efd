"""Gigs in the one search (kind "gig", code 5; see `community.search`).

A gig's document is its title (title) and its public text: the rendered description as
plain text, the deliverable, its skills, its kind's label, the organisation and the city
(or "Remote"). Only approved gigs are indexed and found: a gig waiting for review or refused
is left out of the index (and taken out when an edit holds it again), whoever searches,
so a search never tells anyone that a held gig exists.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, bindparam, select

from community.auth.models import User
from community.extensions import db
from community.gigs.forms import kind_label
from community.gigs.models import Gig, GigReview, GigSkill
from community.profiles import reference as ref
from community.profiles.models import Tag
from community.search.kinds import plain_text, tag_labels, tagged
from community.search.registry import Document, Hit, Kind, Result, Watch, probe, register


def _documents(connection: Connection, ids: list[int]) -> dict[int, Document]:
    rows = connection.execute(
        select(
            Gig.id, Gig.title, Gig.description_html, Gig.deliverable, Gig.kind,
            Gig.organisation, Gig.city, Gig.remote,
        ).where(Gig.id.in_(ids), Gig.review == GigReview.APPROVED)
    ).all()  # fmt: skip
    skills = tag_labels(connection, GigSkill, GigSkill.gig_id, ids)
    documents = {}
    for gig_id, title, html, deliverable, kind, organisation, city, remote in rows:
        body = [
            plain_text(html),
            deliverable,
            " ".join(skills.get(gig_id, [])),
            kind_label(kind),
            organisation,
            _("Remote") if remote else ref.city_label(city),
        ]
        documents[gig_id] = Document(title, "\n".join(part for part in body if part))
    return documents


def _visible(viewer: User, ref_id):
    """Approved gigs only (the index holds no other; checked again here)."""
    return probe(select(Gig.id).where(Gig.id == ref_id, Gig.review == GigReview.APPROVED))


_PRESENT = select(Gig.id, Gig.kind, Gig.city, Gig.remote, Gig.status, Gig.organisation).where(
    Gig.id.in_(bindparam("ids", expanding=True))
)


def _present(viewer: User, hits: list[Hit]) -> list[Result]:
    rows = {
        row.id: row
        for row in db.session.connection().execute(_PRESENT, {"ids": [h.ref_id for h in hits]})
    }
    results = []
    for hit in hits:
        row = rows.get(hit.ref_id)
        if row is None:
            continue
        meta = [
            kind_label(row.kind),
            row.organisation,
            _("Remote") if row.remote else ref.city_label(row.city),
            "" if row.status == "open" else _("Not taking applications"),
        ]
        results.append(
            Result(
                type="gig",
                id=hit.ref_id,
                title=hit.title,
                snippet=hit.snippet,
                url=url_for("gigs.show", gig_id=hit.ref_id),
                meta=[line for line in meta if line],
            )
        )
    return results


GIG = register(
    Kind(
        name="gig",
        code=5,
        label=_l("Gigs"),
        singular=_l("Gig"),
        watches=(
            Watch(
                Gig,
                lambda gig: gig.id,
                (
                    "title",
                    "description_html",
                    "deliverable",
                    "kind",
                    "organisation",
                    "city",
                    "remote",
                    "review",
                ),
            ),
            Watch(GigSkill, lambda row: row.gig_id),
            Watch(Tag, lambda tag: tagged(GigSkill.gig_id, GigSkill.tag_id, tag), ("label",)),
        ),
        all_ids=lambda connection: select(Gig.id).order_by(Gig.id),
        documents=_documents,
        visible=_visible,
        present=_present,
    )
)
