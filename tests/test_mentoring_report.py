"""The coordinator's report: only the programme's coordinator and admins (403 for other
members), honest denominators on a constructed cohort (latest outcome wins, withdrawn
mentees are not active, mentees without an outcome are counted), a bounded number of
queries whatever the cohort's size, small groups suppressed for outsiders (on the boundary,
and a second cell when one could be derived from a total), CSV with safe cells, and SVG
charts that escape their labels and carry a title, a description and a data table."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import update

from community.extensions import db
from community.mentoring import charts
from community.mentoring import report as reports
from community.mentoring.models import MentoringApplication, Pair, Programme
from tests.mentoring_report_world import (
    MEMBER_ROLES,
    XSS,
    ReportWorld,
    build_cohort,
    build_world,
    feedback,
    fit_answer,
    goal,
    make_pair,
    meeting,
)

BACKENDS = ("sqlite", "postgresql")
COORDINATORS = {"coordinator", "admin"}


@pytest.fixture
def world(app) -> ReportWorld:
    with app.app_context():
        return build_world()


def report_of(programme_id: int) -> reports.Report:
    return reports.build_report(db.session.get(Programme, programme_id))


# --- who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*MEMBER_ROLES, "anonymous"])
@pytest.mark.parametrize("suffix", ["/report", "/report.csv", "/report.csv?audience=public",
                                    "/report.csv?table=outcomes"])  # fmt: skip
def test_the_report_is_for_the_coordinator_and_admins(app, world, login, role, suffix):
    client = app.test_client() if role == "anonymous" else login(world[role])
    response = client.get(f"/mentoring/{world.programme_id}{suffix}")
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
    elif role in COORDINATORS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403  # mentee, mentor, other mentee, other coordinator
    if role != "anonymous":
        assert client.get(f"/mentoring/999999{suffix}").status_code == 404


# --- the figures ---------------------------------------------------------------------------


def test_honest_denominators_on_a_constructed_cohort(app, coordinator):
    with app.app_context():
        cohort = build_cohort(coordinator.id)
        # Two pairs met (3 and 1 meetings), the rest never; one pair ended early (its
        # mentee stays active in a new pair); fit answers, goals and feedback.
        meeting(cohort.pairs[0], 60), meeting(cohort.pairs[0], 30), meeting(cohort.pairs[0], 5)
        meeting(cohort.pairs[1], 10)
        first = db.session.get(Pair, cohort.pairs[0])
        fit_answer(first.id, first.mentee_id, "yes")
        fit_answer(first.id, first.mentor_id, "deciding")
        fit_answer(cohort.pairs[1], cohort.mentees[1], "no")
        goal(first.id, "met"), goal(first.id, "partly"), goal(first.id, None)
        goal(cohort.pairs[1], "not_met"), goal(cohort.pairs[1], "met")
        feedback(first.id, first.mentor_id, 5)
        feedback(cohort.pairs[1], cohort.mentors[1], 4)
        feedback(cohort.pairs[2], cohort.mentors[2], None)
        make_pair(cohort.programme_id, cohort.mentors[3], cohort.mentees[3], "ended",
                  end_reason="Not a good fit")  # fmt: skip
        # A mentee who withdrew while their pair still shows active is not active.
        make_pair(cohort.programme_id, cohort.mentors[4], cohort.mentees[10], "active")
        db.session.commit()
        report = report_of(cohort.programme_id)
    assert report.headline == "4 of 10 active mentees found work"
    figure = report.figure
    assert (figure("mentees_applied").count, figure("mentees_applied").denominator) == (12, None)
    assert (figure("mentees_enrolled").count, figure("mentees_enrolled").denominator) == (12, 12)
    assert (figure("mentees_active").count, figure("mentees_active").denominator) == (10, 12)
    assert (figure("mentees_completed").count, figure("mentees_completed").denominator) == (2, 10)
    assert (figure("mentees_withdrew").count, figure("mentees_withdrew").denominator) == (2, 12)
    assert (figure("found_work").count, figure("found_work").denominator) == (4, 10)
    assert figure("found_work").text == "4 of 10"
    assert (figure("no_outcome").count, figure("no_outcome").denominator) == (3, 10)
    # Latest wins: mentee 0 searched then found work; mentee 4 found work then searched.
    assert report.outcomes_by_kind["still_searching"] == 1
    assert report.outcomes_by_kind["employed_other_field"] == 0
    assert report.outcomes_by_kind["part_time"] + report.outcomes_by_kind["employed_own_field"] == 4
    assert report.outcomes_by_kind["stopped"] == 1 and report.outcomes_by_kind["studying"] == 1
    assert dict(report.left_reasons) == {
        "Moved abroad": 1, "Found a job first": 1, "Not a good fit": 1,
    }  # fmt: skip
    assert (figure("pairs_ended_early").count, figure("pairs_ended_early").denominator) == (1, 12)
    assert figure("meetings_held").count == 4
    assert report.meetings_per_pair.count(0) == 10
    assert figure("meetings_median").count == 0.0
    without = figure("pairs_without_meeting")
    assert (without.count, without.denominator) == (10, 12)
    assert (figure("fit_mentee_yes").count, figure("fit_mentee_yes").denominator) == (1, 2)
    assert (figure("fit_mentee_no").count, figure("fit_mentee_no").denominator) == (1, 2)
    assert (figure("fit_mentor_deciding").count, figure("fit_mentor_deciding").denominator) == (
        1,
        1,
    )
    assert (figure("goals_met").count, figure("goals_met").denominator) == (2, 4)
    assert (figure("goals_unreviewed").count, figure("goals_unreviewed").denominator) == (1, 5)
    assert figure("feedback_rating").count == 4.5
    assert (figure("feedback_given").count, figure("feedback_given").denominator) == (3, 12)


def test_the_page_shows_each_figure_with_its_denominator_and_definition(app, coordinator, login):
    with app.app_context():
        cohort = build_cohort(coordinator.id)
    body = login(coordinator).get(f"/mentoring/{cohort.programme_id}/report").get_data(as_text=True)
    assert "4 of 10 active mentees found work" in body
    assert "3 active mentees have not recorded an outcome yet" in body
    assert "10 of 12" in body  # active of enrolled
    assert "Accepted mentees (not withdrawn) in an active or completed pair." in body
    # The coordinator sees exact numbers, marked where outsiders would see "fewer than 5".
    assert body.count("fewer than 5 outside") >= 3


def test_the_number_of_queries_does_not_grow_with_the_cohort(
    app, coordinator, login, count_queries
):
    with app.app_context():
        small = build_cohort(coordinator.id, active=3, withdrew=1, found_work=1, name="Small")
        large = build_cohort(coordinator.id, active=40, withdrew=6, found_work=15, name="Large")
        for cohort in (small, large):
            for pair_id in cohort.pairs:
                meeting(pair_id), goal(pair_id, "met")
        db.session.commit()
    client = login(coordinator)
    costs, page_costs = [], []
    for cohort in (small, large):
        with app.app_context():
            programme = db.session.get(Programme, cohort.programme_id)
            with count_queries() as counted:
                reports.build_report(programme)
            costs.append(counted.count)
        with count_queries() as counted:
            assert client.get(f"/mentoring/{cohort.programme_id}/report").status_code == 200
        page_costs.append(counted.count)
    assert costs[0] == costs[1] == 10, costs
    assert page_costs[0] == page_costs[1], page_costs


# --- small groups --------------------------------------------------------------------------


@pytest.mark.parametrize(("found", "shown"), [(4, "fewer than 5"), (5, "5")])
def test_small_groups_are_suppressed_on_the_boundary(app, coordinator, found, shown):
    with app.app_context():
        cohort = build_cohort(coordinator.id, active=12, withdrew=0, found_work=found)
        summary = reports.public_summary(db.session.get(Programme, cohort.programme_id))
    assert summary.active_mentees.text == "12"
    assert summary.found_work.text == shown
    assert summary.found_work.suppressed is (found == 4)
    assert (summary.found_work.count is None) is (found == 4)


def test_a_cell_derivable_from_a_total_is_suppressed_too():
    values = {"total": 12, "a": 3, "b": 9, "c": 0}
    hidden = reports.suppress(values, [("total", ["a", "b", "c"])])
    assert hidden == {"a", "b"}  # b = 12 - 3 - 0 would give a away
    values = {"total": 20, "a": 3, "b": 6, "c": 11}
    assert reports.suppress(values, [("total", ["a", "b", "c"])]) == {"a", "b"}
    values = {"total": 20, "a": 3, "b": 4, "c": 13}
    assert reports.suppress(values, [("total", ["a", "b", "c"])]) == {"a", "b"}  # two already
    values = {"total": 4, "a": 4, "b": 0}
    assert reports.suppress(values, [("total", ["a", "b"])]) == {"total", "a"}
    values = {"total": 8, "a": 5, "b": 3, "sub": 5, "a1": 5, "a2": 0}
    relations = [("total", ["a", "b"]), ("a", ["a1", "a2"])]
    # b hidden -> a hidden (secondary) -> a's relation has a lone hidden total -> a1 hidden.
    assert reports.suppress(values, relations) == {"b", "a", "a1"}


def test_the_public_summary_hides_every_small_outcome(app, coordinator):
    with app.app_context():
        cohort = build_cohort(coordinator.id, active=14, withdrew=0, found_work=6)
        summary = reports.public_summary(db.session.get(Programme, cohort.programme_id))
    # 6 found work (part-time 3, own field 3: both small, both hidden); still searching,
    # studying and stopped 1 each (hidden), no outcome 5 (shown): no relation is left with
    # a single hidden cell.
    shown = {kind: cell.text for kind, cell in summary.outcomes.items()}
    assert shown["part_time"] == shown["employed_own_field"] == "fewer than 5"
    assert summary.found_work.text == "6" and summary.active_mentees.text == "14"
    hidden_other = [
        k for k in ("studying", "still_searching", "stopped") if summary.outcomes[k].suppressed
    ]
    assert len(hidden_other) == 3
    assert summary.no_outcome.text == "5"


def test_the_public_summary_hides_a_second_cell_when_one_would_show(app, coordinator):
    with app.app_context():
        # 12 active: 6 found work, 1 still searching, 5 with no outcome: the lone small cell
        # (1) would be 12 - 6 - 5, so the smallest other cell (5, no outcome) hides too.
        cohort = build_cohort(coordinator.id, active=12, withdrew=0, found_work=6)
        db.session.execute(update(MentoringApplication).values(outcome_prompts=0))
        programme = db.session.get(Programme, cohort.programme_id)
        from community.mentoring.models import MentoringOutcome

        db.session.execute(MentoringOutcome.__table__.delete().where(
            MentoringOutcome.mentee_id.in_(cohort.mentees[7:9])))  # fmt: skip
        db.session.commit()
        summary = reports.public_summary(programme)
    assert summary.outcomes["still_searching"].suppressed
    assert summary.no_outcome.suppressed and summary.no_outcome.text == "fewer than 5"
    assert summary.found_work.text == "6" and summary.active_mentees.text == "12"


# --- CSV -----------------------------------------------------------------------------------


def parse(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_rows_headers_and_safe_cells(app, coordinator, login):
    with app.app_context():
        cohort = build_cohort(coordinator.id, reasons=('=HYPERLINK("http://x")', "@SUM(A1)"))
        db.session.execute(update(Programme).where(Programme.id == cohort.programme_id)
                           .values(name="-2+3"))  # fmt: skip
        db.session.commit()
    client = login(coordinator)
    base = f"/mentoring/{cohort.programme_id}/report.csv"
    response = client.get(base)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="mentoring-{cohort.programme_id}-report.csv"'
    )
    rows = parse(response)
    assert rows[0] == ["section", "measure", "count", "denominator", "definition"]
    found = next(row for row in rows if row[1] == "Active mentees who found work")
    assert found[:4] == ["work", "Active mentees who found work", "4", "10"]
    outcomes = parse(client.get(base + "?table=outcomes"))
    assert outcomes[0] == ["outcome", "kind", "count", "denominator"]
    assert ["Still searching", "still_searching", "1", "10"] in outcomes
    public = parse(client.get(base + "?audience=public"))
    assert ["work", "Active mentees who found work", "fewer than 5", "10"] in public
    assert reports.safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for dangerous in ("=1+1", "+1", "-1", "@A1", "\t=1"):
        assert reports.safe_cell(dangerous).startswith("'")
    assert reports.safe_cell(-3) == "-3" and reports.safe_cell("Moved") == "Moved"
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


# --- charts --------------------------------------------------------------------------------


def test_charts_escape_labels_and_carry_title_desc_and_a_data_table(app, coordinator, login):
    with app.app_context():
        cohort = build_cohort(coordinator.id, name=XSS, reasons=(XSS,))
    body = login(coordinator).get(f"/mentoring/{cohort.programme_id}/report").get_data(as_text=True)
    assert "<script>" not in body.split("</head>")[1].replace("<script nonce", "")
    assert "onerror=alert(1)>" not in body
    assert "&lt;script&gt;" in body
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", body, re.S)
    assert len(svgs) >= 5
    for svg in svgs:
        assert 'role="img"' in svg
        chart_id = re.search(r'aria-labelledby="([^ ]+)-title \1-desc"', svg).group(1)
        assert f'<title id="{chart_id}-title">' in svg and f'<desc id="{chart_id}-desc">' in svg
        assert "<text" in svg  # labels and values drawn as text
    assert body.count("<caption>") == len(svgs)
    assert '<th scope="col">' in body and '<th scope="row">' in body


def test_chart_functions_are_pure_and_escape_everything():
    svg = charts.bar_chart('x"><script>', "T <b>", "D & more", [(XSS, 3), ("B", 0)], total=4)
    assert "<script>" not in svg and "<img" not in svg and "<b>" not in svg
    assert "3 of 4" in svg and "0 of 4" in svg
    stacked = charts.stacked_chart("s", "T", "D", ["Work", XSS], [("End", [2, 1]), ("3m", [0, 0])],
                                   empty_words="no answers yet")  # fmt: skip
    assert "<img" not in stacked and "no answers yet" in stacked
    assert ">2<" in stacked and ">3<" in stacked  # a segment's count and the row's total
