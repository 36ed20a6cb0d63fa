"""Term lists compile to whole-word, hyphen-tolerant regexes."""

from bias_review.lexicon.terms import compile_terms


def test_hyphen_space_or_nothing():
    rx = compile_terms(("non-compliant",))
    for s in ["non-compliant", "non compliant", "noncompliant", "Non-Compliant"]:
        assert rx.search(f"He was {s} today"), s


def test_whole_words_only_and_wildcards():
    rx = compile_terms(("race", "ancestr*"))
    assert rx.search("by race and sex")
    assert not rx.search("a trace of blood")
    assert not rx.search("embraced")
    assert rx.search("West African ancestry")
    assert rx.search("ancestral alleles")


def test_punctuation_terms():
    rx = compile_terms(("hla-b*", "c/o"))
    assert rx.search("HLA-B*15:02 carriers")


# --- the compiled forms against their definitions, for every term set of the bundled lexicons

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from bias_review.lexicon.loader import load_lexicon  # noqa: E402
from bias_review.lexicon.terms import _plain_source, expand_terms, term_regex_source  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TRICKY = ["arthritis", "Arthritis.", "x itis", "itis", "osteoarthritis-related", "9itis", "colitis's",
          "African-American", "AfricanAmerican", "african american", "BLACK PATIENTS", "Blacks,", "a Black-",
          "non-Hispanic White adults", "Hispanic/Latino", "the Caucasian race", "sub-Saharan Africans"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rows = []
    for path in sorted((ROOT / "models").glob("*/*.jsonl")):
        rows += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[::3] + TRICKY


@pytest.fixture(scope="module")
def term_lists() -> list[tuple]:
    lex = load_lexicon(None)
    return [expand_terms((f"@{name}",), lex.term_sets) for name in sorted(lex.term_sets)]


def test_grouped_alternations_match_exactly_as_the_plain_alternation(texts, term_lists):
    """Grouping branches under their first letter (in runs between word-ending terms) must
    not change any match: same places, same lengths."""
    checked = 0
    for terms in term_lists:
        plain = tuple(t for t in terms if isinstance(t, str))
        if not plain:
            continue
        ordered = sorted(set(plain), key=lambda t: (-len(t), t))
        reference = re.compile("|".join(term_regex_source(t) for t in ordered), re.IGNORECASE)
        grouped = re.compile(_plain_source(plain), re.IGNORECASE)
        for text in texts:
            assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in reference.finditer(text)], text
        checked += grouped.pattern != reference.pattern
    assert checked > 20  # most lists are grouped (a list with a "%" is not)


def test_found_answers_as_search_does(texts, term_lists):
    """`found` (any order, word endings in one branch) says yes exactly when `search` finds."""
    from bias_review.lexicon.terms import compile_terms as compiled

    hits = 0
    for terms in term_lists:
        pattern = compiled(terms)
        for text in texts:
            want = pattern.search(text) is not None
            assert pattern.found(text) == want, (terms[:3], text)
            hits += want
    assert hits > 1000
