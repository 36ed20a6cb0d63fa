"""Cohen's kappa per category between reviewers who decided the same flags."""

from __future__ import annotations

import pytest
from sklearn.metrics import cohen_kappa_score

from bias_review.store import agreement, cohen_kappa, decide, queue
from store_builders import finding, scanned_document

# The textbook example: 50 items, yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> kappa 0.4.
CELLS = [("accepted", "accepted", 20), ("accepted", "dismissed", 5), ("dismissed", "accepted", 10),
         ("dismissed", "dismissed", 15)]


def test_kappa_of_the_textbook_table_is_0_4():
    a = [x for x, _, n in CELLS for _ in range(n)]
    b = [y for _, y, n in CELLS for _ in range(n)]
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_kappa(["x", "x"], ["x", "x"]) is None


def test_agreement_per_category_and_pair_of_reviewers(store):
    scanned_document(store, [finding(f"r{i}") for i in range(50)]
                     + [finding(f"s{i}", category="stereotype") for i in range(4)])
    items = queue(store)
    race = [i for i in items if i.tool_category == "race-correction"]
    pairs = [(x, y) for x, y, n in CELLS for _ in range(n)]
    for item, (x, y) in zip(race, pairs):
        decide(store, item, "ana", "dismissed" if x == "accepted" else "accepted")  # changed her mind:
        decide(store, item, "ana", x)                                                # the latest counts
        decide(store, item, "ben", y)
        decide(store, item, "ben", "comment", comment="not a verdict")
    stereo = [i for i in items if i.tool_category == "stereotype"]
    for item, (a, c) in zip(stereo, [("accepted", "accepted"), ("dismissed", "dismissed"),
                                     ("accepted", "recategorised"), ("dismissed", "dismissed")]):
        decide(store, item, "ana", a)
        decide(store, item, "cy", c, new_category="outdated-term")
    decide(store, stereo[0], "ben", "accepted")  # only one flag in common with ana: n = 1

    got = {(g.category, g.reviewer_a, g.reviewer_b): g for g in agreement(store)}
    race_ab = got[("race-correction", "ana", "ben")]
    assert (race_ab.n, race_ab.observed) == (50, 0.7) and race_ab.kappa == pytest.approx(0.4)
    stereo_ac = got[("stereotype", "ana", "cy")]
    # labels: ana [S, none, S, none], cy [S, none, outdated-term, none]
    expected = cohen_kappa_score(["S", "n", "S", "n"], ["S", "n", "O", "n"])
    assert stereo_ac.n == 4 and stereo_ac.kappa == pytest.approx(expected)
    assert got[("stereotype", "ana", "ben")].n == 1 and got[("stereotype", "ana", "ben")].kappa is None
    assert ("race-correction", "ana", "cy") not in got
