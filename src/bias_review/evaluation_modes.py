"""Evaluate lexicons alone, the classifier alone, and the combined engine on one file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bias_review.evaluate import Example, Report, evaluate_engine, score
from bias_review.findings import LABELS


def evaluate_modes(examples: list[Example], *, model_dir: Path | None = None,
                   modes: tuple[str, ...] = ("lexicons", "classifier", "combined")) -> dict[str, Report]:
    """Reports keyed by mode. The classifier alone predicts its most probable label."""
    from bias_review.classifier.predict import bundled_model_dir, load_predictor
    from bias_review.detect.registry import DEFAULT_DETECTORS, RULES_ONLY
    from bias_review.engine import Engine

    out: dict[str, Report] = {}
    gold = [e.label for e in examples]
    texts = [e.text for e in examples]
    if "lexicons" in modes:
        out["lexicons"] = evaluate_engine(Engine(detectors=RULES_ONLY), examples)
    if "classifier" in modes:
        proba = load_predictor(model_dir or bundled_model_dir()).predict_proba(texts)
        pred = [LABELS[i] for i in np.argmax(proba, axis=1)]
        out["classifier"] = score(gold, pred, texts)
    if "combined" in modes:
        out["combined"] = evaluate_engine(Engine(detectors=DEFAULT_DETECTORS, model_path=model_dir), examples)
    return out
