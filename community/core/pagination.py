"""Opaque cursors for keyset pagination, shared by the pages and the API."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
