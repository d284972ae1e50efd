"""The matching pages: who may open and use each (every role, every route), and what they
show and do: counts and the run form, a proposal's pairs with parts and reasons, pins and
forbids kept across re-runs, unmatched mentees with why, confirming, and the proposed
mentor's accept and decline (a reason required). Forms POST with CSRF, no JavaScript."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.extensions import db
from community.mentoring import proposals
from community.mentoring.models import Pair, PairStatus, Programme, Proposal, ProposalStatus
from tests.conftest import post_form
from tests.mentoring_match_world import ROLES, apply, build_world, pair, user


@pytest.fixture
def world(app, make_user, coordinator):
    return build_world(app, make_user, coordinator)


def client_as(app, login, world, role):
    ref = world.people[role]
    return app.test_client() if ref is None else login(ref)


def run_once(app, world) -> int:
    with app.app_context():
        proposal = proposals.run_proposal(user(world.people["coordinator"]), world.programme_id)
        db.session.commit()
        return proposal.id


def csrf_page(role: str) -> str:
    return "/auth/login" if role == "anonymous" else "/settings"


COORDINATING = {"coordinator", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_the_matching_page_is_the_coordinators(app, login, world, role):
    client = client_as(app, login, world, role)
    response = client.get(f"/mentoring/{world.programme_id}/matching")
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
    elif role in COORDINATING:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Run matching" in html and "Mentees waiting for a mentor" in html
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_running_matching_is_the_coordinators(app, login, world, role):
    client = client_as(app, login, world, role)
    path = f"/mentoring/{world.programme_id}/matching"
    response = post_form(client, path, {"min_score": "0"}, form_page=csrf_page(role))
    with app.app_context():
        runs = db.session.scalars(select(Proposal)).all()
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
        assert runs == []
    elif role in COORDINATING:
        assert response.status_code == 302
        assert response.location.endswith(f"/mentoring/proposals/{runs[0].id}")
    else:
        assert response.status_code == 403 and runs == []


@pytest.mark.parametrize("role", ROLES)
def test_a_proposal_page_is_the_coordinators(app, login, world, role):
    proposal_id = run_once(app, world)
    client = client_as(app, login, world, role)
    response = client.get(f"/mentoring/proposals/{proposal_id}")
    if role == "anonymous":
        assert response.status_code == 302
    elif role in COORDINATING:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Carl Mentor" in html and "Mona Mentee" in html
        assert "both work in Law" in html
        assert "Confirm and publish 1 pair" in html
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_rerun_and_confirm_are_the_coordinators(app, login, world, role):
    proposal_id = run_once(app, world)
    client = client_as(app, login, world, role)
    rerun = post_form(
        client, f"/mentoring/proposals/{proposal_id}/rerun", {}, form_page=csrf_page(role)
    )
    confirm = post_form(
        client, f"/mentoring/proposals/{proposal_id}/confirm", {}, form_page=csrf_page(role)
    )
    with app.app_context():
        statuses = db.session.scalars(select(Proposal.status).order_by(Proposal.id)).all()
        pairs = db.session.scalars(select(Pair)).all()
    if role == "anonymous":
        assert rerun.status_code == 302 and confirm.status_code == 302
        assert statuses == [ProposalStatus.DRAFT] and pairs == []
    elif role in COORDINATING:
        assert rerun.status_code == 302 and confirm.status_code == 302
        # The re-run replaced the first proposal, so confirming the first is refused.
        assert statuses == [ProposalStatus.SUPERSEDED, ProposalStatus.DRAFT]
        assert pairs == []
    else:
        assert rerun.status_code == 403 and confirm.status_code == 403
        assert statuses == [ProposalStatus.DRAFT] and pairs == []


def test_missing_programmes_and_proposals_are_404(app, login, world):
    client = login(world.people["coordinator"])
    assert client.get("/mentoring/9999/matching").status_code == 404
    assert client.get("/mentoring/proposals/9999").status_code == 404
    response = post_form(client, "/mentoring/proposals/9999/confirm", {}, form_page="/settings")
    assert response.status_code == 404


@pytest.fixture
def waiting_pair(app, world):
    with app.app_context():
        row = pair(
            db.session.get(Programme, world.programme_id),
            world.people["mentor"],
            world.people["mentee"],
            PairStatus.AWAITING_MENTOR,
        )
        return row.id


@pytest.mark.parametrize("role", ROLES)
def test_the_proposed_pair_page_is_the_pairs_own(app, login, world, waiting_pair, role):
    client = client_as(app, login, world, role)
    response = client.get(f"/mentoring/proposed/{waiting_pair}")
    if role == "anonymous":
        assert response.status_code == 302
    elif role in ("mentor", "mentee"):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Why you were matched" in html
        if role == "mentor":
            assert "Your proposed mentee: Mona Mentee" in html
            assert "interviews in Danish firms" in html  # her answers that made the match
            assert "Yes, I will mentor Mona Mentee" in html
        else:
            assert "Your mentor: Carl Mentor" in html and "contract law" in html
            assert "Yes, I will mentor" not in html
    else:
        assert response.status_code == 404  # the coordinator and admins included


@pytest.mark.parametrize("role", ROLES)
def test_only_the_proposed_mentor_accepts(app, login, world, waiting_pair, role):
    client = client_as(app, login, world, role)
    response = post_form(
        client, f"/mentoring/proposed/{waiting_pair}/accept", {}, form_page=csrf_page(role)
    )
    with app.app_context():
        status = db.session.get(Pair, waiting_pair).status
    expected = {"anonymous": 302, "mentor": 302, "mentee": 403}.get(role, 404)
    assert response.status_code == expected
    assert status == (PairStatus.ACTIVE if role == "mentor" else PairStatus.AWAITING_MENTOR)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_proposed_mentor_declines(app, login, world, waiting_pair, role):
    client = client_as(app, login, world, role)
    response = post_form(
        client,
        f"/mentoring/proposed/{waiting_pair}/decline",
        {"reason": "A neighbour of mine."},
        form_page=csrf_page(role),
    )
    with app.app_context():
        status = db.session.get(Pair, waiting_pair).status
    expected = {"anonymous": 302, "mentor": 302, "mentee": 403}.get(role, 404)
    assert response.status_code == expected
    assert status == (PairStatus.DECLINED if role == "mentor" else PairStatus.AWAITING_MENTOR)


def test_declining_needs_a_reason(app, login, world, waiting_pair):
    client = login(world.people["mentor"])
    path = f"/mentoring/proposed/{waiting_pair}"
    response = post_form(client, f"{path}/decline", {"reason": "  "}, form_page=path)
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "Tell the coordinator why" in page
    with app.app_context():
        assert db.session.get(Pair, waiting_pair).status == PairStatus.AWAITING_MENTOR


def test_pin_forbid_rerun_and_confirm_through_the_pages(app, login, world, make_user):
    """The coordinator's whole round: run, pin one pair, forbid another, see the unmatched
    mentee's reason, re-run (pins and forbids kept), confirm."""
    with app.app_context():
        prog = db.session.get(Programme, world.programme_id)
        dora = make_user("dora@example.org", "Dora Mentor")
        nils = make_user("nils@example.org", "Nils Mentee")
        omar = make_user("omar@example.org", "Omar Mentee")
        apply(prog, dora, "mentor", field="health")
        apply(prog, nils, "mentee", field="health")
        apply(prog, omar, "mentee", field="law", languages=("ar",))
    carl, mona = world.people["mentor"], world.people["mentee"]
    client = login(world.people["coordinator"])
    start = f"/mentoring/{world.programme_id}/matching"
    response = post_form(client, start, {"min_score": "0"})
    proposal_path = response.location
    html = client.get(proposal_path).get_data(as_text=True)
    assert "Omar Mentee</a></strong>: No mentor shares a language with them." in html
    assert html.count('type="hidden" name="pin"') == 2 and html.count('name="forbid"') == 2
    first_id = int(proposal_path.rsplit("/", 1)[1])

    pinned = post_form(
        client,
        f"/mentoring/proposals/{first_id}/rerun",
        {"min_score": "0", "pin": f"{dora.id}-{mona.id}"},
        form_page=proposal_path,
    )
    second = pinned.location
    html = client.get(second).get_data(as_text=True)
    assert "pinned" in html and 'name="unpin"' in html
    second_id = int(second.rsplit("/", 1)[1])
    forbidden = post_form(
        client,
        f"/mentoring/proposals/{second_id}/rerun",
        {"min_score": "0", "forbid": f"{carl.id}-{nils.id}"},
        form_page=second,
    )
    third = forbidden.location
    third_id = int(third.rsplit("/", 1)[1])
    with app.app_context():
        latest = db.session.get(Proposal, third_id)
        assert latest.pins == [[dora.id, mona.id]]
        assert latest.forbids == [[carl.id, nils.id]]
        assert {(p.mentor_id, p.mentee_id) for p in latest.pairs} == {(dora.id, mona.id)}
        reasons = {u["mentee_id"]: u["reason"] for u in latest.unmatched}
        assert "full" in reasons[nils.id]  # Dora (pinned to Mona) was Nils's only other mentor
    html = client.get(third).get_data(as_text=True)
    assert "Allow again" in html and "Unpin" in html
    assert re.search(r"Lowest pair fit</dt><dd>\d+</dd>", html)

    refused = post_form(
        client,
        f"/mentoring/proposals/{third_id}/rerun",
        {"min_score": "0", "pin": f"{dora.id}-{omar.id}"},
        form_page=third,
    )
    assert refused.location.endswith(third)  # stays; says why
    assert "share no language" in client.get(third).get_data(as_text=True)

    done = post_form(client, f"/mentoring/proposals/{third_id}/confirm", {}, form_page=third)
    assert done.status_code == 302
    page = client.get(third).get_data(as_text=True)
    assert (
        "1 pair is published and both sides are told." in page and "Confirm and publish" not in page
    )
    with app.app_context():
        assert db.session.scalars(select(Pair.mentee_id)).all() == [mona.id]


def test_a_bad_minimum_fit_is_explained(app, login, world):
    client = login(world.people["coordinator"])
    start = f"/mentoring/{world.programme_id}/matching"
    response = post_form(client, start, {"min_score": "250"})
    assert response.location.endswith(start)
    assert "from 0 to 100" in client.get(start).get_data(as_text=True)


def test_the_proposal_page_takes_as_many_statements_for_many_pairs(
    app, login, world, make_user, count_queries
):
    """Names come in one query and pairs with the proposal: no statement per pair."""
    client = login(world.people["coordinator"])

    def statements(extra: int) -> int:
        with app.app_context():
            prog = db.session.get(Programme, world.programme_id)
            for _n in range(extra):
                apply(prog, make_user(), "mentor", field="law")
                apply(prog, make_user(), "mentee", field="law")
        proposal_id = run_once(app, world)
        client.get(f"/mentoring/proposals/{proposal_id}")  # warm: the same caches each time
        with count_queries() as counter:
            assert client.get(f"/mentoring/proposals/{proposal_id}").status_code == 200
        return counter.count

    assert statements(1) == statements(6)


def test_the_proposed_pair_page_never_shows_the_other_sides_avoid_list(
    app, login, world, waiting_pair
):
    from community.mentoring.models import ApplicationAvoid, MentoringApplication

    with app.app_context():
        application = db.session.scalar(
            select(MentoringApplication).where(
                MentoringApplication.user_id == world.people["mentee"].id
            )
        )
        db.session.add(
            ApplicationAvoid(
                application_id=application.id, avoided_user_id=world.people["other"].id
            )
        )
        db.session.commit()
    html = login(world.people["mentor"]).get(f"/mentoring/proposed/{waiting_pair}")
    html = html.get_data(as_text=True)
    assert "interviews in Danish firms" in html  # her answers are there
    assert "Otto Other" not in html  # the person she must not be paired with is not
