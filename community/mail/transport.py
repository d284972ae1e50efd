"""Hand one finished mail to SMTP (when MAIL_URL is set) or to a file in MAIL_DIR."""

from __future__ import annotations

import email.policy
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

log = logging.getLogger(__name__)
_LONG_LINES = email.policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class Attachment:
    """A text file sent with a mail: `content_type` may carry parameters
    ("text/calendar; method=PUBLISH"), which go on the part's Content-Type."""

    filename: str
    content_type: str
    content: str

    def as_json(self) -> dict[str, str]:
        """How the outbox stores it (`OutboxMail.attachments`)."""
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "content": self.content,
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Attachment:
        return cls(data["filename"], data["content_type"], data["content"])


def build_message(
    recipient: str,
    subject: str,
    body: str,
    attachments: list[Attachment] | tuple = (),
    *,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A plain-text UTF-8 message from the configured sender, with `attachments` as MIME
    parts (multipart/mixed when there are any) and the extra `headers` (List-Unsubscribe,
    List-Unsubscribe-Post for RFC 8058 one-click unsubscribe)."""
    # A header URL longer than a line (List-Unsubscribe's signed link) must stay one word:
    # the default 78-character policy would fold it into RFC 2047 encoded words, which mail
    # clients do not read as a URL. RFC 5322 allows lines up to 998 characters.
    message = EmailMessage(policy=_LONG_LINES) if headers else EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="alongside")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for attachment in attachments:
        kind, _sep, rest = attachment.content_type.partition(";")
        maintype, _slash, subtype = kind.strip().partition("/")
        params = {"charset": "utf-8"}
        for item in rest.split(";"):
            name, equals, value = item.strip().partition("=")
            if equals:
                params[name.strip()] = value.strip().strip('"')
        message.add_attachment(
            attachment.content.encode(),
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=params,
        )
    return message


def deliver(message: EmailMessage, *, name: str) -> str:
    """Send `message`; return where it went. Raises on failure (the sender retries)."""
    mail_url = current_app.config.get("MAIL_URL")
    if mail_url:
        return _send_smtp(mail_url, message)
    return _write_file(Path(current_app.config["MAIL_DIR"]), message, name)


def _send_smtp(mail_url: str, message: EmailMessage) -> str:
    parts = urlsplit(mail_url)
    options = parse_qs(parts.query)
    host = parts.hostname or "localhost"
    timeout = 20
    if parts.scheme == "smtps":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    elif parts.scheme == "smtp":
        smtp = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    else:
        raise ValueError(f"MAIL_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    with smtp:
        if parts.scheme == "smtp" and options.get("starttls", ["0"])[0] in {"1", "true", "yes"}:
            smtp.starttls(context=ssl.create_default_context())
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)
    return f"smtp://{host}"


def _write_file(directory: Path, message: EmailMessage, name: str) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(message))
    tmp.replace(path)  # readers never see half a mail
    # Bodies hold confirmation and reset links: only development and tests log them.
    text = message.get_body(("plain",)) if message.is_multipart() else message
    logged = current_app.config.get("MAIL_LOG_BODY") and text is not None
    body = text.get_content() if logged else "(body not logged)"
    log.info("Mail to %s (%s) written to %s\n%s", message["To"], message["Subject"], path, body)
    return str(path)
