"""Shortcuts the engine takes on the way, each of which must give exactly what the long way
gives, checked on labelled, real and generated sentences:

- the context rules search a sentence once with all their terms together, and run each rule's
  own pattern only where that finds something;
- the vocabulary gate reads a block's words once, sentence by sentence, and takes the block's
  keys as the union of its sentences' keys;
- a term list's yes-or-no search (`found`) is written as a prefix tree, near items merged, and
  runs on lower-cased ASCII text: it answers as the ordered, case-ignoring search does;
- the rough sentence breaks and the vignette's ages are found by patterns rewritten so that the
  regex engine can skip to the characters a match starts with: same matches as before.
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
    fast = found = near = 0
    for p in patterns.values():
        p.found("")  # compiled
        fast += p._any_lower is not None
        near += any(not isinstance(t, str) for t in p.terms)
        for text in sample:
            # the reference: the ordered alternation `search` uses, written term by term
            expected = p.search(text) is not None
            assert p.found(text) == expected, (p.terms[:3], text)
            found += expected
    assert fast > 0.8 * len(patterns) and found > 1000  # the fast way is taken, and finds things
    assert near >= 3  # lists with near items ("race ~ mask*") are among them


def test_found_merges_near_items_and_shares_prefixes():
    """The yes-or-no pattern of a list is a prefix tree, near items with one left side merged;
    and it still tells a near item's order and distance."""
    from bias_review.lexicon.terms import TermPattern, found_source

    terms = ("black", "blacks", "blackish*", ("~", ("race", "racial"), ("mask*",)),
             ("~", ("race", "racial"), ("hide*",)), "*itis")
    source = found_source(terms)
    assert source.count("black") == 1 and source.count("rac") == 1, source
    p = TermPattern(terms)
    assert p.found("Race can mask the cause") and p.found("racial labels hide it")
    assert not p.found("mask the race") and not p.found("race is one thing. Masks are another")
    assert not p.found("race is a word used here to mask")  # more than three words apart
    assert p.found("BLACKISHNESS") and p.found("arthritis") and not p.found("itis") and not p.found("blackboard")


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


def _old_rough_sentences(text: str) -> list[tuple[int, int]]:
    """The rough breaks as first written: the punctuation looked behind for."""
    import re

    out, start = [], 0
    for m in re.finditer(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9])|\n\s*\n", text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return [(a, b) for a, b in out if b > a]


def test_rough_breaks_fall_where_they_fell(texts):
    import random

    rng = random.Random(5)
    alphabet = ".!?\"'”’)](“‘([ \n\tAaZ9-"
    odd = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(20_000)]
    blocks = [" ".join(texts[i:i + 5]) for i in range(0, len(texts), 5)] + ["\n\n".join(texts[:50])]
    breaks = 0
    for text in blocks + odd:
        got = rough_sentences(text)
        assert got == _old_rough_sentences(text), text
        breaks += len(got) - 1
    assert breaks > 3_000


@pytest.mark.parametrize("name", ["_AGE", "_AGE_HINT", "_PERSON", "_CASE_VERB"])
def test_vignette_patterns_match_where_they_did(texts, name):
    """The look-ahead in front of a vignette pattern (the characters a match can start with)
    changes no match: the same places as the pattern without it."""
    import random
    import re

    from bias_review.detect import vignette

    pattern = getattr(vignette, name)
    bare = re.sub(r"^\(\?=\[[^\]]*\]\)", "", pattern.pattern)
    assert bare != pattern.pattern  # it has one
    reference = re.compile(bare, pattern.flags)
    rng = random.Random(9)
    words = ["45", "3", "-year-old", " year old", "yo", "y/o", "In", "into", "his", "her", "early",
             "mid-", "forties", "60s", "aged", "Age", ",", " ", "\u0130n", "\u0131nto", "AGED", "Ms. Ruiz",
             "TEENS", "\u212aid", "\u017fon", "Woman", "pt", "G2P1", "presents", "c/o", "is seen", "MAN"]
    odd = ["".join(rng.choice(words) for _ in range(rng.randint(1, 9))) for _ in range(20_000)]
    matched = 0
    for text in _variants(texts) + odd:
        got = [m.span() for m in pattern.finditer(text)]
        assert got == [m.span() for m in reference.finditer(text)], text
        matched += len(got)
    assert matched > 300
