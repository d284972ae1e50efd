"""A pair's pages (`community/mentoring/pair_routes.py`): who may open and post to each
route (mentor and mentee of the pair, a mentor of another pair, the programme's coordinator,
another coordinator, an admin, a member, anonymous), what each side sees of the other
(never the avoid list), the fit answers, goals, meetings and feedback with their rules,
privacy from the coordinator, validation that keeps what was typed, escaping, and the
coordinator's pair list with ending a pair and nudging it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.mentoring import pairs
from community.mentoring.models import (
    MentorFeedback,
    Pair,
    PairFitAnswer,
    PairGoal,
    PairMeeting,
    PairStatus,
    Programme,
)
from community.notifications.kinds import describe
from community.notifications.models import Notification
from tests.conftest import CSRF_RE, without_csrf
from tests.mentoring_pairs_world import (
    AVOIDED_NAME,
    ROLES,
    SECRET_TOPIC,
    XSS,
    PairsWorld,
    age_pair,
    build_world,
    make_pair,
    user,
)


@pytest.fixture
def world(app) -> PairsWorld:
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


def post(client, path: str, data: dict | None = None, **kw):
    """POST with the session's CSRF token (one per session, whatever the form)."""
    page = client.get("/settings")
    if page.status_code != 200:
        page = client.get("/auth/login")
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kw)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _notices(kind: str, user_id: int | None = None) -> int:
    where = [Notification.kind == kind]
    if user_id is not None:
        where.append(Notification.user_id == user_id)
    return _count(Notification, *where)


def _say_no(app, world, role="mentee", note=""):
    with app.app_context():
        pairs.answer_fit(user(world[role]), world.pair_id, "no", note)
        db.session.commit()


def _log(app, world, role="mentor", days_ago=3, topics=SECRET_TOPIC, next_steps="Call Anna"):
    with app.app_context():
        meeting = pairs.log_meeting(
            user(world[role]), world.pair_id, date.today() - timedelta(days=days_ago), topics,
            next_steps,
        )  # fmt: skip
        db.session.commit()
        return meeting.id


# --- who may open what ---------------------------------------------------------------------

PAGE_STATUS = {"mentor": 200, "mentee": 200, "anonymous": 302}


@pytest.mark.parametrize("role", ROLES)
def test_pair_page_is_for_the_pair_only(world, as_role, role):
    client = as_role(role)
    response = client.get(f"/mentoring/pairs/{world.pair_id}")
    assert response.status_code == PAGE_STATUS.get(role, 404)
    if role == "anonymous":
        assert "/auth/login" in response.headers["Location"]
    elif response.status_code == 404:
        missing = client.get("/mentoring/pairs/999999")
        assert without_csrf(response.get_data(as_text=True)) == without_csrf(
            missing.get_data(as_text=True)
        )


@pytest.mark.parametrize("role", ROLES)
def test_my_pairs_lists_my_own(world, as_role, role):
    response = as_role(role).get("/mentoring/pairs")
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shows_pair = f'href="/mentoring/pairs/{world.pair_id}"' in html
    shows_other = f'href="/mentoring/pairs/{world.other_pair_id}"' in html
    assert shows_pair == (role in ("mentor", "mentee"))
    assert shows_other == (role == "other_mentor")
    if role not in ("mentor", "mentee", "other_mentor"):
        assert "not in a mentoring pair yet" in html


def test_my_pairs_puts_live_pairs_first(app, world, as_role):
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        old = make_pair(
            programme, world["other_mentor"], world["mentee"], status=PairStatus.ENDED,
            score=10.0,
        )  # fmt: skip
        db.session.commit()
        old_id = old.id
        rows = pairs.my_pairs(user(world["mentee"]))
        assert [row.pair.id for row in rows] == [world.pair_id, old_id]
        assert [row.role for row in rows] == ["mentee", "mentee"]
    html = as_role("mentee").get("/mentoring/pairs").get_data(as_text=True)
    assert html.index(f"/mentoring/pairs/{world.pair_id}") < html.index(
        f"/mentoring/pairs/{old_id}"
    )
    assert "Magnus Mentor" in html and "Your mentor" in html


LIST_STATUS = {"coordinator": 200, "admin": 200, "anonymous": 302}


@pytest.mark.parametrize("role", ROLES)
def test_coordinator_list_is_for_the_coordinator(world, as_role, role):
    response = as_role(role).get(f"/mentoring/{world.programme_id}/pairs")
    assert response.status_code == LIST_STATUS.get(role, 403)
    assert as_role(role).get("/mentoring/999999/pairs").status_code == (
        302 if role == "anonymous" else 404
    )


# Every POST of the pair page: (path, form data, the status a side of the pair gets).
def _pair_posts(world, goal_id, meeting_id):
    p = world.pair_id
    return {
        "fit": (f"/mentoring/pairs/{p}/fit", {"answer": "yes"}),
        "add_goal": (f"/mentoring/pairs/{p}/goals", {"text": "Finish the CV"}),
        "edit_goal": (f"/mentoring/pairs/{p}/goals/{goal_id}", {f"goal{goal_id}-text": "New"}),
        "review_goal": (
            f"/mentoring/pairs/{p}/goals/{goal_id}/review",
            {f"goal{goal_id}-review": "met"},
        ),
        "remove_goal": (f"/mentoring/pairs/{p}/goals/{goal_id}/delete", {}),
        "log_meeting": (
            f"/mentoring/pairs/{p}/meetings",
            {"held_on": date.today().isoformat(), "topics": "CV", "next_steps": ""},
        ),
        "edit_meeting": (
            f"/mentoring/pairs/{p}/meetings/{meeting_id}/edit",
            {"held_on": date.today().isoformat(), "topics": "CV again"},
        ),
        "delete_meeting": (f"/mentoring/pairs/{p}/meetings/{meeting_id}/delete", {}),
        "feedback": (f"/mentoring/pairs/{p}/feedback", {"rating": "4", "comment": "Good"}),
    }


# What the pair's sides get; every other member gets 404, anonymous the login page.
SIDE_STATUS = {
    # review: not yet open (the programme ends in 270 days): the page says why (409)
    "review_goal": {"mentor": 409, "mentee": 409},
    # the meeting was logged by the mentor: the mentee sees it but may not change it
    "edit_meeting": {"mentor": 302, "mentee": 403},
    "delete_meeting": {"mentor": 302, "mentee": 403},
    "feedback": {"mentor": 302, "mentee": 403},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action",
    [
        "fit", "add_goal", "edit_goal", "review_goal", "remove_goal", "log_meeting",
        "edit_meeting", "delete_meeting", "feedback",
    ],
)  # fmt: skip
def test_pair_posts_by_role(app, world, as_role, role, action):
    with app.app_context():
        goal_id = pairs.add_goal(user(world["mentee"]), world.pair_id, "Learn Danish").id
        db.session.commit()
    meeting_id = _log(app, world)
    path, data = _pair_posts(world, goal_id, meeting_id)[action]
    response = post(as_role(role), path, data)
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
        return
    expected = SIDE_STATUS.get(action, {"mentor": 302, "mentee": 302}).get(role, 404)
    assert response.status_code == expected, response.get_data(as_text=True)[:2000]
    with app.app_context():
        goals = list(db.session.scalars(select(PairGoal.text)))
        meetings = list(db.session.scalars(select(PairMeeting.topics)))
    if expected != 302:  # nothing changed
        assert goals == ["Learn Danish"] and meetings == [SECRET_TOPIC]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["end", "nudge"])
def test_coordinator_posts_by_role(app, world, as_role, role, action):
    _say_no(app, world)
    data = {f"end{world.pair_id}-reason": "Different expectations"} if action == "end" else {}
    response = post(as_role(role), f"/mentoring/pairs/{world.pair_id}/{action}", data)
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
        return
    # The pair's own sides know it exists: 403; everyone else who does not coordinate: 404.
    expected = {"coordinator": 302, "admin": 302, "mentor": 403, "mentee": 403}.get(role, 404)
    assert response.status_code == expected
    with app.app_context():
        pair = db.session.get(Pair, world.pair_id)
        changed = pair.status == PairStatus.ENDED if action == "end" else pair.nudged_at is not None
        assert changed == (expected == 302)


# --- what each side sees -------------------------------------------------------------------


@pytest.mark.parametrize(("viewer", "other"), [("mentee", "mentor"), ("mentor", "mentee")])
def test_each_side_sees_the_other_and_the_answers_never_the_avoid_list(
    world, as_role, viewer, other
):
    html = as_role(viewer).get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert world[other].display_name in html
    assert f'href="/members/{world[other].id}"' in html
    assert "both in supply-chain logistics" in html and "both speak German" in html
    assert "72" in html  # the score
    assert "German" in html and "Hiking" in html and "Shipping" in html
    assert "Weekday evenings" in html
    if other == "mentor":
        assert "Partner at a logistics consultancy." in html
        assert "Introductions to consulting firms." in html
    else:
        assert "Move into consulting." in html
        assert world.question in html and "A job offer by June." in html
    # Both applications name someone to avoid: never shown to the other side.
    assert AVOIDED_NAME not in html
    assert f'/members/{world["avoided"].id}"' not in html


def test_the_message_button_starts_the_chat_then_links_to_it(world, as_role):
    client = as_role("mentee")
    html = client.get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert (
        'action="/chat/new"' in html and f'name="member_ids" value="{world["mentor"].id}"' in html
    )
    started = post(client, "/chat/new", {"member_ids": str(world["mentor"].id)})
    assert started.status_code == 302
    conversation = re.search(r"/chat/(\d+)", started.headers["Location"]).group(1)
    html = client.get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert f'href="/chat/{conversation}"' in html
    # The mentor is in the same direct conversation.
    html = as_role("mentor").get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert f'href="/chat/{conversation}"' in html


# --- fit answers ---------------------------------------------------------------------------


def test_fit_answers_show_to_both_and_a_no_tells_the_coordinator(app, world, as_role):
    response = post(
        as_role("mentee"), f"/mentoring/pairs/{world.pair_id}/fit",
        {"answer": "deciding", "note": "Nice, but we rarely overlap."},
    )  # fmt: skip
    assert response.status_code == 302
    html = as_role("mentor").get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert "Still deciding" in html and "Nice, but we rarely overlap." in html
    with app.app_context():
        assert _notices("mentoring.pair_not_fit") == 0
    post(as_role("mentee"), f"/mentoring/pairs/{world.pair_id}/fit", {"answer": "no"})
    post(as_role("mentee"), f"/mentoring/pairs/{world.pair_id}/fit", {"answer": "no"})
    with app.app_context():
        assert _count(PairFitAnswer) == 1  # one per side, changed in place
        assert _notices("mentoring.pair_not_fit", world["coordinator"].id) == 1
        assert _notices("mentoring.pair_not_fit") == 1
    page = as_role("coordinator").get("/notifications").get_data(as_text=True)
    assert "Emma Mentee answered that their mentoring pair is not a good fit" in page
    with app.app_context():
        notice = db.session.scalar(select(Notification))
        words = describe(notice, user(world["coordinator"]))
        assert words.url == f"/mentoring/{world.programme_id}/pairs"
        assert describe(notice, user(world["member"])) is None  # not theirs to see


def test_a_fit_answer_must_be_one_of_three(world, as_role):
    response = post(as_role("mentor"), f"/mentoring/pairs/{world.pair_id}/fit",
                    {"answer": "maybe", "note": "kept"})  # fmt: skip
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert "kept</textarea>" in response.get_data(as_text=True)


# --- ending a pair -------------------------------------------------------------------------


def test_ending_needs_a_no_and_a_reason_then_tells_both(app, world, as_role):
    path = f"/mentoring/pairs/{world.pair_id}/end"
    field = f"end{world.pair_id}-reason"
    coordinator = as_role("coordinator")
    html = coordinator.get(f"/mentoring/{world.programme_id}/pairs").get_data(as_text=True)
    assert "End for re-pairing" not in html
    # Without a "no": refused (the button is not shown; the service says why).
    response = post(coordinator, path, {field: "Why not"}, follow_redirects=True)
    assert "answered “no”" in response.get_data(as_text=True)
    _say_no(app, world, "mentor")
    html = coordinator.get(f"/mentoring/{world.programme_id}/pairs").get_data(as_text=True)
    assert "End for re-pairing" in html
    response = post(coordinator, path, {field: "  "})
    assert response.status_code == 422 and "why the pair ends" in response.get_data(as_text=True)
    response = post(coordinator, path, {field: "They want different things"})
    assert response.status_code == 302
    with app.app_context():
        pair = db.session.get(Pair, world.pair_id)
        assert pair.status == PairStatus.ENDED and pair.ended_at is not None
        assert pair.end_reason == "They want different things"
        for side in ("mentor", "mentee"):
            assert _notices("mentoring.pair_ended", world[side].id) == 1
    # Ended: the pair page says so and no longer takes meetings; ending again is refused.
    html = as_role("mentee").get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert "Ended" in html and "Log the meeting" not in html
    again = post(coordinator, path, {field: "Again"}, follow_redirects=True)
    assert "no longer active" in again.get_data(as_text=True)
    refused = post(as_role("mentee"), f"/mentoring/pairs/{world.pair_id}/meetings",
                   {"held_on": date.today().isoformat(), "topics": "x"})  # fmt: skip
    assert refused.status_code == 409 and "no longer active" in refused.get_data(as_text=True)


# --- goals ---------------------------------------------------------------------------------


def test_goals_up_to_eight_edited_and_removed_by_either_side(app, world, as_role):
    path = f"/mentoring/pairs/{world.pair_id}/goals"
    for n in range(pairs.MAX_GOALS):
        side = ("mentor", "mentee")[n % 2]
        assert post(as_role(side), path, {"text": f"Goal number {n}"}).status_code == 302
    ninth = post(as_role("mentor"), path, {"text": "One too many"})
    assert ninth.status_code == 422 and "at most 8 goals" in ninth.get_data(as_text=True)
    assert 'value="One too many"' in ninth.get_data(as_text=True)
    with app.app_context():
        first = db.session.scalar(select(PairGoal).order_by(PairGoal.position))
        first_id = first.id
    edited = post(as_role("mentee"), f"{path}/{first_id}", {f"goal{first_id}-text": "Reworded"})
    assert edited.status_code == 302
    assert post(as_role("mentor"), f"{path}/{first_id}/delete").status_code == 302
    with app.app_context():
        texts = list(db.session.scalars(select(PairGoal.text).order_by(PairGoal.position)))
    assert "Reworded" not in texts and len(texts) == 7


def test_goal_text_is_checked_and_kept(world, as_role):
    path = f"/mentoring/pairs/{world.pair_id}/goals"
    long = "x" * (pairs.MAX_GOAL + 1)
    response = post(as_role("mentor"), path, {"text": long})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Use at most 300 characters." in html and f'value="{long}"' in html
    assert post(as_role("mentor"), path, {"text": "   "}).status_code == 422


def test_goals_are_reviewed_near_the_end(app, world, as_role):
    with app.app_context():
        goal_id = pairs.add_goal(user(world["mentor"]), world.pair_id, "Land interviews").id
        db.session.commit()
    path = f"/mentoring/pairs/{world.pair_id}/goals/{goal_id}/review"
    early = post(as_role("mentee"), path, {f"goal{goal_id}-review": "met"})
    assert early.status_code == 409 and "reviewed near the end" in early.get_data(as_text=True)
    html = as_role("mentee").get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert "Save the review" not in html
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        programme.ends_on = date.today() + timedelta(days=29)
        db.session.commit()
    html = as_role("mentee").get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert "Save the review" in html
    assert post(as_role("mentee"), path, {f"goal{goal_id}-review": "partly"}).status_code == 302
    assert post(as_role("mentor"), path, {f"goal{goal_id}-review": "bad"}).status_code == 422
    with app.app_context():
        assert db.session.get(PairGoal, goal_id).review == "partly"
        assert db.session.get(Pair, world.pair_id).goals_reviewed_at is not None


# --- meetings ------------------------------------------------------------------------------


def test_meetings_newest_first_and_dates_checked(app, world, as_role):
    path = f"/mentoring/pairs/{world.pair_id}/meetings"
    client = as_role("mentee")
    for days, topics in ((20, "First coffee"), (2, "CV review")):
        day = (date.today() - timedelta(days=days)).isoformat()
        assert post(client, path, {"held_on": day, "topics": topics}).status_code == 302
    html = client.get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert html.index("CV review") < html.index("First coffee")
    future = (date.today() + timedelta(days=1)).isoformat()
    response = post(client, path, {"held_on": future, "topics": "Typed topics"})
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert "Typed topics</textarea>" in response.get_data(as_text=True)
    before = (date.today() - timedelta(days=91)).isoformat()  # the programme began 90 days ago
    response = post(client, path, {"held_on": before, "topics": "Too early"})
    assert response.status_code == 422 and "The programme started on" in response.get_data(
        as_text=True
    )
    assert post(client, path, {"held_on": "", "topics": "x"}).status_code == 422
    assert (
        post(client, path, {"held_on": date.today().isoformat(), "topics": ""}).status_code == 422
    )


def test_only_the_author_changes_a_meeting(app, world, as_role):
    meeting_id = _log(app, world, "mentor")
    base = f"/mentoring/pairs/{world.pair_id}/meetings/{meeting_id}"
    mentee_page = as_role("mentee").get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert f"{base}/edit" not in mentee_page and SECRET_TOPIC in mentee_page
    assert as_role("mentee").get(f"{base}/edit").status_code == 403
    form = as_role("mentor").get(f"{base}/edit")
    assert form.status_code == 200 and SECRET_TOPIC in form.get_data(as_text=True)
    day = (date.today() - timedelta(days=1)).isoformat()
    changed = post(as_role("mentor"), f"{base}/edit", {"held_on": day, "topics": "Changed"})
    assert changed.status_code == 302
    bad = post(as_role("mentor"), f"{base}/edit", {"held_on": "2999-01-01", "topics": "Kept"})
    assert bad.status_code == 422 and "Kept</textarea>" in bad.get_data(as_text=True)
    assert post(as_role("mentor"), f"{base}/delete").status_code == 302
    with app.app_context():
        assert _count(PairMeeting) == 0


# --- privacy and escaping ------------------------------------------------------------------


def test_the_coordinator_sees_counts_never_texts(app, world, as_role):
    _log(app, world, "mentor", days_ago=5)
    _log(app, world, "mentee", days_ago=1, topics="Second talk", next_steps="Secret next step")
    with app.app_context():
        pairs.add_goal(user(world["mentee"]), world.pair_id, "Secret goal text")
        pairs.answer_fit(user(world["mentor"]), world.pair_id, "yes", "Secret fit note")
        pairs.give_feedback(user(world["mentor"]), world.pair_id, 4, "Secret feedback comment")
        db.session.commit()
    for role in ("coordinator", "admin"):
        html = as_role(role).get(f"/mentoring/{world.programme_id}/pairs").get_data(as_text=True)
        for secret in (SECRET_TOPIC, "Second talk", "Secret next step", "Secret goal text",
                       "Secret fit note", "Secret feedback comment", "Call Anna"):  # fmt: skip
            assert secret not in html
        assert "Magnus Mentor" in html and "Emma Mentee" in html
        assert "Yes, a good fit" in html  # the answer itself, not its note
        assert "4.0 of 5" in html  # the average rating, not the comment
        row = re.search(r"Meetings</dt><dd>(\d+)", html)
        assert row and row.group(1) == "2"


def test_the_mentee_never_sees_the_mentors_feedback(app, world, as_role):
    response = post(as_role("mentor"), f"/mentoring/pairs/{world.pair_id}/feedback",
                    {"rating": "2", "comment": "Mentee rarely prepares"})  # fmt: skip
    assert response.status_code == 302
    mentor = as_role("mentor").get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert "Mentee rarely prepares" in mentor and "Change my feedback" in mentor
    mentee = as_role("mentee").get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
    assert "Mentee rarely prepares" not in mentee and "feedback as mentor" not in mentee
    assert post(as_role("mentor"), f"/mentoring/pairs/{world.pair_id}/feedback",
                {"rating": "4", "comment": "Better now"}).status_code == 302  # fmt: skip
    bad = post(as_role("mentor"), f"/mentoring/pairs/{world.pair_id}/feedback",
               {"rating": "9", "comment": "kept comment"})  # fmt: skip
    assert bad.status_code == 422 and "kept comment</textarea>" in bad.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(MentorFeedback))
        assert (row.rating, row.comment) == (4, "Better now")
        assert _count(MentorFeedback) == 1


def test_user_text_is_escaped(app, world, as_role):
    _log(app, world, "mentor", topics=XSS, next_steps=XSS)
    with app.app_context():
        pairs.add_goal(user(world["mentee"]), world.pair_id, XSS)
        pairs.answer_fit(user(world["mentee"]), world.pair_id, "deciding", XSS)
        db.session.commit()
    for role in ("mentor", "mentee"):
        html = as_role(role).get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html


# --- the coordinator's list ----------------------------------------------------------------


def test_stale_pairs_are_marked_and_nudged_once_a_week(app, world, as_role):
    with app.app_context():
        age_pair(world.pair_id, 50)  # no meeting for 50 days
        age_pair(world.other_pair_id, 50)
    _log(app, world, "mentor", days_ago=3)  # ... but this one met 3 days ago
    coordinator = as_role("coordinator")
    html = coordinator.get(f"/mentoring/{world.programme_id}/pairs").get_data(as_text=True)
    assert html.count("No meeting for 6 weeks") == 1
    assert f"/mentoring/pairs/{world.other_pair_id}/nudge" in html
    assert f"/mentoring/pairs/{world.pair_id}/nudge" not in html
    path = f"/mentoring/pairs/{world.other_pair_id}/nudge"
    first = post(coordinator, path, follow_redirects=True)
    assert "Both are reminded to meet." in first.get_data(as_text=True)
    second = post(coordinator, path, follow_redirects=True)
    assert "You can nudge them again from" in second.get_data(as_text=True)
    with app.app_context():
        for side in ("other_mentor", "other_mentee"):
            assert _notices("mentoring.pair_nudge", world[side].id) == 1
        # A week later the coordinator may nudge again.
        later = pairs.utcnow() + timedelta(days=7, minutes=1)
        pairs.nudge(user(world["coordinator"]), world.other_pair_id, now=later)
        db.session.commit()
        assert _notices("mentoring.pair_nudge") == 4
    page = as_role("other_mentee").get("/notifications").get_data(as_text=True)
    assert "hopes you two can meet soon" in page


def test_pair_stats_in_a_bounded_number_of_queries(app, world, count_queries, make_user):
    def measure() -> int:
        with app.app_context():
            with count_queries() as counter:
                stats = pairs.pair_stats(world.programme_id)
            assert all(row.meetings == 1 for row in stats.values())
            return counter.count, len(stats)

    def add_pairs(n: int) -> None:
        with app.app_context():
            programme = db.session.get(Programme, world.programme_id)
            for _n in range(n):
                mentor, mentee = make_user(), make_user()
                pair = make_pair(programme, mentor, mentee)
                db.session.commit()
                pairs.log_meeting(user(mentor), pair.id, date.today(), "x")
                pairs.add_goal(user(mentee), pair.id, "y")
                pairs.answer_fit(user(mentee), pair.id, "yes")
                pairs.give_feedback(user(mentor), pair.id, 5)
                db.session.commit()

    _log(app, world, "mentor")
    with app.app_context():
        pairs.log_meeting(user(world["other_mentor"]), world.other_pair_id, date.today(), "z")
        db.session.commit()
    few, n_few = measure()
    add_pairs(6)
    many, n_many = measure()
    assert (n_few, n_many) == (2, 8)
    assert few == many <= 5
    with app.app_context():
        stats = pairs.pair_stats(world.programme_id)
        done = [row for row in stats.values() if row.feedback_rating == 5]
        assert len(done) == 6 and all(row.goals == 1 and row.fit["mentee"] == "yes" for row in done)


def test_the_list_pages_cost_the_same_for_few_and_many_pairs(
    app, world, as_role, count_queries, make_user
):
    def statements(role: str, path: str) -> int:
        client = as_role(role)
        client.get(path)  # warm: the session's first request loads more
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    pages = {"coordinator": f"/mentoring/{world.programme_id}/pairs", "mentee": "/mentoring/pairs"}
    few = {role: statements(role, path) for role, path in pages.items()}
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        for _n in range(8):
            mentor = make_user()
            # More pairs in the programme, each with a meeting and a fit answer...
            pair = make_pair(programme, mentor, make_user())
            db.session.commit()
            pairs.log_meeting(user(mentor), pair.id, date.today(), "x")
            pairs.answer_fit(user(mentor), pair.id, "yes")
            # ... and more (ended) pairs of the mentee's.
            make_pair(programme, mentor, world["mentee"], status=PairStatus.ENDED)
            db.session.commit()
    many = {role: statements(role, path) for role, path in pages.items()}
    assert many == few, (few, many)


def test_a_pair_with_no_reasons_is_told_it_was_paired_by_hand(app, world, as_role):
    """A pinned pair where no part of the fit scored has no reasons to show: both sides are
    told why they were paired anyway, instead of a bare "Fit score: 0"."""
    with app.app_context():
        pair = db.session.get(Pair, world.pair_id)
        pair.score, pair.parts, pair.reasons = 0.0, {}, []
        db.session.commit()
    for role in ("mentor", "mentee"):
        html = as_role(role).get(f"/mentoring/pairs/{world.pair_id}").get_data(as_text=True)
        assert "Your coordinator paired you by hand" in html
    html = as_role("mentor").get(f"/mentoring/pairs/{world.other_pair_id}")
    assert html.status_code == 404
    scored = as_role("other_mentor").get(f"/mentoring/pairs/{world.other_pair_id}")
    assert "paired you by hand" not in scored.get_data(as_text=True)
