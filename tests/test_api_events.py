"""Events over the JSON API (DESIGN.md, "JSON API v1"): the event list, create, read, change
and cancel an event, RSVP and cancel it, the attendee list; every refusal; a permission
matrix of every role over every endpoint; and that a private address and the online link
never reach a member who is not going.

Test data is made through the API itself (and `connections.block` for a block); every test
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask
from PIL import Image

from community.auth.models import User
from community.auth.roles import Role
from community.connections import services as connections
from community.extensions import db
from tests.test_api import OPENAPI_PATH, ApiClient, api_login, error_code, error_fields

BACKENDS = ("sqlite", "postgresql")

SECRET_VENUE = "Hemmelig Gade 7, 3. sal"
SECRET_LINK = "https://meet.example.org/room-4f9c2a"
PUBLIC_VENUE = "Kulturhuset, Islands Brygge 18"
CPH = timezone(timedelta(hours=1))  # the offset a client sends with its times
MISSING_ID = 987_654


def at(days: float, hours: float = 0) -> datetime:
    """An aware time `days` from now, whole minutes, in a +01:00 offset."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return (now + timedelta(days=days, hours=hours)).astimezone(CPH)


def event_body(**changes) -> dict:
    """A valid POST /api/v1/events body: ten days away, a private venue, 1 seat."""
    body = {
        "title": "Networking breakfast",
        "description": "Coffee and *introductions*.",
        "category": "networking",
        "starts_at": at(10).isoformat(),
        "ends_at": at(10, 2).isoformat(),
        "timezone": "Europe/Copenhagen",
        "venue": SECRET_VENUE,
        "venue_private": True,
        "capacity": 1,
        "guests_allowed": 2,
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not ...}


class Anonymous:
    """A client without a token."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch(path, json=json, **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, **kw)


@dataclass
class World:
    """An organiser's event with one seat: `going` has it, `waitlisted` waits for it."""

    organiser: ApiClient
    other_organiser: ApiClient
    going: ApiClient
    waitlisted: ApiClient
    member: ApiClient
    blocked: ApiClient  # blocked by the organiser
    moderator: ApiClient
    anonymous: Anonymous

    def event(self, **changes) -> int:
        response = self.organiser.post("/api/v1/events", json=event_body(**changes))
        assert response.status_code == 201, response.get_json()
        event_id = response.get_json()["id"]
        assert self.going.post(f"/api/v1/events/{event_id}/rsvp").status_code == 201
        assert self.waitlisted.post(f"/api/v1/events/{event_id}/rsvp").status_code == 201
        return event_id


ROLES = (
    "organiser",
    "other_organiser",
    "going",
    "waitlisted",
    "member",
    "blocked",
    "moderator",
    "anonymous",
)


@pytest.fixture
def world(app, make_user) -> World:
    organiser = make_user(roles=(Role.ORGANISER,), display_name="Olga Organiser")
    blocked = make_user()
    with app.app_context():
        connections.block(db.session.get(User, organiser.id), blocked.id)
        db.session.commit()
    return World(
        organiser=api_login(app, organiser),
        other_organiser=api_login(app, make_user(roles=(Role.ORGANISER,))),
        going=api_login(app, make_user()),
        waitlisted=api_login(app, make_user()),
        member=api_login(app, make_user()),
        blocked=api_login(app, blocked),
        moderator=api_login(app, make_user(roles=(Role.MODERATOR,))),
        anonymous=Anonymous(app),
    )


# --- POST /api/v1/events -------------------------------------------------------------------


def test_create_event_answers_201_with_the_event(world):
    response = world.organiser.post("/api/v1/events", json=event_body(capacity=20))
    assert response.status_code == 201
    event = response.get_json()
    assert event["title"] == "Networking breakfast"
    assert event["description_html"].count("<em>introductions</em>") == 1
    assert event["status"] == "scheduled" and event["sequence"] == 0
    assert event["capacity"] == 20 and event["seats_taken"] == 0 and event["seats_left"] == 20
    assert event["organiser"] == {"id": world.organiser.user.id, "display_name": "Olga Organiser"}
    assert event["my_rsvp"] is None and event["can_manage"] is True
    assert event["place"] == {
        "venue": SECRET_VENUE,
        "venue_private": True,
        "online": False,
        "online_url": None,
    }
    starts = datetime.fromisoformat(event["starts_at"])
    assert starts.utcoffset() is not None
    assert starts == datetime.fromisoformat(event_body()["starts_at"])
    again = world.organiser.get(f"/api/v1/events/{event['id']}").get_json()
    assert again == event


def test_create_online_event_with_unlimited_capacity(world):
    response = world.organiser.post(
        "/api/v1/events",
        json=event_body(venue=..., venue_private=..., online_url=SECRET_LINK, capacity=None),
    )
    assert response.status_code == 201, response.get_json()
    event = response.get_json()
    assert event["capacity"] is None and event["seats_left"] is None
    assert event["place"] == {
        "venue": None,
        "venue_private": False,
        "online": True,
        "online_url": SECRET_LINK,
    }


@pytest.mark.parametrize("name", ["starts_at", "ends_at"])
def test_create_refuses_a_time_without_offset_naming_the_field(world, name):
    naive = at(10).replace(tzinfo=None).isoformat()
    response = world.organiser.post("/api/v1/events", json=event_body(**{name: naive}))
    assert response.status_code == 422
    assert error_code(response) == "validation_error"
    assert list(error_fields(response)) == [name]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"title": ...}, "title"),
        ({"category": "party"}, "category"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "10"}, "capacity"),
        ({"guests_allowed": 9}, "guests_allowed"),
        ({"ends_at": at(9).isoformat()}, "ends_at"),
        ({"online_url": SECRET_LINK}, "online_url"),  # a venue and a link
        ({"venue": ...}, "venue"),  # neither
        ({"online_url": "javascript:alert(1)", "venue": ...}, "online_url"),
        ({"seats_taken": 0}, "seats_taken"),  # not a field one may set
        ({"status": "cancelled"}, "status"),
        ({"organiser_id": 1}, "organiser_id"),
    ],
)
def test_create_refuses_bad_fields_naming_them(world, changes, field):
    response = world.organiser.post("/api/v1/events", json=event_body(**changes))
    assert response.status_code == 422, response.get_json()
    assert field in error_fields(response)


# --- GET /api/v1/events --------------------------------------------------------------------


def titles(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["title"] for item in response.get_json()["items"]]


def test_list_shows_upcoming_soonest_first_and_past_latest_first(world):
    post = world.organiser.post
    for title, days in (("Later", 20), ("Soon", 2), ("Middle", 9), ("Long ago", -30)):
        body = event_body(title=title, starts_at=at(days).isoformat())
        body["ends_at"] = at(days, 2).isoformat()
        assert post("/api/v1/events", json=body).status_code == 201
    recent = event_body(
        title="Last week", starts_at=at(-7).isoformat(), ends_at=at(-7, 2).isoformat()
    )
    assert post("/api/v1/events", json=recent).status_code == 201
    cancelled = post("/api/v1/events", json=event_body(title="Off")).get_json()["id"]
    assert world.organiser.delete(f"/api/v1/events/{cancelled}").status_code == 204

    assert titles(world.member.get("/api/v1/events")) == ["Soon", "Middle", "Later"]
    assert titles(world.member.get("/api/v1/events?when=past")) == ["Last week", "Long ago"]
    assert world.member.get("/api/v1/events?when=soon").status_code == 422


def test_list_filters_by_text_category_and_online(world):
    post = world.organiser.post
    post("/api/v1/events", json=event_body(title="Python meetup", category="learning"))
    post("/api/v1/events", json=event_body(title="Family picnic", category="family"))
    post(
        "/api/v1/events",
        json=event_body(
            title="Remote CV clinic",
            description="Bring your PYTHON questions",
            category="professional_development",
            venue=...,
            venue_private=...,
            online_url=SECRET_LINK,
        ),
    )
    get = world.member.get
    assert titles(get("/api/v1/events?q=python")) == ["Python meetup", "Remote CV clinic"]
    assert titles(get("/api/v1/events?q=100%25")) == []
    # The search index: the last word as a prefix, stemming, and wildcards taken as nothing.
    assert titles(get("/api/v1/events?q=pyth")) == ["Python meetup", "Remote CV clinic"]
    assert titles(get("/api/v1/events?q=clinics")) == ["Remote CV clinic"]
    assert titles(get("/api/v1/events?q=python&category=learning")) == ["Python meetup"]
    assert titles(get("/api/v1/events?q=%25")) == [] and titles(get("/api/v1/events?q=_")) == []
    assert titles(get("/api/v1/events?category=family")) == ["Family picnic"]
    assert titles(get("/api/v1/events?online=true")) == ["Remote CV clinic"]
    assert titles(get("/api/v1/events?online=false")) == ["Python meetup", "Family picnic"]
    assert get("/api/v1/events?category=party").status_code == 422


def test_list_is_paged_with_a_cursor(world):
    for n in range(5):
        body = event_body(title=f"Event {n}", starts_at=at(3 + n).isoformat())
        body["ends_at"] = at(3 + n, 1).isoformat()
        assert world.organiser.post("/api/v1/events", json=body).status_code == 201
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = world.member.get("/api/v1/events", query_string=params)
        seen.append(titles(response))
        cursor = response.get_json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [["Event 0", "Event 1"], ["Event 2", "Event 3"], ["Event 4"]]
    bad = world.member.get("/api/v1/events?cursor=not-ours")
    assert bad.status_code == 400 and error_code(bad) == "bad_request"
    assert world.member.get("/api/v1/events?limit=0").status_code == 422


def test_list_hides_events_of_an_organiser_who_blocked_you(world):
    event_id = world.event()
    assert world.blocked.get("/api/v1/events").get_json()["items"] == []
    assert [e["id"] for e in world.member.get("/api/v1/events").get_json()["items"]] == [event_id]
    assert [e["id"] for e in world.moderator.get("/api/v1/events").get_json()["items"]] == [
        event_id
    ]


def test_list_shows_my_rsvp_on_each_event(world):
    event_id = world.event()
    (mine,) = world.waitlisted.get("/api/v1/events").get_json()["items"]
    assert mine["id"] == event_id
    assert mine["my_rsvp"] == {"status": "waitlisted", "position": 1, "seats": 1}
    (theirs,) = world.member.get("/api/v1/events").get_json()["items"]
    assert theirs["my_rsvp"] is None


@pytest.mark.parametrize("viewer", ["going", "waitlisted", "member", "organiser"])
def test_list_runs_the_same_queries_for_5_or_50_events(world, count_queries, viewer):
    """Each viewer's RSVP, its waitlist position and the place rule come from queries per
    page, not per event (50 is the page limit)."""

    def statements_with(total: int) -> int:
        while len(world.organiser.get("/api/v1/events?limit=50").get_json()["items"]) < total:
            world.event()
        getattr(world, viewer).get("/api/v1/me")  # its token's first use is recorded once
        with count_queries() as counter:
            response = getattr(world, viewer).get("/api/v1/events?limit=50")
        assert response.status_code == 200
        assert len(response.get_json()["items"]) == total
        return counter.count

    assert statements_with(5) == statements_with(50)


# --- GET|PATCH|DELETE /api/v1/events/{id} ---------------------------------------------------


def test_get_missing_event_is_404(world):
    response = world.member.get(f"/api/v1/events/{MISSING_ID}")
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_patch_changes_only_what_is_sent_and_raises_the_sequence(world):
    event_id = world.event()
    response = world.organiser.patch(f"/api/v1/events/{event_id}", json={"title": "Brunch"})
    assert response.status_code == 200
    assert response.get_json()["title"] == "Brunch" and response.get_json()["sequence"] == 0
    moved = {"starts_at": at(11).isoformat(), "ends_at": at(11, 3).isoformat()}
    response = world.organiser.patch(f"/api/v1/events/{event_id}", json=moved)
    assert response.get_json()["sequence"] == 1
    assert datetime.fromisoformat(response.get_json()["starts_at"]) == at(11)
    assert response.get_json()["title"] == "Brunch"


def test_patch_capacity_null_is_unlimited_and_promotes_the_waitlist(world):
    event_id = world.event()
    response = world.organiser.patch(f"/api/v1/events/{event_id}", json={"capacity": None})
    assert response.status_code == 200
    assert response.get_json()["capacity"] is None and response.get_json()["seats_taken"] == 2
    mine = world.waitlisted.get(f"/api/v1/events/{event_id}").get_json()["my_rsvp"]
    assert mine == {"status": "going", "position": None, "seats": 1}


def test_patch_switches_a_venue_for_an_online_link(world):
    event_id = world.event()
    body = {"venue": None, "online_url": SECRET_LINK}
    response = world.organiser.patch(f"/api/v1/events/{event_id}", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["place"] == {
        "venue": None,
        "venue_private": False,
        "online": True,
        "online_url": SECRET_LINK,
    }


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"capacity": 2, "guests_allowed": 1, "seats_taken": 0}, 422, "seats_taken"),
        ({"sequence": 0}, 422, "sequence"),
        ({"organiser_id": 1}, 422, "organiser_id"),
        ({"starts_at": "2027-03-04T18:00:00"}, 422, "starts_at"),
        ({"timezone": "Mars/Olympus"}, 422, "timezone"),
        ({"title": None}, 422, "title"),
        ({"capacity": 1, "guests_allowed": 0}, 200, None),
    ],
)
def test_patch_refuses_unknown_and_bad_fields(world, body, status, field):
    event_id = world.event()
    response = world.organiser.patch(f"/api/v1/events/{event_id}", json=body)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in error_fields(response)


def test_patch_below_the_seats_taken_is_409(world):
    event_id = world.event(capacity=5)  # both members going: 2 seats taken
    world.going.post(f"/api/v1/events/{event_id}/rsvp", json={"guests": 2})
    response = world.organiser.patch(f"/api/v1/events/{event_id}", json={"capacity": 2})
    assert response.status_code == 409 and error_code(response) == "conflict"
    assert "seats are already taken" in response.get_json()["error"]["message"]


def test_delete_cancels_and_a_cancelled_event_refuses_changes_and_rsvps(world):
    event_id = world.event()
    response = world.organiser.delete(f"/api/v1/events/{event_id}")
    assert response.status_code == 204 and response.get_data() == b""
    event = world.going.get(f"/api/v1/events/{event_id}").get_json()
    assert event["status"] == "cancelled" and event["sequence"] == 1
    assert world.organiser.delete(f"/api/v1/events/{event_id}").status_code == 204
    assert world.going.get(f"/api/v1/events/{event_id}").get_json()["sequence"] == 1
    patch = world.organiser.patch(f"/api/v1/events/{event_id}", json={"title": "Back on"})
    assert patch.status_code == 409
    rsvp = world.member.post(f"/api/v1/events/{event_id}/rsvp")
    assert rsvp.status_code == 409 and error_code(rsvp) == "conflict"


# --- RSVPs ---------------------------------------------------------------------------------


def test_rsvp_going_waitlisted_repeat_change_and_promotion(world):
    event_id = world.organiser.post(
        "/api/v1/events", json=event_body(capacity=3, guests_allowed=2)
    ).get_json()["id"]
    url = f"/api/v1/events/{event_id}/rsvp"
    first = world.going.post(url, json={"guests": 2})
    assert first.status_code == 201
    assert first.get_json() == {"status": "going", "position": None, "seats": 3}
    second = world.member.post(url)  # no body: no guests
    assert second.status_code == 201
    assert second.get_json() == {"status": "waitlisted", "position": 1, "seats": 1}
    third = world.waitlisted.post(url, json={})
    assert third.get_json() == {"status": "waitlisted", "position": 2, "seats": 1}
    repeat = world.going.post(url, json={"guests": 2})
    assert repeat.status_code == 200
    assert repeat.get_json() == {"status": "going", "position": None, "seats": 3}
    shrink = world.going.post(url, json={"guests": 0})  # frees two seats: both promoted
    assert shrink.status_code == 200 and shrink.get_json()["seats"] == 1
    for client in (world.member, world.waitlisted):
        mine = client.get(f"/api/v1/events/{event_id}").get_json()["my_rsvp"]
        assert mine == {"status": "going", "position": None, "seats": 1}
    event = world.organiser.get(f"/api/v1/events/{event_id}").get_json()
    assert (event["seats_taken"], event["seats_left"]) == (3, 0)
    grow = world.going.post(url, json={"guests": 1})
    assert grow.status_code == 409 and error_code(grow) == "conflict"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"guests": 3}, "guests"),
        ({"guests": -1}, "guests"),
        ({"guests": "1"}, "guests"),
        ({"seats": 1}, "seats"),
    ],
)
def test_rsvp_refuses_too_many_guests_and_unknown_fields(world, body, field):
    event_id = world.event(capacity=10)
    response = world.member.post(f"/api/v1/events/{event_id}/rsvp", json=body)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_rsvp_refuses_guests_where_none_are_allowed(world):
    event_id = world.event(capacity=10, guests_allowed=0)
    response = world.member.post(f"/api/v1/events/{event_id}/rsvp", json={"guests": 1})
    assert response.status_code == 422 and list(error_fields(response)) == ["guests"]


def test_rsvp_and_cancel_refuse_a_past_event(world):
    body = event_body(starts_at=at(-2).isoformat(), ends_at=at(-2, 2).isoformat())
    event_id = world.organiser.post("/api/v1/events", json=body).get_json()["id"]
    assert world.member.post(f"/api/v1/events/{event_id}/rsvp").status_code == 409
    assert world.member.delete(f"/api/v1/events/{event_id}/rsvp").status_code == 409


def test_rsvp_to_a_missing_event_is_404(world):
    assert world.member.post(f"/api/v1/events/{MISSING_ID}/rsvp").status_code == 404
    assert world.member.delete(f"/api/v1/events/{MISSING_ID}/rsvp").status_code == 404


def test_cancel_rsvp_frees_the_seat_for_the_waitlist(world):
    event_id = world.event()
    response = world.going.delete(f"/api/v1/events/{event_id}/rsvp")
    assert response.status_code == 204 and response.get_data() == b""
    assert world.going.get(f"/api/v1/events/{event_id}").get_json()["my_rsvp"] is None
    mine = world.waitlisted.get(f"/api/v1/events/{event_id}").get_json()["my_rsvp"]
    assert mine == {"status": "going", "position": None, "seats": 1}
    assert world.member.delete(f"/api/v1/events/{event_id}/rsvp").status_code == 204  # none
    back = world.going.post(f"/api/v1/events/{event_id}/rsvp")
    assert back.status_code == 201
    assert back.get_json() == {"status": "waitlisted", "position": 1, "seats": 1}


def test_attendees_lists_going_then_waitlisted_in_join_order(world):
    event_id = world.event(capacity=2)  # going and waitlisted both go
    world.member.post(f"/api/v1/events/{event_id}/rsvp", json={"guests": 1})
    world.other_organiser.post(f"/api/v1/events/{event_id}/rsvp")
    response = world.organiser.get(f"/api/v1/events/{event_id}/attendees")
    assert response.status_code == 200
    rows = [
        (row["user_id"], row["guests"], row["seats"], row["status"], row["position"])
        for row in response.get_json()["items"]
    ]
    assert rows == [
        (world.going.user.id, 0, 1, "going", None),
        (world.waitlisted.user.id, 0, 1, "going", None),
        (world.member.user.id, 1, 2, "waitlisted", 1),
        (world.other_organiser.user.id, 0, 1, "waitlisted", 2),
    ]
    names = [row["display_name"] for row in response.get_json()["items"]]
    assert names[0] == world.going.user.display_name


# --- who may do what -----------------------------------------------------------------------

# The status each role gets from each endpoint, on a fresh event with one seat (taken by
# `going`, waited for by `waitlisted`) whose organiser blocked `blocked`.
MATRIX = {
    "list": dict.fromkeys(ROLES, 200) | {"anonymous": 401},
    "create": dict.fromkeys(ROLES, 403)
    | {"organiser": 201, "other_organiser": 201, "moderator": 201, "anonymous": 401},
    "get": dict.fromkeys(ROLES, 200) | {"blocked": 404, "anonymous": 401},
    "patch": dict.fromkeys(ROLES, 403)
    | {"organiser": 200, "moderator": 200, "blocked": 404, "anonymous": 401},
    "delete": dict.fromkeys(ROLES, 403)
    | {"organiser": 204, "moderator": 204, "blocked": 404, "anonymous": 401},
    "rsvp": dict.fromkeys(ROLES, 201)
    | {"going": 200, "waitlisted": 200, "blocked": 404, "anonymous": 401},
    "cancel_rsvp": dict.fromkeys(ROLES, 204) | {"blocked": 404, "anonymous": 401},
    "attendees": dict.fromkeys(ROLES, 404)
    | {"organiser": 200, "moderator": 200, "blocked": 404, "anonymous": 401},
    "put_cover": dict.fromkeys(ROLES, 403)
    | {"organiser": 200, "moderator": 200, "blocked": 404, "anonymous": 401},
    "delete_cover": dict.fromkeys(ROLES, 403)
    | {"organiser": 204, "moderator": 204, "blocked": 404, "anonymous": 401},
}


def _put_cover(client, url: str):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(buffer, "PNG")
    buffer.seek(0)
    return client.client.put(
        f"{url}/cover",
        data={"cover": (buffer, "c.png", "image/png"), "cover_alt": "A picture"},
        headers=getattr(client, "headers", {}),
    )


def call(client, endpoint: str, event_id: int):
    url = f"/api/v1/events/{event_id}"
    return {
        "list": lambda: client.get("/api/v1/events"),
        "create": lambda: client.post("/api/v1/events", json=event_body()),
        "get": lambda: client.get(url),
        "patch": lambda: client.patch(url, json={"title": "Changed"}),
        "delete": lambda: client.delete(url),
        "rsvp": lambda: client.post(f"{url}/rsvp", json={"guests": 0}),
        "cancel_rsvp": lambda: client.delete(f"{url}/rsvp"),
        "attendees": lambda: client.get(f"{url}/attendees"),
        "put_cover": lambda: _put_cover(client, url),
        "delete_cover": lambda: client.delete(f"{url}/cover"),
    }[endpoint]()


@pytest.mark.parametrize("endpoint", MATRIX)
def test_permission_matrix(world, endpoint):
    got = {}
    for role in ROLES:
        event_id = world.event()
        response = call(getattr(world, role), endpoint, event_id)
        got[role] = response.status_code
        if response.status_code >= 400:
            assert "error" in response.get_json()
    assert got == MATRIX[endpoint]


def test_refused_changes_change_nothing(world):
    event_id = world.event()
    before = world.organiser.get(f"/api/v1/events/{event_id}").get_json()
    for role in ("other_organiser", "going", "waitlisted", "member", "blocked", "anonymous"):
        call(getattr(world, role), "patch", event_id)
        call(getattr(world, role), "delete", event_id)
    assert world.organiser.get(f"/api/v1/events/{event_id}").get_json() == before


# --- the private place ---------------------------------------------------------------------


def every_answer(world: World, client, event_id: int) -> str:
    """The text of every answer `client` gets about the event, RSVPing along the way."""
    url = f"/api/v1/events/{event_id}"
    answers = [
        client.get("/api/v1/events"),
        client.get(f"{url}"),
        client.get(f"{url}/attendees"),
        client.patch(url, json={"description": "New"}),
        client.post(f"{url}/rsvp"),  # onto the waitlist (the seat is taken)
        client.get("/api/v1/events"),
        client.get(url),
        client.delete(f"{url}/rsvp"),
        client.get(url),
    ]
    return "\n".join(response.get_data(as_text=True) for response in answers)


@pytest.mark.parametrize("role", ["other_organiser", "waitlisted", "member", "blocked"])
def test_private_address_and_link_never_reach_members_not_going(world, role):
    venue_event = world.event()
    link_event = world.event(venue=..., venue_private=..., online_url=SECRET_LINK)
    client = getattr(world, role)
    text = every_answer(world, client, venue_event) + every_answer(world, client, link_event)
    assert SECRET_VENUE not in text
    assert SECRET_LINK not in text
    assert json.dumps(SECRET_LINK)[1:-1] not in text  # nor JSON-escaped ("\/")
    assert "meet.example.org" not in text and "Hemmelig" not in text


@pytest.mark.parametrize("role", ["organiser", "moderator", "going"])
def test_hosts_and_members_going_see_the_place(world, role):
    venue_event = world.event()
    link_event = world.event(venue=..., venue_private=..., online_url=SECRET_LINK)
    client = getattr(world, role)
    assert client.get(f"/api/v1/events/{venue_event}").get_json()["place"]["venue"] == (
        SECRET_VENUE
    )
    assert client.get(f"/api/v1/events/{link_event}").get_json()["place"]["online_url"] == (
        SECRET_LINK
    )
    listed = client.get("/api/v1/events").get_data(as_text=True)
    assert SECRET_VENUE in listed and SECRET_LINK in listed


def test_a_public_venue_is_shown_to_every_member(world):
    event_id = world.event(venue=PUBLIC_VENUE, venue_private=False)
    place = world.member.get(f"/api/v1/events/{event_id}").get_json()["place"]
    assert place == {
        "venue": PUBLIC_VENUE,
        "venue_private": False,
        "online": False,
        "online_url": None,
    }


def test_a_member_promoted_from_the_waitlist_then_sees_the_address(world):
    event_id = world.event()
    assert world.waitlisted.get(f"/api/v1/events/{event_id}").get_json()["place"]["venue"] is None
    world.going.delete(f"/api/v1/events/{event_id}/rsvp")
    assert world.waitlisted.get(f"/api/v1/events/{event_id}").get_json()["place"]["venue"] == (
        SECRET_VENUE
    )
    assert world.going.get(f"/api/v1/events/{event_id}").get_json()["place"]["venue"] is None


# --- the document --------------------------------------------------------------------------


def test_openapi_documents_the_event_endpoints(client):
    document = client.get(OPENAPI_PATH).get_json()
    paths = document["paths"]
    assert set(paths["/api/v1/events"]) >= {"get", "post"}
    assert set(paths["/api/v1/events/{event_id}"]) >= {"get", "patch", "delete"}
    assert set(paths["/api/v1/events/{event_id}/rsvp"]) >= {"post", "delete"}
    assert "get" in paths["/api/v1/events/{event_id}/attendees"]
    rsvp = paths["/api/v1/events/{event_id}/rsvp"]["post"]["responses"]
    assert {"200", "201", "404", "409", "422"} <= set(rsvp)
    schemas = document["components"]["schemas"]
    assert {"Event", "EventCreate", "EventPatch", "Place", "MyRsvp", "Attendee"} <= set(schemas)
