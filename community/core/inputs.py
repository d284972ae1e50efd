"""Limits on what a request may carry, applied to every route before any view sees it.

- `<int:...>` in a route matches only ids the id columns can hold (1..MAX_ID); any other
  number matches no route, so it answers 404 instead of failing in the database.
- NUL characters are refused everywhere text arrives: in the query string, a form (names,
  values, file names) or a JSON body (keys and values, at any depth). PostgreSQL cannot store
  them and no member types them, so the request answers 422 naming each field concerned
  (JSON under /api/, the error page elsewhere). A NUL in a path segment answers 404.
- Pages take forms, not JSON: a JSON body sent to a page answers 415.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from community.core.database import MAX_ID
from community.core.errors import ValidationFailed, wants_json

NUL = "\x00"


class IdConverter(IntegerConverter):
    """The app's `int` converter: an unsigned integer from 1 to MAX_ID, like the id columns."""

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID, **kwargs):
        super().__init__(map, fixed_digits, min=min, max=max, **kwargs)


def _shown(name: str) -> str:
    return name.replace(NUL, "\\0")


def _json_paths_with_nul(body: Any) -> Iterator[str]:
    """The dotted path of every key or string containing NUL in a parsed JSON body.

    Iterative, so a deeply nested body cannot exhaust the stack; in the order of the body.
    """
    queue: deque[tuple[str, Any]] = deque([("", body)])
    while queue:
        path, value = queue.popleft()
        if isinstance(value, str):
            if NUL in value:
                yield path or "body"
        elif isinstance(value, dict):
            for key, item in value.items():
                item_path = f"{path}.{key}" if path else str(key)
                if NUL in str(key):
                    yield item_path
                queue.append((item_path, item))
        elif isinstance(value, list):
            queue.extend(
                (f"{path}.{index}" if path else str(index), item)
                for index, item in enumerate(value)
            )


def fields_with_nul(json_body: Any = None) -> list[str]:
    """Names of the request's fields (query, form, files, JSON) that contain a NUL character."""
    names: list[str] = []
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if NUL in key or NUL in value:
                names.append(key)
    for key, upload in request.files.items(multi=True):
        if NUL in key or NUL in (upload.filename or ""):
            names.append(key)
    names.extend(_json_paths_with_nul(json_body))
    return list(dict.fromkeys(_shown(name) for name in names))


def _json_body() -> Any:
    """The parsed JSON body, None without one (or when it is not JSON: the view says 400)."""
    if not request.is_json:
        return None
    try:
        return request.get_json(silent=True)
    except RecursionError:  # deeper than the parser goes: a 500 wherever the body is read
        abort(400, description=_("This JSON body is nested too deeply."))


def check_request_inputs() -> None:
    """before_request: refuse what no view can take before any of them reads it.

    A NUL in a path segment answers 404, a JSON body sent to a page 415 (pages take forms;
    Flask-WTF would otherwise read any JSON as form data), and a NUL in any field 422 naming
    the fields.
    """
    if request.url_rule is None:  # no route matched: let it answer its 404 or 405
        return
    if any(isinstance(value, str) and NUL in value for value in (request.view_args or {}).values()):
        abort(404)
    if request.is_json and not wants_json():
        abort(415)
    names = fields_with_nul(_json_body())
    if names:
        problem = _("Contains a NUL character (\\0), which is not accepted.")
        error = ValidationFailed({name: [problem] for name in names})
        error.description = _(
            "These fields contain a NUL character (\\0), which is not accepted: %(names)s.",
            names=", ".join(names),
        )
        raise error


def init_app(app: Flask) -> None:
    """Called by create_app after the extensions (so CSRF and rate limits are checked first)
    and before the blueprints (so every `<int:...>` of theirs uses IdConverter)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_request_inputs)
