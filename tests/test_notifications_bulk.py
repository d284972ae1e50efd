"""Bulk notices (#17): an event-change notice tells every going member through one
`notify_many`: the same records, mails and live `notification:new` as one `notify` each
(the visibility rule of the notifications page included), in a number of SQL statements
that does not grow with the number of members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.connections import services as connections
from community.core.database import lock_row, utcnow
from community.events import notices
from community.events.models import Event
from community.extensions import db
from community.mail.models import OutboxMail
from community.notifications import preferences
from community.notifications.models import Notification
from community.notifications.preferences import Delivery
from community.notifications.services import notify_many
from tests.test_events_pages import make_event, rsvp

BACKENDS = ("sqlite", "postgresql")


def _notice_now(app, event_id: int) -> int:
    """Record a time change on the event and send its notice (as `send-reminders` does)."""
    with app.app_context():
        event = lock_row(db.session.get(Event, event_id))
        notices.record_change(event, {"time"}, utcnow())
        db.session.commit()
        told = notices.send_due_notices(now=utcnow() + timedelta(days=1))
        db.session.commit()
        return told


def _statements_of_a_notice(app, organiser, make_user, count_queries, members: int) -> int:
    event_id = make_event(app, organiser, title=f"Picnic for {members}", capacity=None)
    for _ in range(members):
        rsvp(app, event_id, make_user())
    with app.app_context():
        event = lock_row(db.session.get(Event, event_id))
        notices.record_change(event, {"time"}, utcnow())
        db.session.commit()
    with count_queries() as counter, app.app_context():
        told = notices.send_due_notices(now=utcnow() + timedelta(days=1))
        db.session.commit()
    assert told == members
    with app.app_context():
        sent = db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == "event.changed", Notification.target_id == event_id
            )
        ).all()
        assert len(sent) == members
    return len(counter.statements)


def test_a_change_notice_costs_as_many_statements_for_200_members_as_for_10(
    app, organiser, make_user, count_queries
):
    few = _statements_of_a_notice(app, organiser, make_user, count_queries, 10)
    many = _statements_of_a_notice(app, organiser, make_user, count_queries, 200)
    assert many == few, (few, many)
    assert few <= 20


def test_notify_many_records_mails_and_sends_live_as_notify_would(
    app, organiser, make_user, make_socket_client
):
    """Ana: email at once (the default); Ben: daily digest (no mail now, live yes); Cai
    blocked the organiser, so the event is hidden from her: a record nobody is shown, no
    mail, no live event; Dee is not going: nothing."""
    ana, ben, cai, dee = (make_user(display_name=name) for name in ("Ana", "Ben", "Cai", "Dee"))
    event_id = make_event(app, organiser, title="Harbour walk")
    for ref in (ana, ben, cai):
        rsvp(app, event_id, ref)
    with app.app_context():
        preferences.update_settings(ben.id, {"event.changed": Delivery.DAILY.value})
        connections.block(db.session.get(User, cai.id), organiser.id)
        db.session.commit()
    sockets = {ref.id: make_socket_client(ref) for ref in (ana, ben, cai, dee)}

    assert _notice_now(app, event_id) == 3

    with app.app_context():
        rows = {
            n.user_id: n
            for n in db.session.scalars(
                select(Notification).where(Notification.target_id == event_id)
            )
        }
        assert set(rows) == {ana.id, ben.id, cai.id}
        assert rows[ana.id].emailed_at is not None
        assert rows[ben.id].emailed_at is None and rows[cai.id].emailed_at is None
        assert rows[ana.id].data == {"title": "Harbour walk", "changes": ["time"]}
        mails = db.session.scalars(
            select(OutboxMail).where(OutboxMail.subject == "Changed: Harbour walk")
        ).all()
        assert [mail.recipient for mail in mails] == [ana.email]
        assert "unsubscribe" in mails[0].headers["List-Unsubscribe"]
        ids = {user_id: n.id for user_id, n in rows.items()}

    def live(ref) -> list[dict]:
        return [
            event["args"][0]
            for event in sockets[ref.id].get_received()
            if event["name"] == "notification:new"
        ]

    for ref in (ana, ben):
        [item] = live(ref)
        assert item["id"] == ids[ref.id]
        assert item["text"] == "The time of “Harbour walk” changed."
        assert item["url"] == f"/events/{event_id}" and item["read"] is False
    assert live(cai) == [] and live(dee) == []


def test_notify_many_refuses_an_unregistered_kind_and_accepts_nobody(app, member):
    with app.app_context():
        with pytest.raises(ValueError, match="unregistered"):
            notify_many([db.session.get(User, member.id)], "no.such.kind")
        assert notify_many([], "event.changed") == []
