"""GET /api/v1/search: the same service as the /search page."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from community.api.auth import TOKEN_DOC, api_user, token_required
from community.search.registry import TYPES
from community.search.services import MAX_COUNTED, MAX_PAGE, MAX_QUERY, PAGE_SIZE, search

blp = Blueprint("search_api", __name__, description="One search across the community")


class SearchQuerySchema(ma.Schema):
    q = ma.fields.String(
        load_default="",
        metadata={"description": f"The words to find (1 to {MAX_QUERY} characters; 400 else)"},
    )
    type = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(TYPES),
        metadata={"description": "Only this type; all types without it"},
    )
    cursor = ma.fields.String(load_default=None, metadata={"description": "From next_cursor"})
    limit = ma.fields.Integer(load_default=PAGE_SIZE, validate=ma.validate.Range(1, MAX_PAGE))


class SearchItemSchema(ma.Schema):
    type = ma.fields.String(required=True, metadata={"enum": list(TYPES)})
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(
        required=True, metadata={"description": "HTML: escaped, matched words in <mark>"}
    )
    snippet = ma.fields.String(
        required=True, metadata={"description": "HTML: escaped, matched words in <mark>"}
    )
    url = ma.fields.String(required=True)
    meta = ma.fields.List(ma.fields.String(), required=True)


class SearchPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SearchItemSchema), required=True)
    counts = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={
            "description": "Results per type that I may see, for every type: exact, "
            f"unless `capped` says counting stopped at {MAX_COUNTED:,} results of the type"
        },
    )
    capped = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Boolean(),
        required=True,
        metadata={
            "description": f"Per type: true when counting stopped at the best {MAX_COUNTED:,} "
            "results of the type I may see, so its count is a lower bound (shown as "
            f'"{MAX_COUNTED:,}+"). Never set by results I may not see'
        },
    )
    next_cursor = ma.fields.String(allow_none=True, required=True)
    prev_cursor = ma.fields.String(allow_none=True, required=True)


@blp.get("/search")
@token_required
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200, SearchPageSchema)
@blp.alt_response(400, description="`q` is empty or too long, or the cursor is not valid")
@blp.alt_response(422, description="`type` is not one of member, post, event, group, gig")
@blp.doc(**TOKEN_DOC)
def search_all(query: dict):
    """Members, posts, events and groups I may see matching `q`, best first, with counts."""
    results = search(api_user(), query["q"], query["type"], query["cursor"], query["limit"])
    return {
        "items": [
            {
                "type": item.type,
                "id": item.id,
                "title": str(item.title),
                "snippet": str(item.snippet),
                "url": item.url,
                "meta": item.meta,
            }
            for item in results.page.items
        ],
        "counts": results.counts,
        "capped": results.capped,
        "next_cursor": results.page.next_cursor,
        "prev_cursor": results.page.prev_cursor,
    }
