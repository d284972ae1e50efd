"""The registry of notification kinds: every kind the app creates is registered once by its
feature, and is worded for its member (text, link, the actor named only when visible) and
hidden once the member may no longer see the thing. Each kind is created through the real
feature service, described, then hidden through the real service that should hide it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from community.comments import services as comments
from community.connections import services as connections
from community.extensions import db
from community.notifications import kinds
from community.notifications.models import Notification
from community.notifications.services import notify
from community.posts import services as posts
from community.posts.models import Post
from community.profiles import services as profiles
from tests.notification_cases import CASES, CREATED_KINDS, _commit, _post, latest, user


def words(notification: Notification, viewer_ref) -> kinds.Described | None:
    db.session.expire_all()
    return kinds.describe(notification, user(viewer_ref))


# --- the registry --------------------------------------------------------------------------


def test_every_kind_in_the_code_is_registered_once_with_a_valid_default(app):
    kinds_in_code = set()
    for path in Path("community").rglob("*.py"):
        text = path.read_text()
        for call in re.finditer(r"\bnotify(?:_many)?\(", text):
            # the kind is the second argument (a literal, or a choice of two literals)
            kinds_in_code |= set(
                re.findall(r'"([a-z]+\.[a-z_]+)"', text[call.end() : call.end() + 160])
            )
    assert kinds_in_code == CREATED_KINDS
    names = {kind.name for kind in kinds.all_kinds()}
    assert names == CREATED_KINDS | {"chat.message"}
    for kind in kinds.all_kinds():
        assert kind.default_delivery in kinds.DELIVERIES
        assert kind.category and str(kind.label)
    assert kinds.kind_of("chat.message").default_delivery == kinds.INSTANT
    assert str(kinds.kind_of("chat.message").label) == "Direct messages"
    assert kinds.kind_of("event.changed").default_delivery == kinds.INSTANT
    assert kinds.kind_of("comment.new").default_delivery == kinds.DAILY
    with pytest.raises(ValueError):
        kinds.register_kind(kinds.kind_of("post.helpful"))


def test_notify_refuses_a_kind_nobody_registered(db, member):
    with pytest.raises(ValueError):
        notify(member.id, "post.unknown")
    db.session.rollback()


# --- every kind: created, described, hidden --------------------------------------------------


def test_there_is_a_case_for_every_created_kind():
    assert set(CASES) == CREATED_KINDS


@pytest.mark.parametrize("kind", sorted(CREATED_KINDS))
def test_each_kind_is_described_for_its_member_and_hidden_when_it_should_be(
    db, member, organiser, make_user, kind
):
    other = make_user(display_name="Oscar Other")
    case = CASES[kind](member, other, organiser)
    assert case.notification is not None and case.notification.kind == kind
    described = words(case.notification, case.recipient)
    assert described is not None, kind
    assert case.text in described.text
    assert described.url.startswith(case.url)
    # Never someone else's notification, whoever asks.
    assert words(case.notification, other) is None
    assert words(case.notification, organiser) is None or case.recipient == organiser
    case.hide()
    assert words(db.session.get(Notification, case.notification.id), case.recipient) is None


def test_the_actor_is_named_only_to_those_who_may_see_their_profile(db, member, make_user):
    shy = make_user(display_name="Shy Sam")
    _commit(profiles.update_profile, user(shy), profiles.ProfileData(visibility="connections"))
    _commit(connections.send_request, user(shy), member.id)
    described = words(latest(member.id, "connection.requested"), member)
    assert described.text == "Someone asked to connect with you."
    assert described.actor_name is None and "Shy Sam" not in described.text


def test_describe_many_keeps_the_order_and_costs_the_same_for_5_or_25(
    db, member, make_user, count_queries
):
    post = _post(member)
    others = [make_user() for _ in range(25)]
    for other in others:
        _commit(comments.add_comment, user(other), "post", post.id, "Hello")
        _commit(posts.mark_helpful, user(other), db.session.get(Post, post.id))
    costs = []
    for size in (5, 50):
        db.session.expire_all()
        viewer = user(member)
        rows = list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == member.id)
                .order_by(Notification.id.desc())
            )
        )
        with count_queries() as counted:
            described = kinds.describe_many(rows[:size], viewer)
        assert [d.notification.id for d in described] == [n.id for n in rows[:size]]
        costs.append(counted.count)
    assert costs[0] == costs[1] and costs[1] <= 15, costs
    grouped = {d.group_key for d in described}
    assert len(grouped) == 2  # comments on the post, helpful marks on the post
