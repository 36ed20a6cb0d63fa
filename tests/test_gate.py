"""The vocabulary gate's index against its definition: a pattern passes when every one of its
clauses shares a key with the text; `which` names the labels of the passing patterns and
`passes` says whether any does (both memoised, so asked twice)."""

from __future__ import annotations

import random

from bias_review.detect.gate import GateIndex, gate_keys_of_text


def _brute(gates, labels, keys):
    return {label for clauses, label in zip(gates, labels) if all(not c.isdisjoint(keys) for c in clauses)}


def test_which_and_passes_agree_with_the_definition():
    rng = random.Random(7)
    words = [f"w{i}" for i in range(40)]
    gates, labels = [], []
    for i in range(300):
        clauses = tuple(frozenset(rng.sample(words, rng.randint(1, 3))) for _ in range(rng.randint(1, 4)))
        if i % 50 == 0 and len(clauses) > 1:  # a clause twice in one pattern
            clauses += (clauses[-1],)
        gates.append(clauses)
        labels.append(f"entry-{i % 60}")
        if i % 7 == 0:  # the same pattern again (one object, as the lexicon's gates share them)
            gates.append(clauses)
            labels.append(f"entry-{(i + 1) % 60}")
    labelled, unlabelled = GateIndex(gates, labels), GateIndex(gates)
    for _ in range(400):
        keys = frozenset(rng.sample(words, rng.randint(0, 6)) + ["unrelated"])
        want = _brute(gates, labels, keys)
        for _ in range(2):
            assert labelled.which(keys) == want
            assert labelled.passes(keys) == bool(want)
            assert unlabelled.passes(keys) == bool(want)
            assert unlabelled.which(keys) == ({None} if want else set())


def test_a_pattern_of_two_clauses_needs_both():
    index = GateIndex([(frozenset({"egfr"}), frozenset({"black", "africa"}))], ["rc-egfr"])
    assert index.which(gate_keys_of_text("The eGFR of a Black patient")) == {"rc-egfr"}
    assert not index.passes(gate_keys_of_text("The eGFR was normal"))
    assert not index.passes(gate_keys_of_text("A Black patient"))
