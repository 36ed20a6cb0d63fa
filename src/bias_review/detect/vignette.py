"""The vignette detector: race or ethnicity stated in a case's opening line.

"A 45-year-old African American man presents with…", "Ms. X, a 30-year-old Hispanic woman,
…". The words it looks for come from the lexicon's term sets; its explanation text comes from
the race-in-vignette entry marked `detector: vignette`.
"""

from __future__ import annotations

import re

from bias_review.detect.base import Detector, Piece
from bias_review.detect.gate import stored_clause_of_values
from bias_review.findings import Candidate, Category, Explanation, Severity
from bias_review.lexicon.schema import Lexicon
from bias_review.lexicon.terms import compile_terms

SCORE = 0.85
# how far (characters) the race term may sit from the age or the person noun
WINDOW = 45

# A look-ahead in front of a pattern names the characters its matches can start with: Python's
# regex engine then skips to those characters instead of trying the whole pattern at every
# place (two to three times faster for the age; the same matches, tests/test_shortcuts.py).
# Every age starts with a digit, a comma, "in"/"into" or "age(d)".
_AGE = re.compile(
    r"(?=[\d,ia])(?:"
    r"\b\d{1,3}\s*-?\s*(?:year|yr|month|mo|week|wk|day)s?\s*-?\s*old\b"
    r"|\b\d{1,3}\s*(?:yo|y/o|y\.o\.|yrs?\.?|yr\.?|-?y)(?![\w])"
    r"|\b(?:in|into)\s+(?:his|her|their)\s+(?:early\s+|mid-?\s*|late\s+)?"
    r"(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|\d0s)\b"
    r"|\b(?:aged?)\s+\d{1,3}\b"
    r"|(?:^|,\s*)\d{1,3}(?=\s*,)"  # Ms. Alvarez, 29, Latina
    r")",
    re.IGNORECASE,
)
# every age above holds a digit or a decade word
_AGE_HINT = re.compile(r"(?=[\dt])(?:\d|teens|ties)", re.IGNORECASE)
# "58M", "24 F", "45 yo BM": age and sex in one, which also names a person
_AGE_SEX = re.compile(r"(?<![\w.])\d{1,3}(?:[MF]|\s?y/?o\s?[MF])(?![\w])")
_PERSON = re.compile(
    r"(?=[a-z])\b(?:man|woman|male|female|boy|girl|gentleman|lady|patient|child|infant|toddler|"
    r"newborn|neonate|baby|teen|teenager|adolescent|mother|father|grandmother|grandfather|"
    r"veteran|student|primigravida|multigravida|g\d\s*p\d|pt|widow|widower|nurse|teacher|"
    r"worker|farmer|retiree|athlete|runner|soldier|grandson|granddaughter|son|daughter|"
    r"husband|wife|mr|mrs|ms|miss)\b",
    re.IGNORECASE,
)
_CASE_VERB = re.compile(
    r"(?=[a-z])\b(?:presents?|presenting|presented|comes|came|arrives?|is brought|was brought|brought in|"
    r"is seen|is evaluated|complains?|c/o|reports|is admitted|was admitted|is referred|"
    r"was referred|is transferred|with a (?:\d+-\w+ )?history|with a past medical history|"
    r"with hx|h/o|visits|is found)\b",
    re.IGNORECASE,
)
# a group word that names a place or thing, not the patient ("the African country of Malawi")
_NOT_A_PERSON = re.compile(
    r"\s+(?:country|countries|nation|nations|continent|region|regions|union|government|"
    r"village|villages|city|cities|embassy|language|languages|cuisine|food)\b", re.IGNORECASE)
_EXCLUDED_RACE_WORDS = {"minority", "minorities", "people of color", "race", "races", "racial"}


class VignetteDetector(Detector):
    """Flags the race/ethnicity word in a sentence that reads like a case stem."""

    name = "vignette"

    def __init__(self, lexicon: Lexicon) -> None:
        terms = tuple(t for t in lexicon.term_sets.get("race_group", ()) if t not in _EXCLUDED_RACE_WORDS)
        self.race = compile_terms(terms)
        clause = stored_clause_of_values([t.rstrip("*") for t in terms], lemma=False) if terms else None
        self._gates = [(clause,)] if clause else []
        entry = lexicon.detector_entry("vignette")
        self.entry_id = entry.id if entry else "vignette"
        self.severity = entry.severity if entry else Severity.MEDIUM
        self.explanation = entry.explanation if entry else (
            "Race or ethnicity is stated in the case's opening line without a reason; "
            "it primes learners to tie race to the diagnosis.")
        self.suggestion = entry.suggestion if entry else None
        self.references = entry.references if entry else ()

    @property
    def gates(self):
        return self._gates

    def detect(self, piece: Piece) -> list[Candidate]:
        out: list[Candidate] = []
        clause = self._gates[0][0] if self._gates else frozenset()
        for sent in piece.sentences:
            text = sent.text
            if clause.isdisjoint(sent.keys):
                continue
            if len(text) > 600:
                continue  # a case stem's opening, not a page of prose
            race = self._race_in_stem(text)
            if race is None:
                continue
            out.append(Candidate(
                category=Category.RACE_IN_VIGNETTE, severity=self.severity,
                start=race.start(), end=race.end(), passage=text, detector="vignette",
                score=SCORE, explanation=self.explanation, suggestion=self.suggestion,
                references=self.references, rule_id=self.entry_id,
                trace=[Explanation("vignette", "case stem: age, person and race/ethnicity in one opening sentence", SCORE)],
                sent_start=sent.start,
            ))
        return out

    def _race_in_stem(self, text: str) -> re.Match[str] | None:
        if not _AGE_HINT.search(text):
            return None  # no digit and no decade word: no age (most sentences; cheap to tell)
        age_sex = list(_AGE_SEX.finditer(text))
        ages = list(_AGE.finditer(text)) + age_sex
        if not ages:
            return None
        races = list(self.race.finditer(text))
        if not races:
            return None
        persons = list(_PERSON.finditer(text))
        # "a 47-year-old Hispanic landscaper": an age right before the group word describes a person
        age_then_race = any(0 <= r.start() - a.end() <= 2 for a in ages for r in races)
        if not persons and not age_sex and not age_then_race and not _CASE_VERB.search(text):
            return None
        anchors = [(m.start(), m.end()) for m in ages + persons]
        for race in races:
            if _NOT_A_PERSON.match(text, race.end()):
                continue
            for a_start, a_end in anchors:
                gap = race.start() - a_end if race.start() >= a_end else a_start - race.end()
                if 0 <= gap <= WINDOW:
                    return race
        return None
