"""The fit score of a mentor and a mentee: a documented sum of parts, each with its reason in
words, and the hard constraints that rule a pair out altogether.

The parts and their most points (`WEIGHTS`, 100 in all):

| part             | points | scores when                                                          |
|------------------|--------|----------------------------------------------------------------------|
| `field`          | 20     | both in the same professional field (unless either asked for another) |
| `industry`       | 10     | shared industries: 7 for the first, 3 for a second                   |
| `qualifications` | 15     | the mentor's education at least the mentee's (5), the mentor's years   |
|                  |        | of experience (0.5 a year up to 5), the mentor's qualifications text   |
|                  |        | against the mentee's goals (up to 5, text similarity)                 |
| `languages`      | 10     | each shared language beyond the one required (3, at most 2), and a    |
|                  |        | preferred language both speak (4)                                     |
| `interests`      | 10     | 4 per shared interest                                                 |
| `goals`          | 20     | the mentee's goals against the mentor's offer (text similarity)       |
| `wishes`         | 5      | the two wishes texts (text similarity)                                |
| `preference`     | 10     | the mentee's field preference (same / different) honoured (7), the    |
|                  |        | mentor's (3); "any" asks nothing and scores nothing                   |

Text similarity is the cosine of TF-IDF vectors over English word stems (Snowball) without
a small list of stop words, with the document frequencies of the cohort's own texts: cheap,
deterministic, explainable by the words two texts share. No network model.

Hard constraints are not scores: a pair with no shared language, or where either side named
the other in their avoid list, is not allowed at all (`Cohort.allowed`).

`Cohort` precomputes each applicant's features once and scores the whole mentors x mentees
matrix with numpy (`Cohort.scores`); the parts and reasons in words are worked out only for
the pairs someone looks at (`Cohort.explain`), with the same formulas. Used by `matching`
(pure, no database) and through it by `proposals`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import snowballstemmer
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from scipy import sparse

from community.mentoring.models import FieldPreference
from community.profiles import reference as ref

WEIGHTS: dict[str, float] = {
    "field": 20.0,
    "industry": 10.0,
    "qualifications": 15.0,
    "languages": 10.0,
    "interests": 10.0,
    "goals": 20.0,
    "wishes": 5.0,
    "preference": 10.0,
}
"""The most points each part can give; they add up to `MAX_SCORE`."""

PART_LABELS = {
    "field": _l("Professional field"),
    "industry": _l("Industry"),
    "qualifications": _l("Qualifications and experience"),
    "languages": _l("Languages"),
    "interests": _l("Interests"),
    "goals": _l("Goals and offer"),
    "wishes": _l("Wishes"),
    "preference": _l("Field preference"),
}
"""The parts' names as the proposal page shows them."""

MAX_SCORE = sum(WEIGHTS.values())
PARTS = tuple(WEIGHTS)

# The finer points inside the parts (documented in the table above).
INDUSTRY_FIRST, INDUSTRY_SECOND = 7.0, 3.0
EDUCATION_POINTS = 5.0
EXPERIENCE_PER_YEAR, EXPERIENCE_MAX = 0.5, 5.0
QUALIFICATIONS_TEXT = 5.0
LANGUAGE_EXTRA, LANGUAGE_EXTRA_MAX = 3.0, 2
LANGUAGE_PREFERRED = 4.0
INTEREST_EACH = 4.0
PREFERENCE_MENTEE, PREFERENCE_MENTOR = 7.0, 3.0
# A text part names at most this many shared words, and scores only above this cosine.
SHOWN_WORDS = 3
# Products over at most this many columns (stems, languages, tags) go through dense BLAS.
DENSE_PRODUCT = 2048
MIN_SIMILARITY = 0.05

EDUCATION_ORDER = {level.value: rank for rank, level in enumerate(ref.EducationLevel)}

_STOP_WORDS = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves want wants like would love get help find make work working year years
    someone something new good well really lot lots etc"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[^\W\d_]{3,}")
_STEMMER = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Applicant:
    """What the fit score reads of one accepted application (plain data: no database).
    `user_id` names the applicant (proposals and pairs speak user ids)."""

    user_id: int
    field: str | None = None
    education_level: str | None = None
    experience_years: int | None = None
    qualifications: str = ""
    goals: str = ""
    offer: str = ""
    wishes: str = ""
    prefers_field: str = FieldPreference.ANY
    prefers_language: str | None = None
    languages: tuple[str, ...] = ()
    industries: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    avoids: frozenset[int] = frozenset()
    capacity: int = 1  # a mentor's seats in this run (0: paused or full)
    name: str = ""


@dataclass
class Explained:
    """One pair's score, its parts (points per part, only those that scored) and the reasons
    in words, one per part that scored."""

    score: float
    parts: dict[str, float]
    reasons: list[str]


@cache
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def _tokens(text: str) -> list[tuple[str, str]]:
    """(stem, word) for each meaningful word of `text`, lower-cased."""
    words = (word for word in _WORD.findall((text or "").lower()) if word not in STOP_WORDS)
    return [(_stem(word), word) for word in words]


@dataclass
class _Texts:
    """TF-IDF vectors (rows L2-normalised, CSR) of one kind of text, one row per applicant;
    one row as a dict and the words as written are worked out when a pair is explained."""

    vectors: sparse.csr_matrix
    tokens: list[list[tuple[str, str]]]
    stems: list[str]
    _rows: dict[int, dict[int, float]] = field(default_factory=dict)

    def row(self, i: int) -> dict[int, float]:
        if i not in self._rows:
            start, end = self.vectors.indptr[i], self.vectors.indptr[i + 1]
            self._rows[i] = dict(
                zip(
                    self.vectors.indices[start:end].tolist(),
                    self.vectors.data[start:end].tolist(),
                    strict=True,
                )
            )
        return self._rows[i]

    def word(self, i: int, stem: str) -> str:
        """The first word row i wrote for `stem`."""
        return next(word for token, word in self.tokens[i] if token == stem)


@dataclass
class _Vocabulary:
    """Stems of the cohort's texts and their inverse document frequencies."""

    index: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray | None = None
    stems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, documents: list[list[tuple[str, str]]]) -> _Vocabulary:
        frequency: Counter[str] = Counter()
        for tokens in documents:
            frequency.update({stem for stem, _word in tokens})
        vocabulary = cls()
        vocabulary.stems = sorted(frequency)
        vocabulary.index = {stem: n for n, stem in enumerate(vocabulary.stems)}
        counts = np.array([frequency[stem] for stem in vocabulary.stems], dtype=np.float64)
        total = max(1, len(documents))
        vocabulary.idf = np.log((1.0 + total) / (1.0 + counts)) + 1.0
        return vocabulary

    def vectors(self, documents: list[list[tuple[str, str]]]) -> _Texts:
        indptr, indices, counts = [0], [], []
        for tokens in documents:
            frequency = Counter(stem for stem, _word in tokens)
            indices.extend(self.index[stem] for stem in frequency)
            counts.extend(frequency.values())
            indptr.append(len(indices))
        columns = np.array(indices, dtype=np.int32)
        weights = (1.0 + np.log(np.array(counts, dtype=np.float64))) * self.idf[columns]
        row_of = np.repeat(np.arange(len(documents)), np.diff(indptr))
        norms = np.sqrt(np.bincount(row_of, weights=weights**2, minlength=len(documents)))
        if len(weights):
            weights /= norms[row_of]
        matrix = sparse.csr_matrix(
            (weights.astype(np.float32), columns, np.array(indptr, dtype=np.int64)),
            shape=(len(documents), max(1, len(self.stems))),
        )
        return _Texts(matrix, documents, self.stems)


def _product(left: sparse.csr_matrix, right: sparse.csr_matrix) -> np.ndarray:
    """left @ right.T as a dense float32 array: by BLAS on dense copies when the shared
    dimension is small (a cohort's languages and tags, a short vocabulary), else sparse."""
    if left.shape[1] <= DENSE_PRODUCT:
        return left.toarray() @ right.toarray().T
    return np.asarray((left @ right.T).toarray(), dtype=np.float32)


def _cosines(left: _Texts, right: _Texts) -> np.ndarray:
    """The len(left) x len(right) matrix of cosine similarities (float32)."""
    return _product(left.vectors, right.vectors)


def _cosine(left: _Texts, i: int, right: _Texts, j: int) -> float:
    a, b = left.row(i), right.row(j)
    if len(b) < len(a):
        a, b = b, a
    return float(sum(weight * b[column] for column, weight in a.items() if column in b))


def _shared_words(left: _Texts, i: int, right: _Texts, j: int) -> tuple[list[str], list[str]]:
    """The stems row i of `left` and row j of `right` share, strongest first, as each side
    wrote them (at most SHOWN_WORDS each)."""
    a, b = left.row(i), right.row(j)
    shared = sorted(
        ((weight * b[column], column) for column, weight in a.items() if column in b),
        reverse=True,
    )[:SHOWN_WORDS]
    stems = [left.stems[column] for _weight, column in shared]
    return [left.word(i, stem) for stem in stems], [right.word(j, stem) for stem in stems]


def _translator():
    """gettext for one cohort's explanations: the request's translations looked up once
    (flask_babel's `gettext` finds them again on every call, half the cost of a reason)."""
    from flask import has_request_context
    from flask_babel import get_translations

    if not has_request_context():
        return _
    translations = get_translations()

    def translate(text: str, **variables) -> str:
        translated = translations.ugettext(text)
        return translated % variables if variables else translated

    return translate


def _label(code: str | None) -> str:
    return str(ref.PROFESSIONAL_FIELDS.get(code or "", code or ""))


def _listing(items: list[str], _=_) -> str:
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s", first=", ".join(items[:-1]), last=items[-1])


class Cohort:
    """The mentors and mentees of one matching run with their features computed once: the
    whole score matrix (`scores`), the hard constraints (`allowed`), and any one pair's
    parts and reasons (`explain`)."""

    def __init__(self, mentors: list[Applicant], mentees: list[Applicant]) -> None:
        self.mentors = mentors
        self.mentees = mentees
        self._ = _translator()
        self._languages: dict[str, str] = {}
        self._speaks: np.ndarray | None = None
        self.mentor_index = {a.user_id: n for n, a in enumerate(mentors)}
        self.mentee_index = {a.user_id: n for n, a in enumerate(mentees)}
        goals = [_tokens(a.goals) for a in mentees]
        offers = [_tokens(a.offer) for a in mentors]
        qualifications = [_tokens(a.qualifications) for a in mentors]
        wishes_mentors = [_tokens(a.wishes) for a in mentors]
        wishes_mentees = [_tokens(a.wishes) for a in mentees]
        vocabulary = _Vocabulary.of(
            goals + offers + qualifications + wishes_mentors + wishes_mentees
        )
        self.stems = vocabulary.stems
        self.goals = vocabulary.vectors(goals)
        self.offers = vocabulary.vectors(offers)
        self.qualifications = vocabulary.vectors(qualifications)
        self.wishes_mentors = vocabulary.vectors(wishes_mentors)
        self.wishes_mentees = vocabulary.vectors(wishes_mentees)
        # Sets as sparse 0/1 matrices over one shared index each, so the counts shared by
        # every mentor and mentee are one sparse product.
        self.languages_of = _Memberships(
            [a.languages for a in mentors], [a.languages for a in mentees]
        )
        self.industries_of = _Memberships(
            [a.industries for a in mentors], [a.industries for a in mentees]
        )
        self.interests_of = _Memberships(
            [a.interests for a in mentors], [a.interests for a in mentees]
        )
        fields = {
            code: n for n, code in enumerate(sorted({a.field or "" for a in mentors + mentees}))
        }
        self._field_mentor = np.array([fields[a.field or ""] if a.field else -1 for a in mentors])
        self._field_mentee = np.array([fields[a.field or ""] if a.field else -2 for a in mentees])

    # --- the whole matrix ------------------------------------------------------------------

    def speaks(self) -> np.ndarray:
        """mentors x mentees booleans: True where the two share a language (kept: matching
        asks for it, `allowed` starts from it)."""
        if self._speaks is None:
            self._speaks = self.languages_of.shared() > 0
        return self._speaks.copy()

    def allowed(self) -> np.ndarray:
        """mentors x mentees booleans: True where the pair is allowed at all (a shared
        language, and neither side named the other in their avoid list)."""
        allowed = self.speaks()
        for i, mentor in enumerate(self.mentors):
            for user_id in mentor.avoids:
                j = self.mentee_index.get(user_id)
                if j is not None:
                    allowed[i, j] = False
        for j, mentee in enumerate(self.mentees):
            for user_id in mentee.avoids:
                i = self.mentor_index.get(user_id)
                if i is not None:
                    allowed[i, j] = False
        return allowed

    def scores(self) -> np.ndarray:
        """The mentors x mentees fit scores (float32), every part added up vectorised: the
        same formulas as `explain`, before rounding. The parts that read only a few
        categories (field, field preference, education) come from a small table of every
        mentor kind against every mentee kind; the counts of shared languages, industries
        and interests from one matrix product each, turned into points by a lookup."""
        shape = (len(self.mentors), len(self.mentees))
        if not shape[0] or not shape[1]:
            return np.zeros(shape, dtype=np.float32)
        mentor_kinds, mentor_kind = _kinds(self.mentors)
        mentee_kinds, mentee_kind = _kinds(self.mentees)
        table = np.array(
            [[_category_points(a, b) for b in mentee_kinds] for a in mentor_kinds],
            dtype=np.float32,
        )
        total = table[mentor_kind[:, None], mentee_kind[None, :]]
        experience = np.array([_experience_points(a) for a in self.mentors], dtype=np.float32)
        total += experience[:, None]

        total += np.take(_INDUSTRY_POINTS, _counts(self.industries_of.shared()))
        total += np.take(_INTEREST_POINTS, _counts(self.interests_of.shared()))
        total += np.take(_LANGUAGE_POINTS, _counts(self.languages_of.shared()))
        total += self._preferred_language() * np.float32(LANGUAGE_PREFERRED)

        for left, right, points in (
            (self.qualifications, self.goals, QUALIFICATIONS_TEXT),
            (self.offers, self.goals, WEIGHTS["goals"]),
            (self.wishes_mentors, self.wishes_mentees, WEIGHTS["wishes"]),
        ):
            cosines = _cosines(left, right)
            cosines *= np.float32(points)
            total += cosines
        return total

    def _preferred_language(self) -> np.ndarray:
        """mentors x mentees booleans: a preferred language of either side both speak."""
        speaks_mentor = self.languages_of.left.toarray().astype(bool)  # mentors x languages
        speaks_mentee = self.languages_of.right.toarray().astype(bool)
        index = self.languages_of.index
        result = np.zeros((len(self.mentors), len(self.mentees)), dtype=bool)
        for j, mentee in enumerate(self.mentees):
            column = index.get(mentee.prefers_language or "")
            if column is not None and speaks_mentee[j, column]:
                result[:, j] |= speaks_mentor[:, column]
        for i, mentor in enumerate(self.mentors):
            column = index.get(mentor.prefers_language or "")
            if column is not None and speaks_mentor[i, column]:
                result[i, :] |= speaks_mentee[:, column]
        return result

    # --- one pair ---------------------------------------------------------------------------

    def explain(self, mentor_id: int, mentee_id: int) -> Explained:
        """The parts that scored for this pair, rounded to one decimal, their sum, and one
        reason in words per part (naming the matched field, tags, languages or words)."""
        i, j = self.mentor_index[mentor_id], self.mentee_index[mentee_id]
        mentor, mentee = self.mentors[i], self.mentees[j]
        _ = self._
        parts: dict[str, float] = {}
        reasons: list[str] = []

        def add(part: str, points: float, reason: str) -> None:
            points = round(float(points), 1)
            if points > 0:
                parts[part] = points
                reasons.append(reason)

        same_field = bool(mentor.field) and mentor.field == mentee.field
        other_asked = FieldPreference.DIFFERENT in (mentor.prefers_field, mentee.prefers_field)
        if same_field and not other_asked:
            add("field", WEIGHTS["field"], _("both work in %(field)s", field=_label(mentor.field)))

        industries = sorted(mentor.industries & mentee.industries)
        if industries:
            points = INDUSTRY_FIRST + (INDUSTRY_SECOND if len(industries) >= 2 else 0.0)
            add("industry", points, _("both in %(industries)s", industries=_listing(industries, _)))

        self._qualifications(i, j, add)

        shared = [code for code in mentor.languages if code in set(mentee.languages)]
        extra = min(max(len(shared) - 1, 0), LANGUAGE_EXTRA_MAX) * LANGUAGE_EXTRA
        preferred = next(
            (
                code
                for code in (mentee.prefers_language, mentor.prefers_language)
                if code and code in mentor.languages and code in mentee.languages
            ),
            None,
        )
        if extra or preferred:
            names = _listing([self._language(code) for code in shared], _)
            reason = _("both speak %(languages)s", languages=names)
            if preferred:
                reason = _(
                    "%(reason)s (%(language)s preferred)",
                    reason=reason,
                    language=self._language(preferred),
                )
            add("languages", extra + (LANGUAGE_PREFERRED if preferred else 0.0), reason)

        interests = sorted(mentor.interests & mentee.interests)
        if interests:
            add(
                "interests",
                min(len(interests) * INTEREST_EACH, WEIGHTS["interests"]),
                _("both interested in %(interests)s", interests=_listing(interests, _)),
            )

        similarity = _cosine(self.offers, i, self.goals, j)
        if similarity >= MIN_SIMILARITY:
            offered, wanted = _shared_words(self.offers, i, self.goals, j)
            add(
                "goals",
                similarity * WEIGHTS["goals"],
                _(
                    "the mentee wants %(wanted)s; the mentor offers %(offered)s",
                    wanted=_listing(_quoted(wanted), _),
                    offered=_listing(_quoted(offered), _),
                ),
            )
        elif similarity > 0:
            add("goals", similarity * WEIGHTS["goals"], _("goals and offer overlap a little"))

        similarity = _cosine(self.wishes_mentors, i, self.wishes_mentees, j)
        if similarity > 0:
            words, _other = _shared_words(self.wishes_mentors, i, self.wishes_mentees, j)
            add(
                "wishes",
                similarity * WEIGHTS["wishes"],
                _("similar wishes: %(words)s", words=_listing(_quoted(words), _)),
            )

        self._preference(mentor, mentee, add)
        return Explained(round(sum(parts.values()), 1), parts, reasons)

    def _language(self, code: str) -> str:
        if code not in self._languages:
            self._languages[code] = ref.language_name(code)
        return self._languages[code]

    def _qualifications(self, i: int, j: int, add) -> None:
        mentor, mentee = self.mentors[i], self.mentees[j]
        _ = self._
        points, has, reasons = 0.0, [], []
        mentor_level = EDUCATION_ORDER.get(mentor.education_level or "", -1)
        mentee_level = EDUCATION_ORDER.get(mentee.education_level or "", 99)
        if mentor_level >= 0 and mentor_level >= mentee_level:
            points += EDUCATION_POINTS
            label = ref.EDUCATION_LABELS[ref.EducationLevel(mentor.education_level)]
            has.append(_("a %(level)s", level=str(label).lower()))
        experience = _experience_points(mentor)
        if experience:
            points += experience
            has.append(_("%(years)d years of experience", years=int(mentor.experience_years or 0)))
        if has:
            reasons.append(_("the mentor has %(what)s", what=_listing(has, _)))
        similarity = _cosine(self.qualifications, i, self.goals, j)
        if similarity > 0:
            points += similarity * QUALIFICATIONS_TEXT
            words, _goal_words = _shared_words(self.qualifications, i, self.goals, j)
            reasons.append(
                _(
                    "the mentor's experience in %(words)s meets the mentee's goals",
                    words=_listing(_quoted(words), _),
                )
            )
        if points:
            add("qualifications", points, "; ".join(reasons))

    def _preference(self, mentor: Applicant, mentee: Applicant, add) -> None:
        if not (mentor.field and mentee.field):
            return
        _ = self._
        same = mentor.field == mentee.field
        points, reasons = 0.0, []
        for side, who, worth in (
            (mentee, _("the mentee"), PREFERENCE_MENTEE),
            (mentor, _("the mentor"), PREFERENCE_MENTOR),
        ):
            if side.prefers_field == FieldPreference.SAME and same:
                points += worth
                reasons.append(_("the same field, as %(who)s asked", who=who))
            elif side.prefers_field == FieldPreference.DIFFERENT and not same:
                points += worth
                reasons.append(_("a different field, as %(who)s asked", who=who))
        if points:
            add("preference", points, "; ".join(reasons))


def _quoted(words: list[str]) -> list[str]:
    return [f"“{word}”" for word in words]


def _experience_points(applicant: Applicant) -> float:
    return min((applicant.experience_years or 0) * EXPERIENCE_PER_YEAR, EXPERIENCE_MAX)


# Points by how many items a pair shares (the count is capped at the table's last entry).
_INDUSTRY_POINTS = np.array(
    [0.0, INDUSTRY_FIRST, INDUSTRY_FIRST + INDUSTRY_SECOND, INDUSTRY_FIRST + INDUSTRY_SECOND],
    np.float32,
)
_INTEREST_POINTS = np.array(
    [min(n * INTEREST_EACH, WEIGHTS["interests"]) for n in range(4)], np.float32
)
_LANGUAGE_POINTS = np.array(
    [0.0] + [min(n, LANGUAGE_EXTRA_MAX) * LANGUAGE_EXTRA for n in range(LANGUAGE_EXTRA_MAX + 1)],
    np.float32,
)


def _counts(shared: np.ndarray) -> np.ndarray:
    """Shared-item counts as table indices (uint8), capped at 3 (every table's length)."""
    np.minimum(shared, 3, out=shared)
    return shared.astype(np.uint8)


_KIND_FIELDS = ("field", "prefers_field", "education_level")


def _kinds(applicants: list[Applicant]) -> tuple[list[Applicant], np.ndarray]:
    """The distinct (field, field preference, education) kinds among `applicants`, one
    representative each, and each applicant's kind number."""
    index: dict[tuple, int] = {}
    representatives: list[Applicant] = []
    numbers = np.empty(len(applicants), dtype=np.intp)
    for n, applicant in enumerate(applicants):
        key = tuple(getattr(applicant, name) for name in _KIND_FIELDS)
        if key not in index:
            index[key] = len(representatives)
            representatives.append(applicant)
        numbers[n] = index[key]
    return representatives, numbers


def _category_points(mentor: Applicant, mentee: Applicant) -> float:
    """The field, field-preference and education points of a pair (the parts that read
    only those categories), as `Cohort.explain` counts them."""
    points = 0.0
    same = bool(mentor.field) and mentor.field == mentee.field
    if same and FieldPreference.DIFFERENT not in (mentor.prefers_field, mentee.prefers_field):
        points += WEIGHTS["field"]
    mentor_level = EDUCATION_ORDER.get(mentor.education_level or "", -1)
    if mentor_level >= 0 and mentor_level >= EDUCATION_ORDER.get(mentee.education_level or "", 99):
        points += EDUCATION_POINTS
    if mentor.field and mentee.field:
        for side, worth in ((mentee, PREFERENCE_MENTEE), (mentor, PREFERENCE_MENTOR)):
            if (side.prefers_field == FieldPreference.SAME and same) or (
                side.prefers_field == FieldPreference.DIFFERENT and not same
            ):
                points += worth
    return points


class _Memberships:
    """Two families of sets (mentors', mentees') as sparse 0/1 matrices over one index; the
    count every mentor shares with every mentee is one sparse product."""

    def __init__(self, left: list, right: list) -> None:
        self.index: dict[str, int] = {}
        for items in (*left, *right):
            for item in items:
                self.index.setdefault(item, len(self.index))
        self.left = self._matrix(left)
        self.right = self._matrix(right)

    def _matrix(self, families: list) -> sparse.csr_matrix:
        rows, columns = [], []
        for n, items in enumerate(families):
            for item in set(items):
                rows.append(n)
                columns.append(self.index[item])
        return sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, columns)),
            shape=(len(families), max(1, len(self.index))),
        )

    def shared(self) -> np.ndarray:
        """len(left) x len(right): how many items each pair shares (float32)."""
        return _product(self.left, self.right)
