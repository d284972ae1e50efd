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
    Integer,
    Select,
    bindparam,
    case,
    event,
    false,
    func,
    inspect,
    literal_column,
    select,
    true,
)
from sqlalchemy.orm import Session

from community.auth.models import User
from community.core.errors import BadRequest, Invalid
from community.core.pagination import BadCursor, Page, decode_cursor, encode_cursor
from community.extensions import db
from community.search import registry
from community.search.engines import Engine, Prepared, engine_for, marked, words
from community.search.registry import KINDS, TYPES, Asker, Kind, Result

PAGE_SIZE = 20
MAX_PAGE = 50
MAX_QUERY = 100  # characters
MAX_OFFSET = 1000  # results beyond the first thousand are not paged to
MAX_COUNTED = 100  # visible results counted per type; beyond, the count says "100+" (`capped`)
REINDEX_BATCH = 1000
WINDOW_SLACK = 10  # candidates taken beyond those missing, in case a few are hidden


@dataclass
class SearchResults:
    """A page of results of every type (or one), and the counts per type the viewer may see."""

    q: str
    type: str | None
    page: Page[Result]
    counts: dict[str, int] = field(default_factory=dict)
    # Per type: counting stopped at MAX_COUNTED visible results, the count is "at least".
    capped: dict[str, bool] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def total_capped(self) -> bool:
        return any(self.capped.values())


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


def _statement(asker: Asker, engine: Engine, query: Prepared, scope: list[Kind]) -> Select:
    """The one statement of a search, for the asker's roles and the kinds in `scope` (the
    tab: one kind or all). The matches of every kind, ranked (the engine's rank), are read
    from the index once into `matched`; from them:

    - `count_<kind>` per kind: how many of the kind's matches the asker may see, counted
      up to `:count_limit`: the visibility probe (`Kind.visible`) on its matches in index
      order until the limit pass. Index order, not rank order, on purpose: consecutive ids
      probe neighbouring rows (on SQLite at 100,000 documents, a word in 2,468: 0.7 ms
      against 2.5 ms for the same 303 probes in rank order).
    - `matches`: how many matches the scope has in all (to know when candidates run out).
    - a window of the scope's matches ranked `:window_start` .. + `:window_size`, best
      first (ties broken by kind and id, so successive windows neither skip nor repeat):
      kind_code, ref_id, rank and `visible`, the probe of the window's rows only, through
      one CASE on the kind. Hidden rows come back too, flagged.

    One row per window row, each carrying the counts; one row with the counts and no
    window row (ref_id NULL) when the window is empty. Reading the matches once matters
    on PostgreSQL, where each read of the index visits the table's rows (counts and
    window apart: 11.7 ms at 100,000 documents, together: 5.6)."""
    matches, _code, _ref_id = engine.matching(query)
    matched = matches.cte("matched").prefix_with("MATERIALIZED")
    code, ref_id, rank = matched.c.kind_code, matched.c.ref_id, matched.c.rank
    if len(scope) == len(KINDS):
        in_scope = true()
    elif len(scope) == 1:
        in_scope = code == engine.key(scope[0])
    else:
        in_scope = code.in_([engine.key(kind) for kind in scope])
    head = [
        select(func.count()).select_from(matched).where(in_scope).scalar_subquery().label("matches")
    ]
    for kind in KINDS.values():
        # The probe inside a CASE on the kind: in a plain AND, PostgreSQL orders the
        # conditions by their estimated cost, and a probe of a near-empty table (gigs)
        # looks cheaper than the kind's comparison, so it ran for every match of every
        # kind (2,468 probes, 0.9 ms at 100,000 documents).
        of_kind = code == engine.key(kind)
        passing = (
            select(literal_column("1"))
            .select_from(matched)
            .where(of_kind, case((of_kind, kind.visible(asker, ref_id)), else_=false()))
            .limit(bindparam("count_limit", type_=Integer))
            .subquery(f"{kind.name}_visible")
        )
        count = select(func.count()).select_from(passing).scalar_subquery()
        head.append(count.label(f"count_{kind.name}"))
    head = select(*head).subquery("head")
    window = (
        select(code, ref_id, rank)
        .where(in_scope)
        .order_by(rank.desc() if engine.descending else rank.asc(), code, ref_id)
        .offset(bindparam("window_start", type_=Integer))
        .limit(bindparam("window_size", type_=Integer))
        .subquery("window")
    )
    visible = case(
        *(
            (window.c.kind_code == engine.key(kind), kind.visible(asker, window.c.ref_id))
            for kind in scope
        ),
        else_=false(),
    )
    # The LIMIT (the window's size again, so it cuts nothing) keeps SQLite from flattening
    # the window into this query, which would probe every match before the sort instead
    # of the window's rows after it (2,468 probes instead of 31: 4 ms).
    ranked = (
        select(window, visible.label("visible"))
        .limit(bindparam("window_size", type_=Integer))
        .subquery("ranked")
    )
    return select(head, ranked).select_from(head.outerjoin(ranked, true()))


# (engine, query shape, roles, kinds in scope, every kind) -> the search statement. A few
# dozen at most: the query shapes times the role sets times the tabs.
_STATEMENTS: dict[tuple, Select] = {}


def _statement_for(viewer: User, engine: Engine, query: Prepared, scope: list[Kind]) -> Select:
    """The search statement for `viewer`'s roles, built once per shape and kept (building
    it, the visibility rules of every kind, cost more than running it: 1.4 ms a search on
    SQLite at 100,000 documents)."""
    key = (engine.name, query.shape, viewer.roles, tuple(scope), tuple(KINDS.values()))
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = _statement(Asker(viewer.roles), engine, query, scope)
    return statement


def _run(statement: Select, params: dict, needed: int) -> tuple[dict, list, int]:
    """Runs the search statement: (the visible count per kind name, up to MAX_COUNTED + 1;
    the best `needed` matches of the scope that the viewer may see, best first, fewer if
    there are not as many; how many matches the scope has in all). Candidates are taken
    best first, as many as are still missing and a few more, until there are enough
    visible ones or the matches run out: one query unless many of the best are hidden
    (the later ones count nothing: `count_limit` 0)."""
    connection = db.session.connection()
    found: list = []
    counts: dict[str, int] = {}
    taken, matches = 0, None  # candidates looked at; matches in all, once known
    while matches is None or (len(found) < needed and taken < matches):
        size = needed - len(found) + WINDOW_SLACK
        limit = MAX_COUNTED + 1 if matches is None else 0
        rows = connection.execute(
            statement,
            {**params, "count_limit": limit, "window_start": taken, "window_size": size},
        ).all()
        if matches is None:
            matches = rows[0].matches
            counts = {name: getattr(rows[0], f"count_{name}") for name in KINDS}
        found.extend(row for row in rows if row.ref_id is not None and row.visible)
        taken += size
    return counts, found[:needed], matches


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

    One statement finds the results (`_statement`): it counts each type's matches the
    viewer may see, up to MAX_COUNTED + 1 (each type's count is exact below MAX_COUNTED
    and "at least", `capped`, above it), and ranks the matches of the type asked for (or
    of all types), checking visibility best first only as far as the page needs, so the
    pages go on past the count to MAX_OFFSET. Then the page's snippets, and one query per
    kind on the page to present it.
    """
    q = clean_query(q)
    if type is not None and type not in TYPES:
        raise Invalid(_("Choose one of: %(types)s.", types=", ".join(TYPES)), "type")
    limit = max(1, min(limit, MAX_PAGE))
    offset = _offset(cursor)
    engine = _engine()
    connection = db.session.connection()
    query = engine.prepare(connection, words(q))
    kinds = list(KINDS.values())
    scope = [kind for kind in kinds if type in (None, kind.name)]
    if scope:
        statement = _statement_for(viewer, engine, query, scope)
        params = {**query.params, "viewer_id": viewer.id}
        visible, found, matches = _run(statement, params, offset + limit + 1)
    else:  # a type not registered yet has no results
        visible, found, matches = {}, [], 0
    counts = {name: min(visible.get(name, 0), MAX_COUNTED) for name in TYPES}
    capped = {name: visible.get(name, 0) > MAX_COUNTED for name in TYPES}
    by_code = {engine.key(kind): kind for kind in kinds}
    rows = found[offset : offset + limit]
    more = len(found) > offset + limit and offset + limit < MAX_OFFSET
    keys = [(row.kind_code, row.ref_id) for row in rows]
    marks = engine.snippets(connection, query, keys, matches)
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
