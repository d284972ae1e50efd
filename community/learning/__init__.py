"""Learning: courses, workshops, language classes and guides, the learning events beside
them, each member's private learning plan with its weekly reminder, and suggestions of
learning that builds skills wanted by open gigs near the member (or remote).

`models.py` holds the tables, `services.py` the verbs and rules (items, the plan, skills to
the profile, reminders), `queries.py` the list, the learning events and the suggestions,
`routes.py` and `forms.py` the pages, `demo.py` the demo data. The JSON API lives in
`community/api/learning.py`.
"""

from flask import Blueprint

bp = Blueprint("learning", __name__)

from community.learning import routes  # noqa: E402,F401
