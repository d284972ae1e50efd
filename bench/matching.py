"""Matching benchmark: end-to-end matching (`community.mentoring.matching.propose`: the fit
scores, the optimal assignment, the reasons in words) at 100, 1,000 and 5,000 mentors and
mentees, against the bare solver (`min_weight_full_bipartite_matching`) on the same cost
graph in the same run; and how many more mentees the optimum pairs than greedy pairing
(first come, first served; and best pair first) on the same cohorts.

Cohorts are random but seeded and meant to look like a real one: 12 professional fields,
8 languages with a skew (most speak English, some only the local language or their own),
mentor capacities 1 to 3 (some mentors paused), 2 % of applicants with an avoid list, and
goals, offers, qualifications and wishes written from a small per-field vocabulary.

Run: `.venv/bin/python -m bench.matching` (`--help` for the options). No database: the
matching is pure; the reasons are worded inside a request context (English).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from community.mentoring.fit import Applicant, Cohort
from community.mentoring.matching import build_graph, propose

FIELDS = [
    "business",
    "finance",
    "technology",
    "engineering",
    "science",
    "health",
    "education",
    "law",
    "marketing",
    "design",
    "hr",
    "public",
]
# Spoken by (share of people): most English, then the host country's, then others.
LANGUAGES = {
    "en": 0.8,
    "da": 0.35,
    "de": 0.15,
    "fr": 0.1,
    "es": 0.1,
    "ar": 0.05,
    "zh": 0.05,
    "hi": 0.05,
}
INDUSTRIES = [f"industry-{n}" for n in range(15)]
INTERESTS = [
    "hiking",
    "chess",
    "music",
    "cooking",
    "running",
    "theatre",
    "gardening",
    "yoga",
    "photography",
    "books",
    "cycling",
    "sailing",
    "painting",
    "football",
    "languages",
]
WORDS = {
    code: [f"{code}{n}" for n in range(8)]
    + [
        "strategy",
        "consulting",
        "leadership",
        "network",
        "interviews",
        "danish",
        "startup",
        "research",
        "project",
        "management",
        "data",
        "career",
    ]
    for code in FIELDS
}


def _languages(rng: random.Random) -> tuple[str, ...]:
    spoken = tuple(code for code, share in LANGUAGES.items() if rng.random() < share)
    return spoken or (rng.choice(list(LANGUAGES)),)


def _text(rng: random.Random, field: str, words: int) -> str:
    return " ".join(rng.choice(WORDS[field]) for _ in range(words))


def cohort(size: int, seed: int = 20) -> tuple[list[Applicant], list[Applicant]]:
    """`size` mentors and `size` mentees (user ids 1.. and 1_000_001..)."""
    rng = random.Random(seed * 1_000_003 + size)
    mentee_ids = [1_000_001 + n for n in range(size)]
    mentor_ids = [1 + n for n in range(size)]

    def applicant(user_id: int, is_mentor: bool) -> Applicant:
        field = rng.choice(FIELDS)
        others = mentee_ids if is_mentor else mentor_ids
        return Applicant(
            user_id,
            field=field,
            education_level=rng.choice(["bachelor", "master", "master", "doctorate", None]),
            experience_years=rng.randint(2, 30) if is_mentor else rng.randint(0, 15),
            qualifications=_text(rng, field, 8) if is_mentor else "",
            goals="" if is_mentor else _text(rng, rng.choice([field, rng.choice(FIELDS)]), 10),
            offer=_text(rng, field, 10) if is_mentor else "",
            wishes=" ".join(rng.sample(INTERESTS, 2)),
            prefers_field=rng.choice(["any", "any", "same", "different"]),
            prefers_language=rng.choice([None, None, "en", "da"]),
            languages=_languages(rng),
            industries=frozenset(rng.sample(INDUSTRIES, rng.randint(0, 2))),
            interests=frozenset(rng.sample(INTERESTS, rng.randint(0, 3))),
            avoids=frozenset(rng.sample(others, 2)) if rng.random() < 0.02 else frozenset(),
            capacity=rng.choice([0, 1, 1, 1, 2, 2, 3]) if is_mentor else 1,
        )

    mentors = [applicant(user_id, True) for user_id in mentor_ids]
    mentees = [applicant(user_id, False) for user_id in mentee_ids]
    return mentors, mentees


# --- the greedy baselines (never used by the app) -------------------------------------------


def greedy_first_come(scores: np.ndarray, eligible: np.ndarray, seats: np.ndarray) -> dict:
    """First come, first served: each mentee in turn takes the best mentor with a free seat.
    Answers mentee row -> mentor row."""
    free = seats.astype(np.int64).copy()
    chosen = {}
    for j in range(eligible.shape[1]):
        open_now = eligible[:, j] & (free > 0)
        if open_now.any():
            i = int(np.argmax(np.where(open_now, scores[:, j], -np.inf)))
            chosen[j] = i
            free[i] -= 1
    return chosen


def greedy_best_first(scores: np.ndarray, eligible: np.ndarray, seats: np.ndarray) -> dict:
    """Best pair first: the highest-scoring allowed pair whose mentee is free and whose
    mentor has a seat, again and again. Answers mentee row -> mentor row."""
    free = seats.astype(np.int64).copy()
    rows, columns = np.nonzero(eligible)
    order = np.argsort(-scores[rows, columns], kind="stable")
    chosen: dict[int, int] = {}
    left = min(int(free.sum()), eligible.shape[1])
    for i, j in zip(rows[order].tolist(), columns[order].tolist(), strict=True):
        if len(chosen) == left:
            break
        if j not in chosen and free[i] > 0:
            chosen[j] = i
            free[i] -= 1
    return chosen


# --- the run ---------------------------------------------------------------------------------


def measure(size: int, repeat: int, min_score: float = 0.0) -> dict:
    mentors, mentees = cohort(size)
    end_to_end, phases = [], []
    for _ in range(repeat):
        timings: dict[str, float] = {}
        started = time.perf_counter()
        result = propose(mentors, mentees, min_score=min_score, timings=timings)
        end_to_end.append(time.perf_counter() - started)
        phases.append(timings)
    model = Cohort(mentors, mentees)
    scores = model.scores()
    eligible = model.allowed() & (scores >= np.float32(min_score))
    seats = np.array([a.capacity for a in mentors], dtype=np.int64)
    graph = build_graph(eligible, scores, seats)
    bare = []
    for _ in range(repeat):
        started = time.perf_counter()
        min_weight_full_bipartite_matching(graph.costs)
        bare.append(time.perf_counter() - started)
    first_come = greedy_first_come(scores, eligible, seats)
    best_first = greedy_best_first(scores, eligible, seats)
    return {
        "size": size,
        "end_to_end": statistics.median(end_to_end),
        "bare": statistics.median(bare),
        "phases": {key: statistics.median(p[key] for p in phases) for key in phases[0]},
        "edges": graph.costs.nnz,
        "seats": int(seats.sum()),
        "optimum": len(result.pairs),
        "first_come": len(first_come),
        "best_first": len(best_first),
        "total": sum(pair.score for pair in result.pairs),
        "total_first_come": float(sum(scores[i, j] for j, i in first_come.items())),
        "total_best_first": float(sum(scores[i, j] for j, i in best_first.items())),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median)")
    parser.add_argument(
        "--min-score", type=float, default=30.0, help="the coordinator's minimum fit"
    )
    args = parser.parse_args(argv)

    from community import create_app
    from config import TestingConfig

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.test_request_context():
        print(f"minimum fit {args.min_score:g}")
        print(
            f"{'per side':>8} {'seats':>6} {'edges':>10} {'end-to-end s':>12} {'bare solve s':>12}"
            f" {'x bare':>7}  phases (scores / graph / solve / reasons s)"
        )
        rows = [measure(size, args.repeat, args.min_score) for size in args.sizes]
        for row in rows:
            phases = row["phases"]
            print(
                f"{row['size']:>8} {row['seats']:>6} {row['edges']:>10} {row['end_to_end']:>12.3f}"
                f" {row['bare']:>12.3f} {row['end_to_end'] / row['bare']:>7.1f}  "
                + " / ".join(
                    f"{phases[key]:.3f}" for key in ("scores", "graph", "solve", "reasons")
                )
            )
        print()
        print(
            f"{'per side':>8} {'optimum pairs':>13} {'first-come':>10} {'best-first':>10}"
            f" {'total fit: optimum / first-come / best-first':>46}"
        )
        for row in rows:
            print(
                f"{row['size']:>8} {row['optimum']:>13} {row['first_come']:>10} {row['best_first']:>10}"
                f"  {row['total']:>14.0f} / {row['total_first_come']:.0f} / {row['total_best_first']:.0f}"
            )


if __name__ == "__main__":
    main()
