"""Mentoring programmes: a coordinator's cohort, applications as mentor or mentee, matching
that proposes the best overall set of pairs with a reason for each, the pairs' goals,
meetings and fit answers, the mentees' outcomes and the coordinator's report (see `models`
for who may see what).

`programmes.py` and `applications.py` hold the programme and application rules, `fit.py`
the fit score and its reasons, `matching.py` the optimal assignment, `proposals.py` the
runs and confirmations, `pairs.py` what a pair records, `outcomes.py` and `report.py` the
outcomes and the report; `routes.py`, `matching_routes.py`, `pair_routes.py` and
`report_routes.py` the pages; `cli.py` the scheduled commands and `demo.py` the demo data.
The JSON API lives in `community/api/mentoring*.py`.
"""

from flask import Blueprint

bp = Blueprint("mentoring", __name__)

from community.mentoring import matching_routes, pair_routes, report_routes, routes  # noqa: E402,F401
