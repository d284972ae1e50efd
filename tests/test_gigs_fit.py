""" "For you" (`community.gigs.fit`): a constructed community where the best fit is known,
every rule that leaves a gig out, the permit factor, and reasons that never name the
member's permit. On both databases: the ranking is one SQL statement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from community.auth.models import User
from community.extensions import db
from community.gigs import fit
from community.gigs.models import (
    Gig,
    GigApplication,
    GigCountry,
    GigLanguage,
    GigSkill,
    WhoCanTake,
)
from community.profiles import services as profiles
from community.profiles.reference import WorkPermit
from tests.factories import make_user

BACKENDS = ("sqlite", "postgresql")


def member(permit: str = WorkPermit.RESTRICTED, **changes) -> User:
    """A partner in Copenhagen who knows Python and SQL, speaks English and Danish and has a
    few hours a week."""
    ref = make_user(display_name="Mia Match")
    user = db.session.get(User, ref.id)
    user.timezone = "Europe/Copenhagen"
    values = {
        "host_city": "copenhagen",
        "skills": ["Python", "SQL"],
        "languages": [("en", "fluent"), ("da", "basic")],
        "availability": "few_hours",
        "work_permit": permit,
    } | changes
    profiles.update_profile(user, profiles.ProfileData(**values))
    db.session.commit()
    return user


def gig(title: str, poster: User | None = None, **values) -> Gig:
    """An open, approved gig with `values` over the defaults (a local one in Copenhagen)."""
    skills = values.pop("skills", ["Python", "SQL"])
    languages = values.pop("languages", ["en"])
    countries = values.pop("countries", [])
    poster = poster or db.session.get(User, make_user().id)
    row = Gig(
        poster_id=poster.id,
        title=title,
        kind=values.pop("kind", "freelance"),
        who_can_take=values.pop("who_can_take", WhoCanTake.RIGHT_TO_WORK),
        engagement=values.pop("engagement", "invoice"),
        city=values.pop("city", "copenhagen"),
        hours_per_week=values.pop("hours_per_week", 6),
        **values,
    )
    row.skills = [
        GigSkill(tag_id=tag.id, position=n) for n, tag in enumerate(profiles.tags_by_name(skills))
    ]
    row.languages = [GigLanguage(code=code, position=n) for n, code in enumerate(languages)]
    row.countries = [GigCountry(code=code) for code in countries]
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def community(ctx):
    """The gigs around Mia, by the role each plays in the ranking."""
    mia = member()
    poster = db.session.get(User, make_user().id)
    remote = {"remote": True, "city": None, "timezone": "Europe/Berlin", "overlap_hours": 4}
    gigs = {
        "best": gig(
            "Data cleaning for a Berlin studio",
            poster,
            who_can_take=WhoCanTake.REMOTE_ABROAD,
            **remote,
        ),
        "needs_permit": gig("Python help at a Copenhagen school", poster),
        "other_skill": gig("Design a flyer", poster, skills=["Graphic design"]),
        "far_zone": gig(
            "SQL reports for a Los Angeles shop",
            poster,
            who_can_take=WhoCanTake.REMOTE_ABROAD,
            **(remote | {"timezone": "America/Los_Angeles"}),
        ),
        "too_many_hours": gig("Full-time Python developer", poster, hours_per_week=40),
        # Left out, each for one reason:
        "elsewhere": gig("Python in Amsterdam", poster, city="amsterdam"),
        "not_from_here": gig("Remote, Dutch residents only", poster, countries=["NL"], **remote),
        "language": gig("Python in Japanese", poster, languages=["ja"]),
        "own": gig("Mia's own gig", mia),
        "pending": gig("Waiting for a moderator", poster, review="pending"),
        "past": gig("Deadline passed", poster, deadline=date.today() - timedelta(days=2)),
        "filled": gig("Filled already", poster, status="filled"),
        "applied": gig("Applied already", poster),
    }
    db.session.add(GigApplication(gig_id=gigs["applied"].id, applicant_id=mia.id, message="Hi"))
    db.session.commit()
    return mia, gigs


def test_the_best_fit_comes_first_and_each_rule_leaves_its_gig_out(community):
    mia, gigs = community
    ranked = fit.for_you(mia)
    ids = [item.gig.id for item in ranked]
    assert ids[0] == gigs["best"].id
    assert ids.index(gigs["needs_permit"].id) < ids.index(gigs["other_skill"].id)
    assert ids.index(gigs["best"].id) < ids.index(gigs["far_zone"].id)
    assert ids.index(gigs["needs_permit"].id) < ids.index(gigs["too_many_hours"].id)
    for left_out in (
        "elsewhere",
        "not_from_here",
        "language",
        "own",
        "pending",
        "past",
        "filled",
        "applied",
    ):
        assert gigs[left_out].id not in ids, left_out
    assert len(ids) == 5
    scores = [item.score for item in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 100 for score in scores)


def test_the_parts_add_up_and_say_why(community):
    mia, gigs = community
    by_id = {item.gig.id: item for item in fit.for_you(mia)}
    best = by_id[gigs["best"].id]
    # Both skills, the one language, the place, the hours, a 7-hour overlap (>= 4), abroad.
    assert best.parts.skills == fit.SKILLS and best.parts.languages == fit.LANGUAGES
    assert best.parts.time_zone == fit.TIME_ZONE and best.parts.overlap == 8
    assert best.score == 100
    assert best.reasons[0] == "Wants Python and SQL, skills you have"
    assert "In English, which you speak" in best.reasons
    assert len(best.reasons) == fit.REASONS  # the strongest: "For an employer abroad" (5) is left
    assert "For an employer abroad" not in best.reasons
    far = by_id[gigs["far_zone"].id]
    assert far.parts.overlap == 0 and far.parts.time_zone == 0
    assert not any("overlaps" in reason and "0 hours" not in reason for reason in far.reasons[:1])
    other = by_id[gigs["other_skill"].id]
    assert other.parts.skills == 0 and not any("Wants" in reason for reason in other.reasons)
    local = by_id[gigs["needs_permit"].id]
    assert "In Copenhagen, where you live" in local.reasons


@pytest.mark.parametrize(
    ("permit", "factor"),
    [
        (WorkPermit.FULL_RIGHT, 1.0),
        (WorkPermit.RESTRICTED, 0.6),
        (WorkPermit.APPLYING, 0.6),
        (WorkPermit.UNSURE, 0.6),
        (WorkPermit.NONE, 0.2),
        (None, 0.6),
    ],
)
def test_a_gig_that_needs_the_right_to_work_counts_by_the_members_permit(ctx, permit, factor):
    mia = member(permit=permit) if permit else member(permit=None)
    local = gig("Python help at a Copenhagen school")
    (item,) = fit.for_you(mia)
    assert item.gig.id == local.id and item.parts.factor == pytest.approx(factor)


@pytest.mark.parametrize("permit", list(WorkPermit))
def test_no_reason_names_the_members_permit(ctx, permit):
    mia = member(permit=permit)
    gig("Python help at a Copenhagen school")
    gig("Remote SQL", remote=True, city=None, who_can_take=WhoCanTake.REMOTE_ABROAD)
    gig("Volunteer with Python", who_can_take=WhoCanTake.UNPAID_NONPROFIT)
    words = " ".join(reason for item in fit.for_you(mia) for reason in item.reasons).lower()
    for telling in ("permit", "restrict", "applied", "not sure", "may not", "right to work"):
        assert telling not in words


def test_a_member_without_a_profile_gets_gigs_ranked_all_the_same(ctx):
    newcomer = db.session.get(User, make_user().id)
    remote = gig("Remote SQL", remote=True, city=None, who_can_take=WhoCanTake.REMOTE_ABROAD)
    gig("Python help at a Copenhagen school")  # local: a newcomer has no city yet
    (item,) = fit.for_you(newcomer)
    assert item.gig.id == remote.id and item.parts.skills == 0


def test_overlap_hours_follow_each_zone_on_the_day():
    winter = date(2026, 1, 15)
    assert fit.overlap_hours("Europe/Copenhagen", "Europe/Berlin", winter) == 8
    assert fit.overlap_hours("Europe/Copenhagen", "Europe/London", winter) == 7
    assert fit.overlap_hours("Europe/Copenhagen", "America/New_York", winter) == 2
    assert fit.overlap_hours("Europe/Copenhagen", "America/Los_Angeles", winter) == 0
    # Europe and America change clocks on different Sundays: for two weeks in March the gap
    # to New York is five hours, not six.
    assert fit.overlap_hours("Europe/Copenhagen", "America/New_York", date(2026, 3, 20)) == 3
    assert fit.overlap_hours("Europe/Copenhagen", "Not/AZone", winter) == 7  # UTC


def test_the_ranking_is_one_statement_however_many_gigs(ctx, count_queries):
    mia = member()
    for n in range(3):
        gig(f"Gig {n}")
    with count_queries() as few:
        fit.for_you(mia)
    for n in range(30):
        gig(f"More {n}", remote=bool(n % 2), city=None if n % 2 else "copenhagen")
    with count_queries() as many:
        assert len(fit.for_you(mia)) == 33
    assert few.count == many.count
