"""Sentence-level evaluation of the engine on labelled JSONL (`text`, `label`).

A sentence's prediction is the category of its strongest flag (highest severity, then score),
or `none` when nothing at `low` or above was found; the same at `medium` and above gives the
`medium+` scores. A folder of labelled files with a `split.json` (the real-text set in
models/real/) can be read whole or by split (`training` / `evaluation`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bias_review.findings import LABELS, NONE, Finding, Severity


@dataclass
class Example:
    text: str
    label: str
    note: str = ""
    source: str = ""
    framing: str = ""  # a list item's lead-in sentence in its document (models/real rows)
    line: int = 0  # where in `source` (models/real rows)


SPLITS = ("training", "evaluation")


def load_examples(path: str | Path, *, split: str | None = None) -> list[Example]:
    """Read labelled JSONL (a file, or every *.jsonl of a folder); a bad line raises ValueError
    naming file and line. With `split`, keep the rows whose `source` is in (evaluation) or not
    in (training) the folder's split.json."""
    path = Path(path)
    if path.is_dir():
        out = [ex for f in sorted(path.glob("*.jsonl")) for ex in load_examples(f)]
        if split is None:
            return out
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; choose {' or '.join(SPLITS)}")
        held = set(json.loads((path / "split.json").read_text(encoding="utf-8"))["evaluation"])
        return [ex for ex in out if (ex.source in held) == (split == "evaluation")]
    if split is not None:
        raise ValueError("--split needs a folder with split.json (such as models/real)")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, label = row["text"], row["label"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a JSON object with 'text' and 'label' ({exc})") from None
        if label not in LABELS:
            raise ValueError(f"{path}:{n}: unknown label {label!r}")
        out.append(Example(text, label, row.get("note", ""), row.get("source", ""), row.get("framing", ""),
                           int(row.get("line") or 0)))
    return out


def predict_label(findings: list[Finding], floor: Severity = Severity.LOW) -> str:
    """The sentence-level label implied by a sentence's findings at or above `floor`."""
    flags = [f for f in findings if f.is_flag and f.severity.at_least(floor)]
    if not flags:
        return NONE
    best = max(flags, key=lambda f: (f.severity.rank, f.score))
    return best.category.value


def flagged_categories(findings: list[Finding]) -> set[str]:
    """Every category flagged (low and above) in a sentence."""
    return {f.category.value for f in findings if f.is_flag}


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    support: int

    def as_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3),
                "f1": round(self.f1, 3), "support": self.support}


def _prf(tp: int, fp: int, fn: int) -> Scores:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f, tp + fn)


@dataclass
class Report:
    flag: Scores
    per_category: dict[str, Scores]
    confusion: dict[str, dict[str, int]]
    false_flag_rate_on_negatives: float
    n: int
    errors: list[dict[str, str]] = field(default_factory=list)
    flag_medium: Scores | None = None  # flag vs none counting only medium and high flags
    right_category: float = 0.0  # of the sentences rightly flagged, the share with the right category

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "flag_vs_none": self.flag.as_dict(),
            "flag_vs_none_medium": self.flag_medium.as_dict() if self.flag_medium else None,
            "right_category": round(self.right_category, 3),
            "per_category": {k: v.as_dict() for k, v in self.per_category.items()},
            "false_flag_rate_on_negatives": round(self.false_flag_rate_on_negatives, 3),
            "confusion": self.confusion,
        }


def _flag_scores(gold: list[str], pred: list[str]) -> Scores:
    tp = sum(1 for g, p in zip(gold, pred) if g != NONE and p != NONE)
    fp = sum(1 for g, p in zip(gold, pred) if g == NONE and p != NONE)
    fn = sum(1 for g, p in zip(gold, pred) if g != NONE and p == NONE)
    return _prf(tp, fp, fn)


def score(gold: list[str], pred: list[str], texts: list[str] | None = None,
          pred_medium: list[str] | None = None, flagged: list[set[str]] | None = None) -> Report:
    """Flag-vs-none and per-category precision/recall/F1, plus a confusion matrix."""
    fp = sum(1 for g, p in zip(gold, pred) if g == NONE and p != NONE)
    per = {}
    for cat in LABELS[:-1]:
        ctp = sum(1 for g, p in zip(gold, pred) if g == cat and p == cat)
        cfp = sum(1 for g, p in zip(gold, pred) if g != cat and p == cat)
        cfn = sum(1 for g, p in zip(gold, pred) if g == cat and p != cat)
        per[cat] = _prf(ctp, cfp, cfn)
    confusion = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in zip(gold, pred):
        confusion[g][p] += 1
    negatives = sum(1 for g in gold if g == NONE)
    errors = []
    if texts is not None:
        errors = [{"text": t, "gold": g, "pred": p} for t, g, p in zip(texts, gold, pred) if g != p]
    # a sentence rightly flagged has the right category when its gold category is among its flags
    # (a sentence can hold two findings; the strongest need not be the one its label names)
    cats = flagged if flagged is not None else [{p} for p in pred]
    hits = [(g, c) for g, p, c in zip(gold, pred, cats) if g != NONE and p != NONE]
    right = sum(1 for g, c in hits if g in c) / len(hits) if hits else 0.0
    return Report(_flag_scores(gold, pred), per, confusion, fp / negatives if negatives else 0.0, len(gold), errors,
                  _flag_scores(gold, pred_medium) if pred_medium is not None else None, right)


def evaluate_engine(engine, examples: list[Example]) -> Report:
    """Run the engine on each example sentence and score it."""
    found = [engine.analyze_text(ex.text, framing=ex.framing) for ex in examples]
    return score([ex.label for ex in examples], [predict_label(f) for f in found], [ex.text for ex in examples],
                 [predict_label(f, Severity.MEDIUM) for f in found], [flagged_categories(f) for f in found])


def format_report(name: str, report: Report) -> str:
    """A plain-text table of a report."""
    lines = [f"== {name} (n={report.n})",
             f"flag vs none: P {report.flag.precision:.3f}  R {report.flag.recall:.3f}  F1 {report.flag.f1:.3f}"
             f"  (false flags on negatives {report.false_flag_rate_on_negatives:.1%})"]
    if report.flag_medium is not None:
        m = report.flag_medium
        lines.append(f"medium and above: P {m.precision:.3f}  R {m.recall:.3f}  F1 {m.f1:.3f};"
                     f"  right category on true flags {report.right_category:.1%}")
    lines.append(f"{'category':24} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
    for cat, s in report.per_category.items():
        lines.append(f"{cat:24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:5d}")
    short = {l: l.split("-")[0][:6] if l != NONE else "none" for l in LABELS}
    short.update({"race-correction": "rc", "race-as-biology": "bio", "race-in-vignette": "vig",
                  "stereotype": "stereo", "outdated-term": "term", "stigmatizing-language": "stig"})
    lines.append("confusion (rows gold, columns predicted):")
    lines.append(" " * 8 + "".join(f"{short[l]:>7}" for l in LABELS))
    for g in LABELS:
        lines.append(f"{short[g]:8}" + "".join(f"{report.confusion[g][p]:7d}" for p in LABELS))
    return "\n".join(lines)
