"""One search across the community: `/search`, `GET /api/v1/search`, `flask reindex`.

- `services`: `index(kind, id)`, `unindex(kind, id)`, `search(viewer, q, type, cursor,
  limit)` (results with counts per type), `matching_ids(kind, q)` (the member directory's
  text box), `reindex()`. The index follows every flush of a watched model in the same
  transaction (one `after_flush` listener; see `services`).
- `engines`: SQLite FTS5 or PostgreSQL full-text search, chosen by the dialect.
- `registry`: the kinds. `kinds` registers "member" and "event", `community.posts.search`
  "post", `community.groups.search` "group" and `community.gigs.search` "gig".

How posts and groups register themselves (one module each, one import line):

1. Add `community/posts/search.py` (or `community/groups/search.py`) calling
   `community.search.registry.register(Kind(...))` with
   - `name="post"` (`"group"`), `code=2` (`4`): the names are already in `registry.TYPES`
     (tabs and the API's `type`), the codes reserved for them; `label=_l("Posts")`,
     `singular=_l("Post")`;
   - `watches=(Watch(Post, lambda p: p.id, ("title", "body", "kind")), Watch(PostTag,
     lambda r: r.post_id))`: the models whose changes rebuild a document;
   - `all_ids=lambda c: select(Post.id).where(...)` and `documents(connection, ids)`
     returning `{id: Document(title, body)}` built with core SQL from public fields only
     (leave an id out to keep it unindexed, e.g. a deleted or hidden post);
   - `visible=lambda viewer, ref_id: probe(select(Post.id).where(Post.id == ref_id,
     readable_group_clause(viewer, Post.group_id), <author not blocked either way>, ...))`
     (groups: `probe(select(Group.id).where(Group.id == ref_id, <public, mine, or
     sees_everything>))`);
   - `present(viewer, hits)`: one query for the page's rows, then `Result(type, id,
     hit.title, hit.snippet, url_for(...), meta=[...])` per hit, in order.
2. Import that module in `init_app` below (`SEARCH_KINDS`), then run `flask reindex` once.
Nothing else changes: tabs, counts, the API and the index pick the kind up.
"""

from importlib import import_module

from flask import Blueprint, Flask

bp = Blueprint("search", __name__)

# The modules that register a kind; posts and groups add theirs here.
SEARCH_KINDS = (
    "community.search.kinds",
    "community.posts.search",
    "community.groups.search",
    "community.gigs.search",
)


def init_app(app: Flask) -> None:
    """Called by create_app: registers the kinds and the pages."""
    for module in SEARCH_KINDS:
        import_module(module)
    app.register_blueprint(bp)


from community.search import routes  # noqa: E402,F401
