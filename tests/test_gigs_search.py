"""Gigs in the one search: found by title, description, deliverable and skills; only
approved gigs, whoever searches (a held gig is found by nobody, not even its poster or a
moderator, and an edit that holds a gig again takes it out); the "Gigs" tab; escaping.
Runs on SQLite FTS5 and PostgreSQL full-text search."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.gigs import services
from community.gigs.models import Gig
from tests.gigs_world import ROLES, XSS, GigsWorld, build_world, post_gig, user
from tests.test_search import find, ids

BACKENDS = ("sqlite", "postgresql")
MEMBERS = [role for role in ROLES if role != "anonymous"]


@pytest.fixture
def world(app) -> GigsWorld:
    with app.app_context():
        return build_world()


@pytest.mark.parametrize("role", MEMBERS)
@pytest.mark.parametrize("q", ["brochure", "food bank", "translated", "Danish"])
def test_an_approved_gig_is_found_by_its_words(app, world, role, q):
    assert ids(find(app, world[role], q, "gig")) == [world.gig_id]


@pytest.mark.parametrize("role", MEMBERS)
def test_a_held_gig_is_found_by_nobody(app, world, role):
    assert ids(find(app, world[role], "registration", "gig")) == []
    assert find(app, world[role], "Data entry").counts["gig"] == 0


def test_holding_again_unindexes_and_approving_indexes(app, world):
    with app.app_context():
        gig = db.session.get(Gig, world.gig_id)
        services.update_gig(user(world["poster"]), gig, services.GigData(deliverable="IBAN"))
        db.session.commit()
    assert ids(find(app, world["other"], "brochure", "gig")) == []
    with app.app_context():
        services.approve_gig(user(world["moderator"]), db.session.get(Gig, world.gig_id))
        db.session.commit()
    assert ids(find(app, world["other"], "brochure", "gig")) == [world.gig_id]


def test_the_search_page_has_a_gigs_tab_and_escapes(app, world, login):
    with app.app_context():
        post_gig(world["poster"], title="Quokka " + XSS[:60], description="quokka " + XSS)
    html = login(world["other"]).get("/search?q=quokka").get_data(as_text=True)
    assert "Gigs" in html and "type=gig" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    api = login(world["other"]).get("/search?q=quokka&type=gig").get_data(as_text=True)
    assert "Quokka" in api
