"""The learning loop as a library: reviewers' verdicts in the review store become a new
classifier version, measured against the model in use and registered (not activated).

    result = retrain_from_store(store, out_dir=data_folder / "models")
    print(result.before["dev"]["flag_vs_none"], result.after["dev"]["flag_vs_none"])
    activate_model(store, result.version)          # scans now use engine_model_dir(store)

See docs/learning.md.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from bias_review.classifier.data import annotation_rows
from bias_review.classifier.predict import bundled_model_dir
from bias_review.classifier.workflow import build_model, save_model
from bias_review.evaluate import Example, evaluate_engine, load_examples
from bias_review.store import Store, active_model, register_model, verdict_rows

MIN_DECISIONS = 4  # fewer reviewer verdicts for training than this: nothing worth learning


@dataclass(frozen=True)
class RetrainResult:
    """A trained, registered, not yet active model version and what it was measured to do.

    `before` and `after` are `measure()` dicts: the model version, and `evaluate.Report.as_dict()`
    on the dev set (`dev`) and on the held-back decisions (`held_back`, None when none)."""

    version: str
    path: Path
    before: dict[str, Any]
    after: dict[str, Any]
    decisions_used: int
    decisions_held_back: int


def split_key(record: dict[str, Any]) -> str:
    """What the split hashes: the passage, white space and case folded. The same sentence in
    two documents (two flags, two finding ids) always lands on the same side, so a held-back
    sentence is never also trained on."""
    return " ".join(str(record.get("passage") or "").lower().split())


def split_verdicts(records: list[dict[str, Any]], holdout_fraction: float = 0.25,
                   seed: int = 13) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(training part, held-back part) of verdict records, in their order. A record is held back
    when a seeded hash of its `split_key` falls below `holdout_fraction`: the split is
    deterministic, disjoint, and a decision keeps its side as more decisions arrive."""
    if not 0.0 <= holdout_fraction < 1.0:
        raise ValueError(f"holdout_fraction must be at least 0 and below 1, not {holdout_fraction}")
    train: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    for record in records:
        digest = hashlib.sha256(f"{seed}\0{split_key(record)}".encode()).digest()
        (held if int.from_bytes(digest[:8], "big") / 2**64 < holdout_fraction else train).append(record)
    return train, held


def engine_model_dir(store: Store) -> Path | None:
    """The active model's directory, or None: then `Engine(model_path=None)` uses the bundled model."""
    info = active_model(store)
    return Path(info.path) if info else None


def held_back_examples(records: list[dict[str, Any]]) -> list[Example]:
    """Each held-back verdict as a labelled sentence: dismissed -> none, accepted -> its
    category, recategorised -> the new category."""
    return [Example(row.text, row.label, note=row.source) for row in annotation_rows(records)]


def measure(model_dir: Path | None, sets: dict[str, list[Example]]) -> dict[str, Any]:
    """The full engine with the model at `model_dir` (None: the bundled one) on each labelled
    set: {"model_version": …, name: Report.as_dict() or None for an empty set}."""
    from bias_review.engine import Engine

    engine = Engine(model_path=model_dir)
    out: dict[str, Any] = {"model_version": engine.model_version}
    for name, examples in sets.items():
        out[name] = evaluate_engine(engine, examples).as_dict() if examples else None
    return out


def retrain_from_store(store: Store, *, out_dir: Path, training_dir: Path | None = None,
                       holdout_fraction: float = 0.25, seed: int = 13, folds: int = 3,
                       family: str | None = None, dev_path: Path | None = None,
                       log: Callable[[str], Any] = print) -> RetrainResult:
    """Train a new model version from the store's verdicts and register it without activating it.

    The latest verdict per flag is split (`split_verdicts`) into a training part and a held-back
    part. The new model learns from `training_dir` (default: the bundled training data) plus the
    training part, weighted as `train --with-annotations` weighs them, and is saved to
    `out_dir/<version>` (a new directory; an existing one is never overwritten). The model in
    use (the store's active one, else the bundled one) and the new one are measured on the dev
    set (`dev_path`, default the bundled `models/dev/dev.jsonl`) and on the held-back part.
    `family` None compares every model family (slower); `folds` is the cross-validation used to
    choose thresholds. Raises ValueError with fewer than MIN_DECISIONS verdicts to train on."""
    bundled = bundled_model_dir()
    out_dir = Path(out_dir).resolve()
    if out_dir.is_relative_to(bundled.resolve()):
        raise ValueError(f"{out_dir}: retrained models go outside the bundled model directory {bundled}")
    records = verdict_rows(store)
    train, held = split_verdicts(records, holdout_fraction, seed)
    if len(train) < MIN_DECISIONS:
        raise ValueError(f"too few reviewer decisions to retrain: {len(records)} verdict(s), {len(train)} left for "
                         f"training after holding back {len(held)}; need at least {MIN_DECISIONS}")
    log(f"decisions: {len(records)} verdict(s), {len(train)} to train on, {len(held)} held back")
    sets = {"dev": load_examples(dev_path or bundled / "dev" / "dev.jsonl"), "held_back": held_back_examples(held)}
    before_dir = engine_model_dir(store)
    before = measure(before_dir, sets)  # first: a broken active model fails before the training
    log(f"before ({before['model_version']}): {_summary(before)}")
    trained, version = build_model(training_dir or bundled / "training", annotations=train, family=family,
                                   folds=folds, log=log)
    path = _save_new(trained, out_dir, version)
    after = measure(path, sets)
    log(f"after ({version}): {_summary(after)}")
    register_model(store, version, path, {
        "before": before, "after": after, "decisions_used": len(train), "decisions_held_back": len(held),
        "holdout_fraction": holdout_fraction, "seed": seed, "folds": folds,
        "before_path": str(before_dir) if before_dir else None,
    })
    log(f"registered {version} at {path} (not active: activate_model(store, {version!r}))")
    return RetrainResult(version, path, before, after, len(train), len(held))


def _save_new(trained, out_dir: Path, version: str) -> Path:
    """Save into a fresh `out_dir/version`: written aside, then renamed into place, so a failed
    save leaves nothing behind and an existing directory is never touched."""
    target = out_dir / version
    if target.exists():
        raise FileExistsError(f"{target} exists: a model of these same decisions was trained before "
                              f"(activate it, or remove the directory to train it again)")
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=out_dir))
    try:
        save_model(trained, partial, version)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


def _summary(measured: dict[str, Any]) -> str:
    parts = []
    for name in ("dev", "held_back"):
        report = measured.get(name)
        if report:
            flag = report["flag_vs_none"]
            parts.append(f"{name} P {flag['precision']:.3f} R {flag['recall']:.3f} "
                         f"false flags {report['false_flag_rate_on_negatives']:.1%} (n={report['n']})")
    return "; ".join(parts)
