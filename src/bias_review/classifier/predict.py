"""The classifier at scan time: a compact, safe, fast-loading form of the trained model.

Training (classifier/model.py) fits a scikit-learn pipeline — word and character TF-IDF, a
linear model, sigmoid calibration per class — and saves it with skops. For scanning, `export`
also writes its fitted numbers to `classifier.npz`: the two vocabularies with their idf
weights, the linear weights, and the calibration. Loading that file takes one pass over plain
numpy arrays (`allow_pickle=False`: nothing in it can run code), is checked against the hash in
`metadata.json`, and needs neither scikit-learn nor skops. `predict_proba` reproduces the
pipeline's probabilities (a test holds them equal to scikit-learn's).
"""

from __future__ import annotations

import json
import re
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from bias_review.findings import LABELS

from bias_review.classifier.bundle import INFERENCE_FILE, META_FILE, ModelError, bundled_model_dir, read_checked

__all__ = ["INFERENCE_FILE", "META_FILE", "ModelError", "Predictor", "bundled_model_dir", "export", "load_predictor",
           "read_checked"]

WORD_CACHE_SIZE = 200_000
#: texts whose decision values are computed together (see `Predictor.decision`)
DECISION_CHUNK = 256


def _int64(values: array) -> np.ndarray:
    """A read-only int64 view of an array('q') (no copy)."""
    return np.frombuffer(values, dtype=np.int64) if len(values) else np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class _Vectorizer:
    """One fitted TfidfVectorizer: analyzer settings, vocabulary and idf."""

    analyzer: str  # "word" or "char_wb"
    ngram_range: tuple[int, int]
    token_pattern: re.Pattern[str] | None
    vocabulary: dict[str, int]  # n-gram -> its column in the joined feature space of all vectorizers

    # char n-grams never cross a word boundary, so each distinct word's columns are computed once
    cache: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)

    def word_columns(self, word: str) -> list[int]:
        """char_wb: the columns of one word's n-grams (with repeats), computed once per word."""
        cols = self.cache.get(word)
        if cols is None:
            cols = [j for j in map(self.vocabulary.get, self.ngrams(word)) if j is not None]
            if len(self.cache) >= WORD_CACHE_SIZE:
                self.cache.clear()
            self.cache[word] = cols
        return cols

    def occurrences(self, lowers: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text index, column) of every n-gram occurrence in a batch of lower-cased texts, in
        no particular order (`Predictor._decision` sorts them). The batch's n-grams (word) or
        words (char_wb) are listed first and looked up together, in C (`map`), rather than one
        by one in a Python loop; for char_wb, each distinct word's columns are laid out once and
        gathered with numpy."""
        n = len(lowers)
        if self.analyzer == "word":
            grams: list[str] = []
            sizes = array("q")
            for lower in lowers:
                before = len(grams)
                grams += self.ngrams(lower)
                sizes.append(len(grams) - before)
            cols = np.fromiter(map(self.vocabulary.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
            text = np.repeat(np.arange(n, dtype=np.int64), _int64(sizes))
            known = cols >= 0
            return text[known], cols[known]
        words: list[str] = []
        per_text = array("q")
        for lower in lowers:
            split = lower.split()
            words += split
            per_text.append(len(split))
        # each distinct word gets the next number the first time it is seen
        index: defaultdict[str, int] = defaultdict()
        index.default_factory = index.__len__
        occ = np.fromiter(map(index.__getitem__, words), dtype=np.int64, count=len(words))
        flat, lens = array("q"), array("q")
        for word in index:  # distinct words, in order of their numbers
            cols = self.word_columns(word)
            lens.append(len(cols))
            flat.extend(cols)
        lens_of = _int64(lens)
        length, start = lens_of[occ], (np.cumsum(lens_of) - lens_of)[occ]
        ends = np.cumsum(length)
        where = np.repeat(start - (ends - length), length) + np.arange(int(ends[-1]) if len(ends) else 0)
        text = np.repeat(np.repeat(np.arange(n, dtype=np.int64), _int64(per_text)), length)
        return text, _int64(flat)[where]

    def ngrams(self, text: str) -> list[str]:
        """scikit-learn's analyzer: word n-grams of the token pattern's tokens, or character
        n-grams of each white-space separated word padded with one space (char_wb)."""
        lo, hi = self.ngram_range
        if self.analyzer == "word":
            tokens = self.token_pattern.findall(text)
            out = list(tokens) if lo == 1 else []
            for n in range(max(lo, 2), hi + 1):
                out += map(" ".join, zip(*(tokens[k:] for k in range(n))))
            return out
        out = []
        for word in text.split():
            w = " " + word + " "
            size = len(w)
            for n in range(lo, hi + 1):
                if n >= size:
                    out.append(w)  # a short word counts once whole, as scikit-learn does
                    break
                out += [w[i:i + n] for i in range(size - n + 1)]
        return out


@dataclass(frozen=True)
class Predictor:
    """A loaded model: everything `predict_proba` needs, read-only (safe to share between threads)."""

    vectorizers: tuple[_Vectorizer, ...]
    idf: np.ndarray  # (features,): every vectorizer's idf, joined
    coef: np.ndarray  # (classes, features): the linear weights, one row per class
    intercept: np.ndarray  # (classes,)
    cal_a: np.ndarray
    cal_b: np.ndarray
    classes: tuple[str, ...]
    metadata: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.metadata.get("model_version"))

    def decision(self, texts: list[str]) -> np.ndarray:
        """The linear model's decision values, (texts, classes): each vectorizer's TF-IDF
        (sublinear tf, idf, l2 norm) times the weights, a batch at once. A large batch goes in
        chunks of DECISION_CHUNK texts (the arrays of one chunk stay in the processor's cache:
        26 instead of 32 us a sentence for 1,250 at once); each text's numbers are the same
        whatever the batch around it."""
        if len(texts) > DECISION_CHUNK:
            return np.concatenate([self._decision(texts[i:i + DECISION_CHUNK])
                                   for i in range(0, len(texts), DECISION_CHUNK)])
        return self._decision(texts)

    def _decision(self, texts: list[str]) -> np.ndarray:
        n, nv, width = len(texts), len(self.vectorizers), len(self.idf)
        out = np.tile(self.intercept, (n, 1))
        lowers = [t.lower() for t in texts]
        # every (text, vectorizer, column) occurrence as one integer key; sorted, equal keys
        # sit together, so the distinct columns of each text and their counts come in one pass
        keys = []
        for v, vec in enumerate(self.vectorizers):
            text, col = vec.occurrences(lowers)
            keys.append((text * nv + v) * width + col)
        key = np.concatenate(keys)
        if not len(key):
            return out
        key.sort()
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        counts = np.diff(np.r_[first, len(key)])
        group, col = np.divmod(key[first], width)
        values = (1.0 + np.log(counts.astype(np.float64))) * self.idf[col]
        groups = n * nv
        norms = np.sqrt(np.bincount(group, weights=values * values, minlength=groups))
        norms[norms == 0] = 1.0  # a text with no known n-gram: nothing to divide
        # per class: each (text, vectorizer)'s weighted sum, divided by its norm, summed per text
        for k, weights in enumerate(self.coef):
            per_group = np.bincount(group, weights=weights[col] * values, minlength=groups) / norms
            out[:, k] += per_group.reshape(n, nv).sum(axis=1)
        return out

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities with columns in LABELS order."""
        out = np.zeros((len(texts), len(LABELS)))
        if not texts:
            return out
        proba = 1.0 / (1.0 + np.exp(self.cal_a * self.decision(texts) + self.cal_b))
        total = proba.sum(axis=1, keepdims=True)
        proba = np.divide(proba, total, out=np.full_like(proba, 1 / len(self.classes)), where=total != 0)
        for j, c in enumerate(self.classes):
            out[:, LABELS.index(c)] = proba[:, j]
        return out


def export(pipeline: Any, path: Path) -> None:
    """Write a fitted pipeline's numbers to `path` (.npz). Refuses a pipeline of another shape."""
    union, clf = pipeline.named_steps["features"], pipeline.named_steps["clf"]
    if getattr(clf, "ensemble", None) is not False or len(clf.calibrated_classifiers_) != 1:
        raise ModelError("only CalibratedClassifierCV(ensemble=False) models can be exported")
    calibrated = clf.calibrated_classifiers_[0]
    if calibrated.method != "sigmoid" or len(clf.classes_) < 3:
        raise ModelError("only sigmoid calibration of a multi-class model can be exported")
    arrays: dict[str, np.ndarray] = {}
    settings = []
    for name, vec in union.transformer_list:
        if vec.analyzer not in ("word", "char_wb") or vec.norm != "l2" or not vec.sublinear_tf or not vec.lowercase:
            raise ModelError(f"vectorizer {name!r}: unsupported settings for export")
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        if any("\n" in t for t in terms):
            raise ModelError(f"vectorizer {name!r}: a term holds a line break")
        # one UTF-8 string of all terms, a line each: read back in milliseconds (a fixed-width
        # unicode array of 30,000 word n-grams is 20 MB to unpack)
        arrays[f"{name}_terms_utf8"] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
        arrays[f"{name}_idf"] = np.asarray(vec.idf_, dtype=np.float64)
        settings.append({"name": name, "analyzer": vec.analyzer, "ngram_range": list(vec.ngram_range),
                         "token_pattern": vec.token_pattern if vec.analyzer == "word" else None})
    estimator = calibrated.estimator
    arrays["coef"] = np.asarray(estimator.coef_, dtype=np.float64)
    arrays["intercept"] = np.asarray(estimator.intercept_, dtype=np.float64)
    arrays["cal_a"] = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
    arrays["cal_b"] = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
    arrays["classes"] = np.array([str(c) for c in clf.classes_], dtype=str)
    arrays["settings"] = np.array(json.dumps(settings))
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)  # not compressed: loads four times faster, and git compresses it anyway


def _terms(arrays: dict[str, np.ndarray], name: str) -> list[str]:
    """A vectorizer's terms in column order (also from files written before the UTF-8 layout)."""
    packed = arrays.get(f"{name}_terms_utf8")
    if packed is None:
        return arrays[f"{name}_terms"].tolist()
    if packed.dtype != np.uint8 or packed.ndim != 1:
        raise ValueError(f"{name}_terms_utf8 is not a byte array")
    return packed.tobytes().decode("utf-8").split("\n") if packed.size else []


def load_predictor(directory: Path) -> Predictor:
    """Load `classifier.npz` safely: metadata present, file hash matches, plain arrays only.
    Raises ModelError with a clear message."""
    path = directory / INFERENCE_FILE
    meta, data = read_checked(directory, INFERENCE_FILE, "inference_sha256", ("labels", "model_version"))
    try:
        import io

        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        settings = json.loads(str(arrays["settings"]))
        vectorizers, offset = [], 0
        for s in settings:
            terms = _terms(arrays, s["name"])
            vectorizers.append(_Vectorizer(
                analyzer=s["analyzer"], ngram_range=tuple(s["ngram_range"]),
                token_pattern=re.compile(s["token_pattern"]) if s["token_pattern"] else None,
                vocabulary=dict(zip(terms, range(offset, offset + len(terms))))))
            offset += len(terms)
        idf = np.concatenate([arrays[f"{s['name']}_idf"] for s in settings])
        predictor = Predictor(tuple(vectorizers), idf, np.ascontiguousarray(arrays["coef"]), arrays["intercept"],
                              arrays["cal_a"], arrays["cal_b"], tuple(arrays["classes"].tolist()), meta)
    except (KeyError, ValueError, OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: not a readable model file ({type(exc).__name__}: {exc})") from None
    if list(predictor.classes) != list(meta["labels"]) or predictor.coef.shape != (len(predictor.classes), offset):
        raise ModelError(f"{path}: labels or shapes differ from metadata")
    return predictor
