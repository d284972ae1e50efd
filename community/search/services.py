"""Search verbs: `index`, `unindex`, `search`, `matching_ids` and `reindex`.

Keeping the index in step is one mechanism: a SQLAlchemy `after_flush` listener (`_sync`)
looks at every row the flush added, changed or deleted; a row of a model a registered kind
watches names the document it changes, and that document is rebuilt (or removed) on the
flush's own connection. The index therefore changes in the same transaction as the rows:
it commits with them and rolls back with them, savepoints included. Services never call
the indexer themselves; `index` / `unindex` are there for `reindex` and for changes made
outside the ORM (bulk SQL), which must call them.

Rows removed by the database itself (ON DELETE CASCADE) are not seen by the listener; their
documents stay until the next `reindex`, but never show: every kind's `visible` clause
joins the live table, so a document without its row matches nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import (
    Connection,
    case,
    event,
    false,
    func,
    inspect,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from community.auth.models import User
from community.core.errors import BadRequest, Invalid
from community.core.pagination import BadCursor, Page, decode_cursor, encode_cursor
from community.extensions import db
from community.search import registry
from community.search.engines import Engine, engine_for, marked, words
from community.search.registry import KINDS, TYPES, Kind, Result

PAGE_SIZE = 20
MAX_PAGE = 50
MAX_QUERY = 100  # characters
MAX_OFFSET = 1000  # results beyond the first thousand are not paged to
MAX_COUNTED = 1000  # visible results counted; beyond, the counts say "1,000+" (`capped`)
CANDIDATES = MAX_COUNTED + 1  # matches checked for visibility at a time, best first
REINDEX_BATCH = 1000


@dataclass
class SearchResults:
    """A page of results of every type (or one), and the counts per type the viewer may see."""

    q: str
    type: str | None
    page: Page[Result]
    counts: dict[str, int] = field(default_factory=dict)
    # Counting stopped at MAX_COUNTED visible results: each count is "at least".
    capped: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _engine(connection: Connection | None = None) -> Engine:
    dialect = (connection or db.session.get_bind()).dialect.name
    return engine_for(dialect)


def clean_query(q: str | None) -> str:
    """The query as typed, trimmed; raises BadRequest (400) for an empty or too long one."""
    q = (q or "").strip()
    if not q or not words(q):
        raise BadRequest(_("Type a word or two to search for."), "q")
    if len(q) > MAX_QUERY:
        raise BadRequest(_("Searches are at most %(limit)d characters long.", limit=MAX_QUERY), "q")
    return q


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise KeyError(name)
    return kind


# --- writing -----------------------------------------------------------------------------


def _write(connection: Connection, kind: Kind, ids: list[int]) -> None:
    engine = _engine(connection)
    documents = kind.documents(connection, ids)
    for ref_id in ids:
        doc = documents.get(ref_id)
        if doc is None:
            engine.delete(connection, kind, ref_id)
        else:
            engine.write(connection, kind, ref_id, doc.clean())


def index(kind: str, ref_id: int) -> None:
    """(Re)build the document of `kind` `ref_id` from its rows, in the current transaction
    (it removes the document if the row is gone or should not be indexed)."""
    _write(db.session.connection(), _kind(kind), [ref_id])


def unindex(kind: str, ref_id: int) -> None:
    """Remove the document of `kind` `ref_id`, in the current transaction."""
    connection = db.session.connection()
    _engine(connection).delete(connection, _kind(kind), ref_id)


def reindex() -> dict[str, int]:
    """Rebuild the whole index from the tables (`flask reindex`). The caller commits.
    Returns the number of documents per kind."""
    connection = db.session.connection()
    engine = _engine(connection)
    engine.clear(connection)
    written: dict[str, int] = {}
    for kind in KINDS.values():
        ids = list(connection.scalars(kind.all_ids(connection)))
        count = 0
        for start in range(0, len(ids), REINDEX_BATCH):
            batch = ids[start : start + REINDEX_BATCH]
            documents = kind.documents(connection, batch)
            engine.insert_many(
                connection, kind, {ref_id: doc.clean() for ref_id, doc in documents.items()}
            )
            count += len(documents)
        written[kind.name] = count
    return written


def _touched(session: Session, objects=None) -> dict[str, set[int]]:
    """The documents this flush changes (or `objects`, as (row, always) pairs, would):
    kind name -> ids."""
    touched: dict[str, set[int]] = defaultdict(set)
    if objects is None:
        objects = (
            *((o, True) for o in session.new),
            *((o, True) for o in session.deleted),
            *((o, False) for o in session.dirty),
        )
    for obj, always in objects:
        for kind, watch in registry.watched(type(obj)):
            if not always and watch.fields is not None:
                state = inspect(obj)
                if not any(state.attrs[name].history.has_changes() for name in watch.fields):
                    continue
            ref_ids = watch.document_id(obj)
            if isinstance(ref_ids, int):
                touched[kind.name].add(ref_ids)
            elif ref_ids is not None:
                touched[kind.name].update(ref_ids)
    return touched


_BEFORE = "search_touched_before_flush"


@event.listens_for(Session, "before_flush")
def _note_deleted(session: Session, _flush_context, _instances) -> None:
    """The documents the flush's deleted rows name, read while the rows they point through
    still exist (a deleted tag's links go with it, ON DELETE CASCADE)."""
    if KINDS and session.deleted:
        session.info[_BEFORE] = _touched(session, [(o, True) for o in session.deleted])


@event.listens_for(Session, "after_flush")
def _sync(session: Session, _flush_context) -> None:
    """Rebuild the documents the flush changed, on the flush's connection (see module doc)."""
    if not KINDS:
        return
    touched = _touched(session)
    for name, ids in session.info.pop(_BEFORE, {}).items():
        touched[name].update(ids)
    if not touched:
        return
    connection = session.connection()
    for name, ids in touched.items():
        _write(connection, KINDS[name], sorted(ids))


# --- reading -----------------------------------------------------------------------------


def _candidates(viewer: User, engine: Engine, query, kinds: list[Kind], start: int, size: int):
    """The matches ranked `start` .. `start + size` (best first, raw: no visibility yet),
    and of those the ones `viewer` may see: kind_code, ref_id, rank. Ranking first is
    cheap (the engine's own index); the visibility probes (`Kind.visible`, a primary-key
    probe each) then run on these candidates only. One CASE per candidate, so each is
    probed once, by the clause of its own kind."""
    matches, _code_column, _ref_column = engine.matching(query)
    columns = matches.selected_columns
    rank = columns.rank.desc() if engine.descending else columns.rank.asc()
    window = (
        matches.order_by(rank, columns.kind_code, columns.ref_id)
        .offset(start)
        .limit(size)
        .subquery("candidates")
    )
    visible = case(
        *[
            (window.c.kind_code == engine.key(kind), kind.visible(viewer, window.c.ref_id))
            for kind in kinds
        ],
        else_=false(),
    )
    return select(window.c.kind_code, window.c.ref_id, window.c.rank).where(visible)


def _visible_ranked(viewer: User, engine: Engine, query, kinds: list[Kind]) -> tuple[list, bool]:
    """The best MAX_COUNTED matches `viewer` may see, best first, and whether there were
    more (`capped`). Candidates are taken CANDIDATES at a time in rank order until enough
    are visible or the matches run out: a common word costs about MAX_COUNTED probes
    however many documents contain it. `capped` only ever speaks of results the viewer may
    see (never of hidden matches), so it tells nothing about what is private."""
    matches, _code, _ref = engine.matching(query)
    total = db.session.scalar(select(func.count()).select_from(matches.subquery()))
    found: list = []
    start = 0
    while start < total and len(found) <= MAX_COUNTED:
        found.extend(
            db.session.execute(_candidates(viewer, engine, query, kinds, start, CANDIDATES)).all()
        )
        start += CANDIDATES
    sign = -1 if engine.descending else 1
    found.sort(key=lambda row: (sign * row.rank, row.kind_code, row.ref_id))
    return found[:MAX_COUNTED], len(found) > MAX_COUNTED


def _offset(cursor: str | None) -> int:
    data = decode_cursor(cursor)
    if data is None:
        return 0
    offset = data.get("o")
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise BadCursor()
    return offset


def search(
    viewer: User,
    q: str,
    type: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> SearchResults:
    """Results `viewer` may see for `q`, best first, of one `type` or all, and the counts
    per type. Called by `/search` and `GET /api/v1/search`.

    Pages are offsets into the ranked list, carried by an opaque cursor: a rank is a
    float that moves as documents come and go, so a keyset on it would skip or repeat
    results; offsets stop at MAX_OFFSET. Raises BadRequest for an empty or too long `q`,
    Invalid for an unknown type, BadCursor for a cursor we did not make.

    The matches are ranked first and checked for visibility best first, until
    MAX_COUNTED visible ones are found (`_visible_ranked`): the counts are exact below
    that, and "at least" (`capped`) at it. Then the page's snippets, and one query per kind
    on the page to present it.
    """
    q = clean_query(q)
    if type is not None and type not in TYPES:
        raise Invalid(_("Choose one of: %(types)s.", types=", ".join(TYPES)), "type")
    limit = max(1, min(limit, MAX_PAGE))
    offset = _offset(cursor)
    terms = words(q)
    engine = _engine()
    kinds = list(KINDS.values())
    connection = db.session.connection()
    query = engine.prepare(connection, terms)
    found, capped = _visible_ranked(viewer, engine, query, kinds)
    by_code = {engine.key(kind): kind for kind in kinds}
    counts = {name: 0 for name in TYPES}
    for row in found:
        counts[by_code[row.kind_code].name] += 1
    chosen = KINDS.get(type) if type else None
    if type:  # a type not registered has no results (its count is 0)
        found = [row for row in found if chosen is not None and row.kind_code == engine.key(chosen)]
    rows = found[offset : offset + limit]
    more = len(found) > offset + limit and offset + limit < MAX_OFFSET
    marks = engine.snippets(connection, query, [(row.kind_code, row.ref_id) for row in rows])
    hits: dict[str, list[registry.Hit]] = defaultdict(list)
    order: list[tuple[str, int]] = []
    for row in rows:
        kind = by_code[row.kind_code]
        title, snippet = marks.get((row.kind_code, row.ref_id), ("", ""))
        hits[kind.name].append(registry.Hit(kind.name, row.ref_id, marked(title), marked(snippet)))
        order.append((kind.name, row.ref_id))
    presented: dict[tuple[str, int], Result] = {}
    for name, kind_hits in hits.items():
        for result in KINDS[name].present(viewer, kind_hits):
            presented[(name, result.id)] = result
    items = [presented[key] for key in order if key in presented]
    next_cursor = encode_cursor({"o": offset + limit}) if more else None
    prev_cursor = encode_cursor({"o": max(0, offset - limit)}) if offset else None
    return SearchResults(q, type, Page(items, next_cursor, prev_cursor), counts, capped)


def matching_ids(kind: str, q: str):
    """A SELECT of the ids of `kind` whose documents match `q` (no visibility: the caller
    filters), for lists with a text box of their own (the member directory). A `q` without
    a letter or digit ("%", "_") matches nothing."""
    terms = words(q)
    if not terms:
        return select(literal_column("0")).where(false())
    engine = _engine()
    return engine.ids_matching(_kind(kind), engine.prepare(db.session.connection(), terms))
