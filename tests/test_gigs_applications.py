"""Applying to gigs: the Apply form (message required, http(s) links only, errors that keep
what was typed), one application per gig and member (a second one, and two at once), not to
one's own, closed or past-deadline gig, withdrawing, "My applications", the poster's
applicants page and status changes, and applicant privacy over every role."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from community.core.errors import Conflict
from community.extensions import db
from community.gigs import applications, services
from community.gigs.models import Gig, GigApplication
from community.notifications.models import Notification
from community.profiles.services import ProfileData, update_profile
from tests.conftest import post_form
from tests.gigs_world import ROLES, XSS, GigsWorld, build_world, post_gig, user
from tests.test_core_patterns import run_at_once


@pytest.fixture
def world(app) -> GigsWorld:
    with app.app_context():
        return build_world()


@pytest.fixture
def as_role(app, login, world):
    clients = {}

    def client(role: str):
        if role not in clients:
            clients[role] = app.test_client() if role == "anonymous" else login(world[role])
            clients[role].get("/")  # the login's flash is shown (and gone) here
        return clients[role]

    return client


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _apply_page(client, gig_id: int, **fields):
    data = {"message": "I would love to help.", "link": "https://example.org/cv", **fields}
    return post_form(client, f"/gigs/{gig_id}/apply", data, form_page=f"/gigs/{gig_id}")


# --- applying ----------------------------------------------------------------------------------


def test_applying_through_the_page_tells_the_poster(app, world, as_role):
    response = _apply_page(as_role("other"), world.gig_id)
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(
            select(GigApplication).where(GigApplication.applicant_id == world["other"].id)
        )
        assert (row.status, row.link) == ("submitted", "https://example.org/cv")
        assert _count(Notification, Notification.user_id == world["poster"].id,
                      Notification.kind == "gig.application") == 2  # fmt: skip
    page = as_role("other").get(f"/gigs/{world.gig_id}").get_data(as_text=True)
    assert "Your application: Submitted" in page and "Send my application" not in page


def test_a_second_application_gets_a_clear_message(app, world, as_role):
    client = as_role("applicant")
    # Its page shows the application, not the form; a forged second POST is refused.
    page = client.get(f"/gigs/{world.gig_id}").get_data(as_text=True)
    assert "Send my application" not in page
    response = _apply_page(client, world.gig_id, message="Again")
    assert response.status_code == 303
    assert "already applied" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert _count(GigApplication, GigApplication.applicant_id == world["applicant"].id) == 1


@pytest.mark.backends("sqlite", "postgresql")
def test_two_applications_at_once_store_one(app, world):
    errors = run_at_once(
        app,
        2,
        lambda n: applications.apply(
            user(world["other"]), db.session.get(Gig, world.gig_id), f"Attempt {n}"
        ),
    )
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    with app.app_context():
        assert _count(GigApplication, GigApplication.applicant_id == world["other"].id) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"message": ""}, "Write a short message to the poster."),
        ({"link": "javascript:alert(1)"}, "starts with https://"),
        ({"link": "ftp://example.org/cv.pdf"}, "starts with https://"),
    ],
)
def test_the_form_shows_errors_and_keeps_what_was_typed(app, world, as_role, fields, message):
    response = _apply_page(as_role("other"), world.gig_id, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    if fields.get("message") != "":
        assert "I would love to help." in html
    with app.app_context():
        assert _count(GigApplication, GigApplication.applicant_id == world["other"].id) == 0


def test_not_to_ones_own_a_closed_or_a_past_deadline_gig(app, world, as_role):
    with app.app_context():
        gig = db.session.get(Gig, world.gig_id)
        with pytest.raises(Conflict, match="your own gig"):
            applications.apply(user(world["poster"]), gig, "Me")
        services.close_gig(user(world["poster"]), gig)
        db.session.commit()
        with pytest.raises(Conflict, match="no longer taking"):
            applications.apply(user(world["other"]), gig, "Me")
        late = post_gig(world["poster"], deadline=date.today() + timedelta(days=1))
        db.session.rollback()
        tomorrow_end = services.deadline_ends_at(late)
        assert applications.why_not_apply(user(world["other"]), late, tomorrow_end) is not None
        assert (
            applications.why_not_apply(
                user(world["other"]), late, tomorrow_end - timedelta(seconds=1)
            )
            is None
        )
    response = _apply_page(as_role("other"), world.gig_id)
    assert response.status_code == 303
    with app.app_context():
        assert _count(GigApplication, GigApplication.applicant_id == world["other"].id) == 0


def test_a_held_gig_cannot_be_applied_to(world, as_role):
    assert _apply_page(as_role("other"), world.pending_id).status_code == 404


# --- withdrawing and My applications -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_applicant_withdraws(app, world, as_role, role):
    client = as_role(role)
    path = f"/gigs/applications/{world.application_id}/withdraw"
    response = post_form(client, path, {}, form_page="/gigs/applications") if role != "anonymous" \
        else client.post(path)  # fmt: skip
    expected = {"applicant": 302, "anonymous": 400}.get(role, 404)
    assert response.status_code == expected
    with app.app_context():
        status = db.session.get(GigApplication, world.application_id).status
        assert status == ("withdrawn" if role == "applicant" else "submitted")


@pytest.mark.parametrize("role", ROLES)
def test_my_applications_shows_only_mine(world, as_role, role):
    response = as_role(role).get("/gigs/applications")
    if role == "anonymous":
        assert response.status_code == 302
        return
    html = response.get_data(as_text=True)
    assert ("Translate our volunteer brochure" in html) == (role == "applicant")


# --- the poster's applicants page ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_the_poster_sees_who_applied(world, as_role, role):
    response = as_role(role).get(f"/gigs/{world.gig_id}/applications")
    expected = {"poster": 200, "anonymous": 302}.get(role, 404)
    assert response.status_code == expected
    html = response.get_data(as_text=True)
    assert ("Abe Applicant" in html) == (role == "poster")
    assert ("I translate for a living." in html) == (role == "poster")
    gig_page = as_role(role).get(f"/gigs/{world.gig_id}").get_data(as_text=True)
    if role not in ("applicant", "poster"):
        assert "Abe Applicant" not in gig_page and "I translate for a living." not in gig_page


@pytest.mark.parametrize("role", ROLES)
def test_only_the_poster_changes_a_status(app, world, as_role, role):
    client = as_role(role)
    path = f"/gigs/applications/{world.application_id}/status"
    data = {"status": "shortlisted"}
    response = post_form(client, path, data, form_page="/gigs/applications") if role != "anonymous" \
        else client.post(path, data=data)  # fmt: skip
    expected = {"poster": 302, "anonymous": 400}.get(role, 404)
    assert response.status_code == expected
    with app.app_context():
        status = db.session.get(GigApplication, world.application_id).status
        assert status == ("shortlisted" if role == "poster" else "submitted")


def test_each_change_tells_the_applicant_and_the_reason_stays_private(app, world, as_role):
    poster = as_role("poster")
    path = f"/gigs/applications/{world.application_id}/status"
    page = f"/gigs/{world.gig_id}/applications"
    for status in ("shortlisted", "accepted"):
        assert post_form(poster, path, {"status": status}, form_page=page).status_code == 302
    post_form(poster, path, {"status": "declined", "reason": "We chose a native speaker."},
              form_page=page)  # fmt: skip
    with app.app_context():
        assert _count(Notification, Notification.user_id == world["applicant"].id,
                      Notification.kind == "gig.status") == 3  # fmt: skip
    mine = as_role("applicant").get("/gigs/applications").get_data(as_text=True)
    assert "Declined" in mine and "We chose a native speaker." in mine
    for role in ("other", "moderator", "admin"):
        html = as_role(role).get(f"/gigs/{world.gig_id}").get_data(as_text=True)
        assert "We chose a native speaker." not in html


def test_profile_links_respect_profile_visibility(app, world, as_role):
    html = as_role("poster").get(f"/gigs/{world.gig_id}/applications").get_data(as_text=True)
    assert f'href="/members/{world["applicant"].id}"' in html or "/profile" in html
    with app.app_context():
        update_profile(user(world["applicant"]), ProfileData(visibility="connections"))
        db.session.commit()
    html = as_role("poster").get(f"/gigs/{world.gig_id}/applications").get_data(as_text=True)
    assert "Abe Applicant" in html
    assert f'/{world["applicant"].id}"' not in html


def test_messages_and_links_come_back_escaped(app, world, as_role):
    _apply_page(as_role("other"), world.gig_id, message=XSS, link="https://example.org/?q=<b>")
    html = as_role("poster").get(f"/gigs/{world.gig_id}/applications").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "<b>" not in html


# --- when the gig stops taking applications -----------------------------------------------------


def _notices(user_id: int, kind: str) -> int:
    return _count(Notification, Notification.user_id == user_id, Notification.kind == kind)


def test_waiting_applications_close_when_the_gig_is_filled_and_each_is_told_once(app, world):
    with app.app_context():
        gig = db.session.get(Gig, world.gig_id)
        shortlisted = applications.apply(user(world["other"]), gig, "Me too.")
        accepted = applications.apply(user(world["admin"]), gig, "And me.")
        db.session.flush()
        applications.set_status(user(world["poster"]), shortlisted, "shortlisted")
        applications.set_status(user(world["poster"]), accepted, "accepted")
        db.session.commit()
        ids = {"submitted": world.application_id, "shortlisted": shortlisted.id,
               "accepted": accepted.id}  # fmt: skip
        services.mark_filled(user(world["poster"]), gig)
        services.mark_filled(user(world["poster"]), db.session.get(Gig, world.gig_id))  # again
        db.session.commit()
        statuses = {k: db.session.get(GigApplication, v).status for k, v in ids.items()}
        assert statuses == {"submitted": "expired", "shortlisted": "expired",
                            "accepted": "accepted"}  # fmt: skip
        assert _notices(world["applicant"].id, "gig.stopped") == 1
        assert _notices(world["other"].id, "gig.stopped") == 1
        assert _notices(world["admin"].id, "gig.stopped") == 0


def test_closing_keeps_the_applications_for_the_poster_to_answer(app, world, as_role):
    with app.app_context():
        services.close_gig(user(world["poster"]), db.session.get(Gig, world.gig_id))
        db.session.commit()
        assert db.session.get(GigApplication, world.application_id).status == "submitted"
        assert _notices(world["applicant"].id, "gig.stopped") == 0
        services.reopen_gig(user(world["poster"]), db.session.get(Gig, world.gig_id))
        services.mark_filled(user(world["poster"]), db.session.get(Gig, world.gig_id))
        db.session.commit()
    html = as_role("applicant").get("/notifications").get_data(as_text=True)
    assert "has been filled, so your application is closed" in html


def test_a_closed_application_can_be_sent_again_once_the_gig_reopens(app, world, as_role):
    with app.app_context():
        gig = db.session.get(Gig, world.gig_id)
        services.mark_filled(user(world["poster"]), gig)
        db.session.commit()
    response = _apply_page(as_role("applicant"), world.gig_id, message="Still keen.")
    assert response.status_code == 303  # filled: refused with a message
    with app.app_context():
        services.reopen_gig(user(world["poster"]), db.session.get(Gig, world.gig_id))
        db.session.commit()
    page = as_role("applicant").get(f"/gigs/{world.gig_id}").get_data(as_text=True)
    assert "Send my application" in page
    assert _apply_page(as_role("applicant"), world.gig_id, message="Still keen.").status_code == 302
    with app.app_context():
        row = db.session.get(GigApplication, world.application_id)
        assert (row.status, row.message) == ("submitted", "Still keen.")
        assert _count(GigApplication, GigApplication.applicant_id == world["applicant"].id) == 1
        with pytest.raises(Conflict):  # a live application is still one per member
            applications.apply(user(world["applicant"]), db.session.get(Gig, world.gig_id), "x")


def test_my_applications_does_not_link_a_gig_held_for_review_again(app, world, as_role):
    link = f'href="/gigs/{world.gig_id}"'
    assert link in as_role("applicant").get("/gigs/applications").get_data(as_text=True)
    with app.app_context():
        gig = db.session.get(Gig, world.gig_id)
        gig.review = "pending"
        db.session.commit()
    html = as_role("applicant").get("/gigs/applications").get_data(as_text=True)
    assert link not in html and "Translate our volunteer brochure" in html
    assert "A moderator is looking at this gig again" in html
