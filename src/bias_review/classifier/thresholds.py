"""Decision thresholds for the classifier detector, chosen on out-of-fold predictions of the
training data (never on the dev set)."""

from __future__ import annotations

import numpy as np

from bias_review.findings import LABELS, NONE

_NONE = LABELS.index(NONE)


def choose_thresholds(proba: np.ndarray, gold: np.ndarray, *, own_precision: float = 0.92,
                      quiet_miss: float = 0.03) -> dict[str, float]:
    """`own`: the lowest p(finding) = 1 - p(none) at which the model's own flags are findings
    at least `own_precision` of the time. `quiet`: the lowest p(none) at which at most
    `quiet_miss` of true findings would be quieted."""
    p_flag = 1.0 - proba[:, _NONE]
    own = 0.95
    for t in np.arange(0.50, 0.96, 0.01):
        sel = p_flag >= t
        if sel.sum() < 20:
            break
        if (gold[sel] != NONE).mean() >= own_precision:
            own = float(t)
            break
    positives = proba[gold != NONE, _NONE]
    quiet = 0.95
    for q in np.arange(0.50, 0.96, 0.01):
        if (positives >= q).mean() <= quiet_miss:
            quiet = float(q)
            break
    return {"own": round(own, 2), "quiet": round(quiet, 2), "agree": 0.4}
