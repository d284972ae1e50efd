"""The registry of searchable kinds: what each kind indexes, who may find it, how it shows.

A kind is registered once, at import, with `register(Kind(...))`. The search service asks
the registry for everything kind-specific; nothing else in `community.search` names a model.
See the package docstring for how posts and groups register themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, Connection, Integer, Select, bindparam

from community.auth.models import User
from community.auth.roles import Role

MAX_TITLE = 200  # characters of a document's title kept in the index
MAX_BODY = 20_000  # characters of a document's body kept in the index
SENTINELS = ("\x02", "\x03")  # the engines' private highlight marks; stripped from documents


@dataclass(frozen=True)
class Document:
    """What the index holds for one row: public words only, never private fields."""

    title: str
    body: str

    def clean(self) -> Document:
        """Without the highlight sentinels (so user text can never forge a <mark>)."""

        def strip(text: str, limit: int) -> str:
            for mark in SENTINELS:
                text = text.replace(mark, "")
            return text.replace("\x00", "")[:limit]

        return Document(strip(self.title, MAX_TITLE), strip(self.body, MAX_BODY))


@dataclass(frozen=True)
class Watch:
    """A model whose rows change a kind's documents: `document_id(obj)` names the document
    (or None, or a list of them: a tag names every document carrying it); a changed row
    reindexes it only when one of `fields` changed (None: any). New and deleted rows always
    do; for a deleted row `document_id` is asked before the flush, while the rows it may
    read (a tag's links, removed with it by the database) still exist."""

    model: type
    document_id: Callable[[Any], int | list[int] | None]
    fields: tuple[str, ...] | None = None


@dataclass
class Hit:
    """One result from the engine, before its kind presents it."""

    kind: str
    ref_id: int
    title: Markup  # escaped, matched words in <mark>
    snippet: Markup  # escaped, matched words in <mark>


@dataclass
class Result:
    """One result as pages and the API show it."""

    type: str
    id: int
    title: Markup
    snippet: Markup
    url: str
    meta: list[str] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class Kind:
    """A searchable kind (one instance per kind: compared and hashed by identity, so a dict
    keyed by kinds never hashes the lazy labels, which would translate them).

    - `name`: the API's `type` ("member"); `code`: 1..15, unique (part of SQLite's rowid).
    - `label`: the tab ("People"); `singular`: one result's type ("Person").
    - `watches`: the models whose changes reindex documents of this kind (same transaction).
    - `all_ids(connection)`: a SELECT of every id to index (for `flask reindex`).
    - `documents(connection, ids)`: {id: Document} for the ids that should be indexed; an id
      left out is removed from the index. Core SQL on `connection` (runs inside a flush).
    - `visible(viewer, ref_id)`: SQL, true for the ids `viewer` may find (pages would show).
      Called with an `Asker` in the viewer's place (the statements are built once per set
      of roles and kept), so it builds SQL from `viewer.id` and `viewer.has_role` only.
    - `present(viewer, hits)`: the Results, in the same order, with URL and meta lines.
    """

    name: str
    code: int
    label: Any
    singular: Any
    watches: tuple[Watch, ...]
    all_ids: Callable[[Connection], Select]
    documents: Callable[[Connection, list[int]], dict[int, Document]]
    visible: Callable[[User | Asker, ColumnElement], ColumnElement[bool]]
    present: Callable[[User, list[Hit]], list[Result]]


class Asker:
    """Who searches, as the search statements see them: their roles, which change the
    shape of the visibility rules (moderators see more), and their id as the bound
    parameter `viewer_id`, which does not. So a statement built once serves every member
    with the same roles (`services._statement_for`, the kinds' `present`), run with
    `{"viewer_id": viewer.id}`. It stands in for the `User` that `Kind.visible` takes: the
    rules only build SQL from `id` and `has_role`."""

    id = bindparam("viewer_id", type_=Integer)

    def __init__(self, roles: frozenset[Role]):
        self.roles = roles

    def has_role(self, role: Role | str) -> bool:
        return Role(role) in self.roles


def probe(statement: Select) -> ColumnElement[bool]:
    """True when the correlated `statement` (e.g. `select(User.id).where(User.id ==
    ref_id, ...)`) finds a row: for `Kind.visible`. Written as a scalar subquery with
    LIMIT 1 rather than EXISTS, so both databases check it per match (an index probe);
    PostgreSQL would otherwise turn it into a join that reads every visible row of the
    table before the full-text match narrows anything."""
    return statement.limit(1).scalar_subquery().is_not(None)


KINDS: dict[str, Kind] = {}
# Every search type the API accepts, registered or not yet (posts and groups arrive later;
# until then they count 0). Order is the order of the tabs.
TYPES: tuple[str, ...] = ("member", "post", "event", "group", "gig")


def register(kind: Kind) -> Kind:
    """Add a kind (once, at import). Refuses a name or code already taken."""
    if not 1 <= kind.code <= 15:
        raise ValueError("a kind's code is 1..15")
    for other in KINDS.values():
        if other.name != kind.name and other.code == kind.code:
            raise ValueError(f"code {kind.code} is taken by {other.name}")
    KINDS[kind.name] = kind
    return kind


def by_code(code: int) -> Kind | None:
    return next((kind for kind in KINDS.values() if kind.code == code), None)


def watched(model: type) -> Iterable[tuple[Kind, Watch]]:
    for kind in KINDS.values():
        for watch in kind.watches:
            if isinstance(model, type) and issubclass(model, watch.model):
                yield kind, watch
