"""The optimal set of mentor-mentee pairs: pure functions over plain data (no database).

`propose` first pairs as many mentees as possible and then, among those, maximises the
total fit, respecting each mentor's free seats, the coordinator's minimum fit, pins and
forbids, and the hard constraints (a shared language; nobody named on either side's avoid
list). It is one optimal assignment, never greedy:

- rows are the mentees still to pair; columns are the mentors' free seats (a mentor with 3
  free seats has 3 columns; 0 seats: none) plus one "unmatched" column per mentee;
- a pair a mentee may have costs `MAX_SCORE + 1 - score` (1 to 101); being unmatched costs
  `UNMATCHED`, more than any set of pairs one larger could cost, so the solver pairs as
  many mentees as it can before it looks at fit (lexicographic);
- a forbidden pair (no shared language, an avoid list, below the minimum fit, a
  coordinator's forbid) is simply not an edge of the sparse graph: the solver can never
  choose it, however much it would have to leave unmatched (no large negative scores);
- the graph is solved by `scipy.sparse.csgraph.min_weight_full_bipartite_matching`
  (LAPJVsp), which keeps only the allowed edges: 5,000 mentees and 5,000 mentors with up to
  3 seats each fit in memory and time (see `bench/matching.py`).

Pins are placed first, each checked against the hard constraints, the forbids and the free
seats (a pin that breaks one is refused with `PinRefused` saying why), and their seats are
taken out. Each mentee left unmatched gets a reason in words, decided from the data.
Called by `proposals.run_proposal`; `bench/matching.py` times it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from flask_babel import gettext as _
from scipy import sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from community.mentoring.fit import MAX_SCORE, Applicant, Cohort

PAIR_COST = MAX_SCORE + 1.0  # a pair costs PAIR_COST - score: at least 1, never 0 (no edge)


@dataclass(frozen=True)
class ProposedPair:
    mentor_id: int
    mentee_id: int
    score: float
    parts: dict[str, float]
    reasons: list[str]
    pinned: bool = False


@dataclass(frozen=True)
class Unmatched:
    mentee_id: int
    reason: str


@dataclass
class Result:
    pairs: list[ProposedPair]
    unmatched: list[Unmatched]
    lowest_score: float | None


class PinRefused(ValueError):
    """A pin that breaks a hard constraint, a forbid or a mentor's capacity; `message` says
    which, in words for the coordinator."""

    def __init__(self, message: str, pin: tuple[int, int]) -> None:
        super().__init__(message)
        self.message = message
        self.pin = pin


@dataclass
class Graph:
    """The sparse assignment problem `solve` hands to the solver: mentees (rows) x free
    seats then one "unmatched" column per mentee; `seat_mentor[k]` is the mentor of seat
    column k. Kept apart so the bench can time the bare solver on the same graph."""

    costs: sparse.csr_matrix
    seat_mentor: np.ndarray

    @property
    def seats(self) -> int:
        return len(self.seat_mentor)


def unmatched_cost(mentees: int) -> float:
    """What leaving one mentee unmatched costs: more than any `mentees` pairs could save,
    so one more pair always beats any gain in fit (MAX_SCORE + 1 per pair at most)."""
    return PAIR_COST * (mentees + 1) + 1.0


def build_graph(eligible: np.ndarray, scores: np.ndarray, seats: np.ndarray) -> Graph:
    """The sparse cost graph of `eligible` (mentors x mentees booleans) with `scores`
    (mentors x mentees) and each mentor's free `seats`. All in scipy's C code: the dense
    mentees x mentors costs become CSR in one pass (a pair costs at least 1, so only
    forbidden pairs are zero), each row gets its "unmatched" entry (a diagonal block beside
    it), and one sparse product with a 0/1 matrix copies each mentor's column onto each of
    their seats. Three times faster than laying out the seats with numpy at 5,000 per side
    (1.3 s against 3.5 to 4.4 s for 26 million edges, same run)."""
    mentor_count, mentee_count = eligible.shape
    seats = np.clip(seats.astype(np.int64), 0, None)
    total_seats = int(seats.sum())
    costs = np.where(eligible & (seats > 0)[:, None], np.float32(PAIR_COST) - scores, np.float32(0))
    pairs = sparse.csr_matrix(np.ascontiguousarray(costs.T))  # mentees x mentors
    del costs
    pairs.data = pairs.data.astype(np.float64)
    unmatched = sparse.diags_array(
        np.full(mentee_count, unmatched_cost(mentee_count)), format="csr"
    )
    with_unmatched = sparse.hstack([pairs, unmatched], format="csr")
    del pairs
    to_seats = sparse.csr_matrix(
        (np.ones(total_seats), np.arange(total_seats), np.concatenate([[0], np.cumsum(seats)])),
        shape=(mentor_count, total_seats),
    )
    expand = sparse.block_diag(
        [to_seats, sparse.identity(mentee_count, format="csr")], format="csr"
    )
    matrix = sparse.csr_matrix(with_unmatched @ expand)
    seat_mentor = np.repeat(np.arange(mentor_count), seats)
    return Graph(matrix, seat_mentor)


def solve(graph: Graph) -> dict[int, int]:
    """mentee row -> mentor row of the optimal assignment (unmatched rows left out)."""
    if graph.costs.shape[0] == 0:
        return {}
    rows, columns = min_weight_full_bipartite_matching(graph.costs)
    return {
        int(row): int(graph.seat_mentor[column])
        for row, column in zip(rows.tolist(), columns.tolist(), strict=True)
        if column < graph.seats
    }


def propose(
    mentors: list[Applicant],
    mentees: list[Applicant],
    *,
    min_score: float = 0.0,
    pins: Iterable[tuple[int, int]] = (),
    forbids: Iterable[tuple[int, int]] = (),
    taken: Mapping[int, int] | None = None,
    timings: dict[str, float] | None = None,
) -> Result:
    """The best overall set of pairs of `mentors` and `mentees` (user ids in `pins`,
    `forbids` and `taken`: seats each mentor already fills with live pairs).

    Pairs as many mentees as possible, then maximises the total fit among such sets; never
    proposes a forbidden pair. Raises PinRefused for a pin it cannot honour. `timings`, if
    given, receives the seconds spent scoring, building the graph, solving and explaining
    (the bench reads them)."""
    clock = _Clock(timings)
    cohort = Cohort(mentors, mentees)
    scores = cohort.scores()
    speaks = cohort.speaks()
    allowed = cohort.allowed()
    taken = taken or {}
    seats = np.array(
        [max(0, m.capacity - taken.get(m.user_id, 0)) for m in mentors], dtype=np.int64
    )
    forbidden = np.zeros_like(allowed)
    for mentor_id, mentee_id in forbids:
        i, j = cohort.mentor_index.get(mentor_id), cohort.mentee_index.get(mentee_id)
        if i is not None and j is not None:
            forbidden[i, j] = True

    pinned: dict[int, int] = {}  # mentee row -> mentor row
    for pin in pins:
        i, j = _check_pin(cohort, pin, speaks, allowed, forbidden, seats, pinned)
        pinned[j] = i
        seats[i] -= 1

    free = np.ones(len(mentees), dtype=bool)
    free[list(pinned)] = False
    eligible = allowed & ~forbidden & (scores >= np.float32(min_score)) & free[None, :]
    free_rows = np.flatnonzero(free)
    clock.lap("scores")
    graph = build_graph(eligible[:, free_rows], scores[:, free_rows], seats)
    clock.lap("graph")
    chosen = {int(free_rows[row]): mentor for row, mentor in solve(graph).items()}
    clock.lap("solve")

    pairs = [_pair(cohort, i, j, pinned=True) for j, i in pinned.items()]
    pairs += [_pair(cohort, i, j) for j, i in sorted(chosen.items())]
    pairs.sort(key=lambda pair: (-pair.score, pair.mentee_id))
    left = [j for j in range(len(mentees)) if j not in pinned and j not in chosen]
    capacity = np.array([m.capacity - taken.get(m.user_id, 0) for m in mentors]) > 0
    unmatched = [
        Unmatched(
            mentees[j].user_id,
            _why(j, mentors, speaks, allowed, forbidden, scores, min_score, capacity),
        )
        for j in left
    ]
    lowest = min((pair.score for pair in pairs), default=None)
    clock.lap("reasons")
    return Result(pairs, unmatched, lowest)


class _Clock:
    """Adds the seconds since the last lap to `timings[name]` (nothing without timings)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def _pair(cohort: Cohort, i: int, j: int, *, pinned: bool = False) -> ProposedPair:
    mentor, mentee = cohort.mentors[i], cohort.mentees[j]
    explained = cohort.explain(mentor.user_id, mentee.user_id)
    return ProposedPair(
        mentor.user_id, mentee.user_id, explained.score, explained.parts, explained.reasons, pinned
    )


def _check_pin(cohort, pin, speaks, allowed, forbidden, seats, pinned) -> tuple[int, int]:
    """The (mentor row, mentee row) of `pin`, or PinRefused saying why it cannot be."""
    try:
        mentor_id, mentee_id = (int(pin[0]), int(pin[1]))
    except (TypeError, ValueError, IndexError):
        raise PinRefused(_("A pin names a mentor and a mentee."), tuple(pin)) from None
    pin = (mentor_id, mentee_id)
    i, j = cohort.mentor_index.get(mentor_id), cohort.mentee_index.get(mentee_id)
    if i is None:
        raise PinRefused(
            _("Pin refused: %(id)d is not an accepted mentor of this programme.", id=mentor_id),
            pin,
        )
    if j is None:
        raise PinRefused(
            _(
                "Pin refused: %(id)d is not an accepted mentee of this programme waiting for "
                "a mentor.",
                id=mentee_id,
            ),
            pin,
        )
    mentor, mentee = cohort.mentors[i], cohort.mentees[j]
    names = {"mentor": mentor.name or str(mentor_id), "mentee": mentee.name or str(mentee_id)}
    if j in pinned:
        raise PinRefused(_("Pin refused: %(mentee)s is pinned twice.", **names), pin)
    if not speaks[i, j]:
        raise PinRefused(
            _("Pin refused: %(mentor)s and %(mentee)s share no language.", **names), pin
        )
    if not allowed[i, j]:
        raise PinRefused(
            _("Pin refused: %(mentor)s and %(mentee)s asked not to be paired.", **names), pin
        )
    if forbidden[i, j]:
        raise PinRefused(
            _(
                "Pin refused: %(mentor)s and %(mentee)s are forbidden as a pair (by you, or "
                "they were paired before).",
                **names,
            ),
            pin,
        )
    if seats[i] <= 0:
        raise PinRefused(
            _("Pin refused: %(mentor)s has no free seat left for %(mentee)s.", **names), pin
        )
    return i, j


def _why(j, mentors, speaks, allowed, forbidden, scores, min_score, capacity) -> str:
    """Why mentee `j` is left without a mentor, from the data, the most basic cause first."""
    if not mentors:
        return _("There are no accepted mentors in this programme yet.")
    if not speaks[:, j].any():
        return _("No mentor shares a language with them.")
    if not allowed[:, j].any():
        return _("Every mentor who shares a language is on an avoid list (theirs or the mentor's).")
    open_to = allowed[:, j] & ~forbidden[:, j]
    if not open_to.any():
        return _("Your forbids (and pairs that ended before) exclude every mentor they could have.")
    fitting = open_to & (scores[:, j] >= np.float32(min_score))
    if not fitting.any():
        best = float(scores[open_to, j].max())
        return _(
            "Every mentor they could have is below the minimum fit of %(min).0f (the best "
            "scores %(best).0f).",
            min=min_score,
            best=best,
        )
    if not (fitting & capacity).any():
        return _("Every mentor who could fit them is full or paused.")
    return _(
        "Every mentor who could fit them is full: each seat went to a mentee (or a pin) "
        "that had no other option."
    )
