""" "For you" on the page (`/gigs/for-you`) and in the API (`GET /api/v1/gigs?for_you=true`):
the ranking of `community.gigs.fit` (its own tests: `test_gigs_fit.py`) shown to the member it
is for, with its reasons, a hint when the profile is too thin to rank by, and never a word
about the member's work permit."""

from __future__ import annotations

import re

import pytest

from community.extensions import db
from community.profiles.reference import WORK_PERMIT_LABELS, WorkPermit
from community.profiles.services import ProfileData, update_profile
from tests.gigs_world import ROLES, GigsWorld, build_world, post_gig, user
from tests.test_api import api_login, error_code
from tests.test_api_events import Anonymous


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="post-card__title"><a href="/gigs/\d+">([^<]+)</a>', html)


@pytest.fixture
def world(app) -> GigsWorld:
    """The gig world, with Oda (`other`) a Danish-speaking translator in Copenhagen who may
    work only with restrictions, and a remote gig abroad that fits her less."""
    with app.app_context():
        world = build_world()
        update_profile(
            user(world["other"]),
            ProfileData(
                host_city="copenhagen",
                skills=["Translation", "Danish"],
                languages=[("da", "native"), ("en", "fluent")],
                availability="few_hours",
                work_permit=WorkPermit.RESTRICTED,
            ),
        )
        db.session.commit()
        post_gig(
            world["organiser"],
            title="Proofread a newsletter",
            kind="remote",
            who_can_take="remote_abroad",
            remote=True,
            city=None,
            skills=["Proofreading"],
            languages=["en"],
            engagement="invoice",
            compensation_amount=120,
            currency="EUR",
            compensation_period="project",
        )
        return world


@pytest.mark.parametrize("role", ROLES)
def test_the_page_by_role(world, login, app, role):
    client = app.test_client() if role == "anonymous" else login(world[role])
    response = client.get("/gigs/for-you")
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
        return
    assert response.status_code == 200
    shown = titles(response.get_data(as_text=True))
    # Nobody is shown their own gig, one they applied to, or one waiting for review.
    assert "Data entry" not in shown
    if role in ("poster", "applicant"):
        assert "Translate our volunteer brochure" not in shown


def test_the_best_fit_first_with_its_reasons_and_no_word_of_the_permit(world, login):
    html = login(world["other"]).get("/gigs/for-you").get_data(as_text=True)
    assert titles(html) == ["Translate our volunteer brochure", "Proofread a newsletter"]
    assert "Wants Translation and Danish, skills you have" in html
    assert "In Danish and English, which you speak" in html
    assert "In Copenhagen, where you live" in html
    assert re.search(r"\d+% fit", html)
    assert 'aria-current="page">For you<' in html
    assert str(WORK_PERMIT_LABELS[WorkPermit.RESTRICTED]) not in html
    assert "restriction" not in html.lower()
    assert "Add " not in html  # her profile says enough to rank by


def test_a_thin_profile_is_told_what_to_add(world, login):
    html = login(world["organiser"]).get("/gigs/for-you").get_data(as_text=True)
    assert (
        "Add your skills, the languages you speak, the city you live in and how much time "
        "you have to your profile" in html
    )
    assert 'href="/settings/profile"' in html
    assert titles(html) == []  # no city yet, and the only remote gig is their own


def test_the_list_links_to_for_you(world, login):
    html = login(world["other"]).get("/gigs").get_data(as_text=True)
    assert 'href="/gigs/for-you"' in html and 'aria-current="page">All open gigs<' in html


def test_the_api_ranks_for_the_token_holder(world, app):
    answer = api_login(app, world["other"]).get("/api/v1/gigs?for_you=true")
    assert answer.status_code == 200
    body = answer.get_json()
    assert [item["title"] for item in body["items"]] == [
        "Translate our volunteer brochure",
        "Proofread a newsletter",
    ]
    first = body["items"][0]["fit"]
    assert 0 < first["score"] <= 100
    assert "Wants Translation and Danish, skills you have" in first["reasons"]
    assert body["next_cursor"] is None
    assert "fit" not in api_login(app, world["other"]).get("/api/v1/gigs").get_json()["items"][0]


@pytest.mark.parametrize("extra", ["kind=remote", "remote=true", "skill=Danish", "cursor=abc"])
def test_the_api_refuses_for_you_with_filters(world, app, extra):
    answer = api_login(app, world["other"]).get(f"/api/v1/gigs?for_you=true&{extra}")
    assert answer.status_code == 400 and error_code(answer) == "bad_request"


def test_the_api_wants_a_token_for_for_you(world, app):
    assert Anonymous(app).get("/api/v1/gigs?for_you=true").status_code == 401
