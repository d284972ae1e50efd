"""An "Email at once" notification mail is checked again when the outbox sends it (#17): if
the member may no longer see what it is about by then (the post removed, the member taken
off the event, the actor blocked them...), the mail is withdrawn, never sent nor retried;
otherwise it goes. Every kind, each hidden by its real change (tests/notification_cases.py),
through the real outbox and the real file transport."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.connections import services as connections
from community.extensions import db
from community.mail.models import OutboxMail
from community.mail.services import CHECK_KEY, deliver_due
from community.notifications import preferences
from community.notifications.mailing import SEND_CHECK
from community.notifications.models import Notification
from tests.notification_cases import CASES, CREATED_KINDS, user


def _all_at_once(*refs) -> None:
    for ref in refs:
        preferences.update_settings(
            ref.id, {kind: "instant" for kind in CREATED_KINDS if kind != "chat.message"}
        )
    db.session.commit()


def _mail_of(notification: Notification) -> OutboxMail:
    """The outbox row of the notification's "at once" mail (by its send check)."""
    db.session.expire_all()
    found = [
        mail
        for mail in db.session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        if (mail.headers or {}).get(CHECK_KEY) == [SEND_CHECK, notification.id]
    ]
    assert len(found) == 1, f"no single mail for notification {notification.id}"
    return found[0]


HIDEABLE = sorted(CREATED_KINDS - {"event.removed", "event.cancelled"})
# Every kind hidden meanwhile; a few (one per feature family) still visible: the check lets
# them go.
CASES_RUN = [(kind, True) for kind in HIDEABLE] + [
    (kind, False) for kind in ("comment.new", "connection.requested", "event.changed")
]


@pytest.mark.parametrize(
    ("kind", "hidden"),
    CASES_RUN,
    ids=[f"{kind}-{'hidden' if hidden else 'visible'}" for kind, hidden in CASES_RUN],
)
def test_an_at_once_mail_goes_only_if_still_visible_when_sent(
    db, member, organiser, make_user, kind, hidden
):
    other = make_user(display_name="Oscar Other")
    _all_at_once(member, organiser, other)
    case = CASES[kind](member, other, organiser)
    mail = _mail_of(case.notification)
    assert mail.sent_at is None and mail.failed_at is None  # queued, not yet sent
    if hidden:
        case.hide()
    deliver_due(limit=500)
    mail = _mail_of(case.notification)
    if hidden:
        assert mail.sent_at is None and mail.failed_at is not None
        assert mail.last_error.startswith("Withdrawn: ")
    else:
        assert mail.sent_at is not None and mail.failed_at is None
    deliver_due(limit=500)  # a withdrawn mail is not tried again
    assert _mail_of(case.notification).sent_at == mail.sent_at


def test_blocked_after_queueing_means_no_mail_and_the_file_is_never_written(
    db, member, make_user, mailbox
):
    """A connection request mailed at once; the asker blocks the member before the outbox
    runs: nothing reaches the member's mailbox; the check key never leaves as a header."""
    asker = make_user(display_name="Asker")
    _all_at_once(member)
    connections.send_request(user(asker), member.id)
    db.session.commit()
    connections.block(user(asker), member.id)
    db.session.commit()
    assert mailbox.messages(member.email) == []
    # The next request from someone else does go, without our private key as a header.
    third = make_user(display_name="Third")
    connections.send_request(user(third), member.id)
    db.session.commit()
    message = mailbox.last(member.email)
    assert CHECK_KEY not in message and "Third" in message["Subject"] + mailbox.body(message)
