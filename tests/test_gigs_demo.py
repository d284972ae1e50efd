"""The demo gigs `flask seed-demo` loads: at least 40, every kind and every "who can take
it", the demo cities and remote, a few waiting for review, applications in every status and
never to one's own gig."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.gigs import services
from community.gigs.models import ApplicationStatus, Gig, GigApplication, GigKind, WhoCanTake


@pytest.mark.demo_data
@pytest.mark.backends("sqlite")
def test_the_demo_gigs_cover_the_feature(db):
    gigs = db.session.scalars(select(Gig)).all()
    assert len(gigs) >= 40
    assert {gig.kind for gig in gigs} == {kind.value for kind in GigKind}
    assert {gig.who_can_take for gig in gigs} == {value.value for value in WhoCanTake}
    assert any(gig.remote for gig in gigs)
    assert len({gig.city for gig in gigs if gig.city}) >= 5
    pending = [gig for gig in gigs if gig.review == "pending"]
    assert 2 <= len(pending) <= 6 and all(gig.review_reason for gig in pending)
    assert any(services.asks_for_money(gig.description) for gig in pending)
    statuses = set(db.session.scalars(select(GigApplication.status).distinct()))
    assert statuses == {status.value for status in ApplicationStatus}
    own = db.session.scalar(
        select(func.count())
        .select_from(GigApplication)
        .join(Gig, Gig.id == GigApplication.gig_id)
        .where(Gig.poster_id == GigApplication.applicant_id)
    )
    assert own == 0
    # Two completed gigs with feedback both ways and a reference; the demo member shows theirs.
    from community.auth.models import User
    from community.gigs.completion import profile_entries
    from community.gigs.models import GigFeedback, GigReference

    done = [gig for gig in gigs if gig.status == "completed"]
    assert len(done) == 2
    for gig in done:
        assert (
            db.session.scalar(
                select(func.count()).select_from(GigFeedback).where(GigFeedback.gig_id == gig.id)
            )
            == 2
        )
        assert db.session.scalar(select(GigReference).where(GigReference.gig_id == gig.id))
    demo = db.session.scalar(select(User).where(User.email == "member@alongside.example"))
    assert len(profile_entries(demo.id)) == 1
