"""The two full-text engines behind `community.search.services`, chosen by the dialect.

Both index (kind, ref_id, title, body) and answer the same questions: write or delete a
document, match a query with the viewer's visibility clause, count per kind, and a
sub-select of matching ids (for the member directory). The user's words become a query
here and nowhere else (`words`): only letters and digits reach the engine, every word must
match (stemmed), and the last word typed also matches as a prefix, both of its stem and
of its raw form (a stemmer rewrites a half-typed word: "analy" stems to "anali").

- SQLite: FTS5 table `search_index` (porter over unicode61), rowid = ref_id * 16 + code,
  ranked by bm25 with the title weighted 10:1, snippets by `highlight()` / `snippet()`.
- PostgreSQL: table `search_index` with a stored, weighted tsvector and a GIN index,
  `to_tsquery('english', 'w1 & w2') && (to_tsquery('english', 'last:*') ||
  to_tsquery('simple', 'last:*'))`, ranked by `ts_rank`, snippets by `ts_headline`.

Highlights are marked with private sentinel characters (stripped from every document
before it is indexed), then the text is escaped and the sentinels become <mark> tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import snowballstemmer
from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from community.search.registry import SENTINELS, Document, Kind

TABLE = "search_index"
CONFIG = literal_column("'english'::regconfig")  # PostgreSQL: stemming and stop words
MAX_EXPANSION = 40  # SQLite: index terms the last word's raw prefix may stand for
MAX_WORDS = 12
SCAN_SNIPPETS = 10_000  # SQLite: matches below which snippets scan them (`snippets`)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits, as the tokenizers split


_PORTER = snowballstemmer.stemmer("porter")


def porter_stem(word: str) -> str:
    """`word` as FTS5's porter tokenizer stems it (the same original Porter algorithm: the
    two differ on a few "-bly"/"-logy" words, 7 of 12,821 tried, where both rewrite the
    ending, so `prepare`'s choice is the same)."""
    return _PORTER.stemWord(word)


def is_search_table(name: str | None) -> bool:
    """The engine's own tables (made by migration i15search001, not in the models): the
    FTS5 table and its shadow tables on SQLite, the tsvector table on PostgreSQL. The schema
    comparison leaves these out and nothing else."""
    return name is not None and (name == TABLE or name.startswith(TABLE + "_"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's `include_object` hook: everything but the search engine's own tables (and
    their indexes)."""
    if type_ == "table":
        return not is_search_table(name)
    table_name = getattr(getattr(obj, "table", None), "name", None)
    return not is_search_table(table_name)


def words(q: str) -> list[str]:
    """The words of a query: letters and digits only, at most MAX_WORDS, lower case."""
    return [word.casefold() for word in _WORD.findall(q or "")][:MAX_WORDS]


def marked(value: str | None) -> Markup:
    """Engine output with sentinel marks -> escaped text with <mark> around matched words."""
    start, stop = SENTINELS
    safe = str(escape(value or ""))
    # Safe: every character of `value` was escaped above; only our own tags are added.
    return Markup(safe.replace(start, "<mark>").replace(stop, "</mark>"))  # noqa: S704


@dataclass(frozen=True)
class Prepared:
    """A query made for one search (`Engine.prepare`): the SQL condition on the index, the
    values of its named bound parameters, and its shape. Statements built from one query
    serve every query of the same shape when run with the other's `params`
    (`community.search.services` keeps them built)."""

    condition: ColumnElement
    params: dict[str, str] = field(hash=False)
    shape: str


class Engine:
    name = "base"
    descending: bool  # whether a higher `rank` is a better match

    def write(self, connection: Connection, kind: Kind, ref_id: int, doc: Document) -> None:
        raise NotImplementedError

    def delete(self, connection: Connection, kind: Kind, ref_id: int) -> None:
        raise NotImplementedError

    def insert_many(self, connection: Connection, kind: Kind, docs: dict[int, Document]) -> None:
        """Add many new documents at once (`reindex`, after `clear`)."""
        raise NotImplementedError

    def clear(self, connection: Connection) -> None:
        connection.execute(text("DELETE FROM search_index"))

    def prepare(self, connection: Connection, terms: list[str]) -> Prepared:
        """The engine's query for `terms` (made once per search, used by the calls below)."""
        raise NotImplementedError

    def matching(self, query: Prepared) -> tuple[Select, ColumnElement, ColumnElement]:
        """(select of matches with columns kind_code / ref_id / rank, the code column, the
        ref_id column), unfiltered; sorted best first by `rank` (see `descending`)."""
        raise NotImplementedError

    def snippets(
        self, connection: Connection, query, keys: list[tuple], matches: int
    ) -> dict[tuple, tuple]:
        """{(kind_code, ref_id): (title, snippet)} with sentinel marks, for one page's keys
        only (highlighting every match before the LIMIT would cost more than the search);
        `matches` is how many documents match the query in all."""
        raise NotImplementedError

    def ids_matching(self, kind: Kind, query) -> Select:
        raise NotImplementedError

    def key(self, kind: Kind):
        """The value of the `kind_code` column for `kind`."""
        raise NotImplementedError


class SqliteEngine(Engine):
    name = "sqlite"
    index = table(TABLE, column("rowid", Integer), column("title", Text), column("body", Text))

    def __init__(self):
        # (query shape, scan) -> the snippets statement, built once (`snippets`)
        self._snippet_statements: dict[tuple, Select] = {}

    def write(self, connection, kind, ref_id, doc):
        rowid = ref_id * 16 + kind.code
        connection.execute(text("DELETE FROM search_index WHERE rowid = :r"), {"r": rowid})
        connection.execute(
            text("INSERT INTO search_index (rowid, title, body) VALUES (:r, :t, :b)"),
            {"r": rowid, "t": doc.title, "b": doc.body},
        )

    def delete(self, connection, kind, ref_id):
        connection.execute(
            text("DELETE FROM search_index WHERE rowid = :r"), {"r": ref_id * 16 + kind.code}
        )

    def insert_many(self, connection, kind, docs):
        if docs:
            connection.execute(
                text("INSERT INTO search_index (rowid, title, body) VALUES (:r, :t, :b)"),
                [
                    {"r": ref_id * 16 + kind.code, "t": doc.title, "b": doc.body}
                    for ref_id, doc in docs.items()
                ],
            )

    def prepare(self, connection: Connection, terms: list[str]) -> Prepared:
        """`search_index MATCH :fts` with `fts` the FTS5 query (`fts_query`)."""
        fts = self.fts_query(connection, terms)
        return Prepared(self._match(fts), {"fts": fts}, "match")

    def fts_query(self, connection: Connection, terms: list[str]) -> str:
        """Each word quoted (no FTS5 syntax gets through) and stemmed by the tokenizer; the
        last one also as a prefix of the stemmed form ("running" -> run*) or of the raw
        form ("analy" finds "analyst", whose stem is not a prefix of "anali"): the index's
        terms that begin with it, from the vocabulary table, up to MAX_EXPANSION."""
        quoted = [f'"{term}"' for term in terms]
        last = terms[-1]
        if last.startswith(porter_stem(last)):
            # The tokenizer only cut an ending off ("nurse" -> nurs): "nurs*" already
            # covers every index term that begins with "nurse". Only a rewritten ending
            # ("analy" -> anali) needs the raw form's terms; each costs as much again.
            quoted[-1] = f'"{last}"*'
            return " AND ".join(quoted)
        expansions = connection.scalars(
            text(
                "SELECT term FROM search_index_vocab WHERE term >= :low AND term < :high "
                "ORDER BY doc DESC LIMIT :n"
            ),
            {"low": last, "high": last + "\U0010ffff", "n": MAX_EXPANSION},
        ).all()
        options = dict.fromkeys(
            [f'"{last}"*', *(f'"{term}"*' for term in expansions if _WORD.fullmatch(term))]
        )
        quoted[-1] = "(" + " OR ".join(options) + ")"
        return " AND ".join(quoted)

    @staticmethod
    def _match(query: str) -> ColumnElement[bool]:
        return text("search_index MATCH :fts").bindparams(bindparam("fts", query))

    def matching(self, query):
        code = type_coerce(literal_column(f"{TABLE}.rowid & 15"), Integer)
        ref_id = type_coerce(literal_column(f"{TABLE}.rowid >> 4"), Integer)
        statement = select(
            code.label("kind_code"),
            ref_id.label("ref_id"),
            type_coerce(literal_column(f"bm25({TABLE}, 10.0, 1.0)"), Float).label("rank"),
        ).select_from(self.index)
        return statement.where(query.condition), code, ref_id

    def snippets(self, connection, query, keys, matches):
        """FTS5 answers `rowid IN (...)` by running the match once per rowid, which for a
        prefix (every search's last word) merges all the prefix's terms each time: 75 µs a
        rowid for a word in 2,500 documents. Below SCAN_SNIPPETS matches one pass over
        the matches, filtering the rowids (`+rowid`: not a constraint FTS5 sees), is 6x
        cheaper; above it, the lookups are."""
        if not keys:
            return {}
        scan = matches <= SCAN_SNIPPETS
        statement = self._snippet_statements.get((query.shape, scan))
        if statement is None:
            start, stop = SENTINELS
            rowid = literal_column(f"+{TABLE}.rowid") if scan else self.index.c.rowid
            statement = select(
                self.index.c.rowid,
                func.highlight(literal_column(TABLE), 0, start, stop),
                func.snippet(literal_column(TABLE), 1, start, stop, "…", 24),
            ).where(query.condition, rowid.in_(bindparam("rowids", expanding=True)))
            self._snippet_statements[(query.shape, scan)] = statement
        rowids = [ref_id * 16 + code for code, ref_id in keys]
        rows = connection.execute(statement, {**query.params, "rowids": rowids})
        return {(rowid & 15, rowid >> 4): (title, snippet) for rowid, title, snippet in rows}

    descending = False  # bm25: lower is better

    def key(self, kind):
        return kind.code

    def ids_matching(self, kind, query):
        ref_id = type_coerce(literal_column(f"{TABLE}.rowid >> 4"), Integer)
        return (
            select(ref_id)
            .select_from(self.index)
            .where(query.condition, literal_column(f"{TABLE}.rowid & 15") == kind.code)
        )


class PostgresEngine(Engine):
    name = "postgresql"
    index = table(
        TABLE,
        column("kind", Text),
        column("ref_id", Integer),
        column("title", Text),
        column("body", Text),
        column("document"),
    )
    HEADLINE = (
        "StartSel=\x02, StopSel=\x03, MaxWords=24, MinWords=10, MaxFragments=2, "
        'FragmentDelimiter=" … "'
    )

    def write(self, connection, kind, ref_id, doc):
        statement = pg_insert(self.index).values(
            kind=kind.name, ref_id=ref_id, title=doc.title, body=doc.body
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["kind", "ref_id"],
                set_={"title": statement.excluded.title, "body": statement.excluded.body},
            )
        )

    def insert_many(self, connection, kind, docs):
        if docs:
            connection.execute(
                self.index.insert(),
                [
                    {"kind": kind.name, "ref_id": ref_id, "title": doc.title, "body": doc.body}
                    for ref_id, doc in docs.items()
                ],
            )

    def delete(self, connection, kind, ref_id):
        connection.execute(
            self.index.delete().where(self.index.c.kind == kind.name, self.index.c.ref_id == ref_id)
        )

    @staticmethod
    def _tsquery(config: str, name: str, expression: str):
        # Only letters and digits reach `expression` (`words`), none of them tsquery syntax.
        return func.to_tsquery(
            literal_column(f"'{config}'::regconfig"), cast(bindparam(name, expression), Text)
        )

    def prepare(self, connection, terms):
        """Every word stemmed ('english'); the last one also as a prefix, of its stem
        ("running" -> run:*) or of its raw form ('simple': "analy" finds "analyst").
        (JIT compilation, which cost every search 70 ms, is off for the app's connections:
        `community._postgres_session_settings`.)

        The condition is a scalar subquery, which PostgreSQL computes once a run. psycopg
        prepares a statement on its fifth run and PostgreSQL may then choose a generic
        plan; there a bare `to_tsquery($1)` is no constant, and `ts_rank` parsed it again
        for every matching row (8.3 against 4.7 ms for the statement at 100,000
        documents). Computed once, the generic plan also skips planning (about 1 ms)."""
        *rest, last = terms
        params = {"fts_prefix": f"{last}:*"}
        prefix = self._tsquery("english", "fts_prefix", params["fts_prefix"]).op("||")(
            self._tsquery("simple", "fts_prefix", params["fts_prefix"])
        )
        if not rest:
            return Prepared(select(prefix).scalar_subquery(), params, "prefix")
        params["fts_words"] = " & ".join(rest)
        words = self._tsquery("english", "fts_words", params["fts_words"])
        return Prepared(select(words.op("&&")(prefix)).scalar_subquery(), params, "words+prefix")

    def matching(self, query):
        c = self.index.c
        statement = select(
            c.kind.label("kind_code"),
            c.ref_id.label("ref_id"),
            func.ts_rank(c.document, query.condition).label("rank"),
        ).where(c.document.op("@@")(query.condition))
        return statement, c.kind, c.ref_id

    def __init__(self):
        # query shape -> the snippets statement, built once (`snippets`)
        self._snippet_statements: dict[str, Select] = {}

    def snippets(self, connection, query, keys, matches):
        """The page's rows by (kind, ref_id), their keys one expanding parameter: the
        statement is built once per query shape, and its text then depends only on the
        number of keys, so psycopg prepares it (built for every search, with the keys as
        literals, it cost 0.3 ms of Python and was planned every time)."""
        if not keys:
            return {}
        statement = self._snippet_statements.get(query.shape)
        if statement is None:
            c = self.index.c
            statement = select(
                c.kind,
                c.ref_id,
                func.ts_headline(
                    CONFIG,
                    c.title,
                    query.condition,
                    cast(literal("HighlightAll=true, StartSel=\x02, StopSel=\x03"), Text),
                ),
                func.ts_headline(
                    CONFIG, c.body, query.condition, cast(literal(self.HEADLINE), Text)
                ),
            ).where(tuple_(c.kind, c.ref_id).in_(bindparam("keys", expanding=True)))
            self._snippet_statements[query.shape] = statement
        rows = connection.execute(statement, {**query.params, "keys": keys})
        return {(kind, ref_id): (title, snippet) for kind, ref_id, title, snippet in rows}

    descending = True  # ts_rank: higher is better

    def key(self, kind):
        return kind.name

    def ids_matching(self, kind, query):
        c = self.index.c
        return select(c.ref_id).where(
            and_(c.kind == kind.name, c.document.op("@@")(query.condition))
        )


ENGINES: dict[str, Engine] = {"sqlite": SqliteEngine(), "postgresql": PostgresEngine()}


def engine_for(dialect_name: str) -> Engine:
    return ENGINES[dialect_name]
