"""`bias-review train`: from training files (and reviewers' annotations) to a saved model."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from bias_review.classifier import model as M
from bias_review.classifier.data import (
    TrainingRow, annotation_rows, data_hash, load_annotations_jsonl, load_training, training_files,
)
from bias_review.classifier.thresholds import choose_thresholds


def read_annotations(source: str) -> list[dict]:
    """Reviewers' latest verdict on each flag, from a JSONL export (`bias-review annotations
    export`: one decision a line, oldest first) or a database URL (the review store)."""
    from bias_review.store.export import latest_verdicts

    if "://" not in source:
        return latest_verdicts(load_annotations_jsonl(Path(source)))
    from bias_review.store.training import training_verdicts

    return training_verdicts(source)


def build_model(training_dir: Path, *, annotations: str | list[dict] | None = None, family: str | None = None,
                folds: int = 5, log=print) -> tuple[M.TrainedModel, str]:
    """Train on `training_dir` (+ annotations), choose thresholds, and return (model, version).

    `annotations` is a JSONL export or database URL (`read_annotations`), or verdict records
    already read (dicts with `passage`, `decision`, `category`, `new_category`)."""
    rows: list[TrainingRow] = load_training(training_dir)
    files = training_files(training_dir)
    digest = data_hash(files)
    version = f"clf-{digest[:10]}"
    extra_rows: list[TrainingRow] = []
    if annotations:
        records = read_annotations(annotations) if isinstance(annotations, str) else annotations
        extra_rows = annotation_rows(records)
        log(f"annotations: {len(extra_rows)} reviewer decision(s), weight {extra_rows[0].weight if extra_rows else 0}")
        import hashlib
        ah = hashlib.sha256("\n".join(f"{r.label}\t{r.text}" for r in extra_rows).encode()).hexdigest()
        version = f"{version}+rev{len(extra_rows)}-{ah[:8]}"
    all_rows = _override(rows, extra_rows)
    log(f"training rows: {len(all_rows)} ({len(rows)} bundled, {len(extra_rows)} from reviewers)")
    trained = M.train(all_rows, family=family, folds=folds, data_sha256=digest, log=log)
    trained.metadata["thresholds"] = choose_thresholds(trained.oof_proba, np.array([r.label for r in all_rows]))
    log(f"thresholds: {trained.metadata['thresholds']}")
    return trained, version


def _override(rows: list[TrainingRow], extra: list[TrainingRow]) -> list[TrainingRow]:
    """Reviewers' decisions replace a bundled row with the same text."""
    if not extra:
        return rows
    key = lambda r: " ".join(r.text.lower().split())
    taken = {key(r) for r in extra}
    return [r for r in rows if key(r) not in taken] + extra


def save_model(trained: M.TrainedModel, out: Path, version: str) -> Path:
    return M.save(trained, out, version=version,
                  extra={"saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
