"""The engine's token-pattern matcher (detect/token_patterns.py) finds what spaCy's Matcher
finds: on random patterns using every operator and predicate it reads, on random texts; and for
every lexicon entry (with the lexicon detector's quick `pattern_needs` test in front) on
labelled, real and generated text. Syntax it does not read is refused when the lexicon loads."""

from __future__ import annotations

import json
import random
import sys
import textwrap
from pathlib import Path

import pytest
from spacy.attrs import LOWER, ORTH
from spacy.matcher import Matcher
from spacy.tokens import Span
from spacy.util import filter_spans

from bias_review.detect.base import Piece
from bias_review.detect.lexicon_matcher import _TokenValues, longest_spans, pattern_needs
from bias_review.detect.token_patterns import (
    Columns, RegexNeed, UnsupportedPattern, compile_pattern, find)
from bias_review.lexicon import LexiconError, load_lexicon
from bias_review.nlp import process
from bias_review.parse import parse

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["a", "b", "c", "A", "B", ".", ",", "3", "two", "dd", "cats", "cat", "Cat", ":", "?"]


def random_spec(rng: random.Random) -> dict:
    """A token spec of one of the kinds the matcher reads, with a random operator."""
    kind = rng.randrange(12)
    spec = [
        lambda: {"LOWER": rng.choice(["a", "b", "c", "dd", "cat"])},
        lambda: {"LOWER": {"IN": rng.sample(["a", "b", "c", "dd", "cat", "."], 2)}},
        lambda: {"ORTH": {"NOT_IN": rng.sample(["a", "b", "A", ".", "Cat"], 2)}},
        lambda: {"IS_PUNCT": rng.random() < 0.5},
        lambda: {"LIKE_NUM": True},
        lambda: {"IS_SENT_START": rng.random() < 0.5, "LOWER": {"IN": ["a", "b", "cat"]}},
        lambda: {"LEMMA": "cat"},
        lambda: {"LEMMA": {"IN": ["cat", "b"]}},
        lambda: {"TEXT": {"REGEX": "^[A-Z]"}},
        lambda: {"LENGTH": {rng.choice([">=", "<", "==", "!="]): rng.choice([1, 2, 3])}},
        lambda: {"IS_TITLE": True, "LOWER": {"NOT_IN": ["cat"]}},
        lambda: {},
    ][kind]()
    op = rng.choice([None, None, None, "?", "?", "?", "*", "+", "!"])
    if op:
        spec["OP"] = op
    return spec


@pytest.mark.parametrize("seed", range(4))
def test_random_patterns_match_as_spacys_matcher(rules_engine, seed):
    nlp = rules_engine.nlp
    rng = random.Random(seed)
    compared = matched = 0
    for _ in range(600):
        tokens = [random_spec(rng) for _ in range(rng.randint(1, 6))]
        if all(s.get("OP") in ("?", "*") for s in tokens):
            continue  # the loader refuses these (they could match nothing)
        reference = Matcher(nlp.vocab)
        reference.add("X", [tokens])
        pattern = compile_pattern(tokens)
        texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 16))) for _ in range(4)]
        for doc in process(nlp, texts):
            columns = Columns(doc)
            for part in [*doc.sents, doc[:]]:
                want = {(part.start + s, part.start + e) for _, s, e in reference(part)}
                assert find(pattern, columns, part.start, part.end) == want, (tokens, part.text)
                compared += 1
                matched += bool(want)
    assert compared > 3_000 and matched > compared // 5  # the texts are not all misses


def _texts() -> list[str]:
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
    return texts + paragraphs(1_500, seed=3)  # on-topic: group words, numbers, the stereotype verbs


def test_every_entrys_token_patterns_match_as_spacys_matcher(rules_engine):
    """Every entry with token patterns, on every sentence of the labelled development sets, the
    real drug-label sentences, the bundled examples and generated on-topic text: the detector's
    matches (needs tested first, then the compiled patterns) are spaCy's Matcher's."""
    nlp = rules_engine.nlp
    detector = next(d for d in rules_engine.detectors if d.name == "lexicon")
    references = {}
    for eid in detector.token_patterns:
        references[eid] = Matcher(nlp.vocab)
        references[eid].add(eid, [list(p.tokens) for p in detector.entries[eid].patterns if hasattr(p, "tokens")])
    found = 0
    for doc in process(nlp, _texts()):
        values = _TokenValues(Columns(doc), detector._need_attrs)
        for sent in Piece(doc).sentences:
            span = sent.span
            for eid, reference in references.items():
                want = {(span.start + s, span.start + e) for _, s, e in reference(span)}
                assert detector.token_matches(eid, values, span.start, span.end) == want, (eid, sent.text)
                found += len(want)
    assert found > 500


def test_needs_are_the_mandatory_specs_value_sets_and_regexes(rules_engine):
    strings = rules_engine.nlp.vocab.strings
    pattern = compile_pattern((
        {"LOWER": "the"},
        {"LOWER": {"IN": ["black", "white"]}, "OP": "?"},  # optional: not needed
        {"TEXT": {"IN": ["AAM", "AAF"]}, "OP": "+"},
        {"ORTH": {"NOT_IN": ["("]}},  # a negative set says nothing of what must be there
        {"LOWER": {"REGEX": "^rac(e|ial)$"}},  # a regex: a token must match it
        {"LOWER": {"REGEX": "^x$"}, "OP": "?"},  # optional: not needed
        {"LOWER": "y", "OP": "!"},  # a token that is not "y": not needed
        {"IS_PUNCT": True},  # a flag: not a string value
    ))
    needs = pattern_needs(pattern)
    assert needs.attrs == {LOWER, ORTH}
    assert needs.values == (frozenset({strings["the"]}), frozenset({strings["AAM"], strings["AAF"]}))
    assert needs.regexes == ((LOWER, RegexNeed.of("^rac(e|ial)$")),)
    assert pattern.anchor == 0 and pattern.lead == 0


def test_the_anchor_is_the_first_spec_a_match_must_use():
    assert compile_pattern(({"LOWER": "a", "OP": "?"}, {"LOWER": "b", "OP": "!"}, {"LOWER": "c"}))[1:] == (2, 2)
    assert compile_pattern(({"LOWER": "a", "OP": "*"}, {"LOWER": "c", "OP": "+"}))[1:] == (1, None)
    assert compile_pattern(({"LOWER": "a", "OP": "!"}, {"LOWER": "c", "OP": "?"}))[1:] == (None, None)


def test_a_regex_need_is_tested_once_per_form(rules_engine):
    nlp = rules_engine.nlp
    need = RegexNeed.of(r"^0\.(94|88)$")
    assert RegexNeed.of(r"^0\.(94|88)$") is need  # one object per source
    h = nlp.vocab.strings.add("0.94")
    assert need.test(h, nlp.vocab.strings) and h in need._hits
    need._hits[h] = False  # the remembered answer is the one given
    assert not need.test(h, nlp.vocab.strings)
    need._hits.pop(h)


@pytest.mark.parametrize("seed", range(3))
def test_longest_spans_are_spacys_filter_spans(rules_engine, seed):
    rng = random.Random(seed)
    doc = rules_engine.nlp.make_doc(" ".join(["w"] * 30))
    for _ in range(300):
        pairs = set()
        for _ in range(rng.randint(1, 12)):
            start = rng.randrange(30)
            pairs.add((start, rng.randint(start + 1, min(30, start + 6))))
        want = [(s.start, s.end) for s in filter_spans([Span(doc, s, e) for s, e in pairs])]
        assert longest_spans(pairs) == want


@pytest.mark.parametrize("spec, says", [
    ({"LOWER": "a", "OP": "{2}"}, "OP '{2}'"),
    ({"LOWER": {"FUZZY": "abc"}}, "predicate 'FUZZY'"),
    ({"LENGTH": {"REGEX": "1"}}, "predicate 'REGEX'"),
    ({"IS_PUNCT": "yes"}, "IS_PUNCT takes true or false"),
    ({"LOWER": 2}, "LOWER cannot be compared to 2"),  # spaCy would read 2 as a string's hash
    ({"LENGTH": {"IN": ["3"]}}, "LENGTH cannot be compared to '3'"),
])
def test_syntax_the_matcher_does_not_read_is_refused(spec, says):
    with pytest.raises(UnsupportedPattern, match=says.replace("{", r"\{").replace("}", r"\}")):
        compile_pattern(({"LOWER": "x"}, spec))


def test_the_loader_names_an_entry_whose_pattern_the_matcher_cannot_read(tmp_path, monkeypatch):
    monkeypatch.setenv("BIAS_REVIEW_CACHE", "off")
    (tmp_path / "s.yml").write_text(textwrap.dedent("""
        category: stereotype
        entries:
          - id: fuzzy-words
            patterns:
              - tokens: [{LOWER: {FUZZY: lazy}}, {LOWER: people}]
            explanation: This is an explanation that is long enough to act on.
            suggestion: null
            references: ["Someone A. A paper. J 2020;1:1-2."]
        """), encoding="utf-8")
    with pytest.raises(LexiconError) as exc:
        load_lexicon([tmp_path], include_bundled=False)
    assert "'fuzzy-words': field 'patterns' #1: LOWER: predicate 'FUZZY' is not supported" in str(exc.value)
