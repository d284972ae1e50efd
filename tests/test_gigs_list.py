"""The list of gigs: approved open gigs only, newest first, every filter (a GET form that works
without JavaScript), keyset pages, the navigation link and a query count that does not grow
with the page."""

from __future__ import annotations

import re

import pytest

from community.extensions import db
from community.gigs import services
from community.gigs.models import Gig
from tests.gigs_world import ROLES, GigsWorld, build_world, post_gig, user


@pytest.fixture
def world(app) -> GigsWorld:
    with app.app_context():
        return build_world()


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="post-card__title"><a href="/gigs/\d+">([^<]+)</a>', html)


@pytest.mark.parametrize("role", ROLES)
def test_the_list_by_role(world, login, app, role):
    client = app.test_client() if role == "anonymous" else login(world[role])
    response = client.get("/gigs")
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
        return
    html = response.get_data(as_text=True)
    assert titles(html) == ["Translate our volunteer brochure"]
    assert 'href="/gigs"' in html and ">Gigs<" in html  # in the main navigation


@pytest.fixture
def spread(app, world):
    """Gigs of every kind, place, "who" and pay, by the poster (all approved)."""
    with app.app_context():
        p = world["poster"]
        post_gig(
            p,
            title="Remote copywriting",
            kind="remote",
            remote=True,
            city=None,
            who_can_take="remote_abroad",
            engagement="invoice",
            compensation_amount=300,
            currency="EUR",
            compensation_period="project",
            skills=["Copywriting"],
            languages=["en"],
            overlap_hours=2,
            countries=["DE"],
        )
        post_gig(
            p,
            title="Cafe shifts in Zurich",
            kind="paid_local",
            city="zurich",
            who_can_take="right_to_work",
            engagement="employee",
            compensation_amount=28,
            currency="CHF",
            compensation_period="hour",
            skills=["Cooking"],
            languages=["de"],
        )
        post_gig(
            p,
            title="Museum internship",
            kind="internship",
            city="amsterdam",
            who_can_take="right_to_work",
            engagement="employee",
            skills=["Curating"],
            languages=["nl"],
        )
        closed = post_gig(p, title="Closed one", kind="freelance")
        services.close_gig(user(p), closed)
        db.session.commit()
    return world


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Museum internship", "Cafe shifts in Zurich", "Remote copywriting",
              "Translate our volunteer brochure"]),
        ("kind=remote", ["Remote copywriting"]),
        ("kind=internship", ["Museum internship"]),
        ("skill=copywriting", ["Remote copywriting"]),
        ("skill=Danish", ["Translate our volunteer brochure"]),
        ("language=de", ["Cafe shifts in Zurich"]),
        ("place=remote", ["Remote copywriting"]),
        ("place=copenhagen", ["Translate our volunteer brochure"]),
        ("who=right_to_work", ["Museum internship", "Cafe shifts in Zurich"]),
        ("who=unpaid_nonprofit", ["Translate our volunteer brochure"]),
        ("pay=paid", ["Cafe shifts in Zurich", "Remote copywriting"]),
        ("pay=voluntary", ["Museum internship", "Translate our volunteer brochure"]),
        ("kind=nonsense", ["Museum internship", "Cafe shifts in Zurich", "Remote copywriting",
                           "Translate our volunteer brochure"]),
    ],
)  # fmt: skip
def test_filters(spread, login, query, expected):
    html = login(spread["other"]).get(f"/gigs?{query}").get_data(as_text=True)
    assert titles(html) == expected
    assert "Closed one" not in html and "Data entry" not in html


def test_pages_follow_the_cursor(app, world, login):
    with app.app_context():
        for n in range(25):
            post_gig(world["poster"], title=f"Gig number {n:02d}")
    client = login(world["other"])
    first = client.get("/gigs").get_data(as_text=True)
    assert len(titles(first)) == 20 and titles(first)[0] == "Gig number 24"
    older = re.search(r'href="([^"]+)" rel="next"|rel="next" href="([^"]+)"', first)
    link = (older.group(1) or older.group(2)).replace("&amp;", "&")
    second = client.get(link).get_data(as_text=True)
    assert titles(second)[-1] == "Translate our volunteer brochure" and len(titles(second)) == 6


def _fill(app, world, count: int) -> None:
    with app.app_context():
        have = db.session.query(Gig).count()
        for n in range(count - have):
            post_gig(world["poster"], title=f"Filler {n}", skills=[f"Skill {n}", "Shared"],
                     languages=["en", "da"], remote=True, city=None, countries=["DE", "NL"])  # fmt: skip


def test_the_query_count_does_not_grow_with_the_page(app, world, login, count_queries):
    client = login(world["other"])
    client.get("/gigs")
    counts = {}
    for total in (10, 50):
        _fill(app, world, total + 1)  # + the held one, not listed
        with count_queries() as counter:
            response = client.get("/gigs")
        assert response.status_code == 200
        counts[total] = counter.count
    assert counts[10] == counts[50], counts
    assert counts[50] <= 12, counts


def test_the_language_filter_offers_the_languages_gigs_use(world, login):
    client = login(world["other"])
    html = client.get("/gigs").get_data(as_text=True)
    assert '<option value="da">' in html and '<option value="am">' not in html
    asked = client.get("/gigs?language=am").get_data(as_text=True)
    assert '<option selected value="am">' in asked and titles(asked) == []


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_moderators_find_the_review_list_from_the_gigs(world, login, role):
    html = login(world[role]).get("/gigs").get_data(as_text=True)
    moderates = role in ("moderator", "admin")
    assert ('href="/moderation/gigs"' in html) == moderates
    if moderates:
        assert "1 gig waits for review" in html
