"""Who may do what in mentoring, used by every page, API endpoint and service of the feature
(never re-checked by hand in a view).

- `programme_for`: any logged-in active member reads a programme (404 when missing).
- `may_coordinate` / `coordinated_programme`: the programme's coordinator and admins
  manage it; other members get 403 (the programme itself is public to members).
- `pair_for`: a pair's own pages are for its mentor and mentee; everyone else, the
  coordinator included, gets the same 404 as for a missing pair (goals, meetings and topics
  are private to the pair; the coordinator reads counts through the report).
- `pair_seen_by_coordinator`: the coordinator's view of a pair (names, score, status, counts).
"""

from __future__ import annotations

from flask_babel import gettext as _

from community.auth.models import User
from community.auth.roles import Role
from community.core.errors import Forbidden, NotFound
from community.extensions import db
from community.mentoring.models import Pair, Programme


def programme_for(viewer: User, programme_id: int) -> Programme:
    """The programme `programme_id` (every logged-in member may read it), else NotFound."""
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(_("We could not find that mentoring programme."))
    return programme


def may_coordinate(viewer: User | None, programme: Programme) -> bool:
    """True for the programme's coordinator and for admins."""
    if viewer is None:
        return False
    return viewer.has_role(Role.ADMIN) or (
        programme.coordinator_id is not None and programme.coordinator_id == viewer.id
    )


def may_create_programme(viewer: User | None) -> bool:
    """Coordinators (and admins, who hold every role) create programmes."""
    return viewer is not None and viewer.has_role(Role.COORDINATOR)


def coordinated_programme(viewer: User, programme_id: int) -> Programme:
    """The programme if `viewer` coordinates it (or is an admin); Forbidden for other
    members, NotFound when it does not exist."""
    programme = programme_for(viewer, programme_id)
    if not may_coordinate(viewer, programme):
        raise Forbidden(_("Only the programme's coordinator can do that."))
    return programme


def pair_for(viewer: User, pair_id: int) -> Pair:
    """The pair if `viewer` is its mentor or mentee, else NotFound (as for a missing one)."""
    pair = db.session.get(Pair, pair_id)
    if pair is None or viewer.id not in (pair.mentor_id, pair.mentee_id):
        raise NotFound(_("We could not find that mentoring pair."))
    return pair


def pair_seen_by_coordinator(viewer: User, pair_id: int) -> Pair:
    """The pair if `viewer` is in it or coordinates its programme, else NotFound."""
    pair = db.session.get(Pair, pair_id)
    if pair is None or (
        viewer.id not in (pair.mentor_id, pair.mentee_id)
        and not may_coordinate(viewer, pair.programme)
    ):
        raise NotFound(_("We could not find that mentoring pair."))
    return pair
