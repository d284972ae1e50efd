"""The bell, `/notifications` and the JSON API: the count of what the member may still see,
newest first and grouped, opening one marks it read and goes to the thing, marking one or
all read, keyset pages, and nobody reads or marks another member's notifications (pages
and API, over roles). Data through the real services."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.comments import services as comments
from community.connections import services as connections
from community.extensions import db
from community.notifications.models import Notification
from community.posts import services as posts
from tests.conftest import post_form
from tests.factories import UserRef
from tests.test_api import api_login, error_code

BELL = re.compile(r'data-notification-bell[^>]*data-unread="(\d+)"', re.S)


def html(response) -> str:
    return response.get_data(as_text=True)


def bell_count(response) -> int | None:
    found = BELL.search(html(response))
    return int(found.group(1)) if found else None


def u(ref: UserRef) -> User:
    return db.session.get(User, ref.id)


def make_post(app, author: UserRef, title: str = "Where to find a dentist?") -> int:
    with app.app_context():
        post = posts.create_post(
            u(author),
            posts.PostData(kind="question", title=title, body="Any tips.", tags=["health"]),
        )
        db.session.commit()
        return post.id


def comment(app, who: UserRef, post_id: int, body: str = "Try the clinic.") -> int:
    with app.app_context():
        made = comments.add_comment(u(who), "post", post_id, body)
        db.session.commit()
        return made.id


def unread_ids(app, ref: UserRef) -> set[int]:
    with app.app_context():
        return set(
            db.session.scalars(
                select(Notification.id).where(
                    Notification.user_id == ref.id, Notification.read_at.is_(None)
                )
            )
        )


def ids_of(app, ref: UserRef) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.id)
                .where(Notification.user_id == ref.id)
                .order_by(Notification.id)
            )
        )


# --- the bell ------------------------------------------------------------------------------


def test_the_bell_counts_what_the_member_may_still_see_and_links_without_script(
    app, login, member, make_user
):
    post_id = make_post(app, member)
    friendly, rude = make_user(), make_user()
    comment(app, friendly, post_id)
    comment(app, rude, post_id)
    client = login(member)
    page = client.get("/")
    assert bell_count(page) == 2
    assert 'href="/notifications"' in html(page)
    with app.app_context():
        connections.block(u(member), rude.id)  # a blocked actor's notification is not counted
        db.session.commit()
    assert bell_count(client.get("/")) == 1


def test_visitors_have_no_bell(client):
    assert bell_count(client.get("/")) is None
    assert client.get("/notifications").status_code == 302


# --- the page ------------------------------------------------------------------------------


def test_the_page_groups_several_unread_about_one_post_and_opening_marks_them_read(
    app, login, member, make_user
):
    post_id = make_post(app, member)
    others = [make_user() for _ in range(3)]
    for other in others:
        comment(app, other, post_id)
    client = login(member)
    page = html(client.get("/notifications"))
    assert "3 new comments on “Where to find a dentist?”." in page
    assert page.count('class="notification notification--unread"') == 1
    newest = max(ids_of(app, member))
    response = post_form(
        client,
        f"/notifications/{newest}/open",
        {"also": " ".join(str(i) for i in sorted(unread_ids(app, member) - {newest}))},
        form_page="/notifications",
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/posts/{post_id}#comment-")
    assert unread_ids(app, member) == set()
    assert bell_count(client.get("/")) == 0


def test_mark_one_and_mark_all_read(app, login, member, make_user):
    first, second = make_post(app, member, "First"), make_post(app, member, "Second")
    comment(app, make_user(), first)
    comment(app, make_user(), second)
    client = login(member)
    one = min(ids_of(app, member))
    post_form(client, f"/notifications/{one}/read", {}, form_page="/notifications")
    assert one not in unread_ids(app, member) and len(unread_ids(app, member)) == 1
    post_form(client, "/notifications/read-all", {}, form_page="/notifications")
    assert unread_ids(app, member) == set()
    assert "notification--unread" not in html(client.get("/notifications"))


def test_a_notification_about_a_deleted_post_is_neither_shown_nor_opened(
    app, login, member, make_user
):
    post_id = make_post(app, member, "Soon gone")
    comment(app, make_user(display_name="Ada Asker"), post_id)
    client = login(member)
    assert "Soon gone" in html(client.get("/notifications"))
    with app.app_context():
        posts.delete_post(u(member), db.session.get(posts.Post, post_id))
        db.session.commit()
    assert "Soon gone" not in html(client.get("/notifications"))
    only = max(ids_of(app, member))
    response = post_form(client, f"/notifications/{only}/open", {}, form_page="/notifications")
    assert response.status_code == 404


def test_the_page_is_keyset_paged_newest_first(app, login, member, make_user, count_queries):
    asker = make_user()
    for index in range(35):
        make_post(app, asker, f"Question {index}")
    with app.app_context():
        for post_id in db.session.scalars(
            select(posts.Post.id).where(posts.Post.author_id == asker.id)
        ):
            posts.mark_helpful(u(member), db.session.get(posts.Post, post_id))
        db.session.commit()
    client = login(asker)
    first = html(client.get("/notifications"))
    assert "Question 34" in first and "Question 0”" not in first
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = html(client.get(older))
    assert "Question 0”" in second and "Question 34" not in second
    with count_queries() as counted:
        client.get("/notifications")
    assert counted.count < 30  # bounded: not one query per notification


# --- nobody else's -------------------------------------------------------------------------


@pytest.fixture
def someone(request, make_user, organiser, moderator, admin):
    return {
        "member": lambda: make_user(),
        "organiser": lambda: organiser,
        "moderator": lambda: moderator,
        "admin": lambda: admin,
    }[request.param]()


@pytest.mark.parametrize("someone", ["member", "organiser", "moderator", "admin"], indirect=True)
def test_another_members_notifications_are_never_readable_or_markable(
    app, login, member, make_user, someone
):
    post_id = make_post(app, member, "Private worries")
    comment(app, make_user(), post_id)
    theirs = max(ids_of(app, member))
    client = login(someone)
    assert "Private worries" not in html(client.get("/notifications"))
    opened = post_form(client, f"/notifications/{theirs}/open", {}, form_page="/notifications")
    assert opened.status_code == 404
    post_form(client, f"/notifications/{theirs}/read", {}, form_page="/notifications")
    post_form(client, "/notifications/read-all", {}, form_page="/notifications")
    assert theirs in unread_ids(app, member)

    api = api_login(app, someone)
    listed = api.get("/api/v1/notifications").get_json()
    assert theirs not in [item["id"] for item in listed["items"]]
    marked = api.post("/api/v1/notifications/read", json={"ids": [theirs]})
    assert marked.status_code == 200 and marked.get_json()["marked"] == 0
    api.post("/api/v1/notifications/read", json={"all": True})
    assert theirs in unread_ids(app, member)


# --- the API -------------------------------------------------------------------------------


def test_api_lists_pages_filters_unread_and_marks_read(app, member, make_user):
    post_id = make_post(app, member)
    for _ in range(5):
        comment(app, make_user(), post_id)
    api = api_login(app, member)
    first = api.get("/api/v1/notifications?limit=3").get_json()
    assert len(first["items"]) == 3 and first["unread"] == 5
    assert first["items"][0]["text"].endswith("commented on “Where to find a dentist?”.")
    assert first["items"][0]["url"].startswith(f"/posts/{post_id}#comment-")
    rest = api.get(f"/api/v1/notifications?limit=3&cursor={first['next_cursor']}").get_json()
    every = [item["id"] for item in first["items"] + rest["items"]]
    assert every == sorted(every, reverse=True) and len(set(every)) == 5
    done = api.post("/api/v1/notifications/read", json={"ids": every[:2]}).get_json()
    assert done == {"marked": 2, "unread": 3}
    unread = api.get("/api/v1/notifications?unread=true").get_json()
    assert {item["id"] for item in unread["items"]} == set(every[2:])
    assert api.post("/api/v1/notifications/read", json={"all": True}).get_json() == {
        "marked": 3,
        "unread": 0,
    }


@pytest.mark.parametrize(
    "body", [{}, {"ids": []}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"other": 1}]
)
def test_api_refuses_a_malformed_read(app, member, body):
    api = api_login(app, member)
    response = api.post("/api/v1/notifications/read", json=body)
    assert response.status_code == 422 and error_code(response) == "validation_error"


def test_api_refuses_a_cursor_it_did_not_make_and_needs_a_token(app, client, member):
    api = api_login(app, member)
    assert api.get("/api/v1/notifications?cursor=nonsense").status_code == 400
    assert client.get("/api/v1/notifications").status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/notifications", "/api/v1/notifications/read"} <= set(doc["paths"])
