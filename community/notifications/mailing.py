"""Notification email: the one-click unsubscribe link every notification email carries,
and the email sent at once when a notification of an "Email at once" kind is created.

Unsubscribe (RFC 8058): each mail has `List-Unsubscribe: <https://.../unsubscribe/TOKEN>`
(only that one-click link: nothing reads mail sent to an address, so no `mailto:` is
offered), `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and the same link in its
body. The token is signed with our secret and its own salt and names one member and one
kind (or one digest), so it works without logging in and only for that member and that kind.

An "at once" mail is written when its notification is made and checked again just before
the outbox sends it (`still_visible`, the notifications page's rule): it is withdrawn if
the member may no longer see what it is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from community.auth.models import User
from community.auth.roles import UserStatus
from community.auth.tokens import TokenError
from community.core.database import utcnow
from community.core.urls import external_url
from community.extensions import db
from community.mail.services import CHECK_KEY, queue_mail, register_send_check
from community.mail.transport import Attachment
from community.notifications import kinds as registry
from community.notifications.models import Notification
from community.notifications.preferences import (
    Delivery,
    defaults,
    delivery_for,
    label,
    settings_for,
)

UNSUBSCRIBE_SALT = "alongside.notification-unsubscribe"
# The "kinds" an unsubscribe token may name besides the registry's: a whole digest.
DIGEST_TOKENS = {"digest.daily": Delivery.DAILY, "digest.weekly": Delivery.WEEKLY}


# --- unsubscribe tokens --------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def make_unsubscribe_token(user_id: int, kind: str) -> str:
    """The token of `user_id`'s unsubscribe link for `kind` (or "digest.daily"/"weekly")."""
    return _serializer().dumps({"uid": user_id, "k": kind})


@dataclass(frozen=True)
class Unsubscribe:
    """What a valid link unsubscribes: whose, which kind, and the kinds that covers now."""

    user: User
    kind: str
    label: str


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """The member and kind a link names; raises TokenError ("expired" or "invalid") for a
    forged, altered or old link, or one for an account or kind that no longer exists."""
    try:
        data = _serializer().loads(
            token, max_age=current_app.config["NOTIFICATION_UNSUBSCRIBE_MAX_AGE"]
        )
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise TokenError("invalid")
    kind = data.get("k")
    if not isinstance(kind, str) or (kind not in defaults() and kind not in DIGEST_TOKENS):
        raise TokenError("invalid")
    user = db.session.get(User, data["uid"])
    if user is None or user.status == UserStatus.DELETED:
        raise TokenError("invalid")
    return Unsubscribe(user, kind, kind_label(kind))


def kinds_of(link: Unsubscribe) -> list[str]:
    """The kinds the link switches to "in the app only": its kind, or for a digest link
    every kind the member now gets in that digest."""
    digest = DIGEST_TOKENS.get(link.kind)
    if digest is None:
        return [link.kind]
    return [kind for kind, delivery in settings_for(link.user.id).items() if delivery == digest]


def kind_label(kind: str) -> str:
    if kind == "digest.daily":
        return _("Daily digest")
    if kind == "digest.weekly":
        return _("Weekly digest")
    return label(kind)


def unsubscribe_url(user_id: int, kind: str) -> str:
    return external_url(
        "notification_mail.unsubscribe", token=make_unsubscribe_token(user_id, kind)
    )


def unsubscribe_headers(user_id: int, kind: str) -> dict[str, str]:
    """RFC 8058 headers for a mail to `user_id` about `kind`."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user_id, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def queue_notification_mail(
    user: User,
    kind: str,
    template: str,
    subject: str,
    *,
    attachments: list[Attachment] | None = None,
    into: list[dict] | None = None,
    check: tuple[str, object] | None = None,
    **context,
):
    """Queue a notification email about `kind` to `user` in the caller's transaction, with
    the unsubscribe headers and `unsubscribe_url`/`settings_url` for the body's footer."""
    return queue_mail(
        user.email,
        template,
        subject,
        attachments=attachments,
        into=into,
        check=check,
        headers=unsubscribe_headers(user.id, kind),
        unsubscribe_url=unsubscribe_url(user.id, kind),
        unsubscribe_label=kind_label(kind),
        settings_url=external_url("notification_mail.settings"),
        **context,
    )


# --- email at once ---------------------------------------------------------------------------


@dataclass
class FeatureMail:
    """A feature's own mail for a notification (an event change with its .ics details):
    `notify(..., mail=FeatureMail(...))` sends it instead of the plain one, and only when
    the member has the kind on "Email at once"."""

    template: str
    subject: str
    context: dict = field(default_factory=dict)
    attachments: list[Attachment] | None = None


def mail_at_once(
    notification: Notification,
    user: User,
    described: registry.Described,
    mail: FeatureMail | None = None,
    *,
    delivery: Delivery | None = None,
    into: list[dict] | None = None,
) -> bool:
    """Queue the email for a just-created `notification` of `user` (same transaction: a
    rollback drops both) when they have its kind on "Email at once" and their account is
    active. Called by `notify` and `notify_many` (which passes the member's `delivery`, read
    for many at once, and `into` to insert the mails in one batch: `queue_mail`), with the
    notification already `described` (so only for what the member may see). Returns
    whether a mail went."""
    if delivery is None:
        delivery = delivery_for(notification.user_id, notification.kind)
    if delivery != Delivery.INSTANT:
        return False
    if user.status != UserStatus.ACTIVE:
        return False
    if mail is not None:
        queue_notification_mail(
            user,
            notification.kind,
            mail.template,
            mail.subject,
            attachments=mail.attachments,
            into=into,
            check=_check(notification),
            **mail.context,
        )
    else:
        queue_notification_mail(
            user,
            notification.kind,
            "notification",
            described_text(described),
            into=into,
            check=_check(notification),
            name=user.display_name,
            text=described_text(described),
            url=described_url(described),
        )
    notification.emailed_at = utcnow()
    return True


SEND_CHECK = "notification"


def _check(notification: Notification) -> tuple[str, object] | None:
    """The outbox's send check of a notification's mail (`still_visible`); None for a draft
    of `notify_many`, which adds it once the rows have their ids (`add_send_checks`)."""
    return (SEND_CHECK, notification.id) if notification.id is not None else None


def add_send_checks(rows: list[dict], ids_by_recipient: dict[str, int]) -> None:
    """Give the mail rows `notify_many` gathered their send check, by recipient address."""
    for row in rows:
        headers = row["headers"] or {}
        row["headers"] = {**headers, CHECK_KEY: [SEND_CHECK, ids_by_recipient[row["recipient"]]]}


def still_visible(notification_id: object) -> bool:
    """The outbox's last check before an "at once" notification mail goes: whether its
    recipient may still see what it is about, by the rule of the notifications page
    (`kinds.describe`): not when the post was deleted, the member taken off the event, the
    actor blocked either way, the account closed, or the notification is gone."""
    if not isinstance(notification_id, int):
        return False
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        return False
    recipient = db.session.get(User, notification.user_id)
    return recipient is not None and registry.describe(notification, recipient) is not None


register_send_check(SEND_CHECK, still_visible)


def described_text(described: registry.Described) -> str:
    return str(described.text)


def described_url(described: registry.Described) -> str | None:
    """The described link as an absolute URL on BASE_URL (mail leaves the site)."""
    url = described.url
    if url and url.startswith("/"):
        return current_app.config["BASE_URL"].rstrip("/") + url
    return url
