"""Chat over the JSON API (#16): conversations (direct found not duplicated, group
conversations, group and event rooms), messages (history, catch-up after a seq, idempotent
sends, edits, deletes, reactions, reports), read state, group administration, muting.

A conversation one is not in is the 404 of a missing one, to moderators and admins too;
anonymous requests get 401; bad input 422 naming the field. The API shares the socket
rules: a block refuses sends both ways, and a send through the API reaches the room's
sockets as `message:new` with the same payload. Query counts stay flat with the number of
conversations and messages. Data is made through the real services; SQLite, and the
racing retries on PostgreSQL too.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.auth.roles import Role
from community.chat import services as chat
from community.chat.models import Message, MessageReport
from community.events.models import Event
from community.events.services import create_event, rsvp
from community.extensions import db, socketio
from community.groups import services as groups
from tests.factories import UserRef, event_data
from tests.test_api import ApiClient, api_login, error_code, error_fields

MISSING_ID = 987_654


def u(ref: UserRef) -> User:
    return db.session.get(User, ref.id)


@dataclass
class World:
    """Ana and Ben share a direct conversation (3 messages, Ana's first); Ana owns a group
    conversation with Ben and Dan; Cai is in neither; a moderator and an admin too."""

    people: dict[str, UserRef]
    direct_id: int
    group_id: int
    first_id: int  # Ana's first message in the direct conversation
    clients: dict[str, ApiClient]

    def api(self, app, who: str) -> ApiClient:
        if who not in self.clients:
            self.clients[who] = api_login(app, self.people[who])
        return self.clients[who]


@pytest.fixture
def world(app, make_user, moderator, admin) -> World:
    people = {name: make_user(display_name=name.title()) for name in ("ana", "ben", "cai", "dan")}
    people.update(moderator=moderator, admin=admin)
    with app.app_context():
        ana, ben = u(people["ana"]), u(people["ben"])
        direct = chat.start_direct(ana, ben.id)
        db.session.flush()
        first = chat.send_message(ana, direct.id, "Hello Ben", "a-1").message
        chat.send_message(ben, direct.id, "Hi Ana", "b-1")
        chat.send_message(ana, direct.id, "Coffee on Friday?", "a-2")
        group = chat.create_group_conversation(
            ana, "School run", [people["ben"].id, people["dan"].id]
        )
        db.session.commit()
        return World(people, direct.id, group.id, first.id, {})


def put(api: ApiClient, path: str, json=None):
    return api.client.put(path, json=json, headers=api.headers)


# --- anonymous -----------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/v1/conversations"),
    ("post", "/api/v1/conversations"),
    ("get", "/api/v1/conversations/1"),
    ("get", "/api/v1/conversations/1/messages"),
    ("post", "/api/v1/conversations/1/messages"),
    ("patch", "/api/v1/conversations/1/messages/1"),
    ("delete", "/api/v1/conversations/1/messages/1"),
    ("post", "/api/v1/conversations/1/messages/1/reactions"),
    ("post", "/api/v1/conversations/1/messages/1/report"),
    ("post", "/api/v1/conversations/1/read"),
    ("post", "/api/v1/conversations/1/unread"),
    ("post", "/api/v1/conversations/1/members"),
    ("delete", "/api/v1/conversations/1/members/2"),
    ("post", "/api/v1/conversations/1/leave"),
    ("put", "/api/v1/conversations/1/mute"),
]


def test_anonymous_gets_401(client, world):
    for method, path in ENDPOINTS:
        path = path.replace("conversations/1", f"conversations/{world.direct_id}")
        response = getattr(client, method)(path, json={})
        assert response.status_code == 401 and error_code(response) == "unauthorized", path


def test_every_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for method, path in ENDPOINTS:
        templated = (
            path.replace("conversations/1", "conversations/{conversation_id}")
            .replace("messages/1", "messages/{message_id}")
            .replace("members/2", "members/{user_id}")
        )
        assert method in paths[templated], (method, templated)
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"id", "seq", "sender_id", "body", "client_id", "created_at", "edited_at"} <= set(
        schema["ChatMessage"]["properties"]
    )


# --- who sees a conversation ---------------------------------------------------------------

# (method, path under the conversation, body): every door into one conversation.
DOORS = [
    ("get", "", None),
    ("get", "/messages", None),
    ("get", "/messages?after_seq=0", None),
    ("post", "/messages", {"body": "Let me in", "client_id": "door-1"}),
    ("patch", "/messages/{m}", {"body": "Changed"}),
    ("delete", "/messages/{m}", None),
    ("post", "/messages/{m}/reactions", {"emoji": "👍"}),
    ("post", "/messages/{m}/report", {"reason": "spam"}),
    ("post", "/read", {"seq": 1}),
    ("post", "/unread", {"message_id": "{m}"}),
    ("put", "/mute", {"muted": True}),
]


def _door(api, world, conversation_id, method, suffix, body):
    path = f"/api/v1/conversations/{conversation_id}" + suffix.replace("{m}", str(world.first_id))
    if body and body.get("message_id") == "{m}":
        body = {"message_id": world.first_id}
    if method == "put":
        return put(api, path, body)
    if method == "get":
        return api.get(path)
    if method == "delete":
        return api.delete(path)
    return getattr(api, method)(path, json=body)


@pytest.mark.parametrize("who", ["cai", "moderator", "admin"])
def test_outsiders_get_the_404_of_a_missing_conversation(app, world, who):
    api = world.api(app, who)
    for method, suffix, body in DOORS:
        response = _door(api, world, world.direct_id, method, suffix, body)
        missing = _door(api, world, MISSING_ID, method, suffix, body)
        assert response.status_code == 404 and error_code(response) == "not_found", suffix
        assert response.get_json() == missing.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 3
        assert db.session.scalar(select(func.count()).select_from(MessageReport)) == 0


MEMBER_DOORS = [
    ("get", "", None, 200),
    ("get", "/messages", None, 200),
    ("post", "/messages", {"body": "Sure!", "client_id": "door-1"}, 201),
    ("post", "/messages/{m}/reactions", {"emoji": "👍"}, 200),
    ("post", "/messages/{m}/report", {"reason": "spam"}, 201),
    ("post", "/read", {"seq": 1}, 200),
    ("post", "/unread", {"message_id": "{m}"}, 200),
    ("put", "/mute", {"muted": True}, 200),
]


def test_the_other_member_may_use_the_conversation(app, world):
    ben = world.api(app, "ben")
    for method, suffix, body, status in MEMBER_DOORS:
        response = _door(ben, world, world.direct_id, method, suffix, body)
        assert response.status_code == status, (suffix, response.get_json())


def test_conversation_ids_out_of_range_are_404(app, world):
    api = world.api(app, "ana")
    assert api.get(f"/api/v1/conversations/{2**70}").status_code == 404
    assert api.get("/api/v1/conversations/0/messages").status_code == 404


# --- starting conversations ----------------------------------------------------------------


def test_a_direct_conversation_is_found_not_duplicated(app, world, make_user):
    eve = make_user(display_name="Eve")
    ana = world.api(app, "ana")
    first = ana.post("/api/v1/conversations", json={"member_ids": [eve.id]})
    assert first.status_code == 201
    body = first.get_json()
    assert body["kind"] == "direct" and body["name"] == "Eve" and body["last_message"] is None
    assert sorted(m["user_id"] for m in body["members"]) == sorted([world.people["ana"].id, eve.id])
    again = ana.post("/api/v1/conversations", json={"member_ids": [eve.id]})
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    from_eve = api_login(app, eve).post(
        "/api/v1/conversations", json={"member_ids": [world.people["ana"].id]}
    )
    assert from_eve.status_code == 200 and from_eve.get_json()["id"] == body["id"]
    assert from_eve.get_json()["name"] == "Ana"
    existing = ana.post("/api/v1/conversations", json={"member_ids": [world.people["ben"].id]})
    assert existing.status_code == 200 and existing.get_json()["id"] == world.direct_id
    assert existing.get_json()["last_message"]["body"] == "Coffee on Friday?"


def test_a_direct_conversation_needs_a_reachable_member(app, world, blocker, blocked, make_user):
    ana = world.api(app, "ana")
    for other in (world.people["ana"].id, MISSING_ID):
        response = ana.post("/api/v1/conversations", json={"member_ids": [other]})
        assert response.status_code == 404
    refused = api_login(app, blocked).post(
        "/api/v1/conversations", json={"member_ids": [blocker.id]}
    )
    assert refused.status_code == 404
    refused = api_login(app, blocker).post(
        "/api/v1/conversations", json={"member_ids": [blocked.id]}
    )
    assert refused.status_code == 404


def test_a_group_conversation_has_its_creator_as_owner(app, world):
    ana = world.api(app, "ana")
    ids = [world.people["ben"].id, world.people["cai"].id]
    response = ana.post("/api/v1/conversations", json={"member_ids": ids, "title": " Book  club "})
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "group" and body["name"] == "Book club" and body["role"] == "owner"
    roles = {m["user_id"]: m["role"] for m in body["members"]}
    assert roles == {world.people["ana"].id: "owner", **dict.fromkeys(ids, "member")}
    two = ana.post("/api/v1/conversations", json={"member_ids": ids, "title": "Book club"})
    assert two.status_code == 201 and two.get_json()["id"] != body["id"]  # groups are not found


BAD_STARTS = [
    ({}, "member_ids"),
    ({"member_ids": []}, "member_ids"),
    ({"member_ids": ["2"]}, "member_ids"),
    ({"member_ids": [2, 3]}, "title"),  # several members need a name
    ({"member_ids": [2, 3], "title": "   "}, "title"),
    ({"member_ids": [2], "title": "x" * (chat.MAX_TITLE + 1)}, "title"),
    ({"member_ids": [2], "group_id": 1}, "group_id"),
    ({"group_id": 1, "title": "Mine"}, "title"),
    ({"group_id": "1"}, "group_id"),
    ({"event_id": 0}, "event_id"),
    ({"member_ids": [2], "kind": "direct"}, "kind"),
    ({"member_ids": list(range(1, chat.MAX_GROUP_MEMBERS + 1)), "title": "Big"}, "member_ids"),
]


def test_starting_refuses_bad_input_with_422(app, world):
    ana = world.api(app, "ana")
    for body, field in BAD_STARTS:
        response = ana.post("/api/v1/conversations", json=body)
        assert response.status_code == 422 and error_code(response) == "validation_error"
        assert field in error_fields(response), (body, response.get_json())


def test_a_group_conversation_with_an_unreachable_member_is_refused(app, world, make_user):
    response = world.api(app, "ana").post(
        "/api/v1/conversations", json={"member_ids": [MISSING_ID], "title": "Ghosts"}
    )
    assert response.status_code == 422 and "member_ids" in error_fields(response)


@pytest.fixture
def rooms(app, world, make_user):
    """A group of Olu's that Ana joined, and Olu's event that Ben is going to."""
    olu = make_user(display_name="Olu", roles=(Role.ORGANISER,))
    with app.app_context():
        group = groups.create_group(u(olu), groups.GroupData(name="Parents"))
        groups.join_group(u(world.people["ana"]), group)
        event = create_event(u(olu), event_data())
        db.session.flush()
        rsvp(u(world.people["ben"]), db.session.get(Event, event.id), confirm_by_mail=False)
        db.session.commit()
        world.people["olu"] = olu
        return {
            "group_id": (group.id, chat.room_of("group_id", group.id).id),
            "event_id": (event.id, chat.room_of("event_id", event.id).id),
        }


@pytest.mark.parametrize(
    ("field", "who", "status"),
    [
        ("group_id", "olu", 200),
        ("group_id", "ana", 200),
        ("group_id", "ben", 404),
        ("group_id", "moderator", 404),
        ("group_id", "admin", 404),
        ("event_id", "olu", 200),
        ("event_id", "ben", 200),
        ("event_id", "ana", 404),
        ("event_id", "moderator", 404),
        ("event_id", "admin", 404),
    ],
)
def test_a_room_opens_only_for_its_members(app, world, rooms, field, who, status):
    owner_id, room_id = rooms[field]
    api = world.api(app, who)
    response = api.post("/api/v1/conversations", json={field: owner_id})
    assert response.status_code == status
    if status == 200:
        body = response.get_json()
        assert body["id"] == room_id and body["kind"] == field.replace("_id", "_room")
        assert body["name"] in ("Parents", "Networking breakfast")
        sent = api.post(
            f"/api/v1/conversations/{room_id}/messages", json={"body": "Hi all", "client_id": "r1"}
        )
        assert sent.status_code == 201
    else:
        missing = api.post("/api/v1/conversations", json={field: MISSING_ID})
        assert response.get_json() == missing.get_json()
        assert api.get(f"/api/v1/conversations/{room_id}").status_code == 404


# --- my conversations ----------------------------------------------------------------------


def test_my_conversations_with_last_message_unread_and_paging(app, world):
    ben = world.api(app, "ben")
    items = ben.get("/api/v1/conversations").get_json()["items"]
    assert [i["id"] for i in items] == [world.group_id, world.direct_id]  # newest first
    group, direct = items
    assert group["kind"] == "group" and group["name"] == "School run" and group["unread"] == 0
    assert group["last_message"] is None and group["role"] == "member"
    assert direct["kind"] == "direct" and direct["name"] == "Ana" and direct["unread"] == 1
    assert direct["last_message"]["body"] == "Coffee on Friday?" and direct["last_seq"] == 3
    ana = world.api(app, "ana")
    ana.post(
        f"/api/v1/conversations/{world.direct_id}/messages", json={"body": "?", "client_id": "a-3"}
    )
    first = ben.get("/api/v1/conversations?limit=1").get_json()
    assert [i["id"] for i in first["items"]] == [world.direct_id] and first["next_cursor"]
    assert first["items"][0]["unread"] == 2
    rest = ben.get(f"/api/v1/conversations?limit=1&cursor={first['next_cursor']}").get_json()
    assert [i["id"] for i in rest["items"]] == [world.group_id] and rest["next_cursor"] is None
    assert ben.get("/api/v1/conversations?cursor=nonsense").status_code == 400
    assert ben.get("/api/v1/conversations?limit=0").status_code == 422
    assert world.api(app, "cai").get("/api/v1/conversations").get_json()["items"] == []


def test_read_and_unread(app, world):
    ben = world.api(app, "ben")
    path = f"/api/v1/conversations/{world.direct_id}"
    read = ben.post(f"{path}/read", json={"seq": 3})
    assert read.status_code == 200
    assert read.get_json() == {"conversation_id": world.direct_id, "seq": 3, "unread": 0}
    back = ben.post(f"{path}/read", json={"seq": 1})  # never moves back
    assert back.get_json()["seq"] == 3
    ahead = ben.post(f"{path}/read", json={"seq": 99})  # capped at the conversation's seq
    assert ahead.get_json()["seq"] == 3
    unread = ben.post(f"{path}/unread", json={"message_id": world.first_id})
    assert unread.get_json() == {"conversation_id": world.direct_id, "seq": 0, "unread": 2}
    for bad in ({"seq": -1}, {"seq": "3"}, {"seq": 1.5}, {}, {"seq": 1, "x": 1}):
        response = ben.post(f"{path}/read", json=bad)
        assert response.status_code == 422, bad
    assert ben.post(f"{path}/unread", json={"message_id": MISSING_ID}).status_code == 404


def test_mute(app, world):
    ben = world.api(app, "ben")
    path = f"/api/v1/conversations/{world.direct_id}/mute"
    response = put(ben, path, {"muted": True})
    assert response.status_code == 200 and response.get_json()["muted"] is True
    assert ben.get(f"/api/v1/conversations/{world.direct_id}").get_json()["muted"] is True
    assert put(ben, path, {"muted": False}).get_json()["muted"] is False
    assert "muted" in error_fields(put(ben, path, {}))


# --- messages ------------------------------------------------------------------------------


def send(api: ApiClient, conversation_id: int, body: str, client_id: str, **extra):
    return api.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"body": body, "client_id": client_id, **extra},
    )


def test_sending_is_idempotent_on_the_client_id(app, world):
    ana = world.api(app, "ana")
    first = send(ana, world.direct_id, "See you at 10", "a-10")
    assert first.status_code == 201
    message = first.get_json()
    assert (
        message["seq"] == message["position"] == 4
        and message["sender_id"] == world.people["ana"].id
    )
    assert (
        message["client_id"] == "a-10" and not message["deleted"] and message["edited_at"] is None
    )
    retry = send(ana, world.direct_id, "See you at 10", "a-10")
    assert retry.status_code == 200 and retry.get_json() == message
    other = send(ana, world.direct_id, "See you at 11", "a-10")
    assert other.status_code == 409 and error_code(other) == "conflict"
    elsewhere = send(ana, world.group_id, "See you at 10", "a-10")
    assert elsewhere.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 4
    assert send(world.api(app, "ben"), world.direct_id, "See you at 10", "a-10").status_code == 201


@pytest.mark.backends("sqlite", "postgresql")
def test_racing_retries_store_one_message(app, world):
    ana = world.api(app, "ana")

    def attempt(_n):
        with app.test_client() as client:
            response = client.post(
                f"/api/v1/conversations/{world.direct_id}/messages",
                json={"body": "Only once", "client_id": "race-1"},
                headers=ana.headers,
            )
            return response.status_code, response.get_json()["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(attempt, range(4)))
    assert sorted(status for status, _id in results) == [200, 200, 200, 201]
    assert len({message_id for _status, message_id in results}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 4


@pytest.mark.backends("sqlite", "postgresql")
def test_two_people_starting_at_once_get_one_direct_conversation(app, world):
    cai, dan = world.api(app, "cai"), world.api(app, "dan")
    pairs = [(cai, world.people["dan"].id), (dan, world.people["cai"].id)] * 2

    def start(pair):
        api, other = pair
        with app.test_client() as client:
            response = client.post(
                "/api/v1/conversations", json={"member_ids": [other]}, headers=api.headers
            )
            return response.status_code, response.get_json()["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(start, pairs))
    assert sorted(status for status, _id in results) == [200, 200, 200, 201]
    assert len({conversation_id for _status, conversation_id in results}) == 1
    with app.app_context():
        assert chat.member_ids(results[0][1]) == sorted(
            [world.people["cai"].id, world.people["dan"].id]
        )


def test_a_reply_stays_in_its_conversation(app, world):
    ben = world.api(app, "ben")
    reply = send(ben, world.direct_id, "Friday works", "b-2", reply_to_id=world.first_id)
    assert reply.status_code == 201 and reply.get_json()["reply_to_id"] == world.first_id
    elsewhere = send(ben, world.group_id, "Wrong place", "b-3", reply_to_id=world.first_id)
    assert elsewhere.status_code == 422 and "reply_to_id" in error_fields(elsewhere)


BAD_SENDS = [
    ({"body": "", "client_id": "x"}, "body"),
    ({"body": "  \n ", "client_id": "x"}, "body"),
    ({"body": "x" * (chat.MAX_BODY + 1), "client_id": "x"}, "body"),
    ({"body": 5, "client_id": "x"}, "body"),
    ({"client_id": "x"}, "body"),
    ({"body": "Hi"}, "client_id"),
    ({"body": "Hi", "client_id": ""}, "client_id"),
    ({"body": "Hi", "client_id": "has space"}, "client_id"),
    ({"body": "Hi", "client_id": "x" * 65}, "client_id"),
    ({"body": "Hi", "client_id": 7}, "client_id"),
    ({"body": "Hi", "client_id": "x", "reply_to_id": "1"}, "reply_to_id"),
    ({"body": "Hi", "client_id": "x", "reply_to_id": MISSING_ID}, "reply_to_id"),
    ({"body": "Hi", "client_id": "x", "sender_id": 1}, "sender_id"),
]


def test_sending_refuses_bad_input_with_422(app, world):
    ana = world.api(app, "ana")
    for body, field in BAD_SENDS:
        response = ana.post(f"/api/v1/conversations/{world.direct_id}/messages", json=body)
        assert response.status_code == 422 and field in error_fields(response), (body, field)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 3


def test_the_longest_message_is_kept_whole_and_markup_stays_text(app, world):
    ana = world.api(app, "ana")
    longest = send(ana, world.direct_id, "y" * chat.MAX_BODY, "long")
    assert longest.status_code == 201 and len(longest.get_json()["body"]) == chat.MAX_BODY
    markup = send(ana, world.direct_id, "<script>alert(1)</script>", "markup")
    assert markup.get_json()["body"] == "<script>alert(1)</script>"  # plain text, as sent
    assert markup.headers["Content-Type"].startswith("application/json")


def test_history_is_oldest_first_and_pages_backwards(app, world):
    ana = world.api(app, "ana")
    for n in range(4):
        send(ana, world.direct_id, f"Note {n}", f"n-{n}")
    path = f"/api/v1/conversations/{world.direct_id}/messages"
    newest = ana.get(f"{path}?limit=3").get_json()
    assert [m["position"] for m in newest["messages"]] == [5, 6, 7]
    assert newest["has_more"] and newest["last_seq"] == 7 and newest["reset"] is False
    older = ana.get(f"{path}?limit=3&cursor={newest['next_cursor']}").get_json()
    assert [m["position"] for m in older["messages"]] == [2, 3, 4]
    oldest = ana.get(f"{path}?limit=3&cursor={older['next_cursor']}").get_json()
    assert [m["body"] for m in oldest["messages"]] == ["Hello Ben"]
    assert not oldest["has_more"] and oldest["next_cursor"] is None
    assert ana.get(f"{path}?cursor=nope").status_code == 400


def test_catch_up_after_a_seq_brings_edits_and_deletes_once_in_order(app, world):
    ana, ben = world.api(app, "ana"), world.api(app, "ben")
    path = f"/api/v1/conversations/{world.direct_id}/messages"
    seen = ben.get(path).get_json()["last_seq"]
    third = send(ana, world.direct_id, "Or Saturday?", "a-3").get_json()
    edited = ana.patch(f"{path}/{world.first_id}", json={"body": "Hello Ben!"})
    assert edited.status_code == 200 and edited.get_json()["edited_at"]
    deleted = ana.delete(f"{path}/{third['id']}")
    assert deleted.status_code == 200
    tombstone = deleted.get_json()
    assert tombstone["deleted"] and tombstone["body"] == "" and tombstone["seq"] == 6
    changes = ben.get(f"{path}?after_seq={seen}").get_json()
    assert [(m["position"], m["seq"]) for m in changes["messages"]] == [(1, 5), (4, 6)]
    assert changes["messages"][0]["body"] == "Hello Ben!"
    assert changes["messages"][1]["deleted"] and changes["last_seq"] == 6
    assert not changes["has_more"] and not changes["reset"]
    paged = ben.get(f"{path}?after_seq=0&limit=2").get_json()
    assert [m["seq"] for m in paged["messages"]] == [2, 3] and paged["has_more"]
    assert ben.get(f"{path}?after_seq=6").get_json()["messages"] == []
    assert ben.get(f"{path}?after_seq=99").get_json()["reset"] is True
    refused = ben.get(f"{path}?after_seq=-1")
    assert refused.status_code == 422 and "after_seq" in error_fields(refused)
    assert ben.get(f"{path}?after_seq=x").status_code == 422


def test_only_the_sender_edits_or_deletes(app, world):
    ben, ana = world.api(app, "ben"), world.api(app, "ana")
    path = f"/api/v1/conversations/{world.direct_id}/messages/{world.first_id}"
    assert ben.patch(path, json={"body": "Not mine"}).status_code == 403
    assert ben.delete(path).status_code == 403
    assert ana.patch(path, json={"body": ""}).status_code == 422
    assert "body" in error_fields(ana.patch(path, json={}))
    assert ana.patch(path, json={"body": "x", "seq": 1}).status_code == 422
    assert ana.delete(path).status_code == 200
    assert ana.delete(path).status_code == 409
    assert ana.patch(path, json={"body": "Back"}).status_code == 409
    missing = f"/api/v1/conversations/{world.direct_id}/messages/{MISSING_ID}"
    assert ana.patch(missing, json={"body": "x"}).status_code == 404
    in_other = f"/api/v1/conversations/{world.group_id}/messages/{world.first_id}"
    assert ana.patch(in_other, json={"body": "x"}).status_code == 404


def test_reactions_toggle(app, world):
    ben = world.api(app, "ben")
    path = f"/api/v1/conversations/{world.direct_id}/messages/{world.first_id}/reactions"
    added = ben.post(path, json={"emoji": "🎉"})
    assert added.status_code == 200 and added.get_json()["reactions"] == {
        "🎉": [world.people["ben"].id]
    }
    assert added.get_json()["seq"] == 4
    removed = ben.post(path, json={"emoji": "🎉"})
    assert removed.get_json()["reactions"] == {} and removed.get_json()["seq"] == 5
    refused = ben.post(path, json={"emoji": "💩"})
    assert refused.status_code == 422 and "emoji" in error_fields(refused)


def test_reports(app, world):
    ben, ana = world.api(app, "ben"), world.api(app, "ana")
    path = f"/api/v1/conversations/{world.direct_id}/messages/{world.first_id}/report"
    made = ben.post(path, json={"reason": "Not kind"})
    assert made.status_code == 201
    assert (
        made.get_json()["message_id"] == world.first_id and made.get_json()["reason"] == "Not kind"
    )
    assert ben.post(path, json={}).status_code == 409  # once per member and message
    assert ana.post(path, json={}).status_code == 409  # not your own
    too_long = ben.post(path, json={"reason": "x" * (chat.MAX_REPORT + 1)})
    assert too_long.status_code == 422 and "reason" in error_fields(too_long)
    with app.app_context():
        report = db.session.scalars(select(MessageReport)).one()
        assert report.body_reported == "Hello Ben" and report.reporter_id == world.people["ben"].id


# --- group administration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("ana", 200), ("ben", 403), ("cai", 404), ("moderator", 404), ("admin", 404)],
)
def test_only_the_owner_adds_members(app, world, who, status):
    eve_id = world.people["cai"].id if who != "cai" else world.people["moderator"].id
    response = world.api(app, who).post(
        f"/api/v1/conversations/{world.group_id}/members", json={"member_ids": [eve_id]}
    )
    assert response.status_code == status
    if status == 200:
        assert eve_id in [m["user_id"] for m in response.get_json()["members"]]


@pytest.mark.parametrize(
    ("who", "status"),
    [("ana", 204), ("ben", 403), ("cai", 404), ("moderator", 404), ("admin", 404)],
)
def test_only_the_owner_removes_members(app, world, who, status):
    dan = world.people["dan"].id
    response = world.api(app, who).delete(f"/api/v1/conversations/{world.group_id}/members/{dan}")
    assert response.status_code == status
    with app.app_context():
        assert (dan in chat.member_ids(world.group_id)) == (status != 204)
    if status == 204:
        dan_api = world.api(app, "dan")
        assert dan_api.get(f"/api/v1/conversations/{world.group_id}").status_code == 404


def test_group_administration_edges(app, world):
    ana = world.api(app, "ana")
    base = f"/api/v1/conversations/{world.group_id}"
    assert ana.delete(f"{base}/members/{world.people['ana'].id}").status_code == 409
    assert ana.delete(f"{base}/members/{world.people['cai'].id}").status_code == 404
    direct = f"/api/v1/conversations/{world.direct_id}"
    added = ana.post(f"{direct}/members", json={"member_ids": [world.people["cai"].id]})
    assert added.status_code == 409  # a direct conversation stays two people
    assert ana.post(f"{direct}/leave").status_code == 409
    for bad in ({}, {"member_ids": []}, {"member_ids": [MISSING_ID]}, {"member_ids": ["1"]}):
        response = ana.post(f"{base}/members", json=bad)
        assert response.status_code == 422 and "member_ids" in error_fields(response), bad


def test_leaving_hands_the_group_on(app, world):
    ana, ben = world.api(app, "ana"), world.api(app, "ben")
    base = f"/api/v1/conversations/{world.group_id}"
    assert ana.post(f"{base}/leave").status_code == 204
    assert ana.get(base).status_code == 404
    detail = ben.get(base).get_json()
    assert detail["owner_id"] == world.people["ben"].id and detail["role"] == "owner"
    assert ben.post(f"{base}/leave").status_code == 204
    assert world.api(app, "dan").get(base).get_json()["role"] == "owner"


@pytest.mark.parametrize("app_overrides", [{"CHAT_API_WRITE_LIMIT": "3 per minute"}])
def test_writes_over_the_rate_are_refused_with_429(app, world):
    ana, ben = world.api(app, "ana"), world.api(app, "ben")
    path = f"/api/v1/conversations/{world.direct_id}/messages"
    assert send(ana, world.direct_id, "One", "rate-1").status_code == 201
    assert ana.patch(f"{path}/{world.first_id}", json={"body": "Two"}).status_code == 200
    assert ana.post(f"{path}/{world.first_id}/reactions", json={"emoji": "👍"}).status_code == 200
    refused = send(ana, world.direct_id, "Four", "rate-4")
    assert refused.status_code == 429 and error_code(refused) == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert send(ben, world.direct_id, "Mine is fine", "rate-b").status_code == 201  # per member
    assert ana.get(path).status_code == 200  # reading is not limited
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 5


# --- the same rules as the sockets ---------------------------------------------------------


def test_a_block_refuses_sends_both_ways(app, world):
    ana, ben = world.api(app, "ana"), world.api(app, "ben")
    blocked = ben.post("/api/v1/blocks", json={"user_id": world.people["ana"].id})
    assert blocked.status_code in (200, 201)
    for n, api in enumerate((ana, ben)):
        response = send(api, world.direct_id, "Still there?", f"blocked-{n}")
        assert response.status_code == 403 and error_code(response) == "forbidden"
    reopened = ana.post("/api/v1/conversations", json={"member_ids": [world.people["ben"].id]})
    assert reopened.status_code == 404
    # The group conversation they share is not a direct line: it goes on.
    assert send(ana, world.group_id, "Pickup at 8", "g-1").status_code == 201


def test_a_send_through_the_api_reaches_the_rooms_sockets(app, world, make_socket_client):
    socket = make_socket_client(world.people["ben"])
    room = chat.conversation_room(world.direct_id)
    sid = socketio.server.manager.sid_from_eio_sid(socket.eio_sid, "/")
    if room not in socketio.server.rooms(sid, namespace="/"):
        socketio.server.enter_room(sid, room, namespace="/")
    ana = world.api(app, "ana")
    answer = send(ana, world.direct_id, "Live!", "live-1").get_json()
    edited = ana.patch(
        f"/api/v1/conversations/{world.direct_id}/messages/{answer['id']}", json={"body": "Live."}
    ).get_json()
    send(ana, world.direct_id, "Other body", "live-1")  # refused: nothing goes out
    events = [
        (e["name"], e["args"][0]) for e in socket.get_received() if e["name"].startswith("message:")
    ]
    assert events == [("message:new", answer), ("message:updated", edited)]
    with app.app_context():
        assert chat.payload(db.session.get(Message, answer["id"])) == edited


# --- query counts --------------------------------------------------------------------------


def _fill(app, world, conversations: int, messages: int) -> None:
    """Ana gets `conversations` group conversations with Ben and Dan, each with a message."""
    with app.app_context():
        ana = u(world.people["ana"])
        for n in range(conversations):
            group = chat.create_group_conversation(
                ana, f"Topic {n}", [world.people["ben"].id, world.people["dan"].id]
            )
            db.session.flush()
            chat.send_message(ana, group.id, f"About topic {n}", f"t-{uuid4().hex}")
        ben = u(world.people["ben"])
        for n in range(messages):
            sent = chat.send_message(
                ben, world.direct_id, f"Line {n}", f"l-{uuid4().hex}", world.first_id
            )
            chat.react(ana, world.direct_id, sent.message.id, "👍")
        db.session.commit()


def _count(count_queries, api: ApiClient, path: str) -> int:
    """The statements one GET of `path` runs (after a first one has noted the token's use,
    which it does at most once a minute)."""
    assert api.get(path).status_code == 200
    with count_queries() as counter:
        assert api.get(path).status_code == 200
    return counter.count


def test_my_conversations_cost_the_same_for_5_and_50(app, world, rooms, count_queries):
    with app.app_context():  # Ana goes to the event too: every kind of conversation is listed
        rsvp(u(world.people["ana"]), db.session.get(Event, rooms["event_id"][0]))
        db.session.commit()
    ana = world.api(app, "ana")
    path = "/api/v1/conversations?limit=100"
    _fill(app, world, 1, 0)
    kinds = {item["kind"] for item in ana.get(path).get_json()["items"]}
    assert kinds == {"direct", "group", "group_room", "event_room"}
    few = _count(count_queries, ana, path)
    assert len(ana.get(path).get_json()["items"]) == 5
    _fill(app, world, 45, 0)
    assert len(ana.get(path).get_json()["items"]) == 50
    assert _count(count_queries, ana, path) == few


def test_messages_cost_the_same_for_5_and_50(app, world, count_queries):
    ben = world.api(app, "ben")
    newest = f"/api/v1/conversations/{world.direct_id}/messages?limit=100"
    changes = f"/api/v1/conversations/{world.direct_id}/messages?after_seq=0&limit=100"
    _fill(app, world, 0, 2)
    few = _count(count_queries, ben, newest), _count(count_queries, ben, changes)
    assert len(ben.get(newest).get_json()["messages"]) == 5
    _fill(app, world, 0, 45)
    assert len(ben.get(newest).get_json()["messages"]) == 50
    assert (_count(count_queries, ben, newest), _count(count_queries, ben, changes)) == few


# --- the service verbs this API added ------------------------------------------------------


def test_service_open_direct_room_for_summary_and_recent(app, world, rooms):
    from community.core.errors import NotFound

    with app.app_context():
        ana, ben, cai = (u(world.people[name]) for name in ("ana", "ben", "cai"))
        conversation, created = chat.open_direct(ben, ana.id)
        assert conversation.id == world.direct_id and not created
        conversation, created = chat.open_direct(cai, ana.id)
        assert created and chat.start_direct(ana, cai.id).id == conversation.id
        db.session.commit()
        group_id, group_room = rooms["group_id"]
        assert chat.room_for(ana, "group_id", group_id).id == group_room
        for who, field, owner_id in (
            (ben, "group_id", group_id),
            (ana, "event_id", rooms["event_id"][0]),
            (ana, "group_id", MISSING_ID),
            (ana, "group_id", True),
        ):
            with pytest.raises(NotFound):
                chat.room_for(who, field, owner_id)
        with pytest.raises(ValueError):
            chat.room_for(ana, "owner_id", group_id)
        item = chat.summary(ben, world.direct_id)
        assert (item.name, item.unread, item.last_message.body) == ("Ana", 1, "Coffee on Friday?")
        with pytest.raises(NotFound):
            chat.summary(cai, world.direct_id)
        page = chat.recent(ben, world.direct_id, limit=2)
        assert [m.position for m in page.messages] == [2, 3] and page.last_seq == 3
        assert [
            m.position for m in chat.recent(ben, world.direct_id, page.next_cursor).messages
        ] == [1]


# --- demo data -----------------------------------------------------------------------------


@pytest.mark.demo_data
def test_the_demo_member_has_chats_to_read_through_the_api(app):
    from community.demo import DEMO_PASSWORD

    with app.app_context():
        mia = db.session.scalar(select(User).where(User.email == "member@alongside.example"))
        ref = UserRef(mia.id, mia.email, mia.display_name, DEMO_PASSWORD)
    api = api_login(app, ref)
    items = api.get("/api/v1/conversations?limit=100").get_json()["items"]
    talked = [item for item in items if item["last_message"]]
    assert {item["kind"] for item in talked} == {"direct", "group", "group_room", "event_room"}
    assert [item["id"] for item in items[: len(talked)]] == [item["id"] for item in talked]
    assert sum(item["unread"] > 0 for item in talked) >= 3
    assert sum(item["unread"] == 0 for item in talked) >= 2
    group = next(item for item in talked if item["kind"] == "group")
    assert 4 <= len(api.get(f"/api/v1/conversations/{group['id']}").get_json()["members"]) <= 5
    seen: list[dict] = []
    for item in talked:
        page = api.get(f"/api/v1/conversations/{item['id']}/messages?after_seq=0&limit=100")
        body = page.get_json()
        assert not body["has_more"] and body["last_seq"] == item["last_seq"]
        seqs = [m["seq"] for m in body["messages"]]
        assert seqs == sorted(seqs) and seqs[-1] == item["last_seq"]  # changes in seq order
        if item["kind"] == "direct":
            assert 10 <= len(body["messages"]) <= 40
        seen += body["messages"]
    assert any(m["edited_at"] for m in seen) and any(m["deleted"] for m in seen)
    assert any(m["reply_to_id"] for m in seen) and any(m["reactions"] for m in seen)
    days = {m["created_at"][:10] for m in seen}
    assert len(days) >= 3  # spread over the last days, not all "now"
