"""The comments component on the event page: who sees and may do what (every role over
every route), Markdown escaping, the "edited" mark, delete with and without replies,
removal by hosts and moderators, one-level threads, blocks and profile visibility,
notifications, cancelled and past events, paging back to a new comment, and a query
count that does not grow with the number of comments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from community.auth.models import User
from community.auth.roles import Role
from community.comments import services as comments
from community.comments.models import Comment
from community.connections import services as connections
from community.core.database import utcnow
from community.events import services as events
from community.events.models import Event
from community.extensions import db
from community.notifications.models import Notification
from community.profiles.services import ProfileData, update_profile
from tests.conftest import csrf_token
from tests.factories import UserRef, event_data

ROLES = (
    "author",
    "member",
    "host",
    "other_organiser",
    "moderator",
    "admin",
    "blocked",
    "anonymous",
)


@dataclass
class World:
    """An organiser's event with one comment by `author`; `blocked` is blocked by the author."""

    app: Flask
    people: dict[str, UserRef | None]
    event_id: int
    comment_id: int

    def client(self, role: str):
        person = self.people[role]
        if person is None:
            return self.app.test_client()
        from tests.people import log_in

        return log_in(self.app, person)


def make_event(app, organiser: UserRef, **changes) -> int:
    with app.app_context():
        event = events.create_event(db.session.get(User, organiser.id), event_data(**changes))
        db.session.commit()
        return event.id


def add(app, who: UserRef, event_id: int, body: str, parent_id: int | None = None) -> int:
    """A comment through the real service."""
    with app.app_context():
        comment = comments.add_comment(
            db.session.get(User, who.id), "event", event_id, body, parent_id
        )
        db.session.commit()
        return comment.id


def load(app, comment_id: int) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def page(client, event_id: int, query: str = "") -> str:
    response = client.get(f"/events/{event_id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post(client, path: str, data: dict, event_id: int):
    """POST with the CSRF token of the event page, as its forms do."""
    token = csrf_token(client, f"/events/{event_id}")
    return client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def world(app, make_user) -> World:
    host = make_user(roles=(Role.ORGANISER,), display_name="Hana Host")
    author = make_user(display_name="Ari Author")
    blocked = make_user(display_name="Bo Blocked")
    people = {
        "author": author,
        "member": make_user(display_name="Mel Member"),
        "host": host,
        "other_organiser": make_user(roles=(Role.ORGANISER,), display_name="Ola Other"),
        "moderator": make_user(roles=(Role.MODERATOR,), display_name="Mo Moderator"),
        "admin": make_user(roles=(Role.ADMIN,), display_name="Ada Admin"),
        "blocked": blocked,
        "anonymous": None,
    }
    with app.app_context():
        connections.block(db.session.get(User, author.id), blocked.id)
        db.session.commit()
    event_id = make_event(app, host)
    comment_id = add(app, author, event_id, "First! Looking forward to it.")
    return World(app, people, event_id, comment_id)


# --- who may see and do what ---------------------------------------------------------------

# role: (sees the comment, edit page, delete page, remove page)
PAGES = {
    "author": (True, 200, 200, 403),
    "member": (True, 403, 403, 403),
    "host": (True, 403, 403, 200),
    "other_organiser": (True, 403, 403, 403),
    "moderator": (True, 403, 403, 200),
    "admin": (True, 403, 403, 200),
    "blocked": (False, 404, 404, 404),
}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_comment_and_opens_its_pages(world, role):
    client = world.client(role)
    paths = [f"/comments/{world.comment_id}/{action}" for action in ("edit", "delete", "remove")]
    if role == "anonymous":
        assert client.get(f"/events/{world.event_id}").status_code == 302
        for path in paths:
            response = client.get(path)
            assert response.status_code == 302 and "/auth/login" in response.location
        return
    sees, *codes = PAGES[role]
    html = page(client, world.event_id)
    assert ("Looking forward to it." in html) is sees
    assert (f'id="comment-{world.comment_id}"' in html) is sees
    assert [client.get(path).status_code for path in paths] == codes
    # The links are there for exactly those who may follow them.
    for path, code in zip(paths, codes, strict=True):
        assert (f'href="{path}"' in html) is (code == 200)


# role: (POST edit, POST delete, POST remove) status, for a comment by `author`
ACTIONS = {
    "author": (302, 302, 403),
    "member": (403, 403, 403),
    "host": (403, 403, 302),
    "other_organiser": (403, 403, 403),
    "moderator": (403, 403, 302),
    "admin": (403, 403, 302),
    "blocked": (404, 404, 404),
}


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
@pytest.mark.parametrize("action", ["edit", "delete", "remove"])
def test_who_may_edit_delete_and_remove(world, role, action):
    client = world.client(role)
    token = csrf_token(client, "/settings")
    response = client.post(
        f"/comments/{world.comment_id}/{action}",
        data={"body": "Changed words", "csrf_token": token},
    )
    expected = ACTIONS[role][("edit", "delete", "remove").index(action)]
    assert response.status_code == expected
    comment = load(world.app, world.comment_id)
    changed = {
        "edit": comment.body == "Changed words",
        "delete": comment.deleted,
        "remove": comment.removed,
    }[action]
    assert changed is (expected == 302)
    if expected == 302:
        assert response.location.endswith(
            f"#comment-{world.comment_id}" if action == "edit" else "#comments"
        )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_comment(world, role):
    client = world.client(role)
    path = f"/comments/event/{world.event_id}"
    if role == "anonymous":
        response = client.post(path, data={"body": "Hello"})
        assert response.status_code in (302, 400)  # no session: no CSRF token, no login
    else:
        response = post(client, path, {"body": f"Hello from {role}"}, world.event_id)
        assert response.status_code == 302
        new_id = int(re.search(r"#comment-(\d+)$", response.location).group(1))
        assert response.location.startswith(f"/events/{world.event_id}")
        assert f'id="comment-{new_id}"' in page(client, world.event_id)
    with world.app.app_context():
        count = db.session.scalar(select(db.func.count()).select_from(Comment))
    assert count == (1 if role == "anonymous" else 2)


def test_anonymous_post_with_a_valid_session_token_still_needs_login(world, client):
    client.get("/auth/login")
    token = csrf_token(client, "/auth/login")
    for path in (
        f"/comments/event/{world.event_id}",
        f"/comments/{world.comment_id}/edit",
        f"/comments/{world.comment_id}/delete",
        f"/comments/{world.comment_id}/remove",
    ):
        response = client.post(path, data={"body": "x", "csrf_token": token})
        assert response.status_code == 302 and "/auth/login" in response.location
    assert load(world.app, world.comment_id).live


def test_posting_without_csrf_is_refused(world):
    client = world.client("member")
    response = client.post(f"/comments/event/{world.event_id}", data={"body": "no token"})
    assert response.status_code == 400
    response = world.client("author").post(f"/comments/{world.comment_id}/delete")
    assert response.status_code == 400
    assert load(world.app, world.comment_id).live


def test_event_hidden_from_a_member_hides_its_comments(app, world, make_user):
    """A member the host blocked cannot see the event, so neither its comments nor a way to
    comment: 404 alike."""
    outsider = make_user()
    with app.app_context():
        connections.block(db.session.get(User, world.people["host"].id), outsider.id)
        db.session.commit()
    from tests.people import log_in

    client = log_in(app, outsider)
    assert client.get(f"/events/{world.event_id}").status_code == 404
    token = csrf_token(client, "/settings")
    response = client.post(
        f"/comments/event/{world.event_id}", data={"body": "hi", "csrf_token": token}
    )
    assert response.status_code == 404
    assert client.get(f"/comments/{world.comment_id}/edit").status_code == 404
    assert (
        client.post("/comments/post/1", data={"body": "hi", "csrf_token": token}).status_code == 404
    )


# --- blocks and names ----------------------------------------------------------------------


def test_blocks_hide_comments_both_ways_with_their_threads(app, world):
    member_thread = add(app, world.people["member"], world.event_id, "Mel's thread")
    by_blocked = add(app, world.people["blocked"], world.event_id, "Words of the blocked one")
    reply = add(app, world.people["member"], world.event_id, "A reply under it", by_blocked)
    author_view = page(world.client("author"), world.event_id)
    assert "Words of the blocked one" not in author_view
    assert "A reply under it" not in author_view  # the thread goes with it
    blocked_view = page(world.client("blocked"), world.event_id)
    assert "Looking forward to it." not in blocked_view
    assert "Words of the blocked one" in blocked_view
    member_view = page(world.client("member"), world.event_id)
    assert "Words of the blocked one" in member_view and "Looking forward to it." in member_view
    # A blocked member's reply in someone else's thread is hidden alone.
    add(app, world.people["blocked"], world.event_id, "Blocked one replies", member_thread)
    author_view = page(world.client("author"), world.event_id)
    assert "Mel's thread" in author_view and "Blocked one replies" not in author_view
    assert "Blocked one replies" in page(world.client("member"), world.event_id)
    # Nor can they reply to each other.
    token = csrf_token(world.client("author"), "/settings")
    author = world.client("author")
    token = csrf_token(author, "/settings")
    response = author.post(
        f"/comments/event/{world.event_id}",
        data={"body": "sneaky", "parent_id": str(reply), "csrf_token": token},
    )
    assert response.status_code == 404


def test_author_names_follow_profile_visibility(app, world):
    with app.app_context():
        author = db.session.get(User, world.people["author"].id)
        update_profile(author, ProfileData(visibility="connections"))
        db.session.commit()
    member_view = page(world.client("member"), world.event_id)
    thread = member_view[member_view.index(f'id="comment-{world.comment_id}"') :]
    assert "Ari Author" not in member_view
    assert "A member" in thread[:600]
    admin_view = page(world.client("admin"), world.event_id)
    assert "Ari Author" in admin_view  # admins see every profile
    assert "You" in page(world.client("author"), world.event_id)
    # The host is named on their own event (its page names them anyway), with a Host mark,
    # even when their profile is for connections only; their profile is not linked then.
    with app.app_context():
        host = db.session.get(User, world.people["host"].id)
        update_profile(host, ProfileData(visibility="connections"))
        db.session.commit()
    reply = add(app, world.people["host"], world.event_id, "Welcome all", world.comment_id)
    html = page(world.client("member"), world.event_id)
    host_comment = html[html.index(f'id="comment-{reply}"') :][:700]
    assert "Hana Host" in host_comment and ">Host<" in host_comment
    assert f"/members/{world.people['host'].id}" not in host_comment


# --- Markdown, edits, deletes, removal, threads -------------------------------------------


def test_markdown_is_sanitised_and_links_get_nofollow(app, world):
    body = (
        '<script>alert("x")</script> **bold** [site](https://example.org) '
        "[bad](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    add(app, world.people["member"], world.event_id, body)
    html = page(world.client("author"), world.event_id)
    assert '<script>alert("x")' not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener">site</a>' in html
    assert 'href="javascript' not in html


def test_edit_sets_the_edited_mark_only_on_a_real_change(app, world):
    client = world.client("author")
    path = f"/comments/{world.comment_id}/edit"
    form = client.get(path).get_data(as_text=True)
    assert "First! Looking forward to it." in form and 'for="body"' in form
    assert "(edited)" not in page(client, world.event_id)
    token = csrf_token(client, path)
    client.post(path, data={"body": "First! Looking forward to it.", "csrf_token": token})
    assert load(app, world.comment_id).edited_at is None
    response = client.post(path, data={"body": "Now with *more* words", "csrf_token": token})
    assert response.status_code == 302
    html = page(client, world.event_id)
    assert "(edited)" in html and "<em>more</em>" in html
    assert load(app, world.comment_id).edited_at is not None
    # An empty or too long edit is a form error, and nothing changes.
    response = client.post(path, data={"body": "   ", "csrf_token": token})
    assert response.status_code == 200 and "Write your comment first." in response.get_data(
        as_text=True
    )
    too_long = "x" * (comments.MAX_COMMENT_LENGTH + 1)
    response = client.post(path, data={"body": too_long, "csrf_token": token})
    assert "Use at most 5000 characters." in response.get_data(as_text=True)
    assert load(app, world.comment_id).body == "Now with *more* words"


def test_delete_without_replies_makes_the_comment_disappear(app, world):
    client = world.client("author")
    confirm = client.get(f"/comments/{world.comment_id}/delete").get_data(as_text=True)
    assert "Delete your comment?" in confirm
    response = post(client, f"/comments/{world.comment_id}/delete", {}, world.event_id)
    assert response.status_code == 302
    html = page(world.client("member"), world.event_id)
    assert f'id="comment-{world.comment_id}"' not in html and "Comment deleted" not in html
    assert "No comments yet." in html
    comment = load(app, world.comment_id)
    assert comment.deleted and comment.body == "" and comment.body_html == ""
    # Gone: no more edit page, and replying to it is refused.
    assert client.get(f"/comments/{world.comment_id}/edit").status_code == 404


def test_delete_with_replies_leaves_a_marker_until_the_replies_go(app, world):
    reply = add(app, world.people["member"], world.event_id, "Me too!", world.comment_id)
    post(world.client("author"), f"/comments/{world.comment_id}/delete", {}, world.event_id)
    member = world.client("member")
    html = page(member, world.event_id)
    assert f'id="comment-{world.comment_id}"' in html
    assert "Comment deleted by its author." in html and "Me too!" in html
    assert "Looking forward to it." not in html
    assert f'name="parent_id" value="{world.comment_id}"' not in html  # no replies to it
    post(member, f"/comments/{reply}/delete", {}, world.event_id)
    html = page(member, world.event_id)
    assert f'id="comment-{world.comment_id}"' not in html and "Comment deleted" not in html


@pytest.mark.parametrize(
    ("role", "words"), [("host", "by a host"), ("moderator", "by a moderator")]
)
def test_removal_shows_who_removed_it(app, world, role, words):
    reply = add(app, world.people["member"], world.event_id, "Reply stays", world.comment_id)
    client = world.client(role)
    assert "Remove this comment?" in client.get(f"/comments/{world.comment_id}/remove").get_data(
        as_text=True
    )
    response = post(client, f"/comments/{world.comment_id}/remove", {}, world.event_id)
    assert response.status_code == 302
    html = page(world.client("member"), world.event_id)
    assert f"Comment removed {words}." in html
    assert "Looking forward to it." not in html and "Reply stays" in html
    comment = load(app, world.comment_id)
    assert comment.removed_by_id == world.people[role].id
    assert comment.body == "First! Looking forward to it."  # kept for the record
    # Its author can no longer edit or delete it, nor anyone reply to it.
    author = world.client("author")
    assert author.get(f"/comments/{world.comment_id}/edit").status_code == 409
    assert author.get(f"/comments/{world.comment_id}/delete").status_code == 409
    assert f'name="parent_id" value="{world.comment_id}"' not in html
    response = post(
        world.client("member"),
        f"/comments/event/{world.event_id}",
        {"body": "Replying anyway", "parent_id": str(reply)},
        world.event_id,
    )
    assert "it takes no replies" in response.get_data(as_text=True)
    assert load(app, reply).live
    # A removed reply shows its marker inside the thread.
    post(client, f"/comments/{reply}/remove", {}, world.event_id)
    html = page(world.client("member"), world.event_id)
    replies = html[html.index('class="comment-replies"') :]
    assert f"Comment removed {words}." in replies and "Reply stays" not in html


def test_threads_are_one_level_deep(app, world):
    first = add(app, world.people["member"], world.event_id, "Reply one", world.comment_id)
    client = world.client("host")
    response = post(
        client,
        f"/comments/event/{world.event_id}",
        {"body": "Reply to the reply", "parent_id": str(first)},
        world.event_id,
    )
    assert response.status_code == 302
    new_id = int(response.location.rsplit("#comment-", 1)[1])
    assert load(app, new_id).parent_id == world.comment_id
    html = page(client, world.event_id)
    replies = html[html.index('class="comment-replies"') :]
    assert replies.index("Reply one") < replies.index("Reply to the reply")
    # Replies offer no reply form of their own: one per thread.
    assert html.count('name="parent_id"') == 1


def test_a_reply_to_a_comment_of_another_event_is_refused(app, world):
    other_event = make_event(app, world.people["host"], title="Another")
    other = add(app, world.people["member"], other_event, "Elsewhere")
    response = post(
        world.client("member"),
        f"/comments/event/{world.event_id}",
        {"body": "Crossed wires", "parent_id": str(other)},
        world.event_id,
    )
    assert response.status_code == 404


def test_bad_input_is_a_form_error_not_a_500(app, world):
    client = world.client("member")
    path = f"/comments/event/{world.event_id}"
    response = post(client, path, {"body": ""}, world.event_id)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "There is a problem" in text and "Write your comment first." in text
    long = "y" * (comments.MAX_COMMENT_LENGTH + 1)
    text = post(client, path, {"body": long}, world.event_id).get_data(as_text=True)
    assert "Use at most 5000 characters." in text and long in text  # what was typed is kept
    response = post(client, path, {"body": "ok", "parent_id": "abc"}, world.event_id)
    assert response.status_code == 400
    response = post(client, path, {"body": "ok", "parent_id": "999999"}, world.event_id)
    assert response.status_code == 404
    assert client.post("/comments/event/99999999999999999999", data={}).status_code in (400, 404)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Comment)) == 1


# --- notifications -------------------------------------------------------------------------


def notifications(app, user: UserRef) -> list[tuple[str, int | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
        return [(row.kind, row.target_id) for row in rows if row.kind.startswith("comment.")]


def test_the_host_hears_of_comments_and_authors_of_replies(app, world):
    host, author, member = (world.people[k] for k in ("host", "author", "member"))
    assert notifications(app, host) == [("comment.new", world.comment_id)]
    reply = add(app, member, world.event_id, "Same here", world.comment_id)
    assert notifications(app, author) == [("comment.reply", reply)]
    assert notifications(app, host)[-1] == ("comment.new", reply)
    # The host replying to their own event tells the author, not themself.
    own = add(app, host, world.event_id, "See you all", world.comment_id)
    assert notifications(app, author)[-1] == ("comment.reply", own)
    assert ("comment.new", own) not in notifications(app, host)
    # Replying to oneself tells nobody new.
    mine = add(app, author, world.event_id, "Adding a thought", world.comment_id)
    assert ("comment.reply", mine) not in notifications(app, author)


# --- cancelled and past events -------------------------------------------------------------


def test_a_cancelled_event_keeps_its_comments_readable_but_takes_no_new_ones(app, world):
    with app.app_context():
        events.cancel_event(
            db.session.get(User, world.people["host"].id),
            db.session.get(Event, world.event_id),
        )
        db.session.commit()
    client = world.client("member")
    html = page(client, world.event_id)
    assert "Looking forward to it." in html
    assert "takes no new comments" in html and "Post comment" not in html
    response = post(client, f"/comments/event/{world.event_id}", {"body": "hi"}, world.event_id)
    assert response.status_code == 200 and "takes no new comments" in response.get_data(
        as_text=True
    )
    response = post(
        client,
        f"/comments/event/{world.event_id}",
        {"body": "hi", "parent_id": str(world.comment_id)},
        world.event_id,
    )
    assert "takes no new comments" in response.get_data(as_text=True)
    # Authors still edit and delete their own; hosts still remove.
    author = world.client("author")
    response = post(
        author, f"/comments/{world.comment_id}/edit", {"body": "Sad it is off"}, world.event_id
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Comment)) == 1


def test_a_past_event_still_takes_comments(app, world):
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        event.starts_at = utcnow() - timedelta(days=2)
        event.ends_at = utcnow() - timedelta(days=2) + timedelta(hours=2)
        db.session.commit()
    client = world.client("member")
    assert "Post comment" in page(client, world.event_id)
    response = post(
        client, f"/comments/event/{world.event_id}", {"body": "Thanks, great day!"}, world.event_id
    )
    assert response.status_code == 302
    assert "Thanks, great day!" in page(client, world.event_id)


# --- paging and cost -----------------------------------------------------------------------


def test_many_comments_are_paged_and_posting_lands_on_the_new_comment(app, world):
    member = world.people["member"]
    with app.app_context():
        user = db.session.get(User, member.id)
        for n in range(comments.PAGE_SIZE + 4):
            comments.add_comment(user, "event", world.event_id, f"Comment number {n}")
        db.session.commit()
    client = world.client("member")
    first = page(client, world.event_id)
    assert "First! Looking forward to it." in first and "Comment number 28" in first
    assert "Comment number 29" not in first
    later = re.search(r'href="([^"]+)"[^>]*rel="next"|rel="next" href="([^"]+)"', first)
    assert later, "no link to later comments"
    second = client.get(next(g for g in later.groups() if g).replace("&amp;", "&"))
    text = second.get_data(as_text=True)
    assert "Comment number 29" in text and "Comment number 33" in text
    assert "Earlier comments" in text
    response = post(
        client, f"/comments/event/{world.event_id}", {"body": "The newest one"}, world.event_id
    )
    assert "?comments=" in response.location
    landed = client.get(response.location.split("#")[0]).get_data(as_text=True)
    new_id = response.location.rsplit("#comment-", 1)[1]
    assert f'id="comment-{new_id}"' in landed and "The newest one" in landed


def test_event_page_query_count_does_not_grow_with_comments(app, world, make_user, count_queries):
    """5 threads, then 50 (each a comment by one member and a reply by another, so every
    author is a different person): the event page runs the same number of queries."""

    def threads(count: int) -> None:
        pairs = [(make_user().id, make_user().id) for _n in range(count)]
        with app.app_context():
            for n, (writer_id, replier_id) in enumerate(pairs):
                writer = db.session.get(User, writer_id)
                top = comments.add_comment(writer, "event", world.event_id, f"Top {n}")
                replier = db.session.get(User, replier_id)
                comments.add_comment(replier, "event", world.event_id, f"Reply {n}", top.id)
            db.session.commit()

    client = world.client("member")
    counts = []
    for more in (4, 45):  # with the world's own comment: 5, then 50 threads
        threads(more)
        page(client, world.event_id)  # warm up
        with count_queries() as counter:
            html = page(client, world.event_id)
        counts.append(counter.count)
    assert html.count('class="comment"') == 2 * comments.PAGE_SIZE - 1  # the first has no reply
    assert counts[0] == counts[1], counts


@pytest.mark.demo_data
def test_demo_has_comment_threads(app):
    with app.app_context():
        tops = db.session.scalar(
            select(db.func.count()).select_from(Comment).where(Comment.parent_id.is_(None))
        )
        replies = db.session.scalar(
            select(db.func.count()).select_from(Comment).where(Comment.parent_id.is_not(None))
        )
    assert tops >= 10 and replies >= 5
