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
