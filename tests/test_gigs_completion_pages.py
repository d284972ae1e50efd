"""Completing a gig on the pages: the poster's "Mark completed", feedback between the poster
and the member they accepted (hidden from the other until both wrote), the poster's
reference, and the member's choice to show it on their profile as verified work. Every
route over every role; refusals keep what was typed (422); text comes back escaped."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.gigs import applications
from community.gigs.models import Gig, GigApplication
from community.notifications.models import Notification
from tests.gigs_world import ROLES, XSS, GigsWorld, build_world, user


@pytest.fixture
def world(app) -> GigsWorld:
    """The gig world with Abe (`applicant`) accepted for Pia's (`poster`) gig."""
    with app.app_context():
        world = build_world()
        application = db.session.get(GigApplication, world.application_id)
        applications.set_status(user(world["poster"]), application, "accepted")
        db.session.commit()
        return world


def completed(app, world) -> None:
    from community.gigs import completion

    with app.app_context():
        completion.complete(user(world["poster"]), db.session.get(Gig, world.gig_id))
        db.session.commit()


def notices(app, ref, kind: str) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(Notification.id).where(
                    Notification.user_id == ref.id, Notification.kind == kind
                )
            ).all()
        )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_poster_marks_a_gig_completed(world, login, app, role):
    path = f"/gigs/{world.gig_id}/complete"
    if role == "anonymous":
        response = app.test_client().post(path)
        assert response.status_code in (302, 400)
        return
    client = login(world[role])
    token = client.get(f"/gigs/{world.gig_id}").get_data(as_text=True)
    from tests.conftest import CSRF_RE

    response = client.post(path, data={"csrf_token": CSRF_RE.search(token).group(1)})
    with app.app_context():
        status = db.session.get(Gig, world.gig_id).status
    if role == "poster":
        assert response.status_code == 302 and status == "completed"
        assert notices(app, world["applicant"], "gig.completed") == 1
    else:
        assert response.status_code == 403 and status == "open"


def test_the_poster_sees_the_button_only_with_someone_accepted(world, login):
    html = login(world["poster"]).get(f"/gigs/{world.gig_id}").get_data(as_text=True)
    assert "Mark completed" in html
    assert "Mark completed" not in login(world["applicant"]).get(f"/gigs/{world.gig_id}").get_data(
        as_text=True
    )


def test_feedback_shows_to_the_other_side_once_both_have_written(world, login, app):
    completed(app, world)
    pia, abe = login(world["poster"]), login(world["applicant"])
    page = f"/gigs/{world.gig_id}"
    abe_id, pia_id = world["applicant"].id, world["poster"].id
    response = post(pia, page, f"/gigs/{world.gig_id}/feedback/{abe_id}",
                    {f"fb{abe_id}-rating": "5", f"fb{abe_id}-comment": "Careful and quick"})  # fmt: skip
    assert response.status_code == 302
    html = abe.get(page).get_data(as_text=True)
    assert "They have written their feedback" in html and "Careful and quick" not in html
    response = post(abe, page, f"/gigs/{world.gig_id}/feedback/{pia_id}",
                    {f"fb{pia_id}-rating": "4", f"fb{pia_id}-comment": XSS})  # fmt: skip
    assert response.status_code == 302
    html = abe.get(page).get_data(as_text=True)
    assert "Their feedback: 5 of 5" in html and "Careful and quick" in html
    html = pia.get(page).get_data(as_text=True)
    assert "Their feedback: 4 of 5" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("role", ["other", "moderator", "organiser", "admin"])
def test_nobody_else_gives_or_reads_feedback(world, login, app, role):
    completed(app, world)
    client = login(world[role])
    page = f"/gigs/{world.gig_id}"
    assert "How it went" not in client.get(page).get_data(as_text=True)
    pia_id = world["poster"].id
    response = post(client, page, f"/gigs/{world.gig_id}/feedback/{pia_id}",
                    {f"fb{pia_id}-rating": "1", f"fb{pia_id}-comment": "Bad"})  # fmt: skip
    assert response.status_code == 404


def test_a_missing_rating_keeps_the_comment(world, login, app):
    completed(app, world)
    client = login(world["poster"])
    abe_id = world["applicant"].id
    response = post(client, f"/gigs/{world.gig_id}", f"/gigs/{world.gig_id}/feedback/{abe_id}",
                    {f"fb{abe_id}-comment": "Kept as typed"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a rating from 1 to 5." in html and "Kept as typed" in html


def test_the_reference_reaches_the_profile_when_the_member_chooses(world, login, app):
    completed(app, world)
    pia, abe = login(world["poster"]), login(world["applicant"])
    page = f"/gigs/{world.gig_id}"
    abe_id = world["applicant"].id
    response = post(pia, page, f"/gigs/{world.gig_id}/references/{abe_id}",
                    {f"ref{abe_id}-hours": "12", f"ref{abe_id}-skills_used": "Danish, layout",
                     f"ref{abe_id}-statement": f"Translated the brochure. {XSS}"})  # fmt: skip
    assert response.status_code == 302
    assert notices(app, world["applicant"], "gig.reference") == 1
    profile = f"/members/{abe_id}"
    assert "Verified work" not in login(world["other"]).get(profile).get_data(as_text=True)
    html = abe.get(page).get_data(as_text=True)
    assert "Your reference" in html and "Translated the brochure." in html
    refused = post(abe, page, f"/gigs/{world.gig_id}/reference",
                   {"shown": "y", "sample_link": "javascript:alert(1)", "sample_note": "Kept"})  # fmt: skip
    assert refused.status_code == 422
    assert "starting with https://" in refused.get_data(as_text=True)
    response = post(abe, page, f"/gigs/{world.gig_id}/reference",
                    {"shown": "y", "sample_link": "https://example.org/brochure.pdf",
                     "sample_note": "The brochure"})  # fmt: skip
    assert response.status_code == 302
    html = login(world["other"]).get(profile).get_data(as_text=True)
    assert "Verified work" in html and "Translated the brochure." in html
    assert 'href="https://example.org/brochure.pdf"' in html and "12 hours" in html
    assert "<script>alert" not in html


@pytest.mark.parametrize("role", ["applicant", "other", "moderator"])
def test_only_the_poster_writes_references(world, login, app, role):
    completed(app, world)
    client = login(world[role])
    abe_id = world["applicant"].id
    response = post(client, f"/gigs/{world.gig_id}", f"/gigs/{world.gig_id}/references/{abe_id}",
                    {f"ref{abe_id}-statement": "Great"})  # fmt: skip
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["poster", "other", "moderator"])
def test_only_the_member_shows_their_reference(world, login, app, role):
    completed(app, world)
    from community.gigs import completion

    with app.app_context():
        completion.write_reference(user(world["poster"]), db.session.get(Gig, world.gig_id),
                                   world["applicant"].id, hours=None, skills_used="",
                                   statement="Good work")  # fmt: skip
        db.session.commit()
    client = login(world[role])
    response = post(client, f"/gigs/{world.gig_id}", f"/gigs/{world.gig_id}/reference",
                    {"shown": "y"})  # fmt: skip
    assert response.status_code == 404


def post(client, page: str, path: str, data: dict):
    """POST `data` to `path` with the CSRF token of the gig page."""
    from tests.conftest import CSRF_RE

    token = CSRF_RE.search(client.get(page).get_data(as_text=True)).group(1)
    return client.post(path, data={**data, "csrf_token": token})
