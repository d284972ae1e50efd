"""Completing a gig (`community.gigs.completion`): who may complete, give feedback and
write a reference; feedback hidden from the other side until both have written or 14 days
have passed; references shown on a profile only when the member chooses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.auth.models import User
from community.core.errors import Conflict, Forbidden, Invalid, NotFound
from community.extensions import db
from community.gigs import completion
from community.gigs.models import Gig, GigApplication, GigFeedback, GigStatus
from tests.factories import make_user

BACKENDS = ("sqlite", "postgresql")


def person(name: str) -> User:
    return db.session.get(User, make_user(display_name=name).id)


@pytest.fixture
def world(ctx):
    """A filled gig: Pia posted it, Ana was accepted, Ben declined; Olga is nobody here."""
    pia, ana, ben, olga = (person(name) for name in ("Pia Poster", "Ana Able", "Ben B", "Olga O"))
    gig = Gig(
        poster_id=pia.id,
        title="Translate a brochure",
        kind="freelance",
        who_can_take="right_to_work",
        engagement="invoice",
        city="copenhagen",
        status=GigStatus.FILLED,
    )
    db.session.add(gig)
    db.session.flush()
    for member, status in ((ana, "accepted"), (ben, "declined")):
        db.session.add(
            GigApplication(gig_id=gig.id, applicant_id=member.id, message="Hi", status=status)
        )
    db.session.commit()
    return {"gig": gig, "pia": pia, "ana": ana, "ben": ben, "olga": olga}


@pytest.mark.parametrize("who", ["ana", "ben", "olga"])
def test_only_the_poster_completes(world, who):
    with pytest.raises(Forbidden):
        completion.complete(world[who], world["gig"])


def test_completing_twice_is_refused_and_a_gig_needs_its_team(world):
    gig = completion.complete(world["pia"], world["gig"])
    assert gig.status == GigStatus.COMPLETED and gig.completed_at is not None
    with pytest.raises(Conflict):
        completion.complete(world["pia"], gig)
    lonely = Gig(
        poster_id=world["pia"].id,
        title="Nobody",
        kind="remote",
        who_can_take="remote_abroad",
        engagement="invoice",
        remote=True,
    )
    db.session.add(lonely)
    db.session.flush()
    with pytest.raises(Conflict):
        completion.complete(world["pia"], lonely)
    lonely.status = GigStatus.CLOSED
    with pytest.raises(Conflict):
        completion.complete(world["pia"], lonely)


def test_feedback_waits_for_the_completion(world):
    with pytest.raises(Conflict):
        completion.give_feedback(world["pia"], world["gig"], world["ana"].id, 5, "Great")


@pytest.mark.parametrize(
    ("author", "subject"),
    [
        ("pia", "ben"),
        ("pia", "olga"),
        ("ana", "ben"),
        ("ben", "pia"),
        ("olga", "pia"),
        ("ana", "ana"),
    ],
)
def test_feedback_only_between_the_poster_and_the_team(world, author, subject):
    completion.complete(world["pia"], world["gig"])
    with pytest.raises(NotFound):
        completion.give_feedback(world[author], world["gig"], world[subject].id, 4, "")


@pytest.mark.parametrize("rating", [0, 6, -1, "5", True, None, 4.5])
def test_a_rating_is_a_whole_number_from_1_to_5(world, rating):
    completion.complete(world["pia"], world["gig"])
    with pytest.raises(Invalid) as refused:
        completion.give_feedback(world["pia"], world["gig"], world["ana"].id, rating, "")
    assert refused.value.field == "rating"


def test_a_comment_has_a_limit(world):
    completion.complete(world["pia"], world["gig"])
    with pytest.raises(Invalid):
        completion.give_feedback(world["ana"], world["gig"], world["pia"].id, 5, "x" * 2001)


def test_feedback_shows_once_both_have_written(world):
    gig, pia, ana = world["gig"], world["pia"], world["ana"]
    completion.complete(pia, gig)
    completion.give_feedback(pia, gig, ana.id, 5, "Careful, fast work")
    (view,) = completion.feedback_for(ana, gig)
    assert view.theirs is None and view.waiting and view.mine is None
    (poster_view,) = completion.feedback_for(pia, gig)
    assert poster_view.mine.comment == "Careful, fast work" and poster_view.theirs is None
    completion.give_feedback(pia, gig, ana.id, 4, "Careful work")  # still hers to change
    completion.give_feedback(ana, gig, pia.id, 5, "Clear brief")
    (view,) = completion.feedback_for(ana, gig)
    assert view.theirs.comment == "Careful work" and view.theirs.rating == 4 and not view.waiting
    (poster_view,) = completion.feedback_for(pia, gig)
    assert poster_view.theirs.comment == "Clear brief"
    with pytest.raises(Conflict):
        completion.give_feedback(pia, gig, ana.id, 1, "Changed my mind")
    assert db.session.query(GigFeedback).count() == 2
    for outsider in ("ben", "olga"):
        assert completion.feedback_for(world[outsider], gig) == []


def test_feedback_shows_after_14_days_even_if_one_side_never_wrote(world):
    gig, pia, ana = world["gig"], world["pia"], world["ana"]
    completion.complete(pia, gig)
    completion.give_feedback(pia, gig, ana.id, 5, "Great")
    almost = gig.completed_at + timedelta(days=13, hours=23)
    assert completion.feedback_for(ana, gig, now=almost)[0].theirs is None
    later = gig.completed_at + timedelta(days=14)
    assert completion.feedback_for(ana, gig, now=later)[0].theirs.comment == "Great"


@pytest.mark.parametrize("who", ["ana", "ben", "olga"])
def test_only_the_poster_writes_a_reference(world, who):
    completion.complete(world["pia"], world["gig"])
    with pytest.raises(Forbidden):
        completion.write_reference(
            world[who], world["gig"], world["ana"].id, hours=10, skills_used="", statement="Good"
        )


def test_a_reference_is_for_a_team_member_of_a_completed_gig(world):
    gig, pia = world["gig"], world["pia"]
    with pytest.raises(Conflict):
        completion.write_reference(
            pia, gig, world["ana"].id, hours=10, skills_used="", statement="Good"
        )
    completion.complete(pia, gig)
    with pytest.raises(NotFound):
        completion.write_reference(
            pia, gig, world["ben"].id, hours=10, skills_used="", statement="Good"
        )


@pytest.mark.parametrize(
    ("hours", "statement", "field"),
    [
        (0, "Good", "hours"),
        (5001, "Good", "hours"),
        (True, "Good", "hours"),
        (10, "", "statement"),
        (10, "x" * 3001, "statement"),
    ],
)
def test_a_reference_is_checked(world, hours, statement, field):
    completion.complete(world["pia"], world["gig"])
    with pytest.raises(Invalid) as refused:
        completion.write_reference(
            world["pia"],
            world["gig"],
            world["ana"].id,
            hours=hours,
            skills_used="",
            statement=statement,
        )
    assert refused.value.field == field


def test_a_reference_shows_on_the_profile_only_when_the_member_chooses(world, count_queries):
    gig, pia, ana = world["gig"], world["pia"], world["ana"]
    completion.complete(pia, gig)
    first = completion.write_reference(
        pia, gig, ana.id, hours=12, skills_used="Danish,  German", statement="Translated 12 pages"
    )
    again = completion.write_reference(
        pia, gig, ana.id, hours=14, skills_used="Danish, German", statement="Translated 14 pages"
    )
    assert again.id == first.id and again.hours == 14 and again.skills_used == "Danish, German"
    db.session.commit()
    assert completion.profile_entries(ana.id) == []
    with pytest.raises(NotFound):
        completion.show_on_profile(world["ben"], first.id, shown=True)
    with pytest.raises(Invalid) as refused:
        completion.show_on_profile(ana, first.id, shown=True, sample_link="javascript:alert(1)")
    assert refused.value.field == "sample_link"
    completion.show_on_profile(
        ana,
        first.id,
        shown=True,
        sample_link="https://example.org/brochure.pdf",
        sample_note="The brochure",
    )
    db.session.commit()
    ana_id = ana.id
    db.session.expire_all()
    with count_queries() as one:
        (entry,) = completion.profile_entries(ana_id)
        assert entry.gig.title == "Translate a brochure"
    assert one.count == 1, one.statements
    completion.show_on_profile(ana, first.id, shown=False)
    assert completion.profile_entries(ana.id) == []


def test_nobody_withdraws_from_a_completed_gig(world):
    from community.gigs import applications

    completion.complete(world["pia"], world["gig"])
    mine = db.session.query(GigApplication).filter_by(applicant_id=world["ana"].id).one()
    with pytest.raises(Conflict):
        applications.withdraw(world["ana"], mine)
