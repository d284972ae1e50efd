"""Plain member text as safe HTML: everything escaped, http(s) links made clickable.

Chat messages are plain text, not Markdown: nothing the member writes becomes markup. The
links are found by linkify-it-py (the maintained port of the linkify-it library that
markdown-it uses), so trailing punctuation and brackets are handled as readers expect.
Only links written with http:// or https:// become anchors; nothing is fetched, embedded
or previewed. Newlines stay in the text: the stylesheet shows them (`white-space: pre-wrap`).
"""

from __future__ import annotations

from functools import cache

from linkify_it import LinkifyIt
from markupsafe import Markup, escape

LINK_REL = "nofollow noopener ugc"


@cache
def _linkify() -> LinkifyIt:
    # Only links with an explicit scheme: "example.com" stays text, as the live client
    # (static/js/chat.js) shows it too.
    return LinkifyIt(options={"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})


def linkify_text(text: str | None) -> Markup:
    """`text` escaped, its http(s) links as `<a rel="nofollow noopener ugc">`. Called by the
    chat templates (the `chat_text` filter) for every message body."""
    text = text or ""
    parts: list[str] = []
    last = 0
    for match in _linkify().match(text) or []:
        url = match.url
        if not url.lower().startswith(("http://", "https://")):
            continue
        parts.append(escape(text[last : match.index]))
        parts.append(Markup('<a href="{}" rel="{}">{}</a>').format(url, LINK_REL, match.raw))
        last = match.last_index
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
