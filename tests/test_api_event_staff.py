"""The staff endpoints of #18 (`/api/v1/events/{id}/staff`): hosts read the co-hosts and
door helpers; only the event's owner (organiser, moderator) adds, changes and removes them,
through the same `events.staff` service as the "Hosts and helpers" page (same audit
entries, notifications and refusals). Per role, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.audit.models import AuditEntry
from community.auth.models import User
from community.connections import services as connections
from community.events.models import EventStaff
from community.extensions import db
from community.notifications.models import Notification
from tests.test_api import OPENAPI_PATH, api_login, error_code
from tests.test_api_events import event_body

BACKENDS = ("sqlite", "postgresql")
ROLES = ["organiser", "cohost", "door_helper", "going", "other_member", "anonymous", "moderator"]
HOSTS = {"organiser", "cohost", "moderator"}
OWNERS = {"organiser", "moderator"}


@pytest.fixture
def world(app, make_user, organiser, moderator):
    """An event whose organiser made a co-host and a door helper through the API; one
    member going; Nora, whom nobody has given a role yet."""
    people = {
        "organiser": organiser,
        "cohost": make_user(display_name="Cora Cohost"),
        "door_helper": make_user(display_name="Dora Door"),
        "going": make_user(display_name="Gus Going"),
        "other_member": make_user(display_name="Otto Other"),
        "moderator": moderator,
        "newcomer": make_user(display_name="Nora New"),
    }
    host = api_login(app, organiser)
    created = host.post("/api/v1/events", json=event_body(capacity=5))
    assert created.status_code == 201, created.get_json()
    event_id = created.get_json()["id"]
    for name, role in (("cohost", "cohost"), ("door_helper", "door_helper")):
        answer = host.post(
            f"/api/v1/events/{event_id}/staff", json={"user_id": people[name].id, "role": role}
        )
        assert answer.status_code == 201, answer.get_json()
    going = api_login(app, people["going"]).post(f"/api/v1/events/{event_id}/rsvp", json={})
    assert going.status_code == 201, going.get_json()
    return people, event_id


def roles_of(app, event_id: int) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(
            select(EventStaff.user_id, EventStaff.role).where(EventStaff.event_id == event_id)
        )
        return dict(rows.all())


@pytest.mark.parametrize("role", ROLES)
def test_staff_endpoints_per_role(app, world, role):
    people, event_id = world
    base = f"/api/v1/events/{event_id}/staff"
    nora, dora = people["newcomer"].id, people["door_helper"].id
    before = roles_of(app, event_id)
    if role == "anonymous":
        anonymous = app.test_client()
        assert anonymous.get(base).status_code == 401
        assert anonymous.post(base, json={"user_id": nora, "role": "cohost"}).status_code == 401
        assert anonymous.delete(f"{base}/{dora}").status_code == 401
        assert roles_of(app, event_id) == before
        return
    api = api_login(app, people[role])
    listed = api.get(base)
    if role in HOSTS:
        assert listed.status_code == 200
        items = listed.get_json()["items"]
        assert [(i["user_id"], i["display_name"], i["role"]) for i in items] == [
            (people["cohost"].id, "Cora Cohost", "cohost"),
            (dora, "Dora Door", "door_helper"),
        ]
        assert all(i["added_at"].endswith("+00:00") for i in items)
        assert "@" not in listed.get_data(as_text=True)  # names, never addresses
    else:
        assert listed.status_code == 404 and error_code(listed) == "not_found"

    added = api.post(base, json={"user_id": nora, "role": "door_helper"})
    same = api.post(base, json={"user_id": nora, "role": "door_helper"})
    changed = api.post(base, json={"user_id": nora, "role": "cohost"})
    removed = api.delete(f"{base}/{dora}")
    if role in OWNERS:
        assert added.status_code == 201
        assert added.get_json()["role"] == "door_helper"
        assert added.get_json()["display_name"] == "Nora New"
        assert same.status_code == 200 and changed.status_code == 200
        assert changed.get_json()["role"] == "cohost"
        assert removed.status_code == 204 and removed.get_data() == b""
        assert roles_of(app, event_id) == {people["cohost"].id: "cohost", nora: "cohost"}
    else:  # co-hosts too: the staff page answers them the 404 of a missing event
        for answer in (added, same, changed, removed):
            assert answer.status_code == 404, (role, answer.get_json())
        assert roles_of(app, event_id) == before


def test_staff_changes_are_audited_notified_and_refused_like_the_page(
    app, world, make_user, suspended_member
):
    people, event_id = world
    base = f"/api/v1/events/{event_id}/staff"
    owner = api_login(app, people["organiser"])
    nora = people["newcomer"]
    assert owner.post(base, json={"user_id": nora.id, "role": "door_helper"}).status_code == 201
    assert owner.post(base, json={"user_id": nora.id, "role": "cohost"}).status_code == 200
    assert owner.delete(f"{base}/{nora.id}").status_code == 204
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.subject_id == nora.id).order_by(AuditEntry.id)
        ).all()
        assert [(e.action, e.detail["role"]) for e in entries] == [
            ("event.staff_added", "door_helper"),
            ("event.staff_changed", "cohost"),
            ("event.staff_removed", "cohost"),
        ]
        assert all(e.actor_id == people["organiser"].id for e in entries)
        notices = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == nora.id)
        ).all()
        assert notices.count("event.staff_added") == 2  # added, then the new role

    blocker = make_user(display_name="Bea Blocker")
    with app.app_context():
        connections.block(db.session.get(User, blocker.id), people["organiser"].id)
        db.session.commit()
    refusals = {
        "organiser": owner.post(base, json={"user_id": people["organiser"].id, "role": "cohost"}),
        "unknown role": owner.post(base, json={"user_id": nora.id, "role": "boss"}),
        "blocked": owner.post(base, json={"user_id": blocker.id, "role": "cohost"}),
        "suspended": owner.post(base, json={"user_id": suspended_member.id, "role": "cohost"}),
        "missing member": owner.post(base, json={"user_id": 999999, "role": "cohost"}),
        "no role to remove": owner.delete(f"{base}/{nora.id}"),
        "extra field": owner.post(base, json={"user_id": nora.id, "role": "cohost", "x": 1}),
    }
    statuses = {name: answer.status_code for name, answer in refusals.items()}
    assert statuses == {
        "organiser": 409,
        "unknown role": 422,
        "blocked": 404,  # the service's rule: a block is not revealed
        "suspended": 404,
        "missing member": 404,
        "no role to remove": 409,
        "extra field": 422,
    }
    assert refusals["unknown role"].get_json()["error"]["fields"] == {
        "role": ["Choose co-host or door helper."]
    }
    assert roles_of(app, event_id) == {
        people["cohost"].id: "cohost",
        people["door_helper"].id: "door_helper",
    }
    missing_event = owner.get("/api/v1/events/999999/staff")
    assert missing_event.status_code == 404


def test_staff_endpoints_are_in_the_openapi_document(app):
    paths = app.test_client().get(OPENAPI_PATH).get_json()["paths"]
    listing = paths["/api/v1/events/{event_id}/staff"]
    assert {"get", "post"} <= set(listing)
    assert {"200", "201", "404", "409", "422"} <= set(listing["post"]["responses"])
    one = paths["/api/v1/events/{event_id}/staff/{user_id}"]
    assert "204" in one["delete"]["responses"]
