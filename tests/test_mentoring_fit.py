"""The fit score (`community.mentoring.fit`): its parts add up as documented, the whole
matrix computed with numpy equals the pair-by-pair explanation, each reason names what
matched, and the hard constraints rule pairs out instead of scoring them."""

from __future__ import annotations

import random

import numpy as np

from community.mentoring.fit import MAX_SCORE, WEIGHTS, Applicant, Cohort

CONSULTANT = Applicant(
    1,
    field="business",
    education_level="master",
    experience_years=12,
    qualifications="Twelve years of management consulting for logistics companies",
    offer="I am a consultant: strategy, interviews and the Danish job market",
    wishes="Someone who enjoys hiking and honest feedback",
    languages=("en", "de"),
    industries=frozenset({"supply-chain logistics", "retail"}),
    interests=frozenset({"hiking", "cooking"}),
    name="Carl",
)
MOVER = Applicant(
    11,
    field="business",
    education_level="bachelor",
    goals="I want to move into consulting and learn strategy",
    wishes="Hiking together now and then, honest feedback",
    prefers_field="same",
    prefers_language="de",
    languages=("de", "en"),
    industries=frozenset({"supply-chain logistics"}),
    interests=frozenset({"hiking"}),
    name="Mona",
)


def test_the_weights_are_the_documented_hundred_points():
    assert MAX_SCORE == 100
    assert set(WEIGHTS) == {
        "field",
        "industry",
        "qualifications",
        "languages",
        "interests",
        "goals",
        "wishes",
        "preference",
    }


def test_each_part_that_scored_has_its_reason_naming_what_matched():
    explained = Cohort([CONSULTANT], [MOVER]).explain(1, 11)
    assert set(explained.parts) == set(WEIGHTS)  # this pair scores in every part
    assert explained.score == round(sum(explained.parts.values()), 1)
    reasons = " | ".join(explained.reasons)
    assert len(explained.reasons) == len(explained.parts)
    assert "both work in Business, management and consulting" in reasons
    assert "both in supply-chain logistics" in reasons
    assert "both speak English and German (German preferred)" in reasons
    assert "both interested in hiking" in reasons
    assert "“consulting”" in reasons and "“consultant”" in reasons  # goals against offer
    assert "the mentor has a master's degree and 12 years of experience" in reasons
    assert "the same field, as the mentee asked" in reasons
    assert explained.parts["field"] == 20.0
    assert explained.parts["industry"] == 7.0
    assert explained.parts["languages"] == 3.0 + 4.0  # one extra shared, the preferred one
    assert explained.parts["interests"] == 4.0
    assert explained.parts["preference"] == 7.0


def test_parts_that_did_not_score_are_left_out_with_no_reason():
    stranger = Applicant(2, field="law", languages=("en",))
    newcomer = Applicant(12, field="health", languages=("en",), goals="nursing")
    explained = Cohort([stranger], [newcomer]).explain(2, 12)
    assert explained.parts == {} and explained.reasons == [] and explained.score == 0


def test_a_different_field_asked_for_scores_as_preference_not_as_field():
    changer = Applicant(13, field="business", prefers_field="different", languages=("en",))
    engineer = Applicant(3, field="engineering", languages=("en",))
    cohort = Cohort([CONSULTANT, engineer], [changer])
    same = cohort.explain(1, 13)
    assert "field" not in same.parts and "preference" not in same.parts
    other = cohort.explain(3, 13)
    assert other.parts == {"preference": 7.0}
    assert other.reasons == ["a different field, as the mentee asked"]


def test_no_shared_language_or_an_avoid_list_rules_a_pair_out():
    french = Applicant(4, languages=("fr",))
    avoided = Applicant(5, languages=("en",), avoids=frozenset({11}))  # the mentor avoids
    avoiding = Applicant(14, languages=("en",), avoids=frozenset({1}))  # the mentee avoids
    cohort = Cohort([CONSULTANT, french, avoided], [MOVER, avoiding])
    allowed = cohort.allowed()
    assert allowed.tolist() == [[True, False], [False, False], [False, True]]


def test_the_matrix_equals_the_pair_by_pair_explanations():
    rng = random.Random(7)
    words = [
        "consulting",
        "strategy",
        "logistics",
        "finance",
        "design",
        "nursing",
        "teaching",
        "hiking",
        "data",
        "law",
    ]
    fields = ["business", "finance", "technology", None]

    def applicant(user_id: int) -> Applicant:
        return Applicant(
            user_id,
            field=rng.choice(fields),
            education_level=rng.choice([None, "bachelor", "master", "doctorate"]),
            experience_years=rng.choice([None, 2, 8, 20]),
            qualifications=" ".join(rng.sample(words, 3)),
            goals=" ".join(rng.sample(words, 3)),
            offer=" ".join(rng.sample(words, 3)),
            wishes=" ".join(rng.sample(words, 2)),
            prefers_field=rng.choice(["any", "same", "different"]),
            prefers_language=rng.choice([None, "de", "en"]),
            languages=tuple(rng.sample(["en", "de", "fr"], rng.randint(1, 3))),
            industries=frozenset(rng.sample(["retail", "energy", "shipping"], rng.randint(0, 2))),
            interests=frozenset(rng.sample(["hiking", "chess", "music"], rng.randint(0, 3))),
        )

    mentors = [applicant(n) for n in range(1, 13)]
    mentees = [applicant(n) for n in range(101, 121)]
    cohort = Cohort(mentors, mentees)
    matrix = cohort.scores()
    assert matrix.shape == (12, 20) and matrix.dtype == np.float32
    for i, mentor in enumerate(mentors):
        for j, mentee in enumerate(mentees):
            explained = cohort.explain(mentor.user_id, mentee.user_id)
            assert abs(explained.score - float(matrix[i, j])) < 0.5, (mentor, mentee, explained)
            assert 0 <= matrix[i, j] <= MAX_SCORE
