"""Training data: the bundled JSONL files and reviewers' annotations."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from bias_review.findings import LABELS, NONE

ANNOTATION_WEIGHT = 3.0


@dataclass(frozen=True)
class TrainingRow:
    text: str
    label: str
    weight: float = 1.0
    source: str = ""


def read_jsonl(path: Path) -> list[TrainingRow]:
    """Rows of one labelled JSONL file; a bad line raises ValueError naming file and line."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            text, label = str(obj["text"]).strip(), str(obj["label"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a JSON object with 'text' and 'label' ({exc})") from None
        if label not in LABELS:
            raise ValueError(f"{path}:{n}: unknown label {label!r}; expected one of {LABELS}")
        weight = obj.get("weight", 1.0)
        if not isinstance(weight, (int, float)) or weight <= 0:
            raise ValueError(f"{path}:{n}: 'weight' must be a positive number")
        if text:
            rows.append(TrainingRow(text, label, float(weight), f"{path.name}:{n}"))
    return rows


def training_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def load_training(directory: Path) -> list[TrainingRow]:
    """All rows under `directory`, duplicates (same text) dropped, first label kept."""
    seen: set[str] = set()
    rows = []
    for path in training_files(directory):
        for row in read_jsonl(path):
            key = " ".join(row.text.lower().split())
            if key not in seen:
                seen.add(key)
                rows.append(row)
    if not rows:
        raise ValueError(f"no training rows in {directory}")
    return rows


def data_hash(paths: list[Path]) -> str:
    """sha256 over the training files' names and bytes, in order."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def annotation_rows(records: list[dict], weight: float = ANNOTATION_WEIGHT) -> list[TrainingRow]:
    """Turn reviewers' decisions into weighted training rows.

    accepted -> the finding's category; dismissed -> none; recategorised -> the new category.
    Each record needs `passage` and `decision`, plus `category` or `new_category`.
    """
    rows = []
    for i, rec in enumerate(records, 1):
        decision = rec.get("decision")
        passage = (rec.get("passage") or "").strip()
        if not passage:
            raise ValueError(f"annotation #{i}: missing 'passage'")
        if decision == "accepted":
            label = rec.get("category")
        elif decision == "dismissed":
            label = NONE
        elif decision == "recategorised":
            label = rec.get("new_category")
        else:
            raise ValueError(f"annotation #{i}: decision must be accepted, dismissed or recategorised, not {decision!r}")
        if label not in LABELS:
            raise ValueError(f"annotation #{i}: unknown category {label!r}")
        rows.append(TrainingRow(passage, label, weight, f"annotation:{rec.get('finding_id', i)}"))
    return rows


def load_annotations_jsonl(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc})") from None
    return out
