"""The mentoring feature's notification targets: a programme (every active member may see
it) and a pair (its mentor, its mentee, the programme's coordinator and admins). The kinds
themselves are registered by the module that sends them (`programmes`, `applications`,
`proposals`, `pairs`, `outcomes`), each with `CATEGORY`."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload

from community.auth.roles import Role
from community.extensions import db
from community.mentoring.models import Pair, Programme
from community.notifications.kinds import Seen, Target, register_target

CATEGORY = "mentoring"


def _load_programmes(viewer, ids: list[int], seen: Seen) -> dict[int, Programme]:
    """The programmes of `ids` (every logged-in active member may see a programme)."""
    rows = db.session.scalars(select(Programme).where(Programme.id.in_(ids)).options(lazyload("*")))
    return {programme.id: programme for programme in rows}


def _load_pairs(viewer, ids: list[int], seen: Seen) -> dict[int, Pair]:
    """The pairs of `ids` `viewer` belongs to or coordinates (admins: all): one query."""
    query = select(Pair).where(Pair.id.in_(ids))
    if not viewer.has_role(Role.ADMIN):
        query = query.join(Programme, Programme.id == Pair.programme_id).where(
            or_(
                Pair.mentor_id == viewer.id,
                Pair.mentee_id == viewer.id,
                Programme.coordinator_id == viewer.id,
            )
        )
    return {pair.id: pair for pair in db.session.scalars(query)}


register_target(Target("mentoring_programme", _load_programmes))
register_target(Target("mentoring_pair", _load_pairs))
