"""One error family for services, and error pages that help (the same errors as JSON under
/api/).

Services refuse with a `ServiceError` kind: `NotFound`, `Forbidden`, `Conflict`, `Invalid`
(naming the field), plus `Unauthorized` and `TooLarge`. One handler turns an uncaught one
into the page or JSON answer with its status; pages that show the refusal inside a form use
`community.core.forms.show_service_error` instead.

JSON errors follow the API contract: {"error": {"code": "...", "message": "...", "fields"}}.
"""

from __future__ import annotations

import logging
import math
import time

import sqlalchemy.exc
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, UnprocessableEntity

from community.extensions import db, limiter

log = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 5

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "busy",
}


def _titles() -> dict[int, tuple[str, str]]:
    """Title and explanation per status, in words for members rather than for developers."""
    return {
        400: (
            _("Something in that request was not right"),
            _(
                "The page could not understand what was sent. Go back, check the form and try again."
            ),
        ),
        403: (
            _("You do not have access to this page"),
            _("Your account cannot open this page. If you think it should, ask an admin."),
        ),
        404: (
            _("We could not find that page"),
            _("The link may be old, or the page may have been removed or made private."),
        ),
        405: (
            _("That action is not possible here"),
            _("This address cannot be used that way. Use the buttons on the page instead."),
        ),
        503: (
            _("One moment, please"),
            _("The site is very busy right now. Please try again in a few seconds."),
        ),
        401: (
            _("Please log in"),
            _("This needs an account. Log in and try again."),
        ),
        409: (
            _("That cannot be done right now"),
            _("It conflicts with what is already there. Reload the page and try again."),
        ),
        422: (
            _("Some details were not accepted"),
            _("Check what you sent and try again."),
        ),
        413: (
            _("That upload is too large"),
            _("The file you sent is larger than we accept. Choose a smaller file and try again."),
        ),
        429: (
            _("Too many attempts"),
            _("For everyone's safety we have paused this for a moment."),
        ),
        500: (
            _("Something went wrong on our side"),
            _("It is not your fault. Please try again in a minute; nothing you saved was lost."),
        ),
    }


class ServiceError(Exception):
    """A request a service refuses. `field` names the input it concerns (forms show the
    message next to it; the API lists it under `error.fields`). `commit=True` keeps what the
    service recorded before refusing (a resent confirmation link); otherwise the refused
    transaction is rolled back."""

    status = 422
    code = "validation_error"

    def __init__(
        self,
        message: str,
        field: str | None = None,
        code: str | None = None,
        *,
        commit: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.commit = commit
        if code is not None:
            self.code = code

    def settle(self) -> None:
        """End the refused transaction: keep its side record (`commit`) or roll it back.
        Called by the one handler below and by the page helpers in `core.forms`."""
        if self.commit:
            db.session.commit()
        else:
            db.session.rollback()


class NotFound(ServiceError):
    """Missing, or hidden from this member: the two answer alike, so nothing leaks."""

    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """Not possible in the current state (already connected, already asked ...)."""

    status = 409
    code = "conflict"


class Invalid(ServiceError):
    status = 422
    code = "validation_error"


class Unauthorized(ServiceError):
    """Wrong or missing credentials."""

    status = 401
    code = "unauthorized"


class TooLarge(Invalid):
    """An upload over its size limit."""

    status = 413
    code = "payload_too_large"


class BadRequest(Invalid):
    """A malformed request that no form produced (a cursor that was not ours)."""

    status = 400
    code = "bad_request"


def too_long(limit: int) -> str:
    """The refusal for text over `limit` characters (services; forms use `max_length`)."""
    return _("Use at most %(n)d characters.", n=limit)


class ValidationFailed(UnprocessableEntity):
    """422 with the message for each refused field (services' refusals, in the API)."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(description=_("Some fields were not accepted."))
        self.fields = fields


def field_errors(error: HTTPException) -> dict[str, list[str]] | None:
    """The per-field messages of a 422, from our ValidationFailed or from webargs."""
    if isinstance(error, ValidationFailed):
        return error.fields
    messages = (getattr(error, "data", None) or {}).get("messages")
    if not isinstance(messages, dict):
        return None
    fields: dict[str, list[str]] = {}
    for location_messages in messages.values():  # {"json": {...}} or {"query": {...}}
        if isinstance(location_messages, dict):
            for name, problems in location_messages.items():
                fields[str(name)] = _flatten(problems)
    return fields


def _flatten(problems) -> list[str]:
    if isinstance(problems, str):
        return [problems]
    if isinstance(problems, list):
        return [text for item in problems for text in _flatten(item)]
    if isinstance(problems, dict):
        return [f"{key}: {text}" for key, value in problems.items() for text in _flatten(value)]
    return [str(problems)]


def wants_json() -> bool:
    return request.path.startswith("/api/")


def retry_after_seconds() -> int | None:
    """Seconds until the limit that was hit lets the next request through."""
    current = limiter.current_limit
    if current is None:
        return None
    try:
        return max(1, math.ceil(current.reset_at - time.time()))
    except Exception:  # storage gone; the page still answers
        return None


def _render(
    status: int,
    message: str | None = None,
    retry_after: int | None = None,
    fields: dict[str, list[str]] | None = None,
    code: str | None = None,
):
    title, explanation = _titles().get(status, _titles()[400 if status < 500 else 500])
    if message:
        explanation = message
    if wants_json():
        body = {"error": {"code": code or ERROR_CODES.get(status, "error"), "message": explanation}}
        if retry_after is not None:
            body["error"]["retry_after"] = retry_after
        if fields:
            body["error"]["fields"] = fields
        response = jsonify(body)
    else:
        response = render_template(
            "errors/error.html",
            status=status,
            title=title,
            explanation=explanation,
            retry_after=retry_after,
        )
    return response, status


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _matches_any_method(app: Flask) -> bool:
    """Whether this path matches a route for some method. Werkzeug answers 405 when a path's
    converter refuses a value (an id beyond the id range) but a rule for another method
    shares the path; that path matches nothing, so it is a 404."""
    adapter = app.url_map.bind_to_environ(request.environ)
    for method in _METHODS:
        try:
            adapter.match(method=method)
        except HTTPException:
            continue
        return True
    return False


def init_app(app: Flask) -> None:
    """Called by create_app: one handler for every HTTP error, plus CSRF and rate limits."""

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        """A service's refusal that no view turned into a form error: its status, its words."""
        error.settle()
        fields = {error.field: [error.message]} if error.field and error.status == 422 else None
        message = error.message if wants_json() or error.status != 404 else None
        return _render(error.status, message, fields=fields, code=error.code)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400,
            _(
                "This form was open too long or was sent from another site, so it was not "
                "accepted. Go back, reload the page and send it again."
            ),
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        seconds = retry_after_seconds()
        if seconds is None:
            message = _("Please wait a few minutes before you try again.")
        elif seconds < 90:
            message = _("Please try again in %(n)d seconds.", n=seconds)
        else:
            message = _("Please try again in %(n)d minutes.", n=math.ceil(seconds / 60))
        response, status = _render(429, message, retry_after=seconds)
        response = app.make_response((response, status))
        if seconds is not None:
            response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status == 405 and not _matches_any_method(app):
            status = 404  # an id out of range: no route matches, whatever Werkzeug says
        if status == 405:
            response, status = _render(405)
            response = app.make_response((response, status))
            valid = error.valid_methods if hasattr(error, "valid_methods") else None
            if valid:
                response.headers["Allow"] = ", ".join(valid)
            return response
        message = None
        shown = wants_json() or isinstance(error, ValidationFailed)  # it names the fields
        if shown and status in (400, 401, 403, 409, 422) and error.description:
            message = str(error.description)
        fields = field_errors(error) if status == 422 else None
        if fields and not isinstance(error, ValidationFailed):
            message = _("Some fields were not accepted.")
        return _render(status, message, fields=fields)

    @app.errorhandler(sqlalchemy.exc.TimeoutError)
    def database_busy(error: sqlalchemy.exc.TimeoutError):
        """No pooled database connection came free in time: the process is overloaded, not
        broken; a 503 with Retry-After tells clients to come back (nothing was changed)."""
        db.session.rollback()
        log.warning("No database connection for %s %s: %s", request.method, request.path, error)
        response, status = _render(503, retry_after=BUSY_RETRY_SECONDS)
        response = app.make_response((response, status))
        response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        db.session.rollback()
        log.error("Unhandled error on %s %s", request.method, request.path)
        return _render(500)
