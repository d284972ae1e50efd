"""One search across the community (#15): the index on both databases, kept in step with
the rows, ranked, stemmed, prefix-matched, escaped, and never leaking what a viewer may not
see; the /search page, GET /api/v1/search, `flask reindex` and the directory's text box."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.auth.services import set_status
from community.connections import services as connections
from community.events.models import Event
from community.events.services import create_event, update_event
from community.extensions import db
from community.groups.models import Group, GroupMembership, GroupVisibility, MembershipRole
from community.profiles.services import ProfileData, update_profile
from community.search.engines import words
from community.search.services import reindex, search
from tests.factories import event_data
from tests.test_api import api_login

BACKENDS = ("sqlite", "postgresql")


# --- helpers ------------------------------------------------------------------------------


def person(app, make_user, name, *, roles=(), **profile):
    """A member called `name` with a profile saved through the profile service."""
    ref = make_user(display_name=name, roles=roles)
    if profile:
        with app.app_context():
            update_profile(db.session.get(User, ref.id), ProfileData(**profile))
            db.session.commit()
    return ref


def event(app, organiser, **changes) -> int:
    with app.app_context():
        made = create_event(db.session.get(User, organiser.id), event_data(**changes))
        db.session.commit()
        return made.id


def find(app, viewer, q, type=None, **kw):
    """(titles as plain text, the whole results object) for `viewer`."""
    with app.test_request_context():
        results = search(db.session.get(User, viewer.id), q, type, **kw)
        return results


def ids(results, kind=None):
    return [item.id for item in results.page.items if kind is None or item.type == kind]


def connect(app, a, b):
    with app.app_context():
        request = connections.send_request(db.session.get(User, a.id), b.id)
        connections.accept_request(db.session.get(User, b.id), request.id)
        db.session.commit()


def block(app, blocker, blocked):
    with app.app_context():
        connections.block(db.session.get(User, blocker.id), blocked.id)
        db.session.commit()


def index_text(app) -> str:
    """Everything the index holds, as one string (for "never indexed" checks)."""
    with app.app_context():
        rows = db.session.execute(text("SELECT title, body FROM search_index")).all()
    # Every document ends with a newline, so the lines do not depend on the rows' order.
    return "".join(f"{title}\n{body}\n" for title, body in rows)


# --- matching -----------------------------------------------------------------------------


def test_stemming_finds_other_forms_of_a_word(app, make_user):
    viewer = make_user()
    runner = person(app, make_user, "Rui Runner", headline="I run a trail club")
    organiser = make_user(roles=(Role.ORGANISER,))
    walk = event(app, organiser, title="Sunday walks", description="We walked far.")
    assert ids(find(app, viewer, "running"), "member") == [runner.id]
    assert ids(find(app, viewer, "runs club"), "member") == [runner.id]
    assert ids(find(app, viewer, "walking"), "event") == [walk]


def test_the_last_word_matches_as_a_prefix_the_others_whole(app, make_user):
    viewer = make_user()
    designer = person(app, make_user, "Dana Design", headline="UX designer", host_city="copenhagen")
    assert ids(find(app, viewer, "Copenh")) == [designer.id]
    assert ids(find(app, viewer, "ux desig")) == [designer.id]
    # Only the last word is a prefix: "desig" as a first word must match whole.
    assert ids(find(app, viewer, "desig ux")) == []


def test_a_title_match_ranks_above_a_body_match(app, make_user):
    viewer = make_user()
    organiser = make_user(roles=(Role.ORGANISER,))
    in_body = event(app, organiser, title="Monday meetup", description="Bring your knitting.")
    in_title = event(app, organiser, title="Knitting circle", description="Yarn and tea.")
    assert ids(find(app, viewer, "knitting")) == [in_title, in_body]


def test_every_word_must_match(app, make_user):
    viewer = make_user()
    both = person(app, make_user, "Ana Both", headline="Nurse and baker")
    person(app, make_user, "Ben One", headline="Nurse")
    assert ids(find(app, viewer, "nurse baker")) == [both.id]


def test_query_words_carry_no_engine_syntax():
    assert words('"a" OR b* NEAR(c) -d:e & f|g !h (i)') == [
        "a",
        "or",
        "b",
        "near",
        "c",
        "d",
        "e",
        "f",
        "g",
        "h",
        "i",
    ]
    assert words("%_") == []


@pytest.mark.parametrize("q", ['"unclosed', "NEAR(", "a:*", "!&|", "OR", "x' OR 1=1 --"])
def test_odd_queries_never_fail(app, make_user, q):
    viewer = make_user()
    person(app, make_user, "Orla Near", headline="near the sea")
    api = api_login(app, viewer)
    response = api.get("/api/v1/search", query_string={"q": q})
    assert response.status_code in (200, 400), response.get_data(as_text=True)


# --- snippets -----------------------------------------------------------------------------


def test_snippets_and_titles_are_escaped_and_marked(app, make_user, login, backend):
    """Engine output is escaped before our own <mark> tags go in. (PostgreSQL's
    ts_headline drops what looks like an HTML tag from a snippet; SQLite keeps it as text.
    Either way nothing reaches the page as markup.)"""
    viewer = make_user()
    person(
        app,
        make_user,
        "<b>Bold</b> & Co",
        headline="<script>alert(1)</script> tea & \x02cake\x03 lover",
    )
    results = find(app, viewer, "tea")
    [item] = results.page.items
    assert "<script>" not in item.snippet
    if backend == "sqlite":
        assert "&lt;script&gt;" in item.snippet
    assert "&amp;" in item.snippet
    assert "<mark>tea</mark>" in item.snippet
    # Sentinels in user text are stripped: no forged <mark> around "cake".
    assert "<mark>cake" not in item.snippet
    assert str(item.title) == "&lt;b&gt;Bold&lt;/b&gt; &amp; Co"
    results = find(app, viewer, "bold")
    assert "<mark>Bold</mark>" in results.page.items[0].title
    html = login(viewer).get("/search?q=tea").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<b>Bold" not in html and "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html
    assert "<mark>tea</mark>" in html


# --- leakage ------------------------------------------------------------------------------


@pytest.fixture
def world(app, make_user):
    """Members with every kind of visibility, a block, a private group with an event, and
    private profile fields, all containing the word "quokka"."""
    people = {
        "viewer": person(app, make_user, "Vera Viewer"),
        "friend": person(app, make_user, "Fred Friend"),
        "moderator": person(app, make_user, "Mo Moderator", roles=(Role.MODERATOR,)),
        "admin": person(app, make_user, "Ada Admin", roles=(Role.ADMIN,)),
        "open": person(app, make_user, "Olga Open quokka", visibility="members"),
        "public": person(app, make_user, "Pia Public", visibility="public", headline="quokka"),
        "secret": person(
            app, make_user, "Sam Secret", visibility="connections", headline="quokka keeper"
        ),
        "blocker": person(
            app, make_user, "Bea Blocker", roles=(Role.ORGANISER,), headline="quokka fan"
        ),
        "blocked_one": person(app, make_user, "Bo Blocked", headline="quokka spotter"),
        "suspended": person(app, make_user, "Sol Suspended", headline="quokka"),
        "private_fields": person(
            app,
            make_user,
            "Pat Private",
            headline="Architect",
            family_situation="two quokka twins wombatwords",
            nationality="DE",
            work_permit="applying",
        ),
        "host": person(app, make_user, "Hal Host", roles=(Role.ORGANISER,)),
        "insider": person(app, make_user, "Ines Insider"),
    }
    connect(app, people["friend"], people["secret"])
    block(app, people["blocker"], people["viewer"])  # she blocked the viewer
    block(app, people["viewer"], people["blocked_one"])  # the viewer blocked him
    block(app, people["friend"], people["blocker"])
    with app.app_context():
        set_status(db.session.get(User, people["suspended"].id), UserStatus.SUSPENDED)
        group = Group(
            slug="hidden-circle",
            name="Hidden circle",
            visibility=GroupVisibility.PRIVATE,
            created_by_id=people["host"].id,
        )
        db.session.add(group)
        db.session.flush()
        for member, role in (("host", MembershipRole.ORGANISER), ("insider", "member")):
            db.session.add(GroupMembership(group_id=group.id, user_id=people[member].id, role=role))
        db.session.commit()
        group_id = group.id
    people["open_event"] = event(app, people["host"], title="Quokka walk")
    people["private_event"] = event(
        app, people["host"], title="Quokka secret picnic", group_id=group_id
    )
    people["blocker_event"] = event(app, people["blocker"], title="Bea's quokka brunch")
    return people


# Who finds what with "quokka", by fixture name: (members, events).
EXPECTED = {
    "viewer": ({"open", "public"}, {"open_event"}),
    "friend": ({"open", "public", "secret", "blocked_one"}, {"open_event"}),
    "insider": (
        {"open", "public", "blocker", "blocked_one"},
        {"open_event", "private_event", "blocker_event"},
    ),
    "moderator": (
        {"open", "public", "blocker", "blocked_one"},
        {"open_event", "private_event", "blocker_event"},
    ),
    "admin": (
        {"open", "public", "blocker", "blocked_one", "secret"},
        {"open_event", "private_event", "blocker_event"},
    ),
}
NAMES = {
    "open": "Olga Open",
    "public": "Pia Public",
    "secret": "Sam Secret",
    "blocker": "Bea Blocker",
    "blocked_one": "Bo Blocked",
    "suspended": "Sol Suspended",
    "private_fields": "Pat Private",
    "private_event": "picnic",
    "blocker_event": "Bea's quokka brunch",
}


def plain(html) -> str:
    return str(html).replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize("role", list(EXPECTED))
def test_search_shows_and_counts_only_what_the_viewer_may_see(app, world, role):
    members, events = EXPECTED[role]
    results = find(app, world[role], "quokka", limit=50)
    assert set(ids(results, "member")) == {world[name].id for name in members}
    assert set(ids(results, "event")) == {world[name] for name in events}
    assert results.counts == {
        "member": len(members),
        "post": 0,
        "event": len(events),
        "group": 0,
        "gig": 0,
    }
    shown = plain(" ".join(f"{item.title} {item.snippet}" for item in results.page.items))
    for name, words_shown in NAMES.items():
        if name not in members | events:
            assert words_shown.replace("'", "&#39;") not in shown, name
    assert "twins" not in shown


def test_statements_built_once_answer_each_viewer_by_their_own_rules(app, world):
    """The search statements are built once per set of roles and kept (`_statement_for`):
    members with the same roles share them, bound to each one's own id. Searching as each
    role in turn, twice over, on one type and on all, every viewer still gets exactly
    their own results (a statement carrying the first viewer's id or rules would show the
    friend's connection to the viewer, or hide the blocker from the insider)."""
    from community.search import services

    services._STATEMENTS.clear()
    order = ["viewer", "friend", "insider", "moderator", "admin"]
    for role in order + order[::-1]:
        members, events = EXPECTED[role]
        for type in (None, "member"):
            results = find(app, world[role], "quokka", type, limit=50)
            assert set(ids(results, "member")) == {world[name].id for name in members}, role
            assert results.counts["member"] == len(members), role
            if type is None:
                assert set(ids(results, "event")) == {world[name] for name in events}, role
    # viewer, friend and insider share the member's statements; moderator and admin have theirs
    assert len({key[2] for key in services._STATEMENTS}) == 3


@pytest.mark.parametrize("role", ["viewer", "friend", "insider"])
def test_one_type_counts_the_same_and_pages_hold_nothing_else(app, world, role):
    everything = find(app, world[role], "quokka", limit=50)
    for kind in ("member", "event"):
        only = find(app, world[role], "quokka", kind, limit=50)
        assert only.counts == everything.counts
        assert {item.type for item in only.page.items} <= {kind}
        assert len(only.page.items) == everything.counts[kind]


def test_private_fields_are_never_indexed(app, world):
    indexed = index_text(app)
    assert "Pat Private" in indexed
    for private in ("twins", "wombatwords", "applying"):
        assert private not in indexed
    with app.app_context():
        user = db.session.get(User, world["admin"].id)
    assert ids(find(app, world["admin"], "wombatwords")) == []
    assert user is not None


def test_blocks_hide_both_ways_on_the_page_and_the_api(app, world, login):
    html = login(world["viewer"]).get("/search?q=quokka").get_data(as_text=True)
    for hidden in ("Bea Blocker", "Bo Blocked", "Sam Secret", "picnic", "Sol Suspended"):
        assert hidden not in html
    assert "Olga Open" in plain(html)
    body = (
        api_login(app, world["blocked_one"])
        .get("/api/v1/search", query_string={"q": "vera"})
        .get_json()
    )
    assert body["items"] == [] and body["counts"]["member"] == 0


def test_anonymous_visitors_are_sent_to_log_in(client, app, world):
    response = client.get("/search?q=quokka")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/api/v1/search?q=quokka").status_code == 401


# --- kept in step --------------------------------------------------------------------------


def test_the_index_follows_create_edit_and_delete(app, make_user):
    viewer = make_user()
    organiser = make_user(roles=(Role.ORGANISER,))
    event_id = event(app, organiser, title="Pottery evening")
    assert ids(find(app, viewer, "pottery")) == [event_id]
    with app.app_context():
        update_event(
            db.session.get(User, organiser.id),
            db.session.get(Event, event_id),
            event_data(title="Ceramics evening"),
        )
        db.session.commit()
    assert ids(find(app, viewer, "pottery")) == []
    assert ids(find(app, viewer, "ceramics")) == [event_id]
    with app.app_context():
        db.session.delete(db.session.get(Event, event_id))
        db.session.commit()
    assert ids(find(app, viewer, "ceramics")) == []
    assert "Ceramics" not in index_text(app)

    member = person(app, make_user, "Greta Gardener", headline="Gardener")
    assert ids(find(app, viewer, "gardener")) == [member.id]
    with app.app_context():
        update_profile(db.session.get(User, member.id), ProfileData(headline="Beekeeper"))
        db.session.commit()
    assert ids(find(app, viewer, "gardener")) == [member.id]  # still her name
    assert ids(find(app, viewer, "beekeeper")) == [member.id]
    with app.app_context():
        update_profile(db.session.get(User, member.id), ProfileData(skills=["Pottery"]))
        db.session.commit()
    assert ids(find(app, viewer, "pottery")) == [member.id]


def test_the_index_rolls_back_with_its_transaction(app, make_user):
    viewer = make_user()
    organiser = make_user(roles=(Role.ORGANISER,))
    with app.test_request_context():
        create_event(db.session.get(User, organiser.id), event_data(title="Phantom ball"))
        db.session.flush()
        me = db.session.get(User, viewer.id)
        assert len(search(me, "phantom").page.items) == 1  # in this transaction, indexed
        db.session.rollback()
    assert ids(find(app, viewer, "phantom")) == []
    assert "Phantom" not in index_text(app)


def test_reindex_gives_the_same_results_as_incremental_updates(app, world, runner):
    queries = ["quokka", "walk", "hal", "architect", "secret", "qu"]
    roles = ["viewer", "friend", "insider", "admin"]

    def snapshot():
        return {
            (role, q): (
                [(item.type, item.id, str(item.snippet)) for item in results.page.items],
                results.counts,
            )
            for role in roles
            for q in queries
            for results in [find(app, world[role], q, limit=50)]
        }

    before = snapshot()
    before_text = sorted(index_text(app).splitlines())
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt" in result.output
    assert sorted(index_text(app).splitlines()) == before_text
    assert snapshot() == before
    with app.app_context():
        written = reindex()
        db.session.commit()
    assert written["member"] >= 13 and written["event"] == 3
    assert snapshot() == before


# --- pages and the API --------------------------------------------------------------------


def test_search_page_has_tabs_with_counts_and_pages(app, make_user, login):
    viewer = make_user()
    organiser = make_user(roles=(Role.ORGANISER,))
    for n in range(23):
        person(app, make_user, f"Lena Lantern{n}", headline="lantern maker")
    event(app, organiser, title="Lantern parade")
    client = login(viewer)
    html = client.get("/search?q=lantern").get_data(as_text=True)
    assert 'aria-current="page">All <span class="search-tabs__count">24</span>' in html
    assert 'People <span class="search-tabs__count">23</span>' in html
    assert 'rel="next"' in html
    html = client.get("/search?q=lantern&type=event").get_data(as_text=True)
    assert "Lantern parade" in html.replace("<mark>", "").replace("</mark>", "")
    assert 'type=event" aria-current="page"' in html
    # Every result once across the pages.
    seen, cursor = [], None
    while True:
        page = find(app, viewer, "lantern", cursor=cursor, limit=10)
        seen += [(item.type, item.id) for item in page.page.items]
        cursor = page.page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 24


def test_search_page_empty_and_refused_states(app, make_user, login):
    client = login(make_user())
    html = client.get("/search").get_data(as_text=True)
    assert 'id="search-q"' in html and "Every word must match" in html
    html = client.get("/search?q=zzzzqqq").get_data(as_text=True)
    assert "Nothing matches" in html
    response = client.get("/search?q=" + "a" * 101)
    assert response.status_code == 400
    assert "at most 100 characters" in response.get_data(as_text=True)
    assert client.get("/search?q=x&cursor=nonsense").status_code == 400
    # The header box is on every page for members.
    assert 'id="header-q"' in client.get("/events").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"q": ""}, 400, "q"),
        ({}, 400, "q"),
        ({"q": "   "}, 400, "q"),
        ({"q": "%%"}, 400, "q"),
        ({"q": "a" * 101}, 400, "q"),
        ({"q": "tea", "type": "job"}, 422, "type"),
        ({"q": "tea", "limit": 0}, 422, "limit"),
        ({"q": "tea", "cursor": "bogus"}, 400, "cursor"),
    ],
    ids=["empty", "missing", "blank", "no-words", "too-long", "bad-type", "limit", "cursor"],
)
def test_api_refuses_bad_queries(app, make_user, query, status, field):
    response = api_login(app, make_user()).get("/api/v1/search", query_string=query)
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    if status == 422:
        assert field in error["fields"]


def test_api_answers_items_and_counts_and_is_documented(app, make_user):
    viewer = make_user()
    tea = person(app, make_user, "Tia Tea", headline="Tea <b>blender</b>")
    api = api_login(app, viewer)
    body = api.get("/api/v1/search", query_string={"q": "tea"}).get_json()
    assert body["counts"] == {"member": 1, "post": 0, "event": 0, "group": 0, "gig": 0}
    [item] = body["items"]
    assert item["type"] == "member" and item["id"] == tea.id
    assert item["url"] == f"/members/{tea.id}"
    assert "<b>" not in item["snippet"] and "<mark>Tea</mark>" in item["snippet"]
    body = api.get("/api/v1/search", query_string={"q": "tea", "type": "post"}).get_json()
    assert body["items"] == [] and body["counts"]["member"] == 1
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "/api/v1/search" in spec["paths"]


def test_directory_text_box_uses_the_index(app, make_user, login):
    viewer = make_user()
    person(app, make_user, "Ana Analyst", headline="Data analyst", host_city="zurich")
    person(app, make_user, "Bo Baker", headline="Bakes bread", host_city="zurich")
    person(app, make_user, "Cy Coder", skills=["Analysis"], host_city="oslo")
    client = login(viewer)

    def names(query):
        html = client.get(f"/members?{query}").get_data(as_text=True)
        return {n for n in ("Ana Analyst", "Bo Baker", "Cy Coder") if n in html}

    assert names("q=baking") == {"Bo Baker"}  # stemmed
    assert names("q=analy") == {"Ana Analyst", "Cy Coder"}  # prefix, skills indexed
    assert names("q=analy&city=zurich") == {"Ana Analyst"}  # other filters still apply
    api = api_login(app, viewer)
    items = api.get("/api/v1/members", query_string={"q": "bread"}).get_json()["items"]
    assert [item["display_name"] for item in items] == ["Bo Baker"]


def test_postgresql_connections_never_jit_compile(app, backend):
    """JIT is off on every connection the app opens (a search's estimated cost made
    PostgreSQL spend 70 ms compiling a 0.5 ms query); SQLite has no JIT."""
    with app.app_context():
        if backend == "postgresql":
            assert db.session.scalar(text("SHOW jit")) == "off"
        else:
            assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


@pytest.mark.parametrize("plan_mode", ["force_generic_plan", "force_custom_plan"])
def test_postgresql_searches_answer_alike_under_either_plan(app, make_user, backend, plan_mode):
    """Once psycopg prepares the search statement (its fifth run) PostgreSQL may run a
    generic plan, where the query is a parameter computed once (a scalar subquery), not
    a constant: the answers are the same under either kind of plan."""
    if backend != "postgresql":
        pytest.skip("SQLite has no plan cache")
    viewer = make_user()
    nurse = person(app, make_user, "Nina Nurse", headline="Paediatric nurse")
    person(app, make_user, "Rui Runner", headline="I run a nursery garden")
    with app.test_request_context("/search"):
        db.session.execute(text(f"SET plan_cache_mode = {plan_mode}"))
        viewer = db.session.get(User, viewer.id)
        for _ in range(8):
            results = search(viewer, "nurse")
            assert results.total == 2
            assert ids(search(viewer, "paediatric nurs"), "member") == [nurse.id]
        prepared = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_prepared_statements"
                " WHERE statement LIKE '%matched AS MATERIALIZED%'"
            )
        )
    assert prepared, "psycopg prepared the search statement"


STEM_WORDS = (
    *("analy", "analyst", "desig", "design", "designer", "nurse", "nursery", "happy"),
    *("happiness", "running", "studies", "study", "categ", "relational", "cooking", "yoga"),
    *("freelance", "freelancing", "children", "photography", "volunteer", "teaching"),
)


def test_porter_stem_agrees_with_the_fts5_tokenizer():
    """`prepare` decides from `porter_stem` whether the tokenizer's own prefix covers the
    raw form: the two must stem alike."""
    import sqlite3

    from community.search.engines import porter_stem

    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61')")
    connection.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    for word in STEM_WORDS:
        connection.execute("DELETE FROM t")
        connection.execute("INSERT INTO t (x) VALUES (?)", (word,))
        assert connection.execute("SELECT term FROM v").fetchall() == [(porter_stem(word),)]


@pytest.mark.backends("sqlite")  # the FTS5 query only
def test_sqlite_prefix_query_adds_raw_forms_only_when_the_stem_rewrites_the_ending(
    app, make_user, backend
):
    """ "desig" stems to itself, so "desig"* alone finds "designer"; "analy" stems to
    "anali", so the index's terms beginning with "analy" join the query; both find."""
    from community.search.engines import SqliteEngine

    person(app, make_user, "Dee Designer", headline="Interface designer")
    person(app, make_user, "Ana Analyst", headline="Data analyst")
    viewer = make_user()
    with app.test_request_context():
        connection = db.session.connection()
        assert SqliteEngine().fts_query(connection, ["desig"]) == '"desig"*'
        assert SqliteEngine().fts_query(connection, ["analy"]) == '("analy"* OR "analyst"*)'
        for q, name in (("desig", "Dee Designer"), ("analy", "Ana Analyst")):
            found = search(db.session.get(User, viewer.id), q).page.items
            assert [item.title.striptags() for item in found] == [name]


@pytest.mark.backends("postgresql")
def test_counting_probes_only_the_matches_of_each_kind(app, make_user, backend):
    """Each kind's count probes that kind's matches alone. In a plain AND PostgreSQL
    ordered the conditions by estimated cost, and the probe of an empty table (no gig yet)
    looked cheaper than comparing the kind, so it ran once for every match of every kind."""
    import json

    from community.search import services
    from community.search.registry import KINDS

    for number in range(6):
        person(app, make_user, f"Nurse {number}", headline="Paediatric nurse")
    viewer = make_user()
    with app.app_context():  # statistics, as autovacuum gathers them: gigs is empty
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    with app.test_request_context("/search"):
        viewer = db.session.get(User, viewer.id)
        connection = db.session.connection()
        engine = services._engine(connection)
        query = engine.prepare(connection, words("nurse"))
        statement = services._statement_for(viewer, engine, query, list(KINDS.values()))
        params = {**query.params, "viewer_id": viewer.id, "count_limit": 101}
        params |= {"window_start": 0, "window_size": 30}
        sql = statement.params(params).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
        plan = db.session.scalar(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def scans(node):
        yield node
        for child in node.get("Plans", []):
            yield from scans(child)

    gig_probes = [node for node in scans(plan[0]["Plan"]) if node.get("Relation Name") == "gigs"]
    assert gig_probes and sum(node["Actual Loops"] for node in gig_probes) == 0
