"""Training the scikit-learn sentence classifier: candidate families, cross-validation,
training, and safe storage with skops (the full pipeline) plus the compact form scans load
(classifier/predict.py), both checked against metadata.json."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.feature_extraction.text import TfidfVectorizer

from bias_review.classifier.data import TrainingRow
from bias_review.classifier.predict import INFERENCE_FILE, ModelError, export, read_checked
from bias_review.findings import LABELS, NONE

MODEL_FILE = "classifier.skops"
META_FILE = "metadata.json"
SEED = 13
# types skops may rebuild from our model file; anything else is refused
TRUSTED_TYPES = [
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.utils._bunch.Bunch",
    "sklearn.frozen._frozen.FrozenEstimator",
    "numpy.float64",
    "numpy.int64",
    "builtins.dict",
    "collections.defaultdict",
    "builtins.str",
    "builtins.float",
    "builtins.int",
    "scipy.sparse._csr.csr_matrix",
    "numpy.dtype",
    "numpy.ndarray",
]


def _features() -> FeatureUnion:
    return FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True,
                                 token_pattern=r"(?u)\b[\w*.:/-]+\b", max_features=30000)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                 lowercase=True, max_features=40000)),
    ])


def candidate_pipelines() -> dict[str, Pipeline]:
    """The model families compared on cross-validation; the better one is kept."""
    return {
        "tfidf-logreg": Pipeline([
            ("features", _features()),
            ("clf", CalibratedClassifierCV(
                LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced"),
                method="sigmoid", cv=3, ensemble=False)),
        ]),
        "tfidf-linearsvc": Pipeline([
            ("features", _features()),
            ("clf", CalibratedClassifierCV(
                LinearSVC(C=0.5, class_weight="balanced", random_state=SEED),
                method="sigmoid", cv=3, ensemble=False)),
        ]),
    }


def _arrays(rows: list[TrainingRow]) -> tuple[list[str], np.ndarray, np.ndarray]:
    return [r.text for r in rows], np.array([r.label for r in rows]), np.array([r.weight for r in rows])


def metrics_of(gold: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """Macro-F1 over categories and flag-vs-none precision/recall/F1."""
    g_flag, p_flag = gold != NONE, pred != NONE
    p, r, f, _ = precision_recall_fscore_support(g_flag, p_flag, average="binary", zero_division=0)
    cats = [l for l in LABELS if l != NONE]
    return {
        "macro_f1": round(float(f1_score(gold, pred, labels=cats, average="macro", zero_division=0)), 4),
        "flag_precision": round(float(p), 4), "flag_recall": round(float(r), 4), "flag_f1": round(float(f), 4),
    }


def cross_validate(pipe: Pipeline, rows: list[TrainingRow], folds: int = 5) -> tuple[dict[str, Any], np.ndarray]:
    """Out-of-fold metrics and probabilities (columns in LABELS order)."""
    texts, y, w = _arrays(rows)
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    proba = cross_val_predict(pipe, texts, y, cv=cv, method="predict_proba", params={"clf__sample_weight": w})
    classes = np.array(sorted(set(y)))
    pred = classes[proba.argmax(axis=1)]
    return metrics_of(y, pred), _to_label_order(proba, classes)


def _to_label_order(proba: np.ndarray, classes) -> np.ndarray:
    out = np.zeros((proba.shape[0], len(LABELS)))
    for j, c in enumerate(classes):
        out[:, LABELS.index(c)] = proba[:, j]
    return out


@dataclass
class TrainedModel:
    pipeline: Pipeline
    metadata: dict[str, Any]
    oof_proba: np.ndarray | None = None  # out-of-fold probabilities of the kept family


def train(rows: list[TrainingRow], *, family: str | None = None, folds: int = 5,
          data_sha256: str = "", log=print) -> TrainedModel:
    """Cross-validate the candidate families (or just `family`), keep the best by macro-F1,
    fit it on all rows, and return it with its metadata."""
    pipes = candidate_pipelines()
    names = [family] if family else list(pipes)
    results, oofs = {}, {}
    for name in names:
        if name not in pipes:
            raise ValueError(f"unknown model family {name!r}; choose from {sorted(pipes)}")
        m, oofs[name] = cross_validate(pipes[name], rows, folds)
        results[name] = m
        log(f"{name}: {folds}-fold CV  macro-F1 {m['macro_f1']:.3f}  flag P {m['flag_precision']:.3f} "
            f"R {m['flag_recall']:.3f} F1 {m['flag_f1']:.3f}")
    best = max(results, key=lambda n: results[n]["macro_f1"])
    texts, y, w = _arrays(rows)
    pipe = candidate_pipelines()[best]
    pipe.fit(texts, y, clf__sample_weight=w)
    counts = {l: int((y == l).sum()) for l in LABELS}
    meta = {
        "family": best,
        "labels": [str(c) for c in pipe.classes_],
        "sklearn_version": sklearn.__version__,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_rows": len(rows),
        "annotation_rows": sum(1 for r in rows if r.source.startswith("annotation:")),
        "label_counts": counts,
        "training_data_sha256": data_sha256,
        "cv_folds": folds,
        "cv_metrics": results,
    }
    return TrainedModel(pipe, meta, oofs[best])


def _drop_stop_words(pipe: Pipeline) -> None:
    """Keep the file small: TfidfVectorizer keeps every n-gram it dropped (`stop_words_`), only
    for introspection (scikit-learn documents that it can be removed before saving), and
    numpy-integer vocabulary values are stored by skops one object each."""
    for _, union in pipe.steps[:1]:
        for _, vec in getattr(union, "transformer_list", []):
            if hasattr(vec, "stop_words_"):
                delattr(vec, "stop_words_")
            if hasattr(vec, "vocabulary_"):  # plain ints: skops stores numpy ints as nodes
                vec.vocabulary_ = {str(k): int(v) for k, v in vec.vocabulary_.items()}


def save(model: TrainedModel, directory: Path, *, version: str, extra: dict[str, Any] | None = None) -> Path:
    """Write classifier.skops and metadata.json (with the model file's sha256) to `directory`."""
    import skops.io as sio

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    _drop_stop_words(model.pipeline)
    sio.dump(model.pipeline, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    meta = dict(model.metadata)
    meta.update(extra or {})
    meta["model_version"] = version
    meta["model_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    # the compact form that scans load (classifier/predict.py)
    export(model.pipeline, directory / INFERENCE_FILE)
    meta["inference_file"] = INFERENCE_FILE
    meta["inference_sha256"] = hashlib.sha256((directory / INFERENCE_FILE).read_bytes()).hexdigest()
    (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def load(directory: Path) -> TrainedModel:
    """Load a saved model safely: metadata present, file hash matches, scikit-learn version
    matches, and only known types inside. Raises ModelError with a clear message."""
    import skops.io as sio

    path = directory / MODEL_FILE
    meta, _ = read_checked(directory, MODEL_FILE, "model_sha256", ("sklearn_version", "labels", "model_version"))
    have, want = sklearn.__version__.split(".")[:2], str(meta["sklearn_version"]).split(".")[:2]
    if have != want:
        raise ModelError(f"{path}: trained with scikit-learn {meta['sklearn_version']}, installed "
                         f"{sklearn.__version__}; retrain with `bias-review train`")
    from skops.io.exceptions import UntrustedTypesFoundException

    try:  # one pass: skops refuses any type outside the trusted list while it loads
        pipe = sio.load(path, trusted=TRUSTED_TYPES)
    except UntrustedTypesFoundException as exc:
        raise ModelError(f"{path}: refuses to load unexpected types ({exc})") from None
    except Exception as exc:
        raise ModelError(f"{path}: not a readable skops file ({type(exc).__name__}: {exc})") from None
    if [str(c) for c in pipe.classes_] != list(meta["labels"]):
        raise ModelError(f"{path}: labels {list(pipe.classes_)} differ from metadata {meta['labels']}")
    return TrainedModel(pipe, meta)


def predict_proba(model: TrainedModel, texts: list[str]) -> np.ndarray:
    """Probabilities with columns in LABELS order."""
    if not texts:
        return np.zeros((0, len(LABELS)))
    return _to_label_order(model.pipeline.predict_proba(texts), model.pipeline.classes_)
