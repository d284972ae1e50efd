"""Comments over the JSON API: GET|POST /api/v1/events/{id}/comments and
PATCH|DELETE /api/v1/comments/{id}; every role over every endpoint, the answer's shape
(threads, states, hidden names), refusals in the house error format, and the OpenAPI
document. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from community.auth.models import User
from community.auth.roles import Role
from community.connections import services as connections
from community.extensions import db
from community.profiles.services import ProfileData, update_profile
from tests.test_api import OPENAPI_PATH, ApiClient, api_login, error_code, error_fields
from tests.test_api_events import Anonymous, event_body

BACKENDS = ("sqlite", "postgresql")

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
    clients: dict[str, ApiClient | Anonymous]
    event_id: int
    comment_id: int

    def __getattr__(self, role: str):
        return self.clients[role]


@pytest.fixture
def world(app, make_user) -> World:
    author = make_user(display_name="Ari Author")
    blocked = make_user(display_name="Bo Blocked")
    with app.app_context():
        connections.block(db.session.get(User, author.id), blocked.id)
        db.session.commit()
    clients = {
        "author": api_login(app, author),
        "member": api_login(app, make_user(display_name="Mel Member")),
        "host": api_login(app, make_user(roles=(Role.ORGANISER,), display_name="Hana Host")),
        "other_organiser": api_login(app, make_user(roles=(Role.ORGANISER,))),
        "moderator": api_login(app, make_user(roles=(Role.MODERATOR,))),
        "admin": api_login(app, make_user(roles=(Role.ADMIN,))),
        "blocked": api_login(app, blocked),
        "anonymous": Anonymous(app),
    }
    response = clients["host"].post("/api/v1/events", json=event_body(capacity=20))
    event_id = response.get_json()["id"]
    response = clients["author"].post(
        f"/api/v1/events/{event_id}/comments", json={"body": "Hello *all*"}
    )
    assert response.status_code == 201, response.get_json()
    return World(clients, event_id, response.get_json()["id"])


def listed(client, event_id: int) -> list[dict]:
    response = client.get(f"/api/v1/events/{event_id}/comments")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


# role: (GET list sees the comment, POST, PATCH, DELETE)
EXPECTED = {
    "author": (True, 201, 200, 204),
    "member": (True, 201, 403, 403),
    "host": (True, 201, 403, 204),
    "other_organiser": (True, 201, 403, 403),
    "moderator": (True, 201, 403, 204),
    "admin": (True, 201, 403, 204),
    "blocked": (False, 201, 404, 404),
    "anonymous": (None, 401, 401, 401),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_over_every_endpoint(world, role):
    client = world.clients[role]
    sees, post_code, patch_code, delete_code = EXPECTED[role]
    base = f"/api/v1/events/{world.event_id}/comments"
    if role == "anonymous":
        assert client.get(base).status_code == 401
    else:
        ids = [item["id"] for item in listed(client, world.event_id)]
        assert (world.comment_id in ids) is sees
    response = client.post(base, json={"body": f"From {role}"})
    assert response.status_code == post_code
    response = client.patch(f"/api/v1/comments/{world.comment_id}", json={"body": "Changed"})
    assert response.status_code == patch_code
    if patch_code >= 400:
        assert error_code(response) in ("forbidden", "not_found", "unauthorized")
    response = client.delete(f"/api/v1/comments/{world.comment_id}")
    assert response.status_code == delete_code
    items = listed(world.member, world.event_id)
    original = next((item for item in items if item["id"] == world.comment_id), None)
    if delete_code == 204 and role == "author":
        assert original is None  # deleted without replies: gone
    elif delete_code == 204:
        assert original["state"] == "removed" and original["body"] == ""
        assert original["removed_by"] == ("host" if role == "host" else "moderator")
    else:
        assert original["state"] == "visible"


def test_a_thread_as_the_api_shows_it(app, world):
    reply = world.member.post(
        f"/api/v1/events/{world.event_id}/comments",
        json={"body": "Me too", "parent_id": world.comment_id},
    )
    assert reply.status_code == 201
    reply_id = reply.get_json()["id"]
    deeper = world.host.post(
        f"/api/v1/events/{world.event_id}/comments",
        json={"body": "Welcome", "parent_id": reply_id},
    )
    assert deeper.get_json()["parent_id"] == world.comment_id  # one level deep
    edited = world.author.patch(
        f"/api/v1/comments/{world.comment_id}", json={"body": "Hello **everyone**"}
    )
    body = edited.get_json()
    assert body["edited_at"] is not None and body["body_html"].count("<strong>") == 1
    assert [r["body"] for r in body["replies"]] == ["Me too", "Welcome"]
    (item,) = listed(world.member, world.event_id)
    assert item["author"] == {"id": item["author"]["id"], "display_name": "Ari Author"}
    assert item["can_edit"] is False and item["can_remove"] is False
    assert [r["id"] for r in item["replies"]] == [reply_id, deeper.get_json()["id"]]
    assert item["replies"][0]["can_edit"] is True
    (host_view,) = listed(world.host, world.event_id)
    assert host_view["can_remove"] is True
    # Deleted with replies: a marker without its text.
    assert world.author.delete(f"/api/v1/comments/{world.comment_id}").status_code == 204
    (item,) = listed(world.member, world.event_id)
    assert item["state"] == "deleted" and item["body"] == "" and item["body_html"] == ""
    assert len(item["replies"]) == 2
    assert world.author.delete(f"/api/v1/comments/{world.comment_id}").status_code == 404
    assert (
        world.author.patch(
            f"/api/v1/comments/{world.comment_id}", json={"body": "back"}
        ).status_code
        == 404
    )


def test_hidden_profiles_have_no_name_and_blocks_hide_comments(app, world):
    with app.app_context():
        author = db.session.get(User, world.author.user.id)
        update_profile(author, ProfileData(visibility="connections"))
        db.session.commit()
    (item,) = listed(world.member, world.event_id)
    assert item["author"]["display_name"] is None
    assert listed(world.blocked, world.event_id) == []
    response = world.blocked.post(
        f"/api/v1/events/{world.event_id}/comments",
        json={"body": "reply", "parent_id": world.comment_id},
    )
    assert response.status_code == 404 and error_fields(response) == {}


def test_refusals_use_the_house_error_format(app, world):
    base = f"/api/v1/events/{world.event_id}/comments"
    for body in ({}, {"body": ""}, {"body": "x" * 5001}, {"body": "ok", "extra": 1}):
        response = world.member.post(base, json=body)
        assert response.status_code == 422, body
        assert error_code(response) == "validation_error"
    assert "body" in error_fields(world.member.post(base, json={"body": "x" * 5001}))
    response = world.member.post(base, json={"body": "   "})
    assert response.status_code == 422 and "body" in error_fields(response)
    response = world.member.post(base, json={"body": "ok", "parent_id": "1"})
    assert response.status_code == 422 and "parent_id" in error_fields(response)
    assert (
        world.member.post("/api/v1/events/987654/comments", json={"body": "x"}).status_code == 404
    )
    assert world.member.get("/api/v1/events/987654/comments").status_code == 404
    assert world.member.get(f"{base}?cursor=nonsense").status_code == 400
    assert world.member.get(f"{base}?limit=0").status_code == 422
    assert world.member.patch("/api/v1/comments/987654", json={"body": "x"}).status_code == 404
    response = world.author.patch(f"/api/v1/comments/{world.comment_id}", json={"body": ""})
    assert response.status_code == 422
    # A cancelled event: readable, but no new comments (409).
    assert world.host.delete(f"/api/v1/events/{world.event_id}").status_code == 204
    response = world.member.post(base, json={"body": "still there?"})
    assert response.status_code == 409 and error_code(response) == "conflict"
    assert len(listed(world.member, world.event_id)) == 1
    # A removed comment can no longer be edited by its author (409).
    assert world.moderator.delete(f"/api/v1/comments/{world.comment_id}").status_code == 204
    response = world.author.patch(f"/api/v1/comments/{world.comment_id}", json={"body": "x"})
    assert response.status_code == 409


def test_comment_lists_are_cursor_paged(world):
    base = f"/api/v1/events/{world.event_id}/comments"
    for n in range(4):
        assert world.member.post(base, json={"body": f"n{n}"}).status_code == 201
    first = world.member.get(f"{base}?limit=3").get_json()
    assert [item["body"] for item in first["items"]] == ["Hello *all*", "n0", "n1"]
    second = world.member.get(f"{base}?limit=3&cursor={first['next_cursor']}").get_json()
    assert [item["body"] for item in second["items"]] == ["n2", "n3"]
    assert second["next_cursor"] is None


def test_the_openapi_document_lists_the_comment_endpoints(world):
    spec = world.member.get(OPENAPI_PATH).get_json()
    paths = spec["paths"]
    assert set(paths["/api/v1/events/{event_id}/comments"]) >= {"get", "post"}
    assert set(paths["/api/v1/comments/{comment_id}"]) >= {"patch", "delete"}
    schemas = spec["components"]["schemas"]
    assert "Comment" in schemas and "replies" in schemas["Comment"]["properties"]


def test_a_reply_racing_a_removal_waits_for_it_and_is_refused(app, world):
    """The moderator's removal holds the comment's row; a reply sent meanwhile waits for it
    and then sees the comment removed (409), never a reply under a removed comment."""
    import threading
    import time

    from community.comments import services as comments
    from community.core.errors import Conflict

    locked, committing = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def remove() -> None:
        with app.app_context():
            moderator = db.session.get(User, world.moderator.user.id)
            comments.remove_comment(moderator, comments.get_comment(moderator, world.comment_id))
            locked.set()
            time.sleep(0.5)  # the reply is waiting on the row now
            committing.set()  # before: the reply may wake the moment the commit lands
            db.session.commit()

    def reply() -> None:
        assert locked.wait(30)
        with app.app_context():
            member = db.session.get(User, world.member.user.id)
            try:
                comments.add_comment(member, "event", world.event_id, "Me too", world.comment_id)
                db.session.commit()
                outcome["result"] = "replied"
            except Conflict:
                db.session.rollback()
                outcome["result"] = "refused"
            outcome["after_removal"] = committing.is_set()

    threads = [threading.Thread(target=remove), threading.Thread(target=reply)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == {"result": "refused", "after_removal": True}
    (item,) = listed(world.member, world.event_id)
    assert item["state"] == "removed" and item["replies"] == []
