"""Daily and weekly digests: `flask --app wsgi send-digests` (cron, at any frequency) and
the embedded job loop.

Safe from several places at once and never sending an item twice: each member's digest is
built under the row lock of their `DigestState` (made with `get_or_create`), and every
notification it covers gets `emailed_at` in the same transaction as the queued mail, so a
second runner waiting on the lock finds nothing left and the digest not due.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from community.auth.models import User
from community.auth.roles import UserStatus
from community.core.database import get_or_create, lock_row, utcnow
from community.extensions import db
from community.notifications import kinds as registry
from community.notifications.email_models import DigestState, NotificationSetting
from community.notifications.mailing import (
    described_text,
    described_url,
    kind_label,
    queue_notification_mail,
    unsubscribe_url,
)
from community.notifications.models import Notification
from community.notifications.preferences import DIGESTS, Delivery, defaults, settings_for

log = logging.getLogger(__name__)

PERIODS = {Delivery.DAILY: timedelta(days=1), Delivery.WEEKLY: timedelta(days=7)}
# A digest is due a little before its full period, so a cron line at the same minute every
# day (whose runs start a few seconds apart) never skips a day.
SLACK = timedelta(minutes=30)
# The most items one digest lists; the rest wait for the next one.
MAX_ITEMS = 100


def send_digests(*, now: datetime | None = None) -> int:
    """Send every member's due daily and weekly digests, one transaction per member
    (commits). Returns how many digests were queued. Called by `send-digests` and the job
    loop (`community.jobs`)."""
    now = now or utcnow()
    user_ids = sorted(set(db.session.scalars(_due_members(now))))
    db.session.commit()
    sent = 0
    for user_id in user_ids:
        try:
            sent += _digest_member(user_id, now)
            db.session.commit()
        except Exception:  # one member's failure must not stop the others' digests
            db.session.rollback()
            log.exception("The digest of member %s failed; the next run tries again.", user_id)
    return sent


def _due_members(now: datetime):
    """Members with a digest due that has something to say: an unread, unmailed
    notification of a kind they get in that digest (their choice, else the kind's default),
    and no digest of that period yet, or the last one a period ago. One query, no lock: the
    rows locked per member are only those that will most likely get a digest."""
    default = case(
        {kind: delivery.value for kind, delivery in defaults().items()},
        value=Notification.kind,
        else_=Delivery.APP.value,
    )
    delivery = func.coalesce(NotificationSetting.delivery, default)
    return (
        select(Notification.user_id)
        .outerjoin(
            NotificationSetting,
            and_(
                NotificationSetting.user_id == Notification.user_id,
                NotificationSetting.kind == Notification.kind,
            ),
        )
        .outerjoin(DigestState, DigestState.user_id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            Notification.read_at.is_(None),
            Notification.created_at <= now,
            or_(
                and_(
                    delivery == Delivery.DAILY.value,
                    or_(
                        DigestState.daily_at.is_(None),
                        DigestState.daily_at <= now - PERIODS[Delivery.DAILY] + SLACK,
                    ),
                ),
                and_(
                    delivery == Delivery.WEEKLY.value,
                    or_(
                        DigestState.weekly_at.is_(None),
                        DigestState.weekly_at <= now - PERIODS[Delivery.WEEKLY] + SLACK,
                    ),
                ),
            ),
        )
        .distinct()
    )


def _field(delivery: Delivery) -> str:
    return "daily_at" if delivery == Delivery.DAILY else "weekly_at"


def _digest_member(user_id: int, now: datetime) -> int:
    settings = settings_for(user_id)
    wanted = {
        delivery: [kind for kind, chosen in settings.items() if chosen == delivery]
        for delivery in DIGESTS
    }
    if not any(wanted.values()):
        return 0
    state, _created = get_or_create(DigestState, user_id=user_id)
    state = lock_row(state)
    user = db.session.get(User, user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        return 0
    sent = 0
    for delivery, kinds in wanted.items():
        last = getattr(state, _field(delivery))
        if not kinds or (last is not None and now - last < PERIODS[delivery] - SLACK):
            continue
        items = list(
            db.session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == user_id,
                    Notification.kind.in_(kinds),
                    Notification.emailed_at.is_(None),
                    Notification.read_at.is_(None),
                    Notification.created_at <= now,
                )
                .order_by(Notification.id)
                .limit(MAX_ITEMS)
            )
        )
        if not items:
            continue
        shown = registry.describe_many(items, user)
        for item in items:
            item.emailed_at = now  # what the member may no longer see is dropped for good
        sections = _sections(user, items, shown)
        if not sections:
            continue
        _queue_digest(user, delivery, sections)
        setattr(state, _field(delivery), now)
        sent += 1
    db.session.flush()
    return sent


def _sections(
    user: User, items: list[Notification], shown: list[registry.Described | None]
) -> list[dict]:
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for item, described in zip(items, shown, strict=True):
        if described is None:
            continue
        by_kind[item.kind].append(
            {"text": described_text(described), "url": described_url(described)}
        )
    return [
        {
            "label": kind_label(kind),
            "items": entries,
            "unsubscribe_url": unsubscribe_url(user.id, kind),
        }
        for kind, entries in by_kind.items()
    ]


def _queue_digest(user: User, delivery: Delivery, sections: list[dict]) -> None:
    count = sum(len(section["items"]) for section in sections)
    if delivery == Delivery.DAILY:
        subject = _("Your daily digest: %(n)d new", n=count)
    else:
        subject = _("Your weekly digest: %(n)d new", n=count)
    queue_notification_mail(
        user,
        f"digest.{delivery.value}",
        "notification_digest",
        subject,
        name=user.display_name,
        weekly=delivery == Delivery.WEEKLY,
        sections=sections,
    )
