"""Two shortcuts the engine takes on the way, each of which must give exactly what the long way
gives, checked on labelled, real and generated sentences:

- the context rules search a sentence once with all their terms together, and run each rule's
  own pattern only where that finds something;
- the vocabulary gate reads a block's words once, sentence by sentence, and takes the block's
  keys as the union of its sentences' keys.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bias_review.detect.gate import gate_keys_of_text
from bias_review.windows import rough_sentences

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    out = [json.loads(line)["text"] for f in sorted((ROOT / "models" / "dev").glob("*.jsonl"))
           for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    out += [json.loads(line)["text"] for line in
            (ROOT / "models" / "real" / "us-federal.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from ontopic import paragraphs
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return out + paragraphs(2_000, seed=3)


def test_no_context_rule_fires_where_the_joint_search_finds_nothing(rules_engine, texts):
    rules = rules_engine.context
    fired = 0
    for text in texts:
        joint = rules._any.found(text)
        for compiled in rules.rules:
            if compiled.regex.search(text) is not None:
                fired += 1
                assert joint, (compiled.rule.id, text)
    assert fired > 500  # the rules do fire on these texts: the check is not empty


def test_a_context_rule_still_lowers_a_candidate(rules_engine):
    """The shortcut in place, a critique of race correction still quiets the candidate in it."""
    found = rules_engine.analyze_text(
        "Multiplying the eGFR by 1.159 if the patient is Black is race correction, which the "
        "2021 equation abandoned.")
    assert found and all(f.severity.value in ("info", "low") for f in found), [(f.severity, f.trace) for f in found]


def test_a_blocks_keys_are_its_sentences_keys(texts):
    blocks = [" ".join(texts[i:i + 7]) for i in range(0, len(texts), 7)]
    blocks += ["One.\n\nTwo “quoted.” Three (bracketed.) Four", "", "   ", "A\u00a0b. c—d. É.É."]
    for block in blocks:
        joined = frozenset().union(*(gate_keys_of_text(block[a:b]) for a, b in rough_sentences(block)))
        assert joined == gate_keys_of_text(block), block


def _variants(texts: list[str]) -> list[str]:
    """The texts as they are, upper-cased, title-cased, and with characters that match ASCII
    letters only when case is ignored (the long s, the Kelvin sign, the dotted capital I)."""
    odd = [t.replace("s", "\u017f").replace("k", "\u212a").replace("I", "\u0130") for t in texts[::5]]
    return texts + [t.upper() for t in texts[::3]] + [t.title() for t in texts[::4]] + odd


def test_term_lists_answer_alike_on_lower_cased_ascii(engine, texts):
    """`found` lower-cases ASCII text and searches without IGNORECASE where that is exact;
    every term list the engine uses answers as the case-ignoring pattern does."""
    from bias_review.lexicon.terms import TermPattern

    patterns: dict[int, TermPattern] = {}
    rules = engine.context
    for p in [rules._any, *(c.regex for c in rules.rules)]:
        patterns[id(p)] = p
    classifier = engine.judges[0]
    for req in classifier._own_requirements:
        for p in req:
            patterns[id(p)] = p
    lexicon = next(d for d in engine.detectors if d.name == "lexicon")
    for ps in [*lexicon._requires.values(), [*lexicon._unless.values()]]:
        for p in ps:
            patterns[id(p)] = p
    sample = _variants(texts[::3])
    fast = found = 0
    for p in patterns.values():
        p.found("")  # compiled
        fast += p._any_lower is not None
        for text in sample:
            expected = p._any.search(text) is not None
            assert p.found(text) == expected, (p.terms[:3], text)
            found += expected
    assert fast > 0.8 * len(patterns) and found > 1000  # the fast way is taken, and finds things


def test_a_term_that_ignores_case_into_ascii_keeps_the_slow_way():
    from bias_review.lexicon.terms import TermPattern

    long_s = TermPattern(("\u017ftoic",))  # U+017F matches 's' when case is ignored
    assert long_s.found("He was STOIC.") and long_s._any_lower is None
    plain = TermPattern(("stoic", "dinÉ"))
    assert plain.found("He was STOIC.") and plain._any_lower is not None
    assert plain.found("the Diné nation") and not plain.found("the dine nation")


def test_sentence_kinds_answer_as_their_patterns_do(texts):
    from bias_review.detect import sentence_kind as sk

    sample = _variants(texts) + ["Smith J. (1998). Title. Journal Of Things 3(2): 4-9.", "See DOI:10.1/x",
                                 "Retrieved From HTTPS://example.org", "a. one b. two c. three",
                                 "i) yes ii) no", "Answer: A.\tB) maybe"]
    citations = options = 0
    for text in sample:
        expected = sk._CITATION_HINT.search(text) is not None and sk._CITATION.search(text) is not None
        assert sk.looks_like_citation(text) == expected, text
        assert sk.looks_like_options(text) == (sk._OPTIONS.search(text) is not None), text
        citations += expected
        options += sk.looks_like_options(text)
    assert citations >= 3 and options >= 2
