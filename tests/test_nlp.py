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


def _reference_starts(doc) -> list[bool]:
    """The sentencizer's rule, token by token: a bullet starts a sentence; a word (not
    punctuation) starts one when an end mark came after the last word or bullet."""
    from bias_review.nlp import ArraySentencizer

    out, seen = [], False
    for i, token in enumerate(doc):
        if token.text in ArraySentencizer.BULLETS:
            out.append(True)
            seen = False
        elif token.text in ArraySentencizer.ENDS:
            out.append(i == 0)
            seen = True
        elif token.is_punct:
            out.append(i == 0)
        else:
            out.append(seen or i == 0)
            seen = False
    return out


def test_sentence_starts_follow_the_rule_token_by_token():
    """The starts found in the string of token kinds are those of the rule applied token by
    token, on labelled, real and generated text and on random runs of words and marks."""
    import json
    import random
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    texts = [json.loads(line)["text"] for f in sorted((root / "models").glob("*/*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines()[::4] if line.strip()]
    sys.path.insert(0, str(root / "bench"))
    try:
        from ontopic import paragraphs
    finally:
        sys.path.remove(str(root / "bench"))
    texts += paragraphs(1_000, seed=4)
    rng = random.Random(3)
    pieces = ["word", "Two", ".", "!", "?", "…", "。", "•", "▪", ",", "(", ")", "“", "”", "-", "y.o.", "3", " "]
    texts += ["".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(1, 25)))
              for _ in range(5_000)]
    nlp = get_nlp()
    starts = 0
    for doc in nlp.pipe(texts):
        got = [bool(t.is_sent_start) for t in doc]
        assert got == _reference_starts(doc), doc.text
        starts += sum(got)
    assert starts > 10_000
