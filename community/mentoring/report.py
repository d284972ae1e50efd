"""The coordinator's report on a programme, and the aggregate that may leave it.

`build_report(programme)` gathers every figure with its denominator and a one-line
definition, in a fixed number of queries whatever the size of the cohort (ten); the report
page, its CSV and `GET /api/v1/mentoring/programmes/{id}/report` all read it.
`public_summary(programme)` is what a sponsoring organisation may see: active mentees,
found work and the outcomes per kind, with small groups suppressed (below).

Definitions (the page and the CSV repeat them next to each figure):
- applied: every application as mentee (or mentor), whatever its status.
- enrolled: accepted by the coordinator, now or before the applicant withdrew (a withdrawn
  application the coordinator had decided on); declined ones and withdrawals before a
  decision are not enrolled.
- active mentees: accepted mentees (not withdrawn) in an active or completed pair (the
  denominator of "found work" and of the outcomes).
- completed: active mentees whose pair ran to the programme's end.
- left with a reason: withdrawn applications (mentees and mentors) and pairs that ended
  early, each with its reason, tallied.
- found work: active mentees whose latest outcome is one of `WORK_OUTCOMES`; those with no
  outcome recorded yet are counted and named, never guessed.
- meetings: over pairs that started (active, completed or ended early).

Small groups (people outside the programme): a count from 1 to 4 is shown as "fewer than
5" (0 and 5 or more are shown). Because the cells add up to published totals, one hidden
cell could be worked out as the total minus the others, so the rule is **secondary cell
suppression**: whenever a relation (a total and the cells that add up to it) has exactly
one hidden member, the smallest other non-zero cell is hidden as well (the total only when
no other cell is left), repeated until no relation has a lone hidden member. The relations
are: active mentees = found work + each other outcome kind + no outcome yet; found work =
the work kinds. A total under 5 is hidden like any other count. Each published cell is so
protected on its own; a sum of hidden cells (active minus found work) may still be known.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_, case, func, select

from community.extensions import db
from community.mentoring.charts import bar_chart, stacked_chart
from community.mentoring.models import (
    ASKED_CHECKPOINTS,
    WORK_OUTCOMES,
    ApplicationStatus,
    FitAnswer,
    GoalReview,
    MentorFeedback,
    MentoringApplication,
    MentoringOutcome,
    MentoringRole,
    Outcome,
    Pair,
    PairFitAnswer,
    PairGoal,
    PairMeeting,
    PairStatus,
    Programme,
)
from community.mentoring.outcomes import checkpoint_label, outcome_name

SMALL_GROUP = 5  # groups under this are "fewer than 5" outside the programme
STARTED_PAIR_STATUSES = (PairStatus.ACTIVE, PairStatus.COMPLETED, PairStatus.ENDED)
ACTIVE_PAIR_STATUSES = (PairStatus.ACTIVE, PairStatus.COMPLETED)

# The outcome kinds grouped for the chart over checkpoints (order of the stack).
OUTCOME_GROUPS = (
    ("work", WORK_OUTCOMES),
    ("learning", (Outcome.STUDYING, Outcome.VOLUNTEERING)),
    ("searching", (Outcome.STILL_SEARCHING,)),
    ("left", (Outcome.LEFT_COUNTRY, Outcome.STOPPED)),
)


def group_label(group: str) -> str:
    return {
        "work": _("Found work"),
        "learning": _("Studying or volunteering"),
        "searching": _("Still searching"),
        "left": _("Left or stopped"),
    }[group]


def _group_of(kind: str) -> str:
    return next((name for name, kinds in OUTCOME_GROUPS if kind in kinds), "left")


@dataclass(frozen=True)
class Figure:
    """One figure: `count` of `denominator` (None: a plain count or an average), its
    section and measure (stable keys for CSV and JSON), words and a one-line definition.
    """

    section: str
    measure: str
    label: str
    count: int | float
    denominator: int | None
    definition: str

    @property
    def text(self) -> str:
        count = f"{self.count:.1f}" if isinstance(self.count, float) else str(self.count)
        if self.denominator is None:
            return count
        return _("%(count)s of %(total)d", count=count, total=self.denominator)


@dataclass
class Report:
    programme: Programme
    figures: list[Figure] = field(default_factory=list)
    active_mentees: int = 0
    found_work: int = 0
    no_outcome: int = 0
    outcomes_by_kind: dict[str, int] = field(default_factory=dict)  # latest, active mentees
    by_checkpoint: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    left_reasons: list[tuple[str, int]] = field(default_factory=list)
    meetings_per_pair: list[int] = field(default_factory=list)
    fit: dict[str, dict[str, int]] = field(default_factory=dict)  # side -> answer -> count
    goals: dict[str, int] = field(default_factory=dict)  # review ("" unreviewed) -> count
    feedback_average: float | None = None
    feedback_count: int = 0

    @property
    def headline(self) -> str:
        """ "4 of 10 active mentees found work" (with the mentees not heard from yet)."""
        return _(
            "%(found)d of %(active)d active mentees found work",
            found=self.found_work,
            active=self.active_mentees,
        )

    def section(self, name: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.section == name]

    def figure(self, measure: str) -> Figure:
        return next(figure for figure in self.figures if figure.measure == measure)


def _small(count: int) -> bool:
    return 0 < count < SMALL_GROUP


# --- gathering -----------------------------------------------------------------------------


def build_report(programme: Programme) -> Report:
    """Every figure of `programme`'s report (see the module's definitions), in ten queries
    whatever the number of applicants and pairs. Called by the report page, its CSV and
    the API; the caller checks the viewer coordinates it (`access.coordinated_programme`)."""
    pid = programme.id
    report = Report(programme)

    # 1. Applications by role and status (with "enrolled" = accepted or decided-then-withdrawn).
    applications = MentoringApplication
    decided = applications.decided_at.is_not(None)
    counts: Counter = Counter()
    for role, status, was_decided, n in db.session.execute(
        select(applications.role, applications.status, decided, func.count())
        .where(applications.programme_id == pid)
        .group_by(applications.role, applications.status, decided)
    ):
        was_enrolled = status == ApplicationStatus.ACCEPTED or (
            status == ApplicationStatus.WITHDRAWN and bool(was_decided)
        )
        counts[(role, status, was_enrolled)] += n

    def tally(role: str, *, status: str | None = None, only_enrolled: bool = False) -> int:
        return sum(
            n for (r, s, e), n in counts.items()
            if r == role and (status is None or s == status) and (e or not only_enrolled)
        )  # fmt: skip

    # 2. Active and completed mentees (distinct, in an active or completed pair).
    active_rows = db.session.execute(
        select(Pair.mentee_id, func.max(case((Pair.status == PairStatus.COMPLETED, 1), else_=0)))
        .join(applications, and_(applications.programme_id == pid,
                                 applications.user_id == Pair.mentee_id))
        .where(Pair.programme_id == pid, Pair.status.in_(ACTIVE_PAIR_STATUSES),
               applications.status == ApplicationStatus.ACCEPTED)
        .group_by(Pair.mentee_id)
    ).all()  # fmt: skip
    active = {mentee_id for mentee_id, _completed in active_rows}
    completed = sum(1 for _mentee, done in active_rows if done)

    # 3. Each mentee's latest outcome (a window over the mentee's outcomes).
    ranked = (
        select(
            MentoringOutcome.mentee_id,
            MentoringOutcome.outcome,
            func.row_number()
            .over(partition_by=MentoringOutcome.mentee_id,
                  order_by=(MentoringOutcome.recorded_at.desc(), MentoringOutcome.id.desc()))
            .label("rank"),
        )
        .where(MentoringOutcome.programme_id == pid)
        .subquery()
    )  # fmt: skip
    latest = dict(
        db.session.execute(
            select(ranked.c.mentee_id, ranked.c.outcome).where(ranked.c.rank == 1)
        ).all()
    )
    kinds = Counter(kind for mentee, kind in latest.items() if mentee in active)
    report.active_mentees = len(active)
    report.outcomes_by_kind = {kind.value: kinds.get(kind.value, 0) for kind in Outcome}
    report.found_work = sum(kinds.get(kind.value, 0) for kind in WORK_OUTCOMES)
    report.no_outcome = sum(1 for mentee in active if mentee not in latest)

    # 4. Outcomes at each asked checkpoint: each mentee's latest answer to it, grouped.
    at_checkpoint = (
        select(
            MentoringOutcome.checkpoint,
            MentoringOutcome.outcome,
            func.row_number()
            .over(partition_by=(MentoringOutcome.mentee_id, MentoringOutcome.checkpoint),
                  order_by=(MentoringOutcome.recorded_at.desc(), MentoringOutcome.id.desc()))
            .label("rank"),
        )
        .where(MentoringOutcome.programme_id == pid,
               MentoringOutcome.checkpoint.in_([c.value for c in ASKED_CHECKPOINTS]))
        .subquery()
    )  # fmt: skip
    by_checkpoint: dict[str, Counter] = {c.value: Counter() for c in ASKED_CHECKPOINTS}
    for checkpoint, kind, n in db.session.execute(
        select(at_checkpoint.c.checkpoint, at_checkpoint.c.outcome, func.count())
        .where(at_checkpoint.c.rank == 1)
        .group_by(at_checkpoint.c.checkpoint, at_checkpoint.c.outcome)
    ):
        by_checkpoint[checkpoint][_group_of(kind)] += n
    report.by_checkpoint = [
        (c.value, {name: by_checkpoint[c.value].get(name, 0) for name, _kinds in OUTCOME_GROUPS})
        for c in ASKED_CHECKPOINTS
    ]

    # 5. Reasons for leaving: withdrawn applications and pairs ended early.
    withdrawn = db.session.execute(
        select(applications.role, applications.withdraw_reason).where(
            applications.programme_id == pid, applications.status == ApplicationStatus.WITHDRAWN
        )
    ).all()
    ended = db.session.scalars(
        select(Pair.end_reason).where(Pair.programme_id == pid, Pair.status == PairStatus.ENDED)
    ).all()
    reasons = Counter(
        " ".join((reason or "").split()) or _("No reason given")
        for reason in [r for _role, r in withdrawn] + list(ended)
    )
    report.left_reasons = sorted(reasons.items(), key=lambda item: (-item[1], item[0].casefold()))

    # 6. Meetings per started pair (pairs with none count as 0).
    report.meetings_per_pair = list(
        db.session.scalars(
            select(func.count(PairMeeting.id))
            .select_from(Pair)
            .outerjoin(PairMeeting, PairMeeting.pair_id == Pair.id)
            .where(Pair.programme_id == pid, Pair.status.in_(STARTED_PAIR_STATUSES))
            .group_by(Pair.id)
        )
    )

    # 7. Fit answers by side.
    side = case((PairFitAnswer.user_id == Pair.mentor_id, "mentor"), else_="mentee")
    report.fit = {"mentee": Counter(), "mentor": Counter()}
    for who, answer, n in db.session.execute(
        select(side, PairFitAnswer.answer, func.count())
        .join(Pair, Pair.id == PairFitAnswer.pair_id)
        .where(Pair.programme_id == pid)
        .group_by(side, PairFitAnswer.answer)
    ):
        report.fit[who][answer] += n

    # 8. Goals by review.
    report.goals = {
        review or "": n
        for review, n in db.session.execute(
            select(PairGoal.review, func.count())
            .join(Pair, Pair.id == PairGoal.pair_id)
            .where(Pair.programme_id == pid)
            .group_by(PairGoal.review)
        )
    }

    # 9. Mentor feedback.
    average, rated, given = db.session.execute(
        select(func.avg(MentorFeedback.rating), func.count(MentorFeedback.rating),
               func.count(MentorFeedback.id))
        .join(Pair, Pair.id == MentorFeedback.pair_id)
        .where(Pair.programme_id == pid)
    ).one()  # fmt: skip
    report.feedback_average = float(average) if average is not None else None
    report.feedback_count = rated

    _figures(report, tally, completed, withdrawn, len(ended), given)
    return report


def _figures(report: Report, tally, completed: int, withdrawn, ended: int, given: int) -> None:
    """Put every figure in words, with its denominator and definition, in the page's order."""
    add = report.figures.append
    mentee, mentor = MentoringRole.MENTEE, MentoringRole.MENTOR
    applied = {role: tally(role) for role in (mentee, mentor)}
    enrolled = {role: tally(role, only_enrolled=True) for role in (mentee, mentor)}
    active = report.active_mentees
    add(
        Figure(
            "enrolment",
            "mentees_applied",
            _("Mentees who applied"),
            applied[mentee],
            None,
            _("Every application as mentee, whatever its status."),
        )
    )
    add(
        Figure(
            "enrolment",
            "mentees_enrolled",
            _("Mentees enrolled"),
            enrolled[mentee],
            applied[mentee],
            _("Accepted by the coordinator (also those who withdrew later)."),
        )
    )
    add(
        Figure(
            "enrolment",
            "mentors_applied",
            _("Mentors who applied"),
            applied[mentor],
            None,
            _("Every application as mentor, whatever its status."),
        )
    )
    add(
        Figure(
            "enrolment",
            "mentors_enrolled",
            _("Mentors enrolled"),
            enrolled[mentor],
            applied[mentor],
            _("Accepted by the coordinator (also those who withdrew later)."),
        )
    )
    add(
        Figure(
            "enrolment",
            "mentees_active",
            _("Active mentees"),
            active,
            enrolled[mentee],
            _("Accepted mentees (not withdrawn) in an active or completed pair."),
        )
    )
    add(
        Figure(
            "enrolment",
            "mentees_completed",
            _("Mentees who completed"),
            completed,
            active,
            _("Active mentees whose pair ran to the programme's end."),
        )
    )
    left_mentees = sum(1 for role, _reason in withdrawn if role == mentee)
    left_mentors = sum(1 for role, _reason in withdrawn if role == mentor)
    add(
        Figure(
            "left",
            "mentees_withdrew",
            _("Mentees who withdrew"),
            left_mentees,
            applied[mentee],
            _("Withdrawn mentee applications, each with its reason."),
        )
    )
    add(
        Figure(
            "left",
            "mentors_withdrew",
            _("Mentors who withdrew"),
            left_mentors,
            applied[mentor],
            _("Withdrawn mentor applications, each with its reason."),
        )
    )
    started = len(report.meetings_per_pair)
    add(
        Figure(
            "left",
            "pairs_ended_early",
            _("Pairs that ended early"),
            ended,
            started,
            _("Pairs ended before the programme's end, each with its reason."),
        )
    )
    add(Figure("work", "found_work", _("Active mentees who found work"), report.found_work,
               active, _("Latest outcome: employed (own or other field), part-time, "
                         "internship or own business.")))  # fmt: skip
    add(
        Figure(
            "work",
            "no_outcome",
            _("Active mentees with no outcome recorded yet"),
            report.no_outcome,
            active,
            _("Not counted as found work nor as searching."),
        )
    )
    for kind, n in report.outcomes_by_kind.items():
        add(Figure("outcomes", f"outcome_{kind}", outcome_name(kind), n, active,
                   _("Active mentees whose latest outcome is this.")))  # fmt: skip
    meetings = report.meetings_per_pair
    add(
        Figure(
            "meetings",
            "meetings_held",
            _("Meetings held"),
            sum(meetings),
            None,
            _("Every meeting the pairs logged."),
        )
    )
    add(Figure("meetings", "meetings_median", _("Meetings per pair (median)"),
               float(statistics.median(meetings)) if meetings else 0.0, None,
               _("Half the pairs that started met this often or more.")))  # fmt: skip
    add(Figure("meetings", "pairs_without_meeting", _("Pairs with no meeting logged"),
               sum(1 for n in meetings if n == 0), started,
               _("Pairs that started but have logged no meeting.")))  # fmt: skip
    answers = {FitAnswer.YES: _("Good fit: yes"), FitAnswer.DECIDING: _("Good fit: still deciding"),
               FitAnswer.NO: _("Good fit: no")}  # fmt: skip
    for who, words in ((mentee, _("mentees")), (mentor, _("mentors"))):
        total = sum(report.fit[who].values())
        for answer, label in answers.items():
            add(Figure("fit", f"fit_{who}_{answer}", f"{label} ({words})",
                       report.fit[who].get(answer, 0), total,
                       _("Answers after the first meeting, from this side.")))  # fmt: skip
    reviewed = sum(n for review, n in report.goals.items() if review)
    for review, label in ((GoalReview.MET, _("Goals met")), (GoalReview.PARTLY, _("Goals partly met")),
                          (GoalReview.NOT_MET, _("Goals not met"))):  # fmt: skip
        add(Figure("goals", f"goals_{review}", label, report.goals.get(review, 0), reviewed,
                   _("Over the goals the pairs have reviewed.")))  # fmt: skip
    add(
        Figure(
            "goals",
            "goals_unreviewed",
            _("Goals not reviewed yet"),
            report.goals.get("", 0),
            sum(report.goals.values()),
            _("Goals the pairs agreed and have not reviewed."),
        )
    )
    add(Figure("feedback", "feedback_rating", _("Mentors' average rating (1 to 5)"),
               round(report.feedback_average, 1) if report.feedback_average is not None else 0.0,
               None, _("Over the %(n)d ratings given.", n=report.feedback_count)))  # fmt: skip
    add(Figure("feedback", "feedback_given", _("Pairs with mentor feedback"), given, started,
               _("Feedback written by the mentor, rated or not.")))  # fmt: skip


SECTION_TITLES = {
    "enrolment": _l("Who took part"),
    "left": _l("Who left, and why"),
    "work": _l("Found work"),
    "outcomes": _l("Outcomes by kind"),
    "meetings": _l("Meetings"),
    "fit": _l("Is this a good fit?"),
    "goals": _l("Goals"),
    "feedback": _l("Mentor feedback"),
}


def section_title(section: str) -> str:
    """A section of the report in words (the page's headings)."""
    return str(SECTION_TITLES[section])


# --- what may leave the programme ----------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A count for people outside the programme: `count` is None when it is suppressed
    (`text` is then "fewer than 5")."""

    count: int | None
    suppressed: bool

    @property
    def text(self) -> str:
        return _("fewer than 5") if self.suppressed else str(self.count)


@dataclass
class PublicSummary:
    """The programme's aggregate for outsiders (a sponsoring organisation): every group
    under 5 suppressed, secondary cells too (see the module's rule)."""

    programme_name: str
    active_mentees: Cell
    found_work: Cell
    no_outcome: Cell
    outcomes: dict[str, Cell]  # by kind, over active mentees' latest outcome


def suppress(values: dict[str, int], relations: list[tuple[str, list[str]]]) -> set[str]:
    """The names of `values` to hide: every count from 1 to 4, then (secondary suppression)
    for each relation (a total and the parts that add up to it) with exactly one hidden
    member, the smallest other non-zero member too (a part before the total), until no
    relation has a lone hidden member. Pure; `public_summary` uses it."""
    hidden = {name for name, value in values.items() if _small(value)}
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            members = [total, *parts]
            if sum(1 for name in members if name in hidden) != 1:
                continue
            shown = [name for name in parts if name not in hidden and values[name] > 0]
            if not shown and total not in hidden and values[total] > 0:
                shown = [total]
            if shown:
                hidden.add(min(shown, key=lambda name: (values[name], name)))
                changed = True
    return hidden


def public_summary(programme: Programme, report: Report | None = None) -> PublicSummary:
    """What a sponsoring organisation could see of `programme`: active mentees, found work,
    no outcome yet and the outcomes per kind, with groups under 5 as "fewer than 5" and the
    secondary suppression of the module's docstring. Called by the report page (to say
    which figures would be hidden), `report.csv?audience=public` and the API's
    `?audience=public`."""
    report = report or build_report(programme)
    work = [kind.value for kind in WORK_OUTCOMES]
    other = [kind.value for kind in Outcome if kind.value not in work]
    values = {
        "active_mentees": report.active_mentees,
        "found_work": report.found_work,
        "no_outcome": report.no_outcome,
        **report.outcomes_by_kind,
    }
    hidden = suppress(
        values,
        [
            ("active_mentees", ["found_work", *other, "no_outcome"]),
            ("found_work", work),
        ],
    )

    def cell(name: str) -> Cell:
        return Cell(None, True) if name in hidden else Cell(values[name], False)

    return PublicSummary(
        programme_name=programme.name,
        active_mentees=cell("active_mentees"),
        found_work=cell("found_work"),
        no_outcome=cell("no_outcome"),
        outcomes={kind: cell(kind) for kind in report.outcomes_by_kind},
    )


def suppressed_measures(summary: PublicSummary) -> set[str]:
    """The report's measures (`Figure.measure`) that `summary` hides: what the coordinator's
    page marks as "fewer than 5 outside the programme"."""
    hidden = {f"outcome_{kind}" for kind, cell in summary.outcomes.items() if cell.suppressed}
    for measure, cell in (
        ("mentees_active", summary.active_mentees),
        ("found_work", summary.found_work),
        ("no_outcome", summary.no_outcome),
    ):
        if cell.suppressed:
            hidden.add(measure)
    return hidden  # fmt: skip


def checkpoint_rows(report: Report) -> list[tuple[str, list[tuple[str, int]]]]:
    """The outcomes at each checkpoint in words, for the chart and its table."""
    return [
        (
            checkpoint_label(checkpoint),
            [(group_label(name), groups[name]) for name, _k in OUTCOME_GROUPS],
        )
        for checkpoint, groups in report.by_checkpoint
    ]


# --- the charts and tables of the page -----------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A chart of the report page with its data table (`headers`, then `rows` whose first
    cell is the row's header)."""

    id: str
    title: str
    svg: Markup
    caption: str
    headers: list[str]
    rows: list[list[str]]


def charts_for(report: Report) -> dict[str, Chart]:
    """The page's charts by section, each with the table behind it. Called by the page."""
    name = report.programme.name
    of = _("of")
    charts: dict[str, Chart] = {}
    enrolment = [report.figure(m) for m in ("mentees_applied", "mentees_enrolled",
                                            "mentees_active", "mentees_completed")]  # fmt: skip
    title = _("Mentees from application to completion, %(name)s", name=name)
    charts["enrolment"] = Chart(
        "chart-enrolment", title,
        bar_chart("chart-enrolment", title,
                  _("Applied, enrolled, active and completed mentees, as counts."),
                  [(f.label, f.count) for f in enrolment]),
        title, [_("Mentees"), _("Count")], [[f.label, str(f.count)] for f in enrolment],
    )  # fmt: skip
    kinds = [(outcome_name(kind), n) for kind, n in report.outcomes_by_kind.items()]
    title = _("Latest outcome of the %(n)d active mentees, %(name)s", n=report.active_mentees,
              name=name)  # fmt: skip
    charts["outcomes"] = Chart(
        "chart-outcomes", title,
        bar_chart("chart-outcomes", title,
                  _("Each active mentee's latest outcome, by kind, out of %(n)d active mentees; "
                    "%(none)d have recorded none yet.", n=report.active_mentees,
                    none=report.no_outcome),
                  kinds, total=report.active_mentees, of_words=of),
        title, [_("Outcome"), _("Mentees"), _("Out of")],
        [[label, str(n), str(report.active_mentees)] for label, n in kinds],
    )  # fmt: skip
    series = [group_label(group) for group, _kinds in OUTCOME_GROUPS]
    rows = checkpoint_rows(report)
    title = _("Outcomes at each checkpoint, %(name)s", name=name)
    charts["checkpoints"] = Chart(
        "chart-checkpoints", title,
        stacked_chart("chart-checkpoints", title,
                      _("For each moment mentees were asked, how many answered with each kind "
                        "of outcome; the number at the end is how many answered."),
                      series, [(label, [n for _g, n in groups]) for label, groups in rows],
                      empty_words=_("no answers yet")),
        title, [_("Asked"), *series, _("Answered")],
        [[label, *(str(n) for _g, n in groups), str(sum(n for _g, n in groups))]
         for label, groups in rows],
    )  # fmt: skip
    answers = [(FitAnswer.YES, _("Yes")), (FitAnswer.DECIDING, _("Still deciding")),
               (FitAnswer.NO, _("No"))]  # fmt: skip
    sides = [(MentoringRole.MENTEE, _("Mentees")), (MentoringRole.MENTOR, _("Mentors"))]
    title = _("Is this a good fit? Answers after the first meeting, %(name)s", name=name)
    charts["fit"] = Chart(
        "chart-fit", title,
        stacked_chart("chart-fit", title,
                      _("Answers to “is this a good fit?” by side: yes, still deciding, no."),
                      [words for _a, words in answers],
                      [(label, [report.fit[side].get(a, 0) for a, _w in answers])
                       for side, label in sides], empty_words=_("no answers yet")),
        title, [_("Side"), *(words for _a, words in answers), _("Answered")],
        [[label, *(str(report.fit[side].get(a, 0)) for a, _w in answers),
          str(sum(report.fit[side].values()))] for side, label in sides],
    )  # fmt: skip
    reviewed = sum(n for review, n in report.goals.items() if review)
    goals = [(report.figure(f"goals_{r}").label, report.goals.get(r, 0)) for r in GoalReview]
    title = _("Goals reviewed at the end, %(name)s", name=name)
    charts["goals"] = Chart(
        "chart-goals", title,
        bar_chart("chart-goals", title,
                  _("Of the %(n)d goals the pairs reviewed: met, partly met, not met.", n=reviewed),
                  goals, total=reviewed, of_words=of),
        title, [_("Review"), _("Goals"), _("Out of")],
        [[label, str(n), str(reviewed)] for label, n in goals],
    )  # fmt: skip
    if report.left_reasons:
        title = _("Reasons for leaving, %(name)s", name=name)
        charts["left"] = Chart(
            "chart-left", title,
            bar_chart("chart-left", title,
                      _("Withdrawn applications and pairs that ended early, by reason given."),
                      report.left_reasons),
            title, [_("Reason"), _("Times given")],
            [[reason, str(n)] for reason, n in report.left_reasons],
        )  # fmt: skip
    return charts


# --- CSV -----------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or a tab or
    carriage return) is prefixed with an apostrophe. Numbers are written as they are."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, int | float):
        return _number_text(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number_text(value: float) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def figure_rows(report: Report) -> list[list[object]]:
    """The coordinator's CSV: one row per figure (section, measure, count, denominator,
    definition)."""
    return [
        [f.section, f.label, f.count, "" if f.denominator is None else f.denominator, f.definition]
        for f in report.figures
    ]


def outcome_rows(report: Report) -> list[list[object]]:
    """The coordinator's second CSV: each outcome kind (latest per active mentee), then
    the mentees with none yet."""
    rows = [[outcome_name(kind), kind, n, report.active_mentees]
            for kind, n in report.outcomes_by_kind.items()]  # fmt: skip
    rows.append([_("No outcome recorded yet"), "none", report.no_outcome, report.active_mentees])
    return rows


def public_figure_rows(summary: PublicSummary) -> list[list[object]]:
    """The public CSV: the summary's figures, small groups as "fewer than 5"."""
    active = summary.active_mentees
    return [
        ["enrolment", _("Active mentees"), active.text, ""],
        ["work", _("Active mentees who found work"), summary.found_work.text, active.text],
        ["work", _("Active mentees with no outcome recorded yet"), summary.no_outcome.text,
         active.text],
        *(["outcomes", outcome_name(kind), cell.text, active.text]
          for kind, cell in summary.outcomes.items()),
    ]  # fmt: skip


def public_outcome_rows(summary: PublicSummary) -> list[list[object]]:
    active = summary.active_mentees
    return [
        *([outcome_name(kind), kind, cell.text, active.text]
          for kind, cell in summary.outcomes.items()),
        [_("No outcome recorded yet"), "none", summary.no_outcome.text, active.text],
    ]  # fmt: skip


def csv_text(header: list[str], rows: list[list[object]]) -> str:
    """`header` and `rows` as CSV text, every cell through `safe_cell`."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
