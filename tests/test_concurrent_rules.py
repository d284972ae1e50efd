"""Rules that must hold when two requests meet: a request and a block, two admins removing
each other, two grants, two tag saves in opposite orders, a row deleted under a lock; and
list pages that refuse odd cursors and query strings with a 400, never a 500."""

from __future__ import annotations

import base64
import contextlib

import pytest
from sqlalchemy import delete, func, select

from community.auth import services as accounts
from community.auth.models import User, UserRole
from community.auth.roles import Role
from community.connections import services as connections
from community.connections.models import Block, Connection
from community.core.database import lock_row
from community.core.errors import Conflict, NotFound
from community.extensions import db
from community.profiles.models import Tag
from community.profiles.services import ProfileData, update_profile
from tests.test_core_patterns import run_at_once

BACKENDS = ("sqlite", "postgresql")


def test_a_request_and_a_block_at_once_never_leave_a_request_behind(app, make_user):
    for _ in range(5):
        asker, blocker = make_user(), make_user()

        def act(index: int, asker=asker, blocker=blocker) -> None:
            if index == 0:
                with contextlib.suppress(NotFound):  # the block came first
                    connections.send_request(db.session.get(User, asker.id), blocker.id)
            else:
                connections.block(db.session.get(User, blocker.id), asker.id)

        assert run_at_once(app, 2, act) == []
        with app.app_context():
            left = select(func.count()).select_from(Connection)
            assert db.session.scalar(left.where(Connection.requester_id == asker.id)) == 0
            assert db.session.scalar(select(func.count()).select_from(Block)) >= 1


def test_lock_row_on_a_row_deleted_meanwhile_is_not_found(app, make_user):
    a, b = make_user(), make_user()
    with app.app_context():
        request = connections.send_request(db.session.get(User, a.id), b.id)
        db.session.commit()
        request_id = request.id
        stale = db.session.get(Connection, request_id)
        with db.engine.begin() as other:  # another request withdraws it
            other.execute(delete(Connection).where(Connection.id == request_id))
        with pytest.raises(NotFound):
            lock_row(stale)
        db.session.rollback()


def test_two_admins_removing_each_other_leave_one(app, make_user):
    first, second = make_user(roles=(Role.ADMIN,)), make_user(roles=(Role.ADMIN,))
    pairs = [(first, second), (second, first)]

    def remove(index: int) -> None:
        actor, target = pairs[index]
        with contextlib.suppress(Conflict):  # the last admin stays
            accounts.remove_role(
                db.session.get(User, target.id), Role.ADMIN, by=db.session.get(User, actor.id)
            )

    assert run_at_once(app, 2, remove) == []
    with app.app_context():
        assert accounts.admin_count() == 1


def test_granting_one_role_twice_at_once_makes_one_row(app, make_user):
    target = make_user()

    def grant(index: int) -> None:
        accounts.grant_role(db.session.get(User, target.id), Role.ORGANISER)

    assert run_at_once(app, 4, grant) == []
    with app.app_context():
        rows = select(func.count()).select_from(UserRole).where(UserRole.user_id == target.id)
        assert db.session.scalar(rows) == 1


def test_saving_the_same_new_tags_in_opposite_orders_at_once(app, make_user):
    people = [make_user().id, make_user().id]
    orders = [["Knitting", "Welding"], ["Welding", "Knitting"]]

    def save(index: int) -> None:
        update_profile(db.session.get(User, people[index]), ProfileData(skills=orders[index]))

    assert run_at_once(app, 2, save) == []
    with app.app_context():
        assert sorted(db.session.scalars(select(Tag.name))) == ["knitting", "welding"]


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": base64.urlsafe_b64encode(b"[" * 2900).decode().rstrip("=")},
        {"cursor": base64.urlsafe_b64encode(b'{"k": ' + b"[" * 2900 + b"}").decode()},
        {"_anchor": "x", "q": "a"},
        {"_scheme": "javascript", "q": "a"},
    ],
    ids=["deep-list", "deep-object", "_anchor", "_scheme"],
)
@pytest.mark.parametrize("path", ["/members", "/connections", "/admin"])
def test_list_pages_never_answer_500_to_odd_query_strings(app, make_user, login, path, query):
    admin = make_user(roles=(Role.ADMIN,))
    for _ in range(25):
        make_user()
    response = login(admin).get(path, query_string=query)
    if "cursor" in query:
        assert response.status_code == 400
    else:
        assert response.status_code == 200
