"""Ready-made people for the tests, and one way to log them in.

Registered by ``tests/conftest.py`` (``pytest_plugins``), so every test can ask for:

* ``member``, ``organiser``, ``coordinator``, ``moderator``, ``admin``: confirmed accounts
  holding that role (a member holds no other);
* ``suspended_member``: an account whose status is suspended;
* ``blocker`` and ``blocked``: two members, where ``blocker`` has blocked ``blocked``;
* ``login``: ``login(user)`` is a new test client logged in as ``user`` through the login form.

Each person is made through the account services (``tests.factories.make_user``, the block
with ``community.connections.services.block``) the first time a test asks for them, and always
has the same address and display name, so a failing assertion names someone you recognise.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.connections import services as connections
from community.extensions import db
from tests.conftest import AuthActions
from tests.factories import UserRef

__all__ = [
    "admin",
    "blocked",
    "blocker",
    "coordinator",
    "log_in",
    "login",
    "member",
    "moderator",
    "organiser",
    "suspended_member",
]


def log_in(app: Flask, user: UserRef) -> FlaskClient:
    """A new test client of `app`, logged in as `user` through the real login form."""
    client = app.test_client()
    response = AuthActions(client).login(user.email, user.password)
    assert response.status_code == 302, f"{user.email} could not log in"
    return client


@pytest.fixture
def login(app: Flask) -> Callable[[UserRef], FlaskClient]:
    """`login(user)`: a new test client logged in as `user` (one per call: one device each)."""

    def logged_in(user: UserRef) -> FlaskClient:
        return log_in(app, user)

    return logged_in


@pytest.fixture
def member(make_user) -> UserRef:
    return make_user("mia.member@example.org", "Mia Member")


@pytest.fixture
def organiser(make_user) -> UserRef:
    return make_user("olu.organiser@example.org", "Olu Organiser", roles=(Role.ORGANISER,))


@pytest.fixture
def coordinator(make_user) -> UserRef:
    return make_user("cai.coordinator@example.org", "Cai Coordinator", roles=(Role.COORDINATOR,))


@pytest.fixture
def moderator(make_user) -> UserRef:
    return make_user("mo.moderator@example.org", "Mo Moderator", roles=(Role.MODERATOR,))


@pytest.fixture
def admin(make_user) -> UserRef:
    return make_user("ada.admin@example.org", "Ada Admin", roles=(Role.ADMIN,))


@pytest.fixture
def suspended_member(make_user) -> UserRef:
    return make_user("sol.suspended@example.org", "Sol Suspended", status=UserStatus.SUSPENDED)


@pytest.fixture
def blocked(make_user) -> UserRef:
    """The member `blocker` has blocked."""
    return make_user("bo.blocked@example.org", "Bo Blocked")


@pytest.fixture
def blocker(app: Flask, make_user, blocked: UserRef) -> UserRef:
    """A member who has blocked `blocked` (asking for this one makes both)."""
    user = make_user("bea.blocker@example.org", "Bea Blocker")
    with app.app_context():
        connections.block(db.session.get(User, user.id), blocked.id)
        db.session.commit()
    return user
