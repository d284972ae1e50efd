"""#13.4 and #13.9: confirmation mail cannot be used to flood an inbox, and ten wrong
passwords from strangers do not lock the owner out of a device they have used before.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from community.extensions import db
from community.mail.models import OutboxMail
from tests.conftest import post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")
WRONG = "not the password at all"


def confirmation_mails(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(OutboxMail)
            .where(OutboxMail.recipient == email, OutboxMail.kind == "confirm_email")
        )


def age_mails(app, minutes: float) -> None:
    with app.app_context():
        for mail in db.session.scalars(select(OutboxMail)):
            mail.created_at -= timedelta(minutes=minutes)
        db.session.commit()


def log_in(client, email, password=PASSWORD):
    return post_form(client, "/auth/login", {"email": email, "password": password})


# --- #13.4 confirmation mail ---------------------------------------------------------------


def test_logging_in_unconfirmed_again_and_again_sends_one_mail(app, make_user):
    user = make_user(confirmed=False)
    client = app.test_client()
    answers = set()
    for _ in range(15):
        answers.add(log_in(client, user.email).get_data(as_text=True).count("confirm your email"))
    assert confirmation_mails(app, user.email) == 1
    assert answers == {1}  # the same words every time, mail or not


def test_every_way_of_asking_shares_the_ten_minute_gap(app, make_user):
    user = make_user(confirmed=False)
    client = app.test_client()
    log_in(client, user.email)
    client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    post_form(client, "/auth/confirm", {"email": user.email}, form_page="/auth/check-email")
    assert confirmation_mails(app, user.email) == 1
    age_mails(app, 11)
    client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert confirmation_mails(app, user.email) == 2


def test_an_account_gets_at_most_five_confirmation_mails_a_day(app, make_user):
    user = make_user(confirmed=False)
    client = app.test_client()
    for _ in range(8):
        log_in(client, user.email)
        age_mails(app, 11)
    assert confirmation_mails(app, user.email) == 5
    age_mails(app, 24 * 60)
    log_in(client, user.email)
    assert confirmation_mails(app, user.email) == 6


def test_one_address_gets_at_most_twenty_confirmation_mails_a_day_for_others(app, make_user):
    """Many unconfirmed accounts asked for from one IP: the IP's daily cap holds."""
    users = [make_user(confirmed=False) for _ in range(22)]
    client = app.test_client()
    for user in users:
        client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    sent = sum(confirmation_mails(app, user.email) for user in users)
    assert sent == 20
    other_ip = app.test_client()
    other_ip.post(
        "/api/v1/tokens",
        json={"email": users[-1].email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert confirmation_mails(app, users[-1].email) == 1


def test_the_confirmation_mail_carries_no_name_chosen_by_the_registrant(app, mailbox):
    client = app.test_client()
    post_form(
        client,
        "/auth/register",
        {
            "email": "victim@example.org",
            "display_name": "Click http://evil.example now",
            "password": PASSWORD,
        },
    )
    body = mailbox.body(mailbox.last("victim@example.org"))
    assert "evil.example" not in body
    assert "Click" not in body


# --- #13.9 targeted lockout ----------------------------------------------------------------


def lock_out(app, email: str) -> None:
    """Ten wrong passwords from a stranger's browser: the per-account limit is spent."""
    stranger = app.test_client()
    for _ in range(10):
        log_in(stranger, email, WRONG)
    assert log_in(stranger, email, PASSWORD).status_code == 429


def test_the_owner_gets_in_from_a_device_used_before_while_strangers_are_locked_out(app, make_user):
    user = make_user()
    own = app.test_client()
    assert log_in(own, user.email).status_code == 302  # this browser is now known
    post_form(own, "/auth/logout", {}, form_page="/settings")
    lock_out(app, user.email)
    assert log_in(own, user.email).status_code == 302
    assert log_in(app.test_client(), user.email).status_code == 429  # a new device waits


def test_a_device_cookie_only_vouches_for_its_own_account(app, make_user):
    owner, other = make_user(), make_user()
    device = app.test_client()
    log_in(device, owner.email)
    post_form(device, "/auth/logout", {}, form_page="/settings")
    lock_out(app, other.email)
    assert log_in(device, other.email).status_code == 429


def test_a_forged_device_cookie_is_ignored(app, make_user):
    user = make_user()
    lock_out(app, user.email)
    forger = app.test_client()
    forger.set_cookie("device", "eyJlIjoiYWJjIn0.forged.signature")
    assert log_in(forger, user.email).status_code == 429


def test_a_known_device_has_its_own_limit_of_wrong_passwords(app, make_user):
    user = make_user()
    device = app.test_client()
    log_in(device, user.email)
    post_form(device, "/auth/logout", {}, form_page="/settings")
    statuses = [log_in(device, user.email, WRONG).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_the_owner_is_told_by_mail_once_when_the_account_is_locked(app, make_user, mailbox):
    user = make_user()
    lock_out(app, user.email)
    stranger = app.test_client()
    for _ in range(3):
        log_in(stranger, user.email, WRONG)
    locked = [m for m in mailbox.messages(user.email) if "locked" in m["Subject"].lower()]
    assert len(locked) == 1
    body = mailbox.body(locked[0])
    assert "15 minutes" in body
    assert "/auth/reset" in body


def test_locking_an_unknown_address_mails_nobody(app, mailbox):
    lock_out(app, "nobody@example.org")
    assert mailbox.messages("nobody@example.org") == []


def test_a_device_cookie_gives_the_api_no_way_around_the_account_limit(app, make_user):
    """The token endpoint honours a device cookie only with the device's own budget."""
    user = make_user()
    device = app.test_client()
    log_in(device, user.email)
    post_form(device, "/auth/logout", {}, form_page="/settings")
    statuses = [
        device.post(
            "/api/v1/tokens",
            json={"email": user.email, "password": WRONG},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


def test_a_new_password_retires_every_device_cookie(app, make_user):
    """A cookie made with the old password no longer vouches; the browser that changed the
    password gets a new one."""
    user = make_user()
    device = app.test_client()
    log_in(device, user.email)
    old_cookie = device.get_cookie("device").value
    post_form(
        device,
        "/settings/password",
        {"current_password": PASSWORD, "password": "a brand new passphrase here"},
    )
    post_form(device, "/auth/logout", {}, form_page="/settings")
    assert device.get_cookie("device").value != old_cookie
    lock_out(app, user.email)
    thief = app.test_client()
    thief.set_cookie("device", old_cookie)  # kept from before the change
    assert log_in(thief, user.email, "a brand new passphrase here").status_code == 429
    assert log_in(device, user.email, "a brand new passphrase here").status_code == 302


def test_lockout_mails_stay_within_the_daily_cap(app, make_user, mailbox):
    user = make_user()
    for _ in range(8):
        lock_out(app, user.email)
        age_mails(app, 16)
        from community.extensions import limiter

        limiter.reset()
    locked = [m for m in mailbox.messages(user.email) if "locked" in m["Subject"].lower()]
    assert len(locked) == 5
