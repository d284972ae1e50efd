"""Applying to a mentoring programme: the apply form with every field (languages from the
profile, tags, the programme's questions for the role, people to avoid by profile link or by
name), validation that keeps what was typed, one application per programme and member (a
second one, and two at once on both databases), editing until the end of the deadline day in
the programme's time zone (a fixed clock), withdrawing with a reason, the coordinator's list
and accept / decline (audited, the applicant told), the avoid list never shown to the person
named, and escaped text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from community.audit.models import AuditEntry
from community.core.errors import Conflict, Invalid
from community.extensions import db
from community.mentoring import applications, programmes
from community.mentoring.models import (
    ApplicationAvoid,
    MentoringApplication,
    Programme,
)
from community.notifications.models import Notification
from community.profiles.services import ProfileData, update_profile
from tests.conftest import post_form
from tests.mentoring_prog_world import (
    MANAGERS,
    ROLES,
    XSS,
    ProgWorld,
    application_data,
    build_world,
    user,
)
from tests.test_core_patterns import run_at_once


@pytest.fixture
def world(app) -> ProgWorld:
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


def apply_fields(world: ProgWorld, **changes) -> dict:
    data = {
        "role": "mentor",
        "field": "business",
        "education_level": "master",
        "experience_years": "15",
        "qualifications": "Partner at a consultancy; 15 years in strategy.",
        "languages": ["en", "da"],
        "industries": "Consulting, Logistics",
        "interests": "Sailing",
        "goals": "",
        "offer": "I am a consultant and know who hires here.",
        "prefers_field": "same",
        "prefers_language": "da",
        "wishes": "Someone ambitious.",
        "availability": "Tuesday evenings",
        "capacity": "2",
        f"answer_{world.mentor_question_id}": "Six years.",
        "avoid_links": "",
        "avoid_search": "",
    }
    data.update(changes)
    return data


def _apply(client, world: ProgWorld, **changes):
    path = f"/mentoring/{world.programme_id}/apply"
    return post_form(client, path, apply_fields(world, **changes), form_page=path)


def _set_deadline(app, world: ProgWorld, days: int) -> None:
    with app.app_context():
        db.session.execute(
            update(Programme)
            .where(Programme.id == world.programme_id)
            .values(application_deadline=date.today() + timedelta(days=days))
        )
        db.session.commit()


# --- applying --------------------------------------------------------------------------------


def test_applying_through_the_page_stores_every_field(app, world, as_role):
    response = _apply(
        as_role("member"),
        world,
        avoid_links=f"https://alongside.example/members/{world['avoided'].id}",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(
            select(MentoringApplication).where(MentoringApplication.user_id == world["member"].id)
        )
        assert (row.role, row.status, row.field, row.capacity) == (
            "mentor",
            "submitted",
            "business",
            2,
        )
        assert (row.education_level, row.experience_years) == ("master", 15)
        assert [lang.code for lang in row.languages] == ["en", "da"]
        assert sorted((t.kind, t.tag.label) for t in row.tags) == [
            ("industry", "Consulting"), ("industry", "Logistics"), ("interest", "Sailing")
        ]  # fmt: skip
        assert (row.prefers_field, row.prefers_language) == ("same", "da")
        assert row.offer.startswith("I am a consultant") and row.availability == "Tuesday evenings"
        assert [a.avoided_user_id for a in row.avoids] == [world["avoided"].id]
        assert [(a.question_id, a.text) for a in row.answers] == [
            (world.mentor_question_id, "Six years.")
        ]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_and_send_the_apply_form(app, world, as_role, role):
    client = as_role(role)
    path = f"/mentoring/{world.programme_id}/apply"
    page = client.get(path)
    form_page = "/auth/login" if role == "anonymous" else "/mentoring"
    response = post_form(client, path, apply_fields(world), form_page=form_page)
    with app.app_context():
        stored = _count(
            MentoringApplication, MentoringApplication.programme_id == world.programme_id
        )
    if role == "anonymous":
        assert page.status_code == 302 and "/login" in page.headers["Location"]
        assert stored == 1
    elif role == "coordinator":  # coordinates it: never applies to it
        assert page.status_code == 302 and response.status_code == 303 and stored == 1
    else:
        assert page.status_code == 200 and response.status_code == 302
        assert stored == (1 if role == "applicant" else 2)  # the applicant edits theirs


def test_the_form_starts_from_the_profile(app, world, as_role):
    with app.app_context():
        update_profile(
            user(world["member"]),
            ProfileData(
                languages=[("pt", "native"), ("en", "fluent")],
                professional_field="engineering",
            ),
        )
        db.session.commit()
    html = as_role("member").get(f"/mentoring/{world.programme_id}/apply").get_data(as_text=True)
    assert '<option selected value="pt">' in html and '<option selected value="en">' in html
    assert '<option selected value="engineering">' in html
    # Only the questions of the programme show, each saying whom it is for.
    assert "Which companies would you like to work for?" in html and "Mentees only" in html


def test_a_mentees_capacity_is_not_kept_and_a_mentor_gets_the_default(app, world, as_role):
    assert _apply(as_role("member"), world, capacity="").status_code == 302
    with app.app_context():
        row = db.session.scalar(
            select(MentoringApplication).where(MentoringApplication.user_id == world["member"].id)
        )
        assert row.capacity == 2  # the programme's default
        applicant = db.session.get(MentoringApplication, world.application_id)
        assert applicant.role == "mentee" and applicant.capacity is None


def test_a_mentor_with_capacity_zero_is_paused_not_refused(app, world, as_role):
    assert _apply(as_role("member"), world, capacity="0").status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                select(MentoringApplication.capacity).where(
                    MentoringApplication.user_id == world["member"].id
                )
            )
            == 0
        )


def test_answers_only_for_the_role_are_kept(app, world):
    with app.app_context():
        row = applications.apply(
            user(world["member"]),
            db.session.get(Programme, world.programme_id),
            application_data(answers={world.mentor_question_id: "Not asked of mentees"}),
        )
        assert row.answers == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"languages": []}, "Choose at least one language you can meet in."),
        ({"capacity": "11"}, "Give a number from 0 to 10."),
        ({"capacity": "-1"}, "Give a number from 0 to 10."),
        ({"field": "astrology"}, "Not a valid choice"),
        ({"field": ""}, "Choose a field from the list."),
        ({"role": ""}, "Choose mentor or mentee."),
        ({"experience_years": "99"}, "from 0 to 60"),
        ({"avoid_links": "https://example.org/not-a-profile"}, "is not the link of a member"),
        ({"avoid_links": "/members/999999"}, "could not find one of the members"),
    ],
)
def test_the_form_shows_errors_and_keeps_what_was_typed(app, world, as_role, changes, message):
    response = _apply(as_role("member"), world, **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Partner at a consultancy" in html and "Someone ambitious." in html
    assert "Six years." in html
    with app.app_context():
        assert _count(MentoringApplication, MentoringApplication.user_id == world["member"].id) == 0


def test_one_cannot_avoid_oneself(app, world):
    with app.app_context():
        with pytest.raises(Invalid) as refused:
            applications.apply(
                user(world["member"]),
                db.session.get(Programme, world.programme_id),
                application_data(avoid_user_ids=[world["member"].id]),
            )
        assert refused.value.field == "avoid"


def test_people_to_avoid_are_found_by_name_without_saving(app, world, as_role):
    client = as_role("member")
    path = f"/mentoring/{world.programme_id}/apply"
    response = post_form(client, path, {**apply_fields(world), "avoid_search": "Vic", "find": "1"},
                         form_page=path)  # fmt: skip
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'value="{world["avoided"].id}"' in html and "Vic Avoided" in html
    assert "Partner at a consultancy" in html  # what was typed stays
    with app.app_context():
        assert _count(MentoringApplication, MentoringApplication.user_id == world["member"].id) == 0
    # Ticking the one found and sending stores it.
    response = _apply(client, world, avoid_ids=[str(world["avoided"].id)])
    assert response.status_code == 302
    with app.app_context():
        assert (
            _count(ApplicationAvoid, ApplicationAvoid.avoided_user_id == world["avoided"].id) == 2
        )


# --- one application per programme and member ----------------------------------------------


def test_a_second_application_gets_a_clear_message(app, world, as_role):
    with app.app_context():
        with pytest.raises(Conflict, match="already applied"):
            applications.apply(
                user(world["applicant"]),
                db.session.get(Programme, world.programme_id),
                application_data(),
            )
        db.session.rollback()
    # The page edits the one application instead of adding another.
    response = _apply(as_role("applicant"), world)
    assert response.status_code == 302
    with app.app_context():
        assert (
            _count(MentoringApplication, MentoringApplication.user_id == world["applicant"].id) == 1
        )
        assert db.session.get(MentoringApplication, world.application_id).role == "mentor"


@pytest.mark.backends("sqlite", "postgresql")
def test_two_applications_at_once_store_one(app, world):
    errors = run_at_once(
        app,
        2,
        lambda n: applications.apply(
            user(world["member"]),
            db.session.get(Programme, world.programme_id),
            application_data(wishes=f"Attempt {n}"),
        ),
    )
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    with app.app_context():
        assert _count(MentoringApplication, MentoringApplication.user_id == world["member"].id) == 1


@pytest.mark.backends("sqlite", "postgresql")
def test_two_forms_sent_at_once_through_the_app_store_one(app, world, login):
    """The same member sends the apply form from two devices at the same moment: one
    application is stored, the other request is told it already exists."""
    import threading

    from tests.conftest import csrf_token

    path = f"/mentoring/{world.programme_id}/apply"
    clients = [login(world["member"]) for _ in range(2)]
    tokens = [csrf_token(client, path) for client in clients]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(index: int) -> None:
        data = {**apply_fields(world), "csrf_token": tokens[index]}
        barrier.wait(timeout=10)
        statuses.append(clients[index].post(path, data=data).status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # The loser either saw the winner's row (it edits it: 302) or lost the insert (303).
    assert sorted(statuses) in ([302, 302], [302, 303]), statuses
    with app.app_context():
        assert _count(MentoringApplication, MentoringApplication.user_id == world["member"].id) == 1


# --- the deadline ----------------------------------------------------------------------------


def test_edits_end_with_the_deadline_day_in_the_programmes_time_zone(app, world):
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        deadline = programme.application_deadline
        # Copenhagen is UTC+1 in winter, UTC+2 in summer: the day ends at 22:00 or 23:00 UTC.
        ends = programmes.deadline_ends_at(programme)
        assert ends.astimezone(UTC).date() == deadline
        just_before = ends.astimezone(UTC) - timedelta(seconds=1)
        after = ends.astimezone(UTC)
        assert datetime.combine(deadline, datetime.min.time(), UTC) + timedelta(hours=21) < after
        mine = db.session.get(MentoringApplication, world.application_id)
        applications.update_application(
            user(world["applicant"]), mine, applications.ApplicationData(wishes="Changed"),
            now=just_before,
        )  # fmt: skip
        with pytest.raises(Conflict, match="deadline"):
            applications.update_application(
                user(world["applicant"]), mine, applications.ApplicationData(wishes="Late"),
                now=after,
            )  # fmt: skip
        db.session.rollback()
        with pytest.raises(Conflict, match="deadline"):
            applications.apply(user(world["member"]), programme, application_data(), now=after)


def test_after_the_deadline_the_application_is_read_only(app, world, as_role):
    _set_deadline(app, world, -1)
    client = as_role("applicant")
    page = client.get(f"/mentoring/{world.programme_id}/apply")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "can no longer be changed" in html
    assert "Send my application" not in html and "Save my changes" not in html
    assert "Maersk or Novo Nordisk." in html
    path = f"/mentoring/{world.programme_id}/apply"
    response = post_form(
        client, path, apply_fields(world), form_page=f"/mentoring/{world.programme_id}"
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(MentoringApplication, world.application_id).role == "mentee"
    # A member who never applied is sent back to the programme.
    assert as_role("member").get(path).status_code == 302


# --- withdrawing -----------------------------------------------------------------------------


def test_withdraw_needs_a_reason_and_works_after_the_deadline(app, world, as_role):
    _set_deadline(app, world, -1)
    client = as_role("applicant")
    path = f"/mentoring/{world.programme_id}/withdraw"
    page = f"/mentoring/{world.programme_id}"
    refused = post_form(client, path, {"reason": ""}, form_page=page)
    assert refused.status_code == 422 and "why you withdraw" in refused.get_data(as_text=True)
    response = post_form(client, path, {"reason": "I found a job"}, form_page=page)
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(MentoringApplication, world.application_id)
        assert (row.status, row.withdraw_reason) == ("withdrawn", "I found a job")
    assert "I found a job" in client.get(page).get_data(as_text=True)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "applicant"])
def test_only_the_applicant_withdraws(app, world, as_role, role):
    client = as_role(role)
    form_page = "/auth/login" if role == "anonymous" else "/mentoring"
    response = post_form(client, f"/mentoring/{world.programme_id}/withdraw",
                         {"reason": "x"}, form_page=form_page)  # fmt: skip
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 404
    with app.app_context():
        assert db.session.get(MentoringApplication, world.application_id).status == "submitted"


# --- the coordinator -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_see_the_applications_page(world, as_role, role):
    response = as_role(role).get(f"/mentoring/{world.programme_id}/applications")
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif role in MANAGERS:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Ana Applicant" in html and "Maersk or Novo Nordisk." in html
        assert "Vic Avoided" in html  # the avoid list, for the coordinator
    else:
        assert response.status_code == 403
        assert "Ana Applicant" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_accept_or_decline(app, world, as_role, role):
    client = as_role(role)
    path = f"/mentoring/{world.programme_id}/applications/{world.application_id}/decide"
    form_page = "/auth/login" if role == "anonymous" else "/mentoring"
    response = post_form(client, path, {"status": "accepted"}, form_page=form_page)
    with app.app_context():
        status = db.session.get(MentoringApplication, world.application_id).status
    if role in MANAGERS:
        assert response.status_code == 302 and status == "accepted"
    else:
        assert response.status_code in ((302, 400) if role == "anonymous" else (403,))
        assert status == "submitted"


@pytest.mark.backends("sqlite", "postgresql")
def test_deciding_is_audited_and_the_applicant_told(app, world, as_role):
    client = as_role("coordinator")
    path = f"/mentoring/{world.programme_id}/applications/{world.application_id}/decide"
    page = f"/mentoring/{world.programme_id}/applications"
    assert post_form(client, path, {"status": "accepted"}, form_page=page).status_code == 302
    assert post_form(client, path, {"status": "declined"}, form_page=page).status_code == 302
    assert post_form(client, path, {"status": "nonsense"}, form_page=page).status_code == 302
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.target_type == "mentoring_programme",
                AuditEntry.target_id == world.programme_id,
            )
            .order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == [
            "mentoring.application.accepted", "mentoring.application.declined"
        ]  # fmt: skip
        assert entries[0].actor_id == world["coordinator"].id
        assert entries[0].subject_id == world["applicant"].id
        assert entries[0].detail["application_id"] == world.application_id
        notes = db.session.scalars(
            select(Notification)
            .where(Notification.user_id == world["applicant"].id)
            .order_by(Notification.id)
        ).all()
        assert [n.kind for n in notes] == ["mentoring.application_decided"] * 2
        assert [n.data["status"] for n in notes] == ["accepted", "declined"]
    notifications = as_role("applicant").get("/notifications").get_data(as_text=True)
    # The welcome is moot once the coordinator declined: only the decline shows.
    assert "could not take your application" in notifications
    assert "accepted your application" not in notifications


def test_once_decided_the_role_stays(app, world, as_role):
    with app.app_context():
        row = db.session.get(MentoringApplication, world.application_id)
        applications.decide(user(world["coordinator"]), row, "accepted")
        db.session.commit()
    response = _apply(as_role("applicant"), world)  # as mentor
    assert response.status_code == 422
    assert "ask them to change your role" in response.get_data(as_text=True)
    assert _apply(as_role("applicant"), world, role="mentee").status_code == 302
    with app.app_context():
        assert db.session.get(MentoringApplication, world.application_id).role == "mentee"


def test_a_withdrawn_application_cannot_be_accepted(app, world):
    with app.app_context():
        row = db.session.get(MentoringApplication, world.application_id)
        applications.withdraw(user(world["applicant"]), row, "Moving away")
        db.session.commit()
        with pytest.raises(Conflict):
            applications.decide(user(world["coordinator"]), row, "accepted")


def test_the_applications_page_takes_a_bounded_number_of_queries(
    app, world, as_role, count_queries
):
    client = as_role("coordinator")
    path = f"/mentoring/{world.programme_id}/applications"
    client.get(path)
    with count_queries() as few:
        client.get(path)
    with app.app_context():
        from tests.factories import make_user

        programme = db.session.get(Programme, world.programme_id)
        for n in range(8):
            ref = make_user(f"cohort{n}@example.org", f"Cohort {n}")
            applications.apply(
                user(ref), programme,
                application_data(role="mentor" if n % 2 else "mentee",
                                 avoid_user_ids=[world["avoided"].id],
                                 answers={world.mentee_question_id: f"Answer {n}"}),
            )  # fmt: skip
        db.session.commit()
    with count_queries() as many:
        html = client.get(path).get_data(as_text=True)
    assert "Answer 6" in html and "Answer 7" not in html  # mentors are not asked
    assert many.count == few.count


# --- privacy of the avoid list ---------------------------------------------------------------


def test_the_avoid_list_is_never_shown_to_the_person_named(app, world, as_role):
    seen_by_applicant = as_role("applicant").get(f"/mentoring/{world.programme_id}/apply")
    assert "Vic Avoided" in seen_by_applicant.get_data(as_text=True)
    client = as_role("avoided")
    for path in (
        "/mentoring",
        f"/mentoring/{world.programme_id}",
        f"/mentoring/{world.programme_id}/apply",
        f"/mentoring/{world.programme_id}/applications",
        "/notifications",
    ):
        html = client.get(path).get_data(as_text=True)
        assert "Ana Applicant" not in html, path


# --- escaping --------------------------------------------------------------------------------


def test_what_applicants_write_comes_back_escaped(app, world, as_role):
    response = _apply(
        as_role("member"),
        world,
        qualifications=XSS,
        offer=XSS,
        wishes=XSS,
        availability=XSS[:150],
        industries="<b>bold</b>",
        **{f"answer_{world.mentor_question_id}": XSS},
    )
    assert response.status_code == 302
    with app.app_context():  # a mentee's goals too
        row = db.session.get(MentoringApplication, world.application_id)
        applications.update_application(
            user(world["applicant"]), row, applications.ApplicationData(goals=XSS)
        )
        db.session.commit()
    assert "&lt;script&gt;" in as_role("applicant").get(
        f"/mentoring/{world.programme_id}/apply"
    ).get_data(as_text=True)
    for role, path in (
        ("member", f"/mentoring/{world.programme_id}/apply"),
        ("coordinator", f"/mentoring/{world.programme_id}/applications"),
    ):
        html = as_role(role).get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
        assert "&lt;script&gt;" in html


def test_a_hidden_profile_named_by_link_keeps_its_name_hidden(app, world, as_role):
    """Naming someone by a profile link works even when their profile is hidden from the
    applicant, but the apply page does not reveal their name."""
    with app.app_context():
        update_profile(user(world["avoided"]), ProfileData(visibility="connections"))
        db.session.commit()
    response = _apply(as_role("member"), world, avoid_links=f"/members/{world['avoided'].id}")
    assert response.status_code == 302
    html = as_role("member").get(f"/mentoring/{world.programme_id}/apply").get_data(as_text=True)
    assert "Vic Avoided" not in html and "A member you named by their profile link" in html
    assert f'value="{world["avoided"].id}" checked' in html


def test_the_applications_page_comes_a_page_at_a_time(app, world, as_role, monkeypatch):
    """The coordinator's page is keyset paged (the pagination macro), keeps its filters
    in the page links, and its headings count the whole cohort, not the page."""
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        for role, who in (("mentor", "member"), ("mentor", "moderator")):
            applications.apply(user(world[who]), programme, application_data(role=role))
        db.session.commit()
    monkeypatch.setattr(applications, "APPLICATIONS_PAGE", 2)
    client = as_role("coordinator")
    path = f"/mentoring/{world.programme_id}/applications"
    first = client.get(path).get_data(as_text=True)
    assert 'Mentees <span class="muted">(1)</span>' in first
    assert 'Mentors <span class="muted">(2)</span>' in first
    assert "Ana Applicant" in first and first.count('class="card applicant') == 2
    more = re.search(r'rel="next" href="([^"]+)"', first)
    assert more, "a link to the next page"
    second = client.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert second.count('class="card applicant') == 1 and "Ana Applicant" not in second
    assert 'rel="prev"' in second
    mentors = client.get(path + "?role=mentor").get_data(as_text=True)
    assert "Mentees <span" not in mentors and mentors.count('class="card applicant') == 2
    assert client.get(path + "?cursor=forged").status_code == 400
