"""Security headers on every response, with a fresh CSP nonce per request; the proxy
settings and the refusal of unknown hosts, at the WSGI level."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from flask import Flask, Response, current_app, g, request, session
from flask_login import user_logged_in, user_logged_out
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import get_host

from community.core.admission import Admission

log = logging.getLogger(__name__)


class TrustedHostsOnly:
    """WSGI middleware: a plain 400 for a request whose Host (or, behind a proxy trusted
    with it, X-Forwarded-Host) is not one of `hosts`, before any view, form, template or
    Socket.IO handler sees it: they would build links on the attacker's host."""

    def __init__(self, wsgi_app, hosts: Iterable[str]) -> None:
        self.wsgi_app = wsgi_app
        self.hosts = list(hosts)

    def __call__(self, environ, start_response):
        try:
            get_host(environ, self.hosts)
        except SecurityError:
            response = Response(
                "This site does not answer to that host name.\n",
                400,
                mimetype="text/plain",
                headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
            )
            return response(environ, start_response)
        return self.wsgi_app(environ, start_response)


class SocketIOHeaders:
    """WSGI middleware: Socket.IO answers (polling, handshakes, refusals) bypass Flask's
    after_request hooks, so the headers that matter for them are added here."""

    HEADERS = (
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
    )

    def __init__(self, wsgi_app, path: str = "/socket.io/") -> None:
        self.wsgi_app = wsgi_app
        self.path = path

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(self.path):
            return self.wsgi_app(environ, start_response)

        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            extra = [(n, v) for n, v in self.HEADERS if n.lower() not in present]
            return start_response(status, [*headers, *extra], exc_info)

        return self.wsgi_app(environ, start_with_headers)


def csp_nonce() -> str:
    """The nonce for this request's `<script nonce>` tags (templates call it)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "media-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


def rotate_csrf_token(sender: Flask, **extra) -> None:
    """Forget the session's CSRF secret so the next form gets a new one.

    Connected to Flask-Login's login and logout signals: every `login_user` (login, reset,
    password change) and `logout_user` rotates it, so a token read before the session
    changed hands is refused after (ASVS 5: a new session gets new secrets).
    """
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)  # generate_csrf caches this request's token here


def _warn_once_without_forwarded_for(app: Flask) -> None:
    """Log once if a request arrives without X-Forwarded-For although proxies are trusted:
    the app is then reachable other than through them, and anyone who reaches it directly
    can dodge per-IP limits with a made-up header."""
    warned = False

    @app.before_request
    def check_forwarded_for() -> None:
        nonlocal warned
        if not warned and "X-Forwarded-For" not in request.headers:
            warned = True
            log.warning(
                "TRUSTED_PROXIES=%s, but a request for %s came without X-Forwarded-For. "
                "Per-IP rate limits are only sound if every request passes exactly that many "
                "proxies that append the client's address; set TRUSTED_PROXIES to the real "
                "number (0 if clients connect directly). Logged once.",
                app.config["TRUSTED_PROXIES"],
                request.path,
            )


def init_app(app: Flask) -> None:
    """Called by create_app after the extensions. Wraps the WSGI app (outermost first:
    ProxyFix, the host check, Socket.IO's headers, admission control, then Socket.IO and
    Flask), rotates the
    CSRF token at login and logout, registers the header hook and the `csp_nonce` global."""
    if app.config["MAX_CONCURRENT_REQUESTS"]:
        app.wsgi_app = Admission(
            app.wsgi_app, app.config["MAX_CONCURRENT_REQUESTS"], app.config["REQUEST_QUEUE_SECONDS"]
        )
    app.wsgi_app = SocketIOHeaders(app.wsgi_app)
    app.wsgi_app = TrustedHostsOnly(app.wsgi_app, app.config["TRUSTED_HOSTS"])
    if app.config["TRUSTED_PROXIES"]:
        count = app.config["TRUSTED_PROXIES"]
        x_host = count if app.config["TRUSTED_PROXY_HOST"] else 0
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=x_host)
        _warn_once_without_forwarded_for(app)
    user_logged_in.connect(rotate_csrf_token, app)
    user_logged_out.connect(rotate_csrf_token, app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if not (request.endpoint or "").startswith("static"):
            # Pages, error pages included, can hold personal data: never keep them.
            headers.setdefault("Cache-Control", "no-store")
        return response
