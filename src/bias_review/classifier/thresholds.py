"""Decision thresholds for the classifier detector, chosen on out-of-fold predictions of the
training data (never on the dev set)."""

from __future__ import annotations

import numpy as np

from bias_review.evaluate import LABELS, NONE

_NONE = LABELS.index(NONE)


def choose_thresholds(proba: np.ndarray, gold: np.ndarray, *, own_precision: float = 0.92,
                      quiet_miss: float = 0.03) -> dict[str, float]:
    """`own`: the lowest probability at which the model's own category guesses are right at
    least `own_precision` of the time. `quiet`: the lowest p(none) at which at most
    `quiet_miss` of true findings would be quieted."""
    masked = proba.copy()
    masked[:, _NONE] = -1
    best = masked.argmax(axis=1)
    p_best = masked.max(axis=1)
    labels = np.array(LABELS)
    own = 0.95
    for t in np.arange(0.50, 0.96, 0.01):
        sel = p_best >= t
        if sel.sum() < 20:
            break
        if (labels[best[sel]] == gold[sel]).mean() >= own_precision:
            own = float(t)
            break
    positives = proba[gold != NONE, _NONE]
    quiet = 0.95
    for q in np.arange(0.50, 0.96, 0.01):
        if (positives >= q).mean() <= quiet_miss:
            quiet = float(q)
            break
    return {"own": round(own, 2), "quiet": round(quiet, 2), "agree": 0.4}
