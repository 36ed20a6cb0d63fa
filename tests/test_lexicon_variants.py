"""Every lexicon phrase matches its hyphen, space and closed forms, its possessive, and (for a
phrase ending in a noun) its plural — generated here for every entry, so a new entry that only
matches the form it was written in fails this test."""

from __future__ import annotations

import pytest

from bias_review.detect.gate import _lemma_maps
from bias_review.detect.lexicon_matcher import phrase_variants
from bias_review.lexicon.schema import PhrasePattern
from bias_review.nlp import singular

NOUN_ENDINGS = ("er", "ist", "ism", "oid", "ian", "ant", "ent", "ee", "ic", "ity", "tion", "ness", "ard")


def _plural(phrase: str) -> str | None:
    """The phrase with its last word in the plural, when that word is a noun we can tell."""
    words = phrase.split(" ")
    last = words[-1].lower()
    if last.endswith("s"):
        return None
    forward, inverse = _lemma_maps()
    if forward.get(last, last) != last:  # an inflected form already ("better", "faster", "lower")
        return None
    known = [f for f in inverse.get(forward.get(last, last), ()) if f.endswith("s") and singular(f) == last]
    if not known and not last.endswith(NOUN_ENDINGS):
        return None
    plural = known[0] if known else (last[:-1] + "ies" if last.endswith("y") else last + "s")
    return " ".join(words[:-1] + [words[-1][: len(words[-1]) - len(last)] + plural])


def _forms(pattern: PhrasePattern) -> list[str]:
    forms = set(phrase_variants(pattern.text))
    if pattern.match == "lemma":
        forms |= {p for f in list(forms) if (p := _plural(f))}
    forms |= {f + "'s" for f in list(forms) if not f.endswith("s")}
    return sorted(forms)


@pytest.fixture(scope="module")
def lexicon_detector(rules_engine):
    return next(d for d in rules_engine.detectors if d.name == "lexicon")


def test_every_phrase_matches_its_variants(rules_engine, lexicon_detector):
    nlp, det = rules_engine.nlp, lexicon_detector
    missed, checked = [], 0
    for entry in det.entries.values():
        for pattern in entry.patterns:
            if not isinstance(pattern, PhrasePattern):
                continue
            for form in _forms(pattern):
                checked += 1
                doc = nlp(f"In the notes, {form} appears once.")
                ids = {nlp.vocab.strings[m[0]] for matcher in (det.lemma_matcher, det.lower_matcher)
                       for m in matcher(doc)}
                if entry.id not in ids:
                    missed.append((entry.id, pattern.text, form))
    assert checked > 3000
    assert not missed, f"{len(missed)} variant(s) not matched, e.g. {missed[:10]}"


@pytest.mark.parametrize("text, entry", [
    ("The nurse called him one of the drug seekers on the unit.", "stig-drug-seeking"),
    ("Two frequent flyers were seen overnight.", "stig-frequent-flyer"),
    ("The Capoids were described in old texts.", "term-racial-typology-other"),
])
def test_real_sentences_with_plural_forms_are_found(rules_engine, text, entry):
    found = rules_engine.analyze_text(text)
    assert any(entry in d for f in found for d in f.detectors), [f.detectors for f in found]
