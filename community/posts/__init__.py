"""Posts: skill-sharing offers, requests, questions, resources and stories.

`models.py` holds the tables, `services.py` the verbs (write, edit, delete, remove, the
"helpful" reaction, the answer mark, the daily matching notice), `queries.py` the feed and
the "matches you" reasons, `routes.py` and `forms.py` the pages, `comments.py` registers
posts with the comments component and `demo.py` seeds the demo posts. The JSON API lives
in `community/api/posts.py`.
"""

from flask import Blueprint

bp = Blueprint("posts", __name__)

from community.posts import comments as _comments  # noqa: E402,F401  (registers the subject)
from community.posts import routes  # noqa: E402,F401
