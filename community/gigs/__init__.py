"""Gigs: short-term and remote work, freelance projects, volunteering and internships, and
the applications to them (see `models` for who may see what).

`services.py` holds the gig verbs and the review holds, `applications.py` the application
rules, `queries.py` the list, `city_notes.py` the "who can take it" notes per country,
`routes.py` and `forms.py` the pages, `notifications.py` the notification kinds, `cli.py`
the `close-gigs` command and `demo.py` the demo gigs. The JSON API lives in
`community/api/gigs.py`.
"""

from flask import Blueprint

bp = Blueprint("gigs", __name__)

from community.gigs import routes  # noqa: E402,F401
