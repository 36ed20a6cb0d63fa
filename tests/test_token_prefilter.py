"""The lexicon detector runs an entry's token patterns on a sentence only when the sentence
holds, for some pattern, every exact value (or a token matching every REGEX) the pattern needs
(`required_values`), in the pattern's order. Skipping must never lose a match: checked against
spaCy's Matcher for every entry on real, labelled and generated text."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from spacy.attrs import LEMMA, LOWER, ORTH

from bias_review.detect.base import Piece
from bias_review.detect.lexicon_matcher import RegexNeed, _TokenValues, required_values
from bias_review.nlp import process
from bias_review.parse import parse

ROOT = Path(__file__).resolve().parents[1]


def test_only_specs_every_match_uses_with_exact_values_count(rules_engine):
    strings = rules_engine.nlp.vocab.strings
    needs = required_values((
        {"LOWER": "the"},
        {"LOWER": {"IN": ["black", "white"]}, "OP": "?"},  # optional: not needed
        {"TEXT": {"IN": ["AAM", "AAF"]}, "OP": "+"},
        {"ORTH": {"NOT_IN": ["("]}},  # a negative set says nothing of what must be there
        {"LOWER": {"REGEX": "^rac(e|ial)$"}},  # a regex: a token must match it
        {"LOWER": {"REGEX": "^x$"}, "OP": "?"},  # optional: not needed
        {"LEMMA": {"IN": ["refuse"]}, "LENGTH": {">": 2}},
    ), strings)
    assert needs == ((0, LOWER, frozenset({strings["the"]})), (2, ORTH, frozenset({strings["AAM"], strings["AAF"]})),
                     (4, LOWER, RegexNeed.of("^rac(e|ial)$")), (6, LEMMA, frozenset({strings["refuse"]})))
    assert required_values(({"LOWER": "x", "OP": "*"}, {"IS_DIGIT": True}), strings) is None


def test_a_regex_need_is_searched_in_the_tokens_text_in_order(rules_engine):
    nlp = rules_engine.nlp
    needs = (required_values(({"LOWER": {"IN": ["asian"]}}, {"IS_PUNCT": False, "OP": "?"},
                              {"LOWER": {"REGEX": r"^0\.(94|88)$"}}), nlp.vocab.strings),)
    doc = process(nlp, ["Asian adults: multiply by 0.94 here. The factor 0.88 is for Asian adults."])[0]
    first, second = Piece(doc).sentences
    values = _TokenValues(doc)
    assert values.may_match(first.span, needs)
    assert not values.may_match(second.span, needs)  # both there, in the wrong order


@pytest.fixture(scope="module")
def lexicon_detector(rules_engine):
    return next(d for d in rules_engine.detectors if d.name == "lexicon")


def test_a_skipped_sentence_never_holds_a_match(rules_engine, lexicon_detector):
    """Every entry's Matcher on every sentence of the labelled development sets, the real
    drug-label sentences and the bundled examples: where the values say no pattern can match,
    the Matcher finds nothing. (The whole real corpus, 20 million checks, passed once.)"""
    texts = [json.loads(line)["text"] for f in sorted((ROOT / "models" / "dev").glob("*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [json.loads(line)["text"] for line in
              (ROOT / "models" / "real" / "us-federal.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [b.text for p in sorted((ROOT / "examples").glob("*.*[xm]")) for b in parse(p).blocks]
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from ontopic import paragraphs
    finally:
        sys.path.remove(str(ROOT / "bench"))
    texts += paragraphs(1_500, seed=3)  # on-topic: group words, numbers, the stereotype verbs
    skipped = run = 0
    for doc in process(rules_engine.nlp, texts):
        values = _TokenValues(doc)
        for sent in Piece(doc).sentences:
            for eid, matcher in lexicon_detector.token_matchers.items():
                needs = lexicon_detector._needs.get(eid)
                if needs is None or values.may_match(sent.span, needs):
                    run += 1
                    continue
                skipped += 1
                assert not matcher(sent.span), (eid, sent.text)
    assert skipped > 10 * run  # and most runs are skipped
