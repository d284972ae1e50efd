"""Who may see a profile, on every route that shows one: the profile page, the directory and
their API twins, for each kind of viewer and each profile visibility.

The rule (`community.profiles.services.can_view_profile`): the owner always; blocked either
way, hidden; public, everyone; members, any logged-in member; connections, accepted
connections only (admins see members-only and connections-only profiles too). Private
fields (nationality, work permit, family situation) are shown to the owner alone. Also:
suspended members are hidden from everyone but admins, and the connection and block actions
refuse a missing CSRF token and anonymous visitors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from community.auth import services as accounts
from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.connections import services as connections
from community.connections.models import Block, ConnectionStatus
from community.connections.relations import are_connected, find_connection
from community.extensions import db
from community.profiles.services import ProfileData, update_profile
from tests.conftest import csrf_token
from tests.factories import UserRef
from tests.people import log_in

# The visibility SQL runs on both databases in test_directory.py and test_api.py; this matrix
# of 264 cases checks the rule itself, so SQLite alone keeps the suite fast.
BACKENDS = ("sqlite",)

VISIBILITIES = ("public", "members", "connections")

# viewer -> may they see a profile that is (public, members-only, connections-only)?
MAY_SEE: dict[str, tuple[bool, bool, bool]] = {
    "anonymous": (True, False, False),
    "owner": (True, True, True),
    "member": (True, True, False),
    "pending": (True, True, False),  # asked to connect, not accepted yet
    "connection": (True, True, True),
    "blocked": (False, False, False),  # the owner blocked them
    "blocking": (False, False, False),  # they blocked the owner
    "admin": (True, True, True),
    "blocked-admin": (False, False, False),  # an admin the owner blocked
}
VIEWERS = tuple(MAY_SEE)

OWNER_NAME = "Wilhelmina Quarrington"
OWNER_HEADLINE = "Hydrologist who bakes sourdough"
# Distinctive private values, and the words the profile page would render them as.
PRIVATE_FIELDS = {
    "nationality": "LI",
    "work_permit": "restricted",
    "family_situation": "Raising three axolotls with Quintessa",
}
PRIVATE_RENDERED = ("Liechtenstein", "I may work with restrictions", "axolotls", "Quintessa")
PRIVATE_KEYS = ("nationality", "work_permit", "family_situation", "email")

CARD_LINK = re.compile(r'class="member-card__name"><a href="/members/(\d+)"')


def may_see(viewer: str, visibility: str) -> bool:
    return MAY_SEE[viewer][VISIBILITIES.index(visibility)]


# --- building the situation ---------------------------------------------------------------


def user_row(user: UserRef) -> User:
    return db.session.get(User, user.id)


def browser_login(app: Flask, user: UserRef | None) -> FlaskClient:
    """A client logged in through the login form (anonymous when `user` is None)."""
    return app.test_client() if user is None else log_in(app, user)


def api_headers(app: Flask, user: UserRef) -> dict[str, str]:
    response = app.test_client().post(
        "/api/v1/tokens", json={"email": user.email, "password": user.password}
    )
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@dataclass
class Scene:
    """An owner with a profile of the given visibility, and a viewer related to them."""

    app: Flask
    owner: UserRef
    viewer: UserRef | None  # None: anonymous
    kind: str
    visibility: str

    @property
    def expected_visible(self) -> bool:
        return may_see(self.kind, self.visibility)

    @property
    def expected_in_directory(self) -> bool:
        return self.expected_visible and self.kind != "owner"

    def browser(self) -> FlaskClient:
        return browser_login(self.app, self.viewer)

    def api_get(self, path: str, **kw):
        headers = api_headers(self.app, self.viewer) if self.viewer else {}
        return self.app.test_client().get(path, headers=headers, **kw)


def make_viewer(make_user, kind: str, owner: UserRef) -> UserRef | None:
    if kind == "anonymous":
        return None
    if kind == "owner":
        return owner
    if kind.endswith("admin"):
        return make_user(roles=(Role.ADMIN,))
    return make_user()


def build_scene(app: Flask, make_user, kind: str, visibility: str) -> Scene:
    """Create the owner and the viewer through the services, related as `kind` says."""
    owner = make_user(display_name=OWNER_NAME)
    viewer = make_viewer(make_user, kind, owner)
    with app.app_context():
        update_profile(
            user_row(owner),
            ProfileData(
                visibility=visibility,
                headline=OWNER_HEADLINE,
                home_country="PT",
                skills=["Hydrology"],
                **PRIVATE_FIELDS,
            ),
        )
        if kind in ("connection", "pending"):
            request = connections.send_request(user_row(owner), viewer.id)
            if kind == "connection":
                connections.accept_request(user_row(viewer), request.id)
        elif kind in ("blocked", "blocked-admin"):
            connections.block(user_row(owner), viewer.id)
        elif kind == "blocking":
            connections.block(user_row(viewer), owner.id)
        db.session.commit()
    return Scene(app, owner, viewer, kind, visibility)


@pytest.fixture(params=VISIBILITIES)
def visibility(request) -> str:
    return request.param


@pytest.fixture(params=VIEWERS)
def scene(request, app, make_user, visibility) -> Scene:
    return build_scene(app, make_user, request.param, visibility)


def card_ids(html: str) -> set[int]:
    return {int(match) for match in CARD_LINK.findall(html)}


# --- the matrix ----------------------------------------------------------------------------


def test_html_profile_page(scene: Scene):
    response = scene.browser().get(f"/members/{scene.owner.id}")
    assert response.status_code == (200 if scene.expected_visible else 404)
    html = response.get_data(as_text=True)
    if not scene.expected_visible:
        assert OWNER_HEADLINE not in html
        return
    assert OWNER_HEADLINE in html
    for text in PRIVATE_RENDERED:
        if scene.kind == "owner":
            assert text in html, f"the owner should see {text!r}"
        else:
            assert text not in html, f"{scene.kind} sees private {text!r}"


def test_html_directory(scene: Scene):
    response = scene.browser().get("/members")
    if scene.viewer is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
        return
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (scene.owner.id in card_ids(html)) is scene.expected_in_directory
    skill = scene.browser().get("/members", query_string={"skill": "hydrology"})
    assert (scene.owner.id in card_ids(skill.get_data(as_text=True))) is (
        scene.expected_in_directory
    )
    for text in PRIVATE_RENDERED:
        assert text not in html


def test_api_profile(scene: Scene):
    response = scene.api_get(f"/api/v1/members/{scene.owner.id}")
    if scene.viewer is None:
        assert response.status_code == 401
        return
    assert response.status_code == (200 if scene.expected_visible else 404)
    body = response.get_data(as_text=True)
    if scene.expected_visible:
        assert response.get_json()["headline"] == OWNER_HEADLINE
        for key in PRIVATE_KEYS:
            assert f'"{key}"' not in body
        assert PRIVATE_FIELDS["family_situation"] not in body
    else:
        missing = scene.api_get("/api/v1/members/987654")
        assert response.get_json() == missing.get_json()


def test_api_directory(scene: Scene):
    response = scene.api_get("/api/v1/members")
    if scene.viewer is None:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    found = {item["id"] for item in response.get_json()["items"]}
    assert (scene.owner.id in found) is scene.expected_in_directory
    by_skill = scene.api_get("/api/v1/members", query_string={"skill": "Hydrology"})
    found = {item["id"] for item in by_skill.get_json()["items"]}
    assert (scene.owner.id in found) is scene.expected_in_directory


# --- suspended members ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["anonymous", "member", "connection", "admin"])
def test_suspended_members_are_hidden_from_all_but_admins(app, make_user, visibility, kind):
    scene = build_scene(app, make_user, kind, visibility)
    with app.app_context():
        accounts.set_status(user_row(scene.owner), UserStatus.SUSPENDED)
        db.session.commit()
    admin = kind == "admin"
    page = scene.browser().get(f"/members/{scene.owner.id}")
    assert page.status_code == (200 if admin else 404)
    for text in PRIVATE_RENDERED:
        assert text not in page.get_data(as_text=True)
    if scene.viewer is None:
        return
    assert scene.api_get(f"/api/v1/members/{scene.owner.id}").status_code == (200 if admin else 404)
    if not admin:
        listed = scene.api_get("/api/v1/members").get_json()["items"]
        assert scene.owner.id not in {item["id"] for item in listed}
        html = scene.browser().get("/members").get_data(as_text=True)
        assert scene.owner.id not in card_ids(html)


# --- connection and block actions: CSRF and login ------------------------------------------


@dataclass(frozen=True)
class Action:
    """A POST route; `prepare` sets the stage and returns its path, `done` checks its effect."""

    prepare: Callable[[User, User], str]
    done: Callable[[User, User], bool]


def _connect_path(actor: User, other: User) -> str:
    return f"/members/{other.id}/connect"


def _accept_path(actor: User, other: User) -> str:
    request = connections.send_request(other, actor.id)
    return f"/connections/{request.id}/accept"


def _decline_path(actor: User, other: User) -> str:
    request = connections.send_request(other, actor.id)
    return f"/connections/{request.id}/decline"


def _remove_path(actor: User, other: User) -> str:
    request = connections.send_request(actor, other.id)
    return f"/connections/{request.id}/remove"


def _block_path(actor: User, other: User) -> str:
    return f"/members/{other.id}/block"


def _unblock_path(actor: User, other: User) -> str:
    connections.block(actor, other.id)
    return f"/members/{other.id}/unblock"


def _has_connection(actor: User, other: User) -> bool:
    return find_connection(actor.id, other.id) is not None


def _declined(actor: User, other: User) -> bool:
    connection = find_connection(actor.id, other.id)
    return connection is not None and connection.status == ConnectionStatus.DECLINED


def _blocked(actor: User, other: User) -> bool:
    return (
        db.session.scalar(
            select(Block.id).where(Block.blocker_id == actor.id, Block.blocked_id == other.id)
        )
        is not None
    )


ACTIONS = {
    "connect": Action(_connect_path, done=_has_connection),
    "accept": Action(_accept_path, done=lambda actor, other: are_connected(actor.id, other.id)),
    "decline": Action(_decline_path, done=_declined),
    "remove": Action(_remove_path, done=lambda actor, other: not _has_connection(actor, other)),
    "block": Action(_block_path, done=_blocked),
    "unblock": Action(_unblock_path, done=lambda actor, other: not _blocked(actor, other)),
}


def prepare(app: Flask, make_user, name: str) -> tuple[UserRef, UserRef, str]:
    actor, other = make_user(), make_user()
    with app.app_context():
        path = ACTIONS[name].prepare(user_row(actor), user_row(other))
        db.session.commit()
    return actor, other, path


def is_done(app: Flask, name: str, actor: UserRef, other: UserRef) -> bool:
    with app.app_context():
        return ACTIONS[name].done(user_row(actor), user_row(other))


@pytest.mark.parametrize("name", ACTIONS)
def test_action_refuses_a_missing_or_wrong_csrf_token(app, make_user, name):
    actor, other, path = prepare(app, make_user, name)
    client = browser_login(app, actor)
    assert client.post(path, data={}).status_code == 400
    assert client.post(path, data={"csrf_token": "forged"}).status_code == 400
    assert not is_done(app, name, actor, other)
    # The same request with the page's token goes through: the 400 was the token.
    token = csrf_token(client, "/settings")
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 302
    assert is_done(app, name, actor, other)


@pytest.mark.parametrize("name", ACTIONS)
def test_action_sends_anonymous_visitors_to_login(app, make_user, name):
    actor, other, path = prepare(app, make_user, name)
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert not is_done(app, name, actor, other)
