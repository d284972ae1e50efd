"""Comments: one component for every feature that takes comments (events now, posts next).

`models.py` holds the Comment, `registry.py` the subject kinds features register,
`services.py` the verbs (add, reply, edit, delete, remove, list), `routes.py` and
`forms.py` the pages; the templates in `templates/comments/` are macros a subject's page
includes. The JSON API endpoints live in `community/api/comments.py`.
"""

from flask import Blueprint

bp = Blueprint("comments", __name__)

from community.comments import routes  # noqa: E402,F401
