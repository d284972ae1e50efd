"""Notification email (#17, part 2): per-kind settings (page and API, one service), the
email at once, unread direct messages after a delay, daily and weekly digests safe from
several runners at once, and the one-click unsubscribe link (RFC 8058)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.auth.roles import Role
from community.chat import services as chat
from community.connections import services as connections
from community.core.database import utcnow
from community.events import services as events
from community.events.reminders import send_reminders
from community.extensions import db
from community.mail.models import OutboxMail
from community.notifications import preferences
from community.notifications.chat_mail import send_chat_emails
from community.notifications.digests import send_digests
from community.notifications.email_models import DigestState, NotificationSetting
from community.notifications.mailing import make_unsubscribe_token
from community.notifications.models import Notification
from community.notifications.preferences import Delivery
from community.notifications.services import notify
from tests.conftest import post_form
from tests.factories import event_data

REQUESTED = "connection.requested"


def _user(ref) -> User:
    return db.session.get(User, ref.id)


def _outbox(recipient: str, kind: str | None = None) -> list[OutboxMail]:
    statement = select(OutboxMail).where(OutboxMail.recipient == recipient)
    if kind is not None:
        statement = statement.where(OutboxMail.kind == kind)
    return list(db.session.scalars(statement.order_by(OutboxMail.id)))


def _set(user_id: int, kind: str, delivery: Delivery) -> None:
    preferences.update_settings(user_id, {kind: delivery.value})
    db.session.commit()


def _ask(asker, asked) -> None:
    connections.send_request(_user(asker), asked.id)
    db.session.commit()


# --- settings ------------------------------------------------------------------------------


def test_settings_page_lists_kinds_by_category_and_stores_only_changes(app, login, member):
    client = login(member)
    page = client.get("/settings/notifications").get_data(as_text=True)
    for label in ("In the app only", "Email at once", "Daily digest", "Weekly digest"):
        assert label in page
    assert "form-section__title" in page
    defaults = preferences.defaults()
    assert REQUESTED in defaults
    data = {kind.replace(".", "-"): delivery.value for kind, delivery in defaults.items()}
    data[REQUESTED.replace(".", "-")] = "weekly"
    response = post_form(client, "/settings/notifications", data)
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.execute(
            select(NotificationSetting.kind, NotificationSetting.delivery).where(
                NotificationSetting.user_id == member.id
            )
        ).all()
        assert rows == [(REQUESTED, "weekly")]  # the defaults are not stored
        # Back to the default: the row goes.
        preferences.update_settings(member.id, {REQUESTED: defaults[REQUESTED].value})
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(NotificationSetting)) == 0


def test_settings_page_refuses_a_choice_it_does_not_offer(app, login, member):
    client = login(member)
    response = post_form(
        client, "/settings/notifications", {"chat-message": "weekly"}
    )  # direct messages are never held for a digest
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NotificationSetting)) == 0


def test_transactional_mail_is_not_listed(app, login, member):
    page = login(member).get("/settings/notifications").get_data(as_text=True)
    assert "confirm" not in page.lower().split("always sent")[1]  # only the explanation names it
    assert "auth." not in page


def _api_token(client, user) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_api_reads_and_changes_the_same_settings(app, client, member):
    headers = _api_token(client, member)
    items = client.get("/api/v1/notification-settings", headers=headers).get_json()["items"]
    by_kind = {item["kind"]: item for item in items}
    assert by_kind[REQUESTED]["delivery"] == by_kind[REQUESTED]["default"]
    assert set(by_kind["chat.message"]["choices"]) == {"app", "instant"}
    response = client.put(
        "/api/v1/notification-settings", json={"settings": {REQUESTED: "app"}}, headers=headers
    )
    assert response.status_code == 200
    assert {i["kind"]: i["delivery"] for i in response.get_json()["items"]}[REQUESTED] == "app"
    with app.app_context():
        assert preferences.delivery_for(member.id, REQUESTED) == Delivery.APP
    bad = client.put(
        "/api/v1/notification-settings", json={"settings": {"no.such": "app"}}, headers=headers
    )
    assert bad.status_code == 422
    assert "no.such" in bad.get_json()["error"]["fields"]
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/notification-settings"])


# --- email at once -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivery", "mails"), [(Delivery.INSTANT, 1), (Delivery.DAILY, 0), (Delivery.APP, 0)]
)
def test_email_at_once_follows_the_setting(db, make_user, mailbox, delivery, mails):
    asker, asked = make_user(display_name="Asha Asker"), make_user()
    _set(asked.id, REQUESTED, delivery)
    _ask(asker, asked)
    assert len(_outbox(asked.email, "notification")) == mails
    if mails:
        message = mailbox.last(asked.email)
        assert "Asha Asker" in mailbox.body(message)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert re.fullmatch(
            r"<http://localhost/notifications/unsubscribe/[^>]+>", message["List-Unsubscribe"]
        )
        assert "/notifications/unsubscribe/" in mailbox.body(message)


def test_no_email_at_once_when_the_transaction_rolls_back(db, make_user):
    asker, asked = make_user(), make_user()
    _set(asked.id, REQUESTED, Delivery.INSTANT)
    connections.send_request(_user(asker), asked.id)
    db.session.rollback()
    assert _outbox(asked.email) == []


# --- unread direct messages ----------------------------------------------------------------


def _dm(sender, to, body: str = "Hello there") -> int:
    conversation = chat.start_direct(_user(sender), to.id)
    db.session.flush()
    sent = chat.send_message(_user(sender), conversation.id, body, uuid.uuid4().hex)
    db.session.commit()
    return sent.message.conversation_id


def test_an_unread_direct_message_is_emailed_once_after_the_delay(db, make_user, mailbox):
    sender, reader = make_user(display_name="Sam Sender"), make_user()
    _dm(sender, reader, "Are you coming on Friday?")
    now = utcnow()
    assert send_chat_emails(now=now + timedelta(minutes=14)) == 0
    assert send_chat_emails(now=now + timedelta(minutes=16)) == 1
    assert send_chat_emails(now=now + timedelta(minutes=17)) == 0  # the same window
    assert send_chat_emails(now=now + timedelta(minutes=60)) == 0  # nothing new since
    message = mailbox.last(reader.email)
    body = mailbox.body(message)
    assert "Sam Sender: Are you coming on Friday?" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(_outbox(reader.email, "chat_unread")) == 1
    assert _outbox(sender.email) == []  # my own message is read


def test_a_direct_message_read_in_time_is_not_emailed(db, make_user):
    sender, reader = make_user(), make_user()
    conversation_id = _dm(sender, reader)
    chat.mark_read(_user(reader), conversation_id, 10**6)
    db.session.commit()
    assert send_chat_emails(now=utcnow() + timedelta(minutes=30)) == 0
    assert _outbox(reader.email) == []


def test_one_email_per_conversation_per_delay_window(db, make_user):
    sender, reader = make_user(), make_user()
    _dm(sender, reader, "first")
    start = utcnow()
    assert send_chat_emails(now=start + timedelta(minutes=16)) == 1
    _dm(sender, reader, "second")  # arrives now, i.e. before the window closes
    assert send_chat_emails(now=start + timedelta(minutes=20)) == 0
    assert send_chat_emails(now=start + timedelta(minutes=32)) == 1
    bodies = [mail.body for mail in _outbox(reader.email, "chat_unread")]
    assert "first" in bodies[0] and "second" not in bodies[0]
    assert "second" in bodies[1] and "first" not in bodies[1]


def test_no_message_from_someone_since_blocked(db, make_user):
    friend, pest, reader = make_user(), make_user(), make_user()
    _dm(pest, reader, "from the pest")
    _dm(friend, reader, "from a friend")
    connections.block(_user(reader), pest.id)
    db.session.commit()
    assert send_chat_emails(now=utcnow() + timedelta(minutes=16)) == 1
    [mail] = _outbox(reader.email, "chat_unread")
    assert "from a friend" in mail.body and "pest" not in mail.body


def test_direct_message_email_respects_the_chat_setting(db, make_user):
    sender, reader = make_user(), make_user()
    _set(reader.id, "chat.message", Delivery.APP)
    _dm(sender, reader)
    assert send_chat_emails(now=utcnow() + timedelta(minutes=16)) == 0
    assert _outbox(reader.email) == []


# --- digests -------------------------------------------------------------------------------


def test_a_daily_digest_sends_each_item_once(db, make_user, mailbox):
    reader = make_user()
    _set(reader.id, REQUESTED, Delivery.DAILY)
    first, second = make_user(display_name="Fay First"), make_user(display_name="Sid Second")
    _ask(first, reader)
    now = utcnow()
    assert send_digests(now=now) == 1
    assert send_digests(now=now + timedelta(minutes=5)) == 0
    _ask(second, reader)
    assert send_digests(now=now + timedelta(hours=2)) == 0  # not due yet: one a day
    assert send_digests(now=now + timedelta(days=1)) == 1
    digests = _outbox(reader.email, "notification_digest")
    assert len(digests) == 2
    assert "Fay First" in digests[0].body and "Sid Second" not in digests[0].body
    assert "Sid Second" in digests[1].body and "Fay First" not in digests[1].body
    assert digests[0].headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_weekly_digest_waits_a_week(db, make_user):
    reader, asker, later = make_user(), make_user(), make_user()
    _set(reader.id, REQUESTED, Delivery.WEEKLY)
    _ask(asker, reader)
    now = utcnow()
    assert send_digests(now=now) == 1
    _ask(later, reader)
    assert send_digests(now=now + timedelta(days=3)) == 0
    assert send_digests(now=now + timedelta(days=7)) == 1


def test_the_send_digests_command_runs(app, runner, make_user):
    reader, asker = make_user(), make_user()
    with app.app_context():
        _set(reader.id, REQUESTED, Delivery.DAILY)
        _ask(asker, reader)
    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "sent 1 digests" in result.output
    assert "sent 0 digests" in runner.invoke(args=["send-digests"]).output


# --- unsubscribe ---------------------------------------------------------------------------


def _instant_mail_link(db, make_user, mailbox):
    asker, asked = make_user(), make_user()
    _set(asked.id, REQUESTED, Delivery.INSTANT)
    _set(asked.id, "connection.accepted", Delivery.INSTANT)
    _ask(asker, asked)
    return asked, mailbox.link(asked.email, "/notifications/unsubscribe/")


def test_the_unsubscribe_link_asks_on_get_and_stops_on_post(app, db, make_user, mailbox):
    asked, link = _instant_mail_link(db, make_user, mailbox)
    client = app.test_client()  # not logged in
    page = client.get(link)
    assert page.status_code == 200
    assert "Stop these emails" in page.get_data(as_text=True)
    db.session.expire_all()
    assert preferences.delivery_for(asked.id, REQUESTED) == Delivery.INSTANT  # GET changed nothing
    done = client.post(link)  # the page's button: no CSRF token needed
    assert done.status_code == 200
    db.session.expire_all()
    assert preferences.delivery_for(asked.id, REQUESTED) == Delivery.APP
    assert preferences.delivery_for(asked.id, "connection.accepted") == Delivery.INSTANT


def test_one_click_unsubscribe_from_the_header(app, db, make_user, mailbox):
    asked, _link = _instant_mail_link(db, make_user, mailbox)
    header = mailbox.last(asked.email)["List-Unsubscribe"]
    path = re.search(r"<http://localhost(/[^>]+)>", header).group(1)
    response = app.test_client().post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert preferences.delivery_for(asked.id, REQUESTED) == Delivery.APP


def test_a_link_works_only_for_its_member_and_kind(app, db, make_user):
    mine, theirs = make_user(), make_user()
    for who in (mine, theirs):
        _set(who.id, REQUESTED, Delivery.INSTANT)
        _set(who.id, "connection.accepted", Delivery.INSTANT)
    token = make_unsubscribe_token(mine.id, REQUESTED)
    assert app.test_client().post(f"/notifications/unsubscribe/{token}").status_code == 200
    db.session.expire_all()
    assert preferences.delivery_for(mine.id, REQUESTED) == Delivery.APP
    assert preferences.delivery_for(mine.id, "connection.accepted") == Delivery.INSTANT
    assert preferences.delivery_for(theirs.id, REQUESTED) == Delivery.INSTANT


def test_a_forged_link_changes_nothing(app, db, make_user):
    member = make_user()
    _set(member.id, REQUESTED, Delivery.INSTANT)
    token = make_unsubscribe_token(member.id, REQUESTED)
    other = make_unsubscribe_token(member.id + 1, REQUESTED)
    # Another member's id in a body signed for this one: the signature no longer matches.
    forged = other.split(".")[0] + "." + ".".join(token.split(".")[1:])
    for bad in (forged, token[:-2] + "xx", "nonsense"):
        client = app.test_client()
        assert client.get(f"/notifications/unsubscribe/{bad}").status_code == 400
        response = client.post(f"/notifications/unsubscribe/{bad}")
        assert response.status_code == 400
        assert "Nothing was changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert preferences.delivery_for(member.id, REQUESTED) == Delivery.INSTANT


def test_an_expired_link_changes_nothing(app, db, make_user):
    member = make_user()
    _set(member.id, REQUESTED, Delivery.INSTANT)
    token = make_unsubscribe_token(member.id, REQUESTED)
    app.config["NOTIFICATION_UNSUBSCRIBE_MAX_AGE"] = -1  # every link is past its age
    response = app.test_client().post(f"/notifications/unsubscribe/{token}")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    db.session.expire_all()
    assert preferences.delivery_for(member.id, REQUESTED) == Delivery.INSTANT


def test_a_digest_link_stops_that_digest(app, db, make_user):
    member = make_user()
    _set(member.id, REQUESTED, Delivery.DAILY)
    _set(member.id, "connection.accepted", Delivery.WEEKLY)
    token = make_unsubscribe_token(member.id, "digest.daily")
    assert app.test_client().post(f"/notifications/unsubscribe/{token}").status_code == 200
    db.session.expire_all()
    assert preferences.delivery_for(member.id, REQUESTED) == Delivery.APP
    assert preferences.delivery_for(member.id, "connection.accepted") == Delivery.WEEKLY


# --- what a member may no longer see, and the features' own mails --------------------------


def test_no_email_at_once_about_something_the_member_cannot_see(db, make_user):
    asker, asked = make_user(), make_user()
    _set(asked.id, REQUESTED, Delivery.INSTANT)
    notify(
        asked.id, REQUESTED, actor_id=asker.id, target_type="connection", target_id=10**6
    )  # a request that is gone
    db.session.commit()
    assert _outbox(asked.email) == []


def test_a_digest_leaves_out_what_the_member_may_no_longer_see(db, make_user):
    reader, pest = make_user(), make_user()
    _ask(pest, reader)
    connections.block(_user(reader), pest.id)
    db.session.commit()
    assert send_digests(now=utcnow()) == 0
    assert _outbox(reader.email) == []
    note = db.session.scalar(select(Notification).where(Notification.user_id == reader.id))
    assert note.emailed_at is not None  # looked at once, never again


def test_an_event_reminder_mails_once_by_its_setting(db, make_user):
    organiser = make_user(roles=(Role.ORGANISER,))
    default, quiet = make_user(), make_user()
    starts = (utcnow() + timedelta(hours=20)).replace(microsecond=0)
    event = events.create_event(
        _user(organiser), event_data(starts_at=starts, ends_at=starts + timedelta(hours=2))
    )
    db.session.commit()
    for ref in (default, quiet):
        events.rsvp(_user(ref), event, 0)
    _set(quiet.id, "event.reminder", Delivery.APP)
    assert send_reminders() == 2
    db.session.commit()
    [mail] = _outbox(default.email, "event_reminder")  # the feature's own mail, not a second
    assert _outbox(default.email, "notification") == []
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in mail.body
    assert _outbox(quiet.email, "event_reminder") == []


def test_digest_runs_touch_no_member_without_a_digest_due(db, make_user):
    """The job runs every minute on the embedded default: members whose unread
    notifications are all "in the app only" get no lock row written, run after run."""
    quiet, asker = make_user(), make_user()
    _set(quiet.id, REQUESTED, Delivery.APP)
    _ask(asker, quiet)
    assert send_digests(now=utcnow()) == 0
    assert db.session.scalar(select(func.count()).select_from(DigestState)) == 0


def test_the_send_chat_emails_command_runs(app, runner, make_user):
    sender, reader = make_user(), make_user()
    with app.app_context():
        _dm(sender, reader)
    app.config["CHAT_EMAIL_DELAY_MINUTES"] = 0  # the command runs at the present moment
    result = runner.invoke(args=["send-chat-emails"])
    assert result.exit_code == 0, result.output
    assert "sent 1 unread-message emails" in result.output
    assert "sent 0 unread-message emails" in runner.invoke(args=["send-chat-emails"]).output


def test_the_embedded_job_loop_runs_both_jobs(app):
    """`make run` has no cron: the job loop runs the unread-message emails and digests."""
    from community.jobs import scheduled_jobs

    with app.app_context():
        names = [name for name, _job in scheduled_jobs()]
    assert {"chat emails", "digests"} <= set(names)


def test_the_unsubscribe_header_is_only_the_https_link(app, db, make_user, mailbox):
    """Nothing reads mail sent to an unsubscribe address, so none is offered, even when the
    old setting is still in someone's environment."""
    app.config["MAIL_UNSUBSCRIBE_ADDRESS"] = "unsubscribe@alongside.example"
    asked, _link = _instant_mail_link(db, make_user, mailbox)
    mail = mailbox.last(asked.email)
    assert re.fullmatch(
        r"<http://localhost/notifications/unsubscribe/[^<>, ]+>", mail["List-Unsubscribe"]
    )
    assert "mailto" not in mail.as_string()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
