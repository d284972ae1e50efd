"""Posts and groups in the one search (#15): indexed from public fields, kept in step with
edits, deletions, removals and tag renames in the same transaction, escaped, and never
leaking a private group's posts or the group itself, a removed post or a blocked author's
post: not in titles, snippets, counts, the page or the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from community.auth.models import User
from community.auth.roles import Role
from community.events.models import Event
from community.events.services import create_event
from community.extensions import db
from community.groups import services as groups
from community.groups.models import Group
from community.posts import services as posts
from community.posts.models import Post
from community.profiles.models import Tag
from community.profiles.services import ProfileData, update_profile
from community.search.services import reindex, search
from tests.factories import event_data
from tests.posts_world import ROLES, PostsWorld, build_world
from tests.test_api import api_login
from tests.test_search import ids, index_text, plain

BACKENDS = ("sqlite", "postgresql")


def find(app, viewer, q, type=None, **kw):
    with app.test_request_context():
        return search(db.session.get(User, viewer.id), q, type, **kw)


def write_post(app, author, **data) -> int:
    with app.app_context():
        post = posts.create_post(db.session.get(User, author.id), posts.PostData(**data))
        db.session.commit()
        return post.id


def make_group(app, creator, members=(), **data) -> tuple[int, str]:
    """A group made through the groups service, with `members` admitted through it too."""
    with app.app_context():
        actor = db.session.get(User, creator.id)
        group = groups.create_group(actor, groups.GroupData(**data))
        for member in members:
            user = db.session.get(User, member.id)
            if group.is_private:
                groups.request_to_join(user, group)
                groups.approve_request(actor, group, member.id)
            else:
                groups.join_group(user, group)
        db.session.commit()
        return group.id, group.slug


# --- matching -----------------------------------------------------------------------------


@pytest.mark.backends("sqlite")
def test_posts_are_found_by_title_body_tag_kind_and_city_stemmed_and_by_prefix(app, make_user):
    viewer, author = make_user(), make_user()
    post = write_post(
        app,
        author,
        kind="offer",
        title="Sourdough baking lessons",
        body="I teach **fermentation** on Saturdays.",
        tags=["Bread making"],
        city="copenhagen",
    )
    for q in ("sourdough", "fermentation", "bread", "bake", "fermenting", "sourd", "copenh"):
        assert ids(find(app, viewer, q), "post") == [post], q
    assert ids(find(app, viewer, "offer lessons"), "post") == [post]
    # Markdown is indexed as its text: no "**" or tags in the snippet.
    [item] = find(app, viewer, "saturdays").page.items
    assert "<mark>Saturdays</mark>" in item.snippet and "**" not in item.snippet
    assert item.url == f"/posts/{post}"
    assert item.meta == ["Offer", "Copenhagen"]


@pytest.mark.backends("sqlite")
def test_groups_are_found_by_name_description_and_city(app, make_user):
    viewer, organiser = make_user(), make_user(roles=(Role.ORGANISER,))
    group_id, slug = make_group(
        app,
        organiser,
        name="Trail runners",
        description="We *run* hills every Sunday.",
        city="oslo",
    )
    for q in ("trail", "runner", "running", "hills", "sunda", "oslo"):
        assert ids(find(app, viewer, q), "group") == [group_id], q
    [item] = find(app, viewer, "trail").page.items
    assert item.url == f"/groups/{slug}"
    assert item.meta == ["Oslo", "1 member", "Public"]


# --- kept in step -------------------------------------------------------------------------


@pytest.mark.backends("sqlite")
def test_post_edit_removal_and_delete_change_the_index_in_their_transaction(app, make_user):
    viewer, author = make_user(), make_user()
    moderator = make_user(roles=(Role.MODERATOR,))
    post_id = write_post(app, author, kind="story", title="Pottery at home", body="Clay.")
    assert ids(find(app, viewer, "pottery")) == [post_id]
    with app.test_request_context():
        post = db.session.get(Post, post_id)
        posts.update_post(
            db.session.get(User, author.id), post, posts.PostData(title="Ceramics at home")
        )
        me = db.session.get(User, viewer.id)
        assert ids(search(me, "ceramics")) == [post_id]  # before the commit
        db.session.rollback()
    assert ids(find(app, viewer, "pottery")) == [post_id]
    with app.app_context():
        post = db.session.get(Post, post_id)
        posts.update_post(db.session.get(User, author.id), post, posts.PostData(tags=["Kilns"]))
        db.session.commit()
    assert ids(find(app, viewer, "kiln")) == [post_id]
    with app.app_context():
        posts.remove_post(db.session.get(User, moderator.id), db.session.get(Post, post_id))
        db.session.commit()
    assert ids(find(app, moderator, "pottery")) == []
    assert "Pottery" not in index_text(app)

    other = write_post(app, author, kind="story", title="Origami evenings", body="Paper.")
    assert ids(find(app, viewer, "origami")) == [other]
    with app.app_context():
        posts.delete_post(db.session.get(User, author.id), db.session.get(Post, other))
        db.session.commit()
    assert ids(find(app, viewer, "origami")) == []
    assert "Origami" not in index_text(app)


@pytest.mark.backends("sqlite")
def test_group_edits_change_the_index(app, make_user):
    viewer, organiser = make_user(), make_user(roles=(Role.ORGANISER,))
    group_id, _slug = make_group(app, organiser, name="Chess club", description="Blitz.")
    with app.app_context():
        group = db.session.get(Group, group_id)
        groups.update_group(
            db.session.get(User, organiser.id),
            group,
            groups.GroupData(name="Go club", description="Stones and boards."),
        )
        db.session.commit()
    assert ids(find(app, viewer, "chess")) == []
    assert ids(find(app, viewer, "stones")) == [group_id]


def test_renaming_or_deleting_a_tag_reindexes_every_document_with_it(app, make_user):
    viewer, author = make_user(), make_user()
    organiser = make_user(roles=(Role.ORGANISER,))
    post_id = write_post(app, author, kind="offer", title="Help", body="Ask me.", tags=["Knitting"])
    with app.app_context():
        event_id = create_event(
            db.session.get(User, organiser.id), event_data(title="Meetup", tags=["Knitting"])
        ).id
        update_profile(db.session.get(User, author.id), ProfileData(skills=["Knitting"]))
        db.session.commit()
    both = {("post", post_id), ("event", event_id), ("member", author.id)}

    def found(q):
        return {(item.type, item.id) for item in find(app, viewer, q, limit=50).page.items}

    assert found("knitting") == both
    with app.app_context():
        db.session.scalar(db.select(Tag).where(Tag.name == "knitting")).label = "Crochet"
        db.session.commit()
    assert found("knitting") == set()
    assert found("crochet") == both
    with app.app_context():
        db.session.delete(db.session.scalar(db.select(Tag).where(Tag.name == "knitting")))
        db.session.commit()
        assert db.session.get(Event, event_id).tags == []
    assert found("crochet") == set()
    assert "Crochet" not in index_text(app)


# --- leakage ------------------------------------------------------------------------------


@pytest.fixture
def world(app, make_user) -> PostsWorld:
    """The posts world (a private "Tax circle", `author` blocked `blocked`) plus, all with
    the word "quokka": a public post by the author, a post in the private group, a post by
    the blocked member, a removed post, a public group and a private group."""
    with app.app_context():
        world = build_world()
    extra = world.people
    extra["founder"] = make_user(roles=(Role.MODERATOR,), display_name="Fay Founder")
    world.things = {}
    world.things["public_post"] = write_post(
        app, extra["author"], kind="offer", title="Quokka walks", body="Every weekend."
    )
    world.things["group_post"] = write_post(
        app,
        extra["group_member"],
        kind="request",
        title="Hushhush plans",
        body="The quokka party, members only.",
        tags=["Quokka secrets"],
        group_id=world.group_id,
    )
    world.things["blocked_post"] = write_post(
        app, extra["blocked"], kind="story", title="Blockedword quokka tips", body="Tips."
    )
    removed = write_post(app, extra["member"], kind="story", title="Rumourword quokka", body="x")
    with app.app_context():
        posts.remove_post(
            db.session.get(User, extra["moderator"].id), db.session.get(Post, removed)
        )
        db.session.commit()
    world.things["public_group"], _ = make_group(
        app, extra["founder"], name="Quokka fans", description="Open to all."
    )
    world.things["private_group"], world.private_slug = make_group(
        app,
        extra["founder"],
        (extra["group_member"],),
        name="Quokka insiders",
        description="Confidentialword gatherings.",
        visibility="private",
    )
    return world


INSIDE = {"public_post", "group_post", "blocked_post", "public_group", "private_group"}
# Who finds what with "quokka" (the world's role names).
EXPECTED = {
    "author": {"public_post", "public_group"},  # blocked `blocked`
    "blocked": {"blocked_post", "public_group"},  # own post; blocked by the author
    "member": {"public_post", "blocked_post", "public_group"},
    "outsider": {"public_post", "blocked_post", "public_group"},
    "group_organiser": {"public_post", "group_post", "blocked_post", "public_group"},
    "group_member": INSIDE,  # member of both private groups
    "moderator": INSIDE,
    "admin": INSIDE,
}
WORDS = {  # what each thing shows in titles, snippets and meta lines
    "public_post": ("Quokka walks",),
    "group_post": ("Hushhush", "party, members only"),
    "blocked_post": ("Blockedword",),
    "public_group": ("Quokka fans",),
    "private_group": ("insiders", "Confidentialword"),
}


def kinds_of(world, names):
    return {
        "post": {world.things[n] for n in names if n.endswith("post")},
        "group": {world.things[n] for n in names if n.endswith("group")},
    }


@pytest.mark.parametrize("role", ROLES)
def test_search_shows_and_counts_only_the_posts_and_groups_the_viewer_may_see(
    app, world, login, role
):
    assert set(EXPECTED) == set(ROLES)
    expected = kinds_of(world, EXPECTED[role])
    viewer = world[role]
    results = find(app, viewer, "quokka", limit=50)
    assert set(ids(results, "post")) == expected["post"]
    assert set(ids(results, "group")) == expected["group"]
    assert results.counts["post"] == len(expected["post"])
    assert results.counts["group"] == len(expected["group"])
    shown = plain(" ".join(f"{i.title} {i.snippet} {' '.join(i.meta)}" for i in results.page.items))
    for name, words in WORDS.items():
        for word in words:
            assert (word in shown) == (name in EXPECTED[role]), (name, word)
    assert "Rumourword" not in shown  # removed: no one
    # One type at a time: the same counts, nothing else on the page.
    for kind in ("post", "group"):
        only = find(app, viewer, "quokka", kind, limit=50)
        assert only.counts == results.counts and set(ids(only)) == expected[kind]
    # The page and the API say the same.
    html = plain(login(viewer).get("/search?q=quokka").get_data(as_text=True))
    for name, words in WORDS.items():
        assert (words[0] in html) == (name in EXPECTED[role]), name
    api = api_login(app, viewer)
    for kind in ("post", "group"):
        body = api.get("/api/v1/search", query_string={"q": "quokka", "type": kind}).get_json()
        assert {item["id"] for item in body["items"]} == expected[kind]
        assert body["counts"][kind] == len(expected[kind])
        text = plain(str(body))
        for name, words in WORDS.items():
            for word in words if name not in EXPECTED[role] else ():
                assert word not in text, (name, word)


@pytest.mark.parametrize("role", ["outsider", "group_member", "admin"])
def test_a_private_groups_own_words_find_nothing_for_outsiders(app, world, role):
    """Words only in the private group or its post: an outsider gets no row and no count."""
    sees = role != "outsider"
    for q in ("confidentialword", "hushhush"):
        results = find(app, world[role], q)
        assert (results.total > 0) == sees, q
        assert all(count == 0 for count in results.counts.values()) != sees


def test_anonymous_visitors_get_nothing(client, world):
    response = client.get("/search?q=quokka")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/api/v1/search?q=quokka&type=post").status_code == 401


def test_post_title_body_and_tags_are_escaped_in_results(app, make_user, login, backend):
    viewer, author = make_user(), make_user()
    post_id = write_post(
        app,
        author,
        kind="story",
        title='<img src=x onerror="alert(1)"> quokka',
        body="<script>alert(2)</script> quokka & \x02tea\x03",
        tags=["<b>quokka</b>"],
    )
    [item] = find(app, viewer, "quokka").page.items
    assert item.id == post_id
    for markup in ("<img", "<script", "<b>"):
        assert markup not in item.title and markup not in item.snippet
    assert "&lt;img" in item.title or backend == "postgresql"
    assert "<mark>quokka</mark>" in item.snippet and "<mark>tea" not in item.snippet
    html = login(viewer).get("/search?q=quokka").get_data(as_text=True)
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    body = api_login(app, viewer).get("/api/v1/search?q=quokka&type=post").get_json()
    [found] = body["items"]
    assert "<img" not in found["title"] and "<script" not in found["snippet"]


def test_reindex_gives_the_same_results_as_incremental_updates(app, world, runner):
    queries = ["quokka", "hushhush", "tax", "circle", "qu", "cv"]
    roles = ["author", "outsider", "group_member", "admin"]

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
    assert "Hushhush plans" in before_text and "Rumourword quokka" not in before_text
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert sorted(index_text(app).splitlines()) == before_text
    assert snapshot() == before
    with app.app_context():
        written = reindex()
        db.session.commit()
    # 6 posts (one removed: not indexed), 3 groups.
    assert written["post"] == 6 and written["group"] == 3
    assert snapshot() == before


# --- counting stops at MAX_COUNTED visible results ------------------------------------------


def test_counts_stop_at_the_cap_and_only_visible_results_reach_it(
    app, make_user, login, monkeypatch
):
    """Ranked first, checked for visibility best first, a few candidates at a time: the
    counts are exact below the cap and "N+" at it, and hidden matches, however many and
    however well ranked, neither count nor set `capped`."""
    from community.search import services

    monkeypatch.setattr(services, "MAX_COUNTED", 3)
    organiser, insider, outsider = make_user(roles=(Role.ORGANISER,)), make_user(), make_user()
    group_id, _slug = make_group(
        app, organiser, (insider,), name="Zoo keepers", visibility="private"
    )
    for n in range(6):  # the best matches, all private
        write_post(
            app,
            insider,
            kind="story",
            title=f"Zebra zebra {n}",
            body="zebra zebra",
            group_id=group_id,
        )
    for n in range(2):
        write_post(app, outsider, kind="story", title=f"Stripes {n}", body="A zebra.")

    results = find(app, outsider, "zebra")
    assert results.counts["post"] == 2 and not results.total_capped
    assert len(results.page.items) == 2
    body = api_login(app, outsider).get("/api/v1/search?q=zebra").get_json()
    assert body["counts"]["post"] == 2 and not any(body["capped"].values())

    results = find(app, insider, "zebra")
    assert results.counts["post"] == 3 and results.capped["post"]
    html = login(insider).get("/search?q=zebra").get_data(as_text=True)
    assert '<span class="search-tabs__count">3+</span>' in html
    body = api_login(app, insider).get("/api/v1/search?q=zebra&type=post").get_json()
    assert body["counts"]["post"] == 3 and body["capped"]["post"] is True
    assert len(body["items"]) == 8  # the count stops; the results go on

    for n in range(3):
        write_post(app, outsider, kind="story", title=f"More stripes {n}", body="A zebra.")
    results = find(app, outsider, "zebra")
    assert results.counts["post"] == 3 and results.capped["post"]
    assert all(item.title.startswith(("Stripes", "More")) for item in results.page.items)
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "capped" in spec["components"]["schemas"]["SearchPage"]["properties"]


def test_each_type_counts_on_its_own_and_pages_go_past_the_cap(app, make_user, monkeypatch):
    """Counting stops per type: many posts do not crowd out the count of people or events
    (no "0+"), and the pages go on past the count to the results beyond it, best first,
    each once."""
    from community.search import services

    monkeypatch.setattr(services, "MAX_COUNTED", 3)
    author = make_user(display_name="Walrus Fan")
    for n in range(9):
        write_post(app, author, kind="story", title=f"Walrus walrus walrus {n}", body="walrus")

    results = find(app, author, "walrus", limit=2)
    assert results.counts["post"] == 3 and results.capped["post"]
    assert results.counts["member"] == 0 and not results.capped["member"]
    assert results.total_capped

    titles, cursor = [], None
    while True:
        page = find(app, author, "walrus", type="post", limit=2, cursor=cursor).page
        titles.extend(str(item.title) for item in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(titles) == 9 and len(set(titles)) == 9

    other = make_user()
    results = find(app, other, "walrus")
    assert results.counts["member"] == 1 and not results.capped["member"]
    assert results.counts["post"] == 3 and results.capped["post"]
