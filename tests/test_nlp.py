"""The shared pipeline's own components: sentence starts (spaCy's Sentencizer rule, and
bullets) and the lower-case lookup lemmas."""

from __future__ import annotations

import pytest

from bias_review.nlp import get_nlp


def _sentences(text: str) -> list[str]:
    return [s.text for s in get_nlp()(text).sents]


@pytest.mark.parametrize("text, expected", [
    ("Renal week. A 45-year-old man presents. Discuss!", ["Renal week.", "A 45-year-old man presents.", "Discuss!"]),
    # punctuation after an end mark stays with that sentence (spaCy's rule: an opening bracket too)
    ("“It was normal.” He left. (See table 2.) Next?", ["“It was normal.”", "He left. (", "See table 2.)", "Next?"]),
    # a run of marks ends one sentence; an ellipsis token is not an end mark
    ("Really?! Yes... no. . . maybe", ["Really?!", "Yes... no. . .", "maybe"]),
    # case-stem and citation abbreviations do not end a sentence
    ("A 58 y.o. man with hx. of CKD. Smith et al. reported it.", ["A 58 y.o. man with hx. of CKD.", "Smith et al. reported it."]),
    # a text that opens with punctuation still starts a sentence at its first token
    ("“Quoted.” Then", ["“Quoted.”", "Then"]),
    ("!!!", ["!!!"]),
    ("。日本語", ["。", "日本語"]),
    # a bullet starts a sentence: a list run into one line is read item by item
    ("Contraindicated in: • Bleeding • Unsupervised patients with poor adherence ▪ Pregnancy. • Last",
     ["Contraindicated in:", "• Bleeding", "• Unsupervised patients with poor adherence", "▪ Pregnancy.", "• Last"]),
])
def test_sentence_starts(text, expected):
    assert _sentences(text) == expected


def test_lemmas_are_lower_case_lookups_and_regular_plurals():
    doc = get_nlp()("Patients Refused the CAPOIDS and negros")
    assert [t.lemma_ for t in doc] == ["patient", "refuse", "the", "capoid", "and", "negro"]
