"""What kind of sentence a passage is: a reference-list entry, answer options, or prose."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bias_review.detect.sentence_kind import _CITATION, is_prose, looks_like_citation, looks_like_options

REFERENCES = [
    "Levey AS, Stevens LA. Estimating GFR using the CKD-EPI equation. Am J Kidney Dis. 2010;55(4):622-627.",
    "Smith, J. (1998). Race and the spirometer. Journal of Thoracic Medicine, 12(3), 45-60.",
    "Braun L. Breathing Race into the Machine. Minneapolis: University of Minnesota Press; 2014. pp. 12-30.",
    "Roberts D. Fatal Invention (2nd ed.). New York: New Press.",
    "Retrieved from the state archive on race-based formulas.",
    "Vol. 3 of the series on kidney function.",
    "Available at https://example.org/egfr and doi:10.1000/182.",
]
PROSE = [
    "In 2003, the program enrolled 45 Black patients from three neighbourhoods.",
    "Multiply the eGFR by 1.159 if the patient is Black.",
    "Structural racism, not biology, explains the gap in outcomes for Black patients.",
    "The 1998 cohort included 12 percent Hispanic adults by self-report.",
]


@pytest.mark.parametrize("text", REFERENCES)
def test_reference_list_entries_are_citations_not_prose(text):
    assert looks_like_citation(text) and not is_prose(text)


@pytest.mark.parametrize("text", PROSE)
def test_prose_with_years_and_numbers_is_prose(text):
    assert not looks_like_citation(text) and is_prose(text)


def test_the_cheap_hint_never_hides_a_citation_shape():
    """`looks_like_citation` first asks a cheap hint; it must answer exactly as the full pattern
    on every labelled sentence and on random mixes of citation pieces."""
    root = Path(__file__).resolve().parents[1] / "models"
    texts = [json.loads(line)["text"] for f in sorted(root.glob("**/*.jsonl")) for line in open(f, encoding="utf-8")]
    pieces = ["(1998).", "12(3),", "2010;55", "doi:", "pp. 4", "vol. 2", "(2nd ed.)", "Retrieved from", "Journal of",
              "http://x", "1998", "45", "(", ")", ";", ".", " ", "a", "3", "ed.", "pp", "vol"]
    rng = random.Random(5)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(20_000)]
    assert len(texts) > 20_000
    for text in texts:
        assert looks_like_citation(text) == (_CITATION.search(text) is not None), text


def test_answer_options():
    assert looks_like_options("Which is right? a. thiazide b. ACE inhibitor c. both")
    assert not looks_like_options("The patient, a 45-year-old man, was seen on a Monday.")
