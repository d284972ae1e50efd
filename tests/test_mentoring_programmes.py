"""Mentoring programmes: who may create and edit one (every role, every page), the editor's
validation (errors that keep what was typed), the list (open first, then running, then
ended; keyset pages; "My mentoring"), the programme page's figures and buttons, escaped
names and sanitised descriptions, and the navigation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from community.core.errors import Forbidden, Invalid
from community.extensions import db
from community.mentoring import programmes
from community.mentoring.models import Pair, Programme
from tests.conftest import post_form
from tests.mentoring_prog_world import (
    MANAGERS,
    ROLES,
    XSS,
    ProgWorld,
    build_world,
    make_programme,
    programme_data,
    user,
)

BACKENDS = ("sqlite",)


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


def form_fields(**changes) -> dict:
    today = date.today()
    data = {
        "name": "Mentoring for engineers",
        "description": "Pairs meet **monthly**.",
        "city": "aarhus",
        "timezone": "Europe/Copenhagen",
        "application_deadline": (today + timedelta(days=10)).isoformat(),
        "starts_on": (today + timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=300)).isoformat(),
        "default_capacity": "1",
        "questions-0-text": "What is your dream job?",
        "questions-0-asked_of": "mentee",
    }
    for n in range(1, 5):
        data.setdefault(f"questions-{n}-text", "")
        data.setdefault(f"questions-{n}-asked_of", "both")
    data.update(changes)
    return data


def _form_page(role: str) -> str:
    """A page with a CSRF token the role can open."""
    return "/auth/login" if role == "anonymous" else "/mentoring"


# --- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_a_programme(app, world, as_role, role):
    client = as_role(role)
    page = client.get("/mentoring/new")
    response = post_form(client, "/mentoring/new", form_fields(), form_page=_form_page(role))
    if role == "anonymous":
        assert page.status_code == 302 and "/login" in page.headers["Location"]
        assert response.status_code in (302, 400)
    elif role in ("coordinator", "other_coordinator", "admin"):
        assert page.status_code == 200
        assert response.status_code == 302, response.get_data(as_text=True)
    else:
        assert page.status_code == 403 and response.status_code == 403
    with app.app_context():
        created = db.session.scalar(
            select(Programme).where(Programme.name == "Mentoring for engineers")
        )
        assert (created is not None) == (role in ("coordinator", "other_coordinator", "admin"))
        if created is not None:
            assert created.coordinator_id == world[role].id
            assert [(q.text, q.asked_of) for q in created.questions] == [
                ("What is your dream job?", "mentee")
            ]
            assert "<strong>monthly</strong>" in created.description_html


@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_a_programme(app, world, as_role, role):
    client = as_role(role)
    path = f"/mentoring/{world.programme_id}/edit"
    page = client.get(path)
    response = post_form(client, path, form_fields(name="Renamed"), form_page=_form_page(role))
    if role == "anonymous":
        assert page.status_code == 302 and "/login" in page.headers["Location"]
    elif role in MANAGERS:
        assert page.status_code == 200 and "International Business Mentoring 2027" in page.get_data(
            as_text=True
        )
        assert response.status_code == 302
    else:
        assert page.status_code == 403 and response.status_code == 403
    with app.app_context():
        name = db.session.get(Programme, world.programme_id).name
        assert (name == "Renamed") == (role in MANAGERS)


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_the_list_and_the_programme(world, as_role, role):
    client = as_role(role)
    for path in ("/mentoring", f"/mentoring/{world.programme_id}"):
        response = client.get(path)
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 200
            assert "International Business Mentoring 2027" in response.get_data(as_text=True)
    if role != "anonymous":
        assert client.get("/mentoring/999999").status_code == 404


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_the_manage_links_show_to_managers_only(world, as_role, role):
    html = as_role(role).get(f"/mentoring/{world.programme_id}").get_data(as_text=True)
    manage = f"/mentoring/{world.programme_id}/applications" in html
    assert manage == (role in MANAGERS)
    assert (f"/mentoring/{world.programme_id}/edit" in html) == (role in MANAGERS)


def test_the_service_refuses_members(app, world):
    with app.app_context():
        with pytest.raises(Forbidden):
            programmes.create_programme(user(world["member"]), programme_data())
        programme = db.session.get(Programme, world.programme_id)
        with pytest.raises(Forbidden):
            programmes.update_programme(
                user(world["other_coordinator"]), programme, programmes.ProgrammeData(name="X")
            )


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Give the programme a name."),
        ({"default_capacity": "11"}, "Give a number from 0 to 10."),
        ({"default_capacity": "-1"}, "Give a number from 0 to 10."),
        ({"city": "", "online": ""}, "say that the programme meets online"),
        ({"city": "atlantis"}, "Not a valid choice"),
        ({"application_deadline": (date.today() + timedelta(days=30)).isoformat()},
         "must be before the programme starts"),
        ({"ends_on": (date.today() + timedelta(days=20)).isoformat()}, "must end after it starts"),
        ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
        ({"starts_on": ""}, "Give the first day."),
    ],
)  # fmt: skip
def test_the_editor_shows_errors_and_keeps_what_was_typed(app, world, as_role, changes, message):
    response = post_form(
        as_role("coordinator"), "/mentoring/new", form_fields(**changes), form_page="/mentoring/new"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "What is your dream job?" in html and "Pairs meet **monthly**." in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Programme)) == 1


def test_online_programmes_need_no_city(app, world, as_role):
    response = post_form(as_role("coordinator"), "/mentoring/new",
                         form_fields(city="", online="y"), form_page="/mentoring/new")  # fmt: skip
    assert response.status_code == 302
    html = as_role("member").get(response.headers["Location"]).get_data(as_text=True)
    assert "Online" in html


def test_more_than_five_questions_are_refused(app, world):
    with app.app_context():
        questions = [programmes.QuestionData(f"Q{n}", "both") for n in range(6)]
        with pytest.raises(Invalid) as refused:
            programmes.create_programme(
                user(world["coordinator"]), programme_data(questions=questions)
            )
        assert refused.value.field == "questions"


def test_editing_keeps_answered_questions(app, world, as_role):
    """Changing the second question's text keeps the first question's row (and answers)."""
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        first_id = programme.questions[0].id
        programmes.update_programme(
            user(world["coordinator"]),
            programme,
            programmes.ProgrammeData(
                questions=[
                    programmes.QuestionData(
                        "Which companies would you like to work for?", "mentee"
                    ),
                    programmes.QuestionData("Why do you mentor?", "mentor"),
                ]
            ),
        )
        db.session.commit()
        programme = db.session.get(Programme, world.programme_id)
        assert programme.questions[0].id == first_id
        assert programme.questions[1].text == "Why do you mentor?"
        assert programme.edited_at is not None


# --- the list --------------------------------------------------------------------------------


def _dated(app, ref, name: str, deadline: int, start: int, end: int) -> int:
    with app.app_context():
        programme = make_programme(ref, name=name)
        today = date.today()
        db.session.execute(
            update(Programme)
            .where(Programme.id == programme.id)
            .values(
                application_deadline=today + timedelta(days=deadline),
                starts_on=today + timedelta(days=start),
                ends_on=today + timedelta(days=end),
            )
        )
        db.session.commit()
        return programme.id


@pytest.mark.backends("sqlite", "postgresql")
def test_the_list_shows_open_then_running_then_ended_in_pages(app, world, as_role):
    ended = _dated(app, world["coordinator"], "Ended cohort", -400, -380, -10)
    running = _dated(app, world["coordinator"], "Running cohort", -100, -90, 200)
    upcoming = _dated(app, world["coordinator"], "Soon cohort", -2, 5, 300)
    with app.app_context():
        order = [p.id for p in programmes.list_programmes(limit=100).items]
        assert order == [world.programme_id, upcoming, running, ended]
        first = programmes.list_programmes(limit=2)
        second = programmes.list_programmes(first.next_cursor, limit=2)
        assert [p.id for p in first.items + second.items] == order
        assert second.next_cursor is None
    html = as_role("member").get("/mentoring").get_data(as_text=True)
    positions = [html.index(name) for name in
                 ("International Business Mentoring 2027", "Soon cohort", "Running cohort",
                  "Ended cohort")]  # fmt: skip
    assert positions == sorted(positions)
    assert "Open for applications" in html and "Ended" in html and "Apply by" in html


def test_the_list_pages_with_the_core_pager(app, world, as_role):
    with app.app_context():
        for n in range(programmes.PAGE_SIZE + 1):
            make_programme(world["coordinator"], name=f"Cohort {n:02d}")
    client = as_role("member")
    html = client.get("/mentoring").get_data(as_text=True)
    assert 'rel="next"' in html
    cursor = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    rest = client.get(cursor).get_data(as_text=True)
    assert rest.count('class="card programme-card"') == 2
    assert client.get("/mentoring?cursor=nonsense").status_code == 400


def test_the_list_takes_a_bounded_number_of_queries(app, world, as_role, count_queries):
    client = as_role("applicant")
    client.get("/mentoring")
    with count_queries() as few:
        client.get("/mentoring")
    with app.app_context():
        for n in range(12):
            make_programme(world["coordinator"], name=f"Cohort {n}")
    with count_queries() as many:
        client.get("/mentoring")
    assert many.count == few.count


def test_my_mentoring_shows_my_applications_and_pairs(app, world, as_role):
    html = as_role("applicant").get("/mentoring").get_data(as_text=True)
    assert "My mentoring" in html and "Waiting for the coordinator" in html
    assert "mentoring pair" not in html
    assert "My mentoring" not in as_role("member").get("/mentoring").get_data(as_text=True)
    with app.app_context():
        db.session.add(
            Pair(programme_id=world.programme_id, mentor_id=world["member"].id,
                 mentee_id=world["applicant"].id, status="active")
        )  # fmt: skip
        db.session.commit()
    assert "You are in 1 mentoring pair." in as_role("applicant").get("/mentoring").get_data(
        as_text=True
    )


# --- the programme page ----------------------------------------------------------------------


def test_the_page_shows_dates_deadline_zone_and_figures(world, as_role):
    html = as_role("member").get(f"/mentoring/{world.programme_id}").get_data(as_text=True)
    assert "(Copenhagen)" in html and "end of the day" in html
    assert "1 applied, 0 accepted" in html  # mentees
    assert "0 applied, 0 accepted" in html  # mentors
    assert "<strong>local professional</strong>" in html
    assert f"/mentoring/{world.programme_id}/apply" in html


def test_names_and_descriptions_come_back_escaped(app, world, as_role):
    with app.app_context():
        programme = make_programme(
            world["coordinator"],
            name=XSS,
            description=XSS + "\n\n[x](javascript:alert(1))",
            questions=[programmes.QuestionData(XSS, "both")],
        )
        programme_id = programme.id
    for path in ("/mentoring", f"/mentoring/{programme_id}", f"/mentoring/{programme_id}/apply"):
        html = as_role("member").get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert 'href="javascript' not in html
    assert "&lt;script&gt;" in as_role("member").get(f"/mentoring/{programme_id}").get_data(
        as_text=True
    )


def test_mentoring_is_in_the_navigation(world, as_role):
    html = as_role("member").get("/mentoring").get_data(as_text=True)
    assert '<a href="/mentoring" aria-current="page">Mentoring</a>' in html
    assert 'href="/mentoring"' in as_role("member").get("/gigs").get_data(as_text=True)
