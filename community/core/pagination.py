"""Opaque cursors for keyset pagination, shared by the pages and the API."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from community.core.database import MAX_ID

T = TypeVar("T")


class BadCursor(ValueError):
    """A cursor that was not made by `encode_cursor` (the caller answers 400)."""


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursor("This cursor is not valid.") from error
    if not isinstance(values, dict):
        raise BadCursor("This cursor is not valid.")
    return values


def cursor_id(cursor: str | None, key: str) -> int | None:
    """The row id stored under `key` in a keyset cursor, or None without a cursor.

    Raises BadCursor for anything `encode_cursor({key: id})` could not have made.
    """
    values = decode_cursor(cursor)
    if values is None:
        return None
    value = values.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
        raise BadCursor("This cursor is not valid.")
    return value


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
