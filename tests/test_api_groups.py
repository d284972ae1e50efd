"""Groups over the JSON API: list, create, read, join / approve, leave / remove; a
permission matrix over roles; a private group is the missing 404 (and absent from lists and
from the group's events) for outsiders; `group_id` on events is validated (422, not a
500); joins racing on one group keep `member_count` right. On SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from community.auth.models import User
from community.extensions import db
from community.groups import services as groups
from community.groups.models import Group
from tests.test_api import OPENAPI_PATH, api_login, error_code, error_fields
from tests.test_api_events import event_body

BACKENDS = ("sqlite", "postgresql")
MISSING_ID = 987_654


@pytest.fixture
def setup(app, make_user, organiser, member, moderator, admin):
    """A private and a public group of `organiser`, each with one more member (`insider`)."""
    insider = make_user("ina.insider@example.org", "Ina Insider")
    with app.app_context():
        host = db.session.get(User, organiser.id)
        private = groups.create_group(host, groups.GroupData(name="Hush", visibility="private"))
        public = groups.create_group(host, groups.GroupData(name="Loud"))
        for group in (private, public):
            groups.request_to_join(db.session.get(User, insider.id), group)
        groups.approve_request(host, private, insider.id)
        db.session.commit()
        ids = private.id, public.id
    people = {
        "organiser": organiser,
        "insider": insider,
        "member": member,
        "moderator": moderator,
        "admin": admin,
    }
    return ids, people


@pytest.mark.parametrize(
    ("who", "sees_private"),
    [
        ("organiser", True),
        ("insider", True),
        ("member", False),
        ("moderator", True),
        ("admin", True),
    ],
)
def test_private_group_is_the_missing_404_and_absent_from_the_list(app, setup, who, sees_private):
    (private_id, public_id), people = setup
    api = api_login(app, people[who])
    listed = [item["id"] for item in api.get("/api/v1/groups").get_json()["items"]]
    assert (private_id in listed) == sees_private and public_id in listed
    one = api.get(f"/api/v1/groups/{private_id}")
    missing = api.get(f"/api/v1/groups/{MISSING_ID}")
    if sees_private:
        assert one.status_code == 200 and one.get_json()["member_count"] == 2
    else:
        assert one.status_code == 404 and one.get_json() == missing.get_json()
        assert api.post(f"/api/v1/groups/{private_id}/members", json={}).status_code == 404


def test_every_group_endpoint_answers_an_outsider_as_for_a_missing_group(app, setup):
    (private_id, _public_id), people = setup
    api = api_login(app, people["member"])
    calls = [
        ("get", "", None),
        ("post", "/members", {}),
        ("post", "/members", {"user_id": people["insider"].id}),
        ("delete", "/members", {}),
        ("delete", "/members", {"user_id": people["insider"].id}),
        ("post", "/invite-link", None),
    ]
    for method, path, body in calls:
        kwargs = {} if body is None else {"json": body}
        hidden = getattr(api, method)(f"/api/v1/groups/{private_id}{path}", **kwargs)
        missing = getattr(api, method)(f"/api/v1/groups/{MISSING_ID}{path}", **kwargs)
        assert hidden.status_code == 404, (method, path)
        assert hidden.get_json() == missing.get_json(), (method, path)
    with app.app_context():
        group = db.session.get(Group, private_id)
        assert (group.member_count, group.invite_version) == (2, 0)


def test_anonymous_gets_401(client, setup):
    (private_id, _public), _people = setup
    assert client.get("/api/v1/groups").status_code == 401
    assert client.get(f"/api/v1/groups/{private_id}").status_code == 401


@pytest.mark.parametrize(
    ("who", "status"), [("organiser", 201), ("moderator", 201), ("admin", 201), ("member", 403)]
)
def test_who_may_create_a_group(app, setup, who, status):
    _ids, people = setup
    response = api_login(app, people[who]).post("/api/v1/groups", json={"name": "Book club"})
    assert response.status_code == status
    if status == 201:
        body = response.get_json()
        assert body["slug"].startswith("book-club") and body["member_count"] == 1
        assert body["my_membership"] == {"role": "organiser", "status": "active"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "city": "atlantis"}, "city"),
        ({"name": "x", "visibility": "hidden"}, "visibility"),
        ({"name": "x", "extra": 1}, "extra"),
    ],
)
def test_create_refuses_bad_input_with_422(app, setup, body, field):
    _ids, people = setup
    response = api_login(app, people["organiser"]).post("/api/v1/groups", json=body)
    assert response.status_code == 422 and error_code(response) == "validation_error"
    assert field in error_fields(response)


def test_join_leave_and_remove(app, setup):
    (private_id, public_id), people = setup
    member = api_login(app, people["member"])
    joined = member.post(f"/api/v1/groups/{public_id}/members", json={})
    assert joined.status_code == 201 and joined.get_json()["member_count"] == 3
    again = member.post(f"/api/v1/groups/{public_id}/members", json={})
    assert again.get_json()["member_count"] == 3
    insider = api_login(app, people["insider"])
    refused = insider.delete(
        f"/api/v1/groups/{public_id}/members", json={"user_id": people["member"].id}
    )
    assert refused.status_code == 403
    host = api_login(app, people["organiser"])
    removed = host.delete(
        f"/api/v1/groups/{public_id}/members", json={"user_id": people["member"].id}
    )
    assert removed.status_code == 204
    assert member.delete(f"/api/v1/groups/{public_id}/members", json={}).status_code == 204
    last = host.delete(f"/api/v1/groups/{private_id}/members", json={})
    assert last.status_code == 409 and error_code(last) == "conflict"
    assert "last organiser" in last.get_json()["error"]["message"]
    handed = host.delete(
        f"/api/v1/groups/{private_id}/members", json={"successor_id": people["insider"].id}
    )
    assert handed.status_code == 204
    body = insider.get(f"/api/v1/groups/{private_id}").get_json()
    assert body["member_count"] == 1 and body["my_membership"]["role"] == "organiser"


def test_an_organiser_approves_a_request_over_the_api(app, setup, make_user):
    (private_id, _public), people = setup
    with app.app_context():
        group = db.session.get(Group, private_id)
        groups.request_to_join(db.session.get(User, people["member"].id), group)
        db.session.commit()
    insider = api_login(app, people["insider"])
    assert (
        insider.post(
            f"/api/v1/groups/{private_id}/members", json={"user_id": people["member"].id}
        ).status_code
        == 403
    )
    host = api_login(app, people["organiser"])
    approved = host.post(
        f"/api/v1/groups/{private_id}/members", json={"user_id": people["member"].id}
    )
    assert approved.status_code == 201 and approved.get_json()["status"] == "active"
    again = host.post(f"/api/v1/groups/{private_id}/members", json={"user_id": people["member"].id})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("who", "status"),
    [("organiser", 204), ("moderator", 204), ("admin", 204), ("insider", 403), ("member", 404)],
)
def test_who_may_decline_a_request_over_the_api(app, setup, make_user, who, status):
    (private_id, _public), people = setup
    asker = make_user("asa.asker@example.org", "Asa Asker")
    with app.app_context():
        groups.request_to_join(db.session.get(User, asker.id), db.session.get(Group, private_id))
        db.session.commit()
    api = api_login(app, people[who])
    path = f"/api/v1/groups/{private_id}/members"
    response = api.delete(path, json={"user_id": asker.id})
    assert response.status_code == status
    with app.app_context():
        group = db.session.get(Group, private_id)
        assert group.member_count == 2
        assert (groups.count_requests(group) == 0) == (status == 204)
    if status == 204:
        again = api.delete(path, json={"user_id": asker.id})
        assert again.status_code == 409 and error_code(again) == "conflict"


def test_events_take_a_group_id_only_from_its_organisers(app, setup, make_user):
    (private_id, public_id), people = setup
    host = api_login(app, people["organiser"])
    made = host.post("/api/v1/events", json=event_body(group_id=private_id))
    assert made.status_code == 201 and made.get_json()["group_id"] == private_id
    event_id = made.get_json()["id"]
    for bad in (MISSING_ID, public_id):
        other = api_login(app, people["moderator"])
        refused = other.post("/api/v1/events", json=event_body(group_id=bad))
        assert refused.status_code == 422 and "group_id" in error_fields(refused)
    assert host.post("/api/v1/events", json=event_body(group_id="1")).status_code == 422
    outsider = api_login(app, people["member"])
    assert outsider.get(f"/api/v1/events/{event_id}").status_code == 404
    assert event_id not in [e["id"] for e in outsider.get("/api/v1/events").get_json()["items"]]
    filtered = outsider.get("/api/v1/events", query_string={"group_id": private_id}).get_json()
    assert "items" in filtered, filtered
    assert filtered["items"] == []
    insider = api_login(app, people["insider"])
    assert insider.get(f"/api/v1/events/{event_id}").status_code == 200
    cleared = host.patch(f"/api/v1/events/{event_id}", json={"group_id": None})
    assert cleared.status_code == 200 and cleared.get_json()["group_id"] is None


def test_the_openapi_document_lists_the_group_endpoints(client):
    paths = client.get(OPENAPI_PATH).get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/groups"])
    assert "get" in paths["/api/v1/groups/{group_id}"]
    assert {"post", "delete"} <= set(paths["/api/v1/groups/{group_id}/members"])
    assert "post" in paths["/api/v1/groups/{group_id}/invite-link"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 200),
        ("moderator", 200),  # moderators and admins manage every group
        ("admin", 200),
        ("insider", 403),
        ("member", 404),  # the private group does not exist for them
    ],
)
def test_who_may_make_a_new_invite_link(app, client, setup, who, status):
    (private_id, _public_id), people = setup
    with app.app_context():
        group = db.session.get(Group, private_id)
        old = f"/groups/{group.slug}/join/{groups.invite_token(group)}"
    api = api_login(app, people[who])
    response = api.post(f"/api/v1/groups/{private_id}/invite-link")
    assert response.status_code == status
    if status == 404:
        missing = api.post(f"/api/v1/groups/{MISSING_ID}/invite-link")
        assert response.get_json() == missing.get_json()
    elif status == 403:
        assert error_code(response) == "forbidden"
    with app.app_context():
        group = db.session.get(Group, private_id)
        assert group.invite_version == (1 if status == 200 else 0)
        current = f"/groups/{group.slug}/join/{groups.invite_token(group)}"
    if status == 200:
        assert response.get_json()["url"].endswith(current) and current != old
    else:
        assert "url" not in str(response.get_json())
    # The group itself carries the link for those who manage it, and for nobody else.
    for item in api.get("/api/v1/groups").get_json()["items"]:
        assert (item["invite_url"] is not None) == item["can_manage"], item
        if item["id"] == private_id:
            assert item["can_manage"] == (status == 200)
    if status != 404:
        link = api.get(f"/api/v1/groups/{private_id}").get_json()["invite_url"]
        assert link == (response.get_json()["url"] if status == 200 else None)
    assert client.post(f"/api/v1/groups/{private_id}/invite-link").status_code == 401


def test_the_old_invite_link_stops_working_after_an_api_renewal(app, setup, login):
    (private_id, _public_id), people = setup
    with app.app_context():
        group = db.session.get(Group, private_id)
        old = f"/groups/{group.slug}/join/{groups.invite_token(group)}"
    browser = login(people["member"])
    assert browser.get(old).status_code == 200
    url = api_login(app, people["organiser"]).post(f"/api/v1/groups/{private_id}/invite-link")
    new = url.get_json()["url"].split("localhost", 1)[-1]
    assert browser.get(old).status_code == 404
    assert browser.get(new).status_code == 200
    body = api_login(app, people["insider"]).get(f"/api/v1/groups/{private_id}").get_json()
    assert "/join/" not in str(body)


def test_twenty_members_joining_at_once_count_exactly(app, setup, make_user):
    (_private, public_id), _people = setup
    refs = [make_user(f"racer{index}@example.org", f"Racer {index}") for index in range(20)]
    clients = [api_login(app, ref) for ref in refs]
    twice = clients + clients[:5]  # five of them click twice

    def join(api):
        return api.post(f"/api/v1/groups/{public_id}/members", json={}).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(join, twice))
    assert statuses == [201] * len(twice)
    with app.app_context():
        group = db.session.get(Group, public_id)
        assert group.member_count == 2 + 20
        assert len(groups.list_members(group, None, 100).items) == 22


def test_the_group_list_pages_with_cursors_mine_first(app, setup):
    (private_id, public_id), people = setup
    with app.app_context():
        host = db.session.get(User, people["organiser"].id)
        for index in range(5):
            groups.create_group(host, groups.GroupData(name=f"Aardvarks {index}"))
        db.session.commit()
    api = api_login(app, people["insider"])
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get("/api/v1/groups", query_string=query).get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen[:2] == sorted(
        [private_id, public_id], key={private_id: "Hush", public_id: "Loud"}.get
    )
    assert len(seen) == len(set(seen)) == 7
    assert api.get("/api/v1/groups", query_string={"cursor": "bm9wZQ"}).status_code == 400
