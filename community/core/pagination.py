"""Keyset pagination with opaque cursors, the one way every list is paged (pages and API).

`keyset(statement, order, cursor, limit)` runs `statement` ordered by `order` and returns a
`Page` of at most `limit` items with `next_cursor` / `prev_cursor`. A cursor carries the
sort values of the row it continues from, so page 100 costs what page 1 costs. The order
must end in a unique column (usually the id) and its columns must not be NULL.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Integer, Select, and_, or_
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from community.core.database import MAX_ID
from community.core.errors import BadRequest
from community.extensions import db

T = TypeVar("T")

MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1
MAX_TEXT = 500


class BadCursor(BadRequest):
    """A cursor that `keyset` did not make: answered 400 by the one error handler."""

    def __init__(self) -> None:
        super().__init__(str(_l("This cursor is not valid; start again without one.")), "cursor")


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    prev_cursor: str | None = None


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The values inside a cursor, or None without one. Raises BadCursor."""
    if not cursor:
        return None
    if len(cursor) > 4000:
        raise BadCursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode())
        if not raw.startswith(b"{"):  # ours are {"k": [...], "d": ...}
            raise BadCursor()
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadCursor() from error
    if not isinstance(values, dict):
        raise BadCursor()
    return values


@dataclass(frozen=True)
class _Key:
    expression: ColumnElement
    descending: bool

    @classmethod
    def of(cls, item: ColumnElement) -> _Key:
        if isinstance(item, UnaryExpression) and item.modifier in (
            operators.desc_op,
            operators.asc_op,
        ):
            return cls(item.element, item.modifier is operators.desc_op)
        return cls(item, False)

    def check(self, value: Any) -> Any:
        """`value` from a cursor, if it could be this column's; raises BadCursor."""
        column_type = self.expression.type
        if isinstance(column_type, Integer):
            limit = MAX_INT64 if isinstance(column_type, BigInteger) else MAX_INT32
            if isinstance(value, bool) or not isinstance(value, int) or abs(value) > limit:
                raise BadCursor()
            if getattr(self.expression, "primary_key", False) and not 0 < value <= MAX_ID:
                raise BadCursor()
            return value
        python_type = _python_type(column_type)
        if python_type is datetime:
            try:
                parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None:
                raise BadCursor()
            return parsed
        if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
            raise BadCursor()
        return value

    def after(self, value: Any, backwards: bool):
        """SQL for "comes after `value` in this column's direction" (before, backwards)."""
        return self.expression < value if self.descending != backwards else self.expression > value

    def reached(self, value: Any, backwards: bool):
        """SQL for "`value` or after it" (or before it, backwards): `after`, ties included."""
        return (
            self.expression <= value if self.descending != backwards else self.expression >= value
        )

    def ordered(self, backwards: bool):
        return self.expression.desc() if self.descending != backwards else self.expression.asc()


def _python_type(column_type) -> type | None:
    """The Python type of a column's values; a TypeDecorator (e.g. UTCDateTime) answers for
    the type it wraps, so a cursor's timestamp is read back as a datetime."""
    column_type = getattr(column_type, "impl_instance", column_type)
    try:
        return column_type.python_type
    except NotImplementedError:
        return None


def _default_key(keys: Sequence[_Key]) -> Callable[[Any], tuple]:
    names = [key.expression.key for key in keys]
    return lambda item: tuple(getattr(item, name) for name in names)


def keyset(
    statement: Select,
    order: Sequence[ColumnElement],
    cursor: str | None,
    limit: int,
    *,
    key: Callable[[Any], Sequence[Any]] | None = None,
    scalars: bool = True,
) -> Page:
    """One page of `statement` in `order` (e.g. `[User.id.desc()]`), from `cursor` on.

    Called by every paged list: the directory, the network page, the admin list and the
    API's lists. `key(item)` gives an item's values for the `order` columns (default: the
    attributes of the same names on each item). `scalars=False` keeps whole rows (for
    statements that select several entities). Raises BadCursor (400) for a cursor we did
    not make. Runs one query.
    """
    keys = [_Key.of(item) for item in order]
    key = key or _default_key(keys)
    data = decode_cursor(cursor)
    backwards = False
    if data is not None:
        values = data.get("k")
        backwards = data.get("d") == "p"
        if not isinstance(values, list) or len(values) != len(keys):
            raise BadCursor()
        values = [k.check(v) for k, v in zip(keys, values, strict=True)]
        statement = statement.where(
            # The first column's bound alone lets the database seek in an index on the order
            # columns; the OR below cannot, so without it page 500 walks past 10,000 rows.
            keys[0].reached(values[0], backwards),
            or_(
                *[
                    and_(
                        *[keys[j].expression == values[j] for j in range(i)],
                        keys[i].after(values[i], backwards),
                    )
                    for i in range(len(keys))
                ]
            ),
        )
    statement = statement.order_by(None).order_by(*[k.ordered(backwards) for k in keys])
    result = db.session.execute(statement.limit(limit + 1))
    rows = list(result.scalars() if scalars else result.all())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else True
    has_prev = (data is not None) if not backwards else more

    def make(item, direction: str) -> str:
        return encode_cursor({"k": [_plain(v) for v in key(item)], "d": direction})

    return Page(
        rows,
        make(rows[-1], "n") if rows and has_next else None,
        make(rows[0], "p") if rows and has_prev else None,
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
