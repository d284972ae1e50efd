"""The optimal assignment (`community.mentoring.matching.propose`): as many mentees paired as
possible, then the most total fit; capacity, forbids, the minimum fit and the hard
constraints never broken; pins placed or refused with the reason; each unmatched mentee
told why. Checked on constructed cases against greedy pairing, and on random cohorts
against a max-flow reference (the number of pairs) and brute force (the total fit)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.csgraph import maximum_flow

from bench.matching import greedy_best_first, greedy_first_come
from community.mentoring.fit import Applicant, Cohort
from community.mentoring.matching import PinRefused, propose


def mentor(user_id, *, capacity=1, **kw) -> Applicant:
    return Applicant(user_id, capacity=capacity, languages=kw.pop("languages", ("en",)), **kw)


def mentee(user_id, **kw) -> Applicant:
    return Applicant(user_id, languages=kw.pop("languages", ("en",)), **kw)


def pairs_of(result) -> set[tuple[int, int]]:
    return {(pair.mentor_id, pair.mentee_id) for pair in result.pairs}


# Mentee 11 fits both mentors, best with mentor 1; mentee 12 shares a language with mentor 1
# only. Greedy gives mentor 1 to mentee 11 (first come, and the best pair first) and leaves
# mentee 12 alone; the optimum pairs both.
SQUEEZE_MENTORS = [
    mentor(1, field="law", languages=("en", "de")),
    mentor(2, field="health", languages=("en",)),
]
SQUEEZE_MENTEES = [
    mentee(11, field="law", languages=("en",)),
    mentee(12, field="health", languages=("de",)),
]


def test_greedy_leaves_a_mentee_alone_where_the_optimum_pairs_everyone():
    cohort = Cohort(SQUEEZE_MENTORS, SQUEEZE_MENTEES)
    scores, eligible = cohort.scores(), cohort.allowed()
    seats = np.array([1, 1])
    assert sorted(greedy_first_come(scores, eligible, seats).items()) == [(0, 0)]
    assert sorted(greedy_best_first(scores, eligible, seats).items()) == [(0, 0)]
    result = propose(SQUEEZE_MENTORS, SQUEEZE_MENTEES)
    assert pairs_of(result) == {(2, 11), (1, 12)}
    assert result.unmatched == []


def test_the_known_optimum_is_found():
    # Scores by field (20) and shared interests (4 each): mentor 1 is best for both mentees,
    # but the total is highest with 1-12 and 2-11: (20 + 8) + (20) = 48 against 20 + 4 + 0.
    mentors = [
        mentor(1, field="law", interests=frozenset({"chess", "music"})),
        mentor(2, field="health"),
    ]
    mentees = [
        mentee(11, field="health", interests=frozenset({"chess"})),
        mentee(12, field="law", interests=frozenset({"chess", "music"})),
    ]
    result = propose(mentors, mentees)
    assert pairs_of(result) == {(1, 12), (2, 11)}
    assert sum(pair.score for pair in result.pairs) == 48.0
    assert result.lowest_score == 20.0


def test_mentor_capacity_is_never_exceeded_also_with_pins():
    mentors = [mentor(1, capacity=2, field="law"), mentor(2, capacity=0, field="law")]
    mentees = [mentee(n, field="law") for n in (11, 12, 13, 14)]
    result = propose(mentors, mentees)
    assert [pair.mentor_id for pair in result.pairs] == [1, 1]
    assert len(result.unmatched) == 2
    assert "full" in result.unmatched[0].reason
    pinned = propose(mentors, mentees, pins=[(1, 14)])
    assert [pair.mentor_id for pair in pinned.pairs] == [1, 1]
    assert (1, 14) in pairs_of(pinned)
    assert [pair.pinned for pair in pinned.pairs if pair.mentee_id == 14] == [True]
    taken = propose(mentors, mentees, taken={1: 1})
    assert len(taken.pairs) == 1
    with pytest.raises(PinRefused, match="no free seat"):
        propose(mentors, mentees, pins=[(1, 11), (1, 12)], taken={1: 1})


def test_forbidden_pairs_are_never_proposed_even_if_someone_stays_unmatched():
    mentors = [mentor(1, field="law")]
    mentees = [mentee(11, field="law")]
    result = propose(mentors, mentees, forbids=[(1, 11)])
    assert result.pairs == []
    assert "forbids" in result.unmatched[0].reason
    avoided = propose([mentor(1, avoids=frozenset({11}))], mentees)
    assert avoided.pairs == [] and "avoid list" in avoided.unmatched[0].reason
    avoiding = propose(mentors, [mentee(11, avoids=frozenset({1}))])
    assert avoiding.pairs == [] and "avoid list" in avoiding.unmatched[0].reason


def test_no_pair_without_a_shared_language():
    result = propose([mentor(1, languages=("fr",), field="law")], [mentee(11, field="law")])
    assert result.pairs == []
    assert result.unmatched[0].reason == "No mentor shares a language with them."


def test_the_minimum_fit_is_respected():
    mentors = [mentor(1, field="law"), mentor(2)]
    mentees = [mentee(11, field="law"), mentee(12)]
    result = propose(mentors, mentees, min_score=10)
    assert pairs_of(result) == {(1, 11)}
    assert all(pair.score >= 10 for pair in result.pairs)
    (unmatched,) = result.unmatched
    assert unmatched.mentee_id == 12
    assert "below the minimum fit of 10" in unmatched.reason


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ((9, 11), "not an accepted mentor"),
        ((1, 99), "not an accepted mentee"),
        ((3, 11), "share no language"),
        ((2, 11), "asked not to be paired"),
        ((1, 12), "forbidden"),
    ],
)
def test_a_pin_that_breaks_a_rule_is_refused_with_the_reason(pin, message):
    mentors = [mentor(1), mentor(2, avoids=frozenset({11})), mentor(3, languages=("fr",))]
    mentees = [mentee(11, name="Mona"), mentee(12)]
    with pytest.raises(PinRefused, match=message):
        propose(mentors, mentees, pins=[pin], forbids=[(1, 12)])


def test_a_mentee_pinned_twice_is_refused():
    with pytest.raises(PinRefused, match="pinned twice"):
        propose([mentor(1), mentor(2)], [mentee(11)], pins=[(1, 11), (2, 11)])


def test_a_pin_below_the_minimum_fit_is_kept_and_the_rest_rematched():
    mentors = [mentor(1, field="law"), mentor(2, field="health")]
    mentees = [mentee(11, field="law"), mentee(12, field="health")]
    result = propose(mentors, mentees, pins=[(2, 11)], min_score=10)
    assert pairs_of(result) == {(2, 11)}  # mentee 12's only fitting mentor is now full
    assert "full" in result.unmatched[0].reason


def test_explanations_of_proposed_pairs_name_their_parts():
    result = propose(SQUEEZE_MENTORS, SQUEEZE_MENTEES)
    for pair in result.pairs:
        assert len(pair.reasons) == len(pair.parts)
    assert propose([mentor(1, field="law")], [mentee(11, field="law")]).pairs[0].reasons == [
        "both work in Law"
    ]


# --- random cohorts against references ------------------------------------------------------


def _max_pairs(eligible: np.ndarray, seats: np.ndarray) -> int:
    """The most pairs possible, by max flow: source -> mentor (seats) -> mentee (1) -> sink."""
    m, n = eligible.shape
    source, sink = m + n, m + n + 1
    rows, columns, capacities = [], [], []
    for i in range(m):
        rows.append(source), columns.append(i), capacities.append(int(seats[i]))
    for i, j in zip(*np.nonzero(eligible), strict=True):
        rows.append(int(i)), columns.append(m + int(j)), capacities.append(1)
    for j in range(n):
        rows.append(m + j), columns.append(sink), capacities.append(1)
    graph = sparse.csr_matrix(
        (np.array(capacities, dtype=np.int32), (rows, columns)), shape=(m + n + 2, m + n + 2)
    )
    return maximum_flow(graph, source, sink).flow_value


def _brute_force(eligible: np.ndarray, scores: np.ndarray, seats: np.ndarray) -> tuple[int, float]:
    """(most pairs, then the highest total) over every assignment."""
    m, n = eligible.shape
    best = (0, 0.0)
    for choice in itertools.product(range(-1, m), repeat=n):
        used = np.bincount([i for i in choice if i >= 0], minlength=m)
        if (used > seats).any():
            continue
        if any(i >= 0 and not eligible[i, j] for j, i in enumerate(choice)):
            continue
        count = sum(1 for i in choice if i >= 0)
        total = float(sum(scores[i, j] for j, i in enumerate(choice) if i >= 0))
        if (count, total) > (best[0], best[1] + 1e-3):
            best = (count, total)
    return best


applicants = st.builds(
    dict,
    field=st.sampled_from([None, "law", "health", "business"]),
    languages=st.lists(st.sampled_from(["en", "de", "fr"]), min_size=1, max_size=2, unique=True),
    interests=st.frozensets(st.sampled_from(["chess", "music", "hiking"])),
    prefers_field=st.sampled_from(["any", "same", "different"]),
    goals=st.sampled_from(["", "consulting", "strategy and data", "nursing"]),
)


@settings(max_examples=60, deadline=None)
@given(
    mentor_specs=st.lists(st.tuples(applicants, st.integers(0, 2)), min_size=0, max_size=4),
    mentee_specs=st.lists(applicants, min_size=0, max_size=5),
    forbid_bits=st.integers(0, 2**20),
    min_score=st.sampled_from([0, 5, 20]),
)
def test_random_cohorts_match_the_references(mentor_specs, mentee_specs, forbid_bits, min_score):
    mentors = [
        Applicant(n + 1, capacity=capacity, **{**spec, "languages": tuple(spec["languages"])})
        for n, (spec, capacity) in enumerate(mentor_specs)
    ]
    mentees = [
        Applicant(100 + n, **{**spec, "languages": tuple(spec["languages"])})
        for n, spec in enumerate(mentee_specs)
    ]
    forbids = [
        (a.user_id, b.user_id)
        for k, (a, b) in enumerate(itertools.product(mentors, mentees))
        if forbid_bits >> k & 1
    ]
    result = propose(mentors, mentees, min_score=min_score, forbids=forbids)
    cohort = Cohort(mentors, mentees)
    scores = cohort.scores()
    eligible = cohort.allowed() & (scores >= min_score)
    for mentor_id, mentee_id in forbids:
        eligible[cohort.mentor_index[mentor_id], cohort.mentee_index[mentee_id]] = False
    seats = np.array([a.capacity for a in mentors], dtype=np.int64)

    chosen = [
        (cohort.mentor_index[p.mentor_id], cohort.mentee_index[p.mentee_id]) for p in result.pairs
    ]
    assert all(eligible[i, j] for i, j in chosen)  # never a forbidden or unfit pair
    used = np.bincount([i for i, _j in chosen], minlength=len(mentors))
    assert (used <= seats).all()
    assert len({j for _i, j in chosen}) == len(chosen)
    assert len(chosen) + len(result.unmatched) == len(mentees)
    assert len(chosen) == _max_pairs(eligible, seats)
    count, total = _brute_force(eligible, scores, seats)
    assert len(chosen) == count
    assert abs(sum(float(scores[i, j]) for i, j in chosen) - total) < 1e-3


@settings(max_examples=40, deadline=None)
@given(
    mentor_specs=st.lists(st.tuples(applicants, st.integers(0, 2)), min_size=1, max_size=4),
    mentee_specs=st.lists(applicants, min_size=1, max_size=5),
    pick=st.integers(0, 10),
)
def test_a_rerun_with_a_pin_keeps_it_and_stays_optimal_for_the_rest(
    mentor_specs, mentee_specs, pick
):
    """Pin one pair of a first run (as the page's "Pin" does) and run again: the pin is
    kept, no mentor gets more than their seats, and the rest is the best for what is left
    (the most pairs, by max flow; the most fit, by brute force)."""
    mentors = [
        Applicant(n + 1, capacity=capacity, **{**spec, "languages": tuple(spec["languages"])})
        for n, (spec, capacity) in enumerate(mentor_specs)
    ]
    mentees = [
        Applicant(100 + n, **{**spec, "languages": tuple(spec["languages"])})
        for n, spec in enumerate(mentee_specs)
    ]
    first = propose(mentors, mentees)
    if not first.pairs:
        return
    chosen = first.pairs[pick % len(first.pairs)]
    pin = (chosen.mentor_id, chosen.mentee_id)
    again = propose(mentors, mentees, pins=[pin])
    assert pin in pairs_of(again)
    cohort = Cohort(mentors, mentees)
    used = np.bincount(
        [cohort.mentor_index[p.mentor_id] for p in again.pairs], minlength=len(mentors)
    )
    seats = np.array([a.capacity for a in mentors], dtype=np.int64)
    assert (used <= seats).all()
    # The rest: the pinned mentee out, one seat fewer for the pinned mentor.
    i, j = cohort.mentor_index[pin[0]], cohort.mentee_index[pin[1]]
    scores, eligible = cohort.scores(), cohort.allowed()
    eligible[:, j] = False
    left = seats.copy()
    left[i] -= 1
    rest = [p for p in again.pairs if (p.mentor_id, p.mentee_id) != pin]
    assert len(rest) == _max_pairs(eligible, left)
    count, total = _brute_force(eligible, scores, left)
    assert len(rest) == count
    fit = sum(
        float(scores[cohort.mentor_index[p.mentor_id], cohort.mentee_index[p.mentee_id]])
        for p in rest
    )
    assert abs(fit - total) < 1e-3
