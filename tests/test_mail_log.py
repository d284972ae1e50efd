"""Without MAIL_URL, mail goes to files and the log; the log of production never holds a
body (reset and confirmation links are secrets). On both databases."""

from __future__ import annotations

import logging

from community.auth.services import request_password_reset
from community.extensions import db
from community.mail.services import deliver_due
from config import DevelopmentConfig, ProductionConfig

BACKENDS = ("sqlite", "postgresql")


def logged_reset_mail(app, email: str, caplog) -> str:
    with app.test_request_context():
        request_password_reset(email)
        db.session.commit()
    with caplog.at_level(logging.INFO, logger="community.mail.transport"), app.app_context():
        assert deliver_due()["sent"] == 1
    return "\n".join(record.getMessage() for record in caplog.records)


def test_production_logs_recipient_and_subject_but_never_the_body(other_app, make_user, caplog):
    user = make_user()
    logged = logged_reset_mail(other_app(ProductionConfig), user.email, caplog)
    assert user.email in logged
    assert "Reset your Alongside password" in logged
    assert "/auth/reset/" not in logged
    assert "Hello" not in logged


def test_development_logs_the_whole_mail_to_click_the_link(other_app, make_user, caplog):
    user = make_user()
    logged = logged_reset_mail(other_app(DevelopmentConfig), user.email, caplog)
    assert "/auth/reset/" in logged
