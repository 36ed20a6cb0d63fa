"""The objects every stage passes along: locations, explanations and findings."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import Any


class Category(str, Enum):
    """The six finding categories of TAXONOMY.md."""

    RACE_CORRECTION = "race-correction"
    RACE_AS_BIOLOGY = "race-as-biology"
    RACE_IN_VIGNETTE = "race-in-vignette"
    STEREOTYPE = "stereotype"
    OUTDATED_TERM = "outdated-term"
    STIGMATIZING_LANGUAGE = "stigmatizing-language"

    @classmethod
    def parse(cls, value: str) -> "Category":
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(c.value for c in cls)
            raise ValueError(f"unknown category {value!r} (expected one of: {names})") from None


class Severity(str, Enum):
    """How urgently a finding needs a reviewer; `info` is not a flag."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, value: str) -> "Severity":
        try:
            return cls(value.lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {names})") from None

    def at_least(self, other: "Severity") -> bool:
        return self.rank >= other.rank


NONE = "none"
# the classifier's labels and the evaluation sets' labels: every category, then "not a finding"
LABELS: list[str] = [c.value for c in Category] + [NONE]

_SEVERITY_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


@dataclass(frozen=True, slots=True)  # slots: a long document holds hundreds of thousands
class Location:
    """Where a block of text sits in its document. Unused fields stay None."""

    page: int | None = None
    slide: int | None = None
    part: str | None = None  # body, table, notes, header, footer, footnote, textbox
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    line: int | None = None
    section: str | None = None  # Markdown: the headings above the block, "3 Cells > 3.2 The Plasma Membrane"
    ocr_confidence: int | None = None  # part "ocr": Tesseract's mean word confidence in the block, 0-100

    def as_dict(self) -> dict[str, Any]:
        """The fields that are set, in a fixed order (the JSON contract's `location`)."""
        return {k: v for k in _LOCATION_FIELDS if (v := getattr(self, k)) is not None}

    def describe(self) -> str:
        """A short human label such as 'slide 3, notes', 'page 2', 'page 4, ocr 87%' or
        'line 40, list (3 Cells > 3.2 The Plasma Membrane)' (a long section cut on the left)."""
        d = self.as_dict()
        bits = []
        for key in ("page", "slide", "paragraph", "table", "row", "col", "line"):
            if key in d:
                bits.append(f"{key} {d[key]}")
        if "part" in d and d["part"] != "body":
            bits.append(d["part"] + (f" {self.ocr_confidence}%" if self.ocr_confidence is not None else ""))
        label = ", ".join(bits) or "document"
        if self.section:
            label += f" ({_cut_left(self.section, 60)})"
        return label


_LOCATION_FIELDS = tuple(f.name for f in fields(Location))


def _cut_left(path: str, limit: int) -> str:
    """A heading path of at most `limit` characters, its start cut off: '… > 3.2 Membranes'."""
    if len(path) <= limit:
        return path
    tail = path[-(limit - 1):]
    cut = tail.find(" > ")
    return "…" + (tail[cut:] if cut >= 0 else tail)


@dataclass(frozen=True, slots=True)
class Explanation:
    """One reason a stage gives for a candidate: who said it and what it did to the score.
    Its texts are interned: thousands of findings of a large file share a few dozen reasons."""

    source: str  # e.g. "lexicon:egfr-race-coefficient", "context:critique", "classifier"
    reason: str
    score_change: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", sys.intern(self.source))
        object.__setattr__(self, "reason", sys.intern(self.reason))

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "reason": self.reason, "score_change": round(self.score_change, 3)}


@dataclass
class Candidate:
    """A span proposed by one detector, before context rules and merging.

    Offsets are character offsets into the sentence (`passage`).
    """

    category: Category
    severity: Severity
    start: int
    end: int
    passage: str
    detector: str  # "lexicon:<entry id>", "vignette", "classifier"
    score: float
    explanation: str
    suggestion: str | None = None
    references: tuple[str, ...] = ()
    rule_id: str = ""
    trace: list[Explanation] = field(default_factory=list)
    sent_start: int = 0  # where the passage starts in its block (set by the detector)
    also: list[str] = field(default_factory=list)  # other detectors that agreed (e.g. the classifier)

    @property
    def text(self) -> str:
        return self.passage[self.start : self.end]


@dataclass
class Finding:
    """A merged, explained finding: the unit of the JSON contract and of review."""

    id: str
    category: Category
    severity: Severity
    text: str
    passage: str
    start: int
    end: int
    location: Location
    detectors: list[str]
    score: float
    explanation: str
    suggestion: str | None
    references: list[str]
    trace: list[Explanation] = field(default_factory=list)
    # every matched span in `passage`, in order; (start, end) is the first of them
    spans: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.spans:
            self.spans = [(self.start, self.end)]

    def segments(self) -> list[tuple[str, bool]]:
        """The passage cut into (text, is a flagged span) pieces, for highlighting."""
        return passage_segments(self.passage, self.spans)

    @property
    def is_flag(self) -> bool:
        """True unless the finding is only `info` (mentioned, looks race-conscious)."""
        return self.severity is not Severity.INFO

    def as_dict(self, *, with_trace: bool = False) -> dict[str, Any]:
        """The finding as the JSON contract (DESIGN.md) has it."""
        d: dict[str, Any] = {
            "id": self.id,
            "category": self.category.value,
            "severity": self.severity.value,
            "text": self.text,
            "passage": self.passage,
            "start": self.start,
            "end": self.end,
            "location": self.location.as_dict(),
            "detectors": list(self.detectors),
            "score": round(self.score, 3),
            "explanation": self.explanation,
            "suggestion": self.suggestion,
            "references": list(self.references),
            "spans": [{"start": a, "end": b, "text": self.passage[a:b]} for a, b in self.spans],
        }
        if with_trace:
            d["trace"] = [e.as_dict() for e in self.trace]
        return d


def passage_segments(passage: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """`passage` cut into (text, is a span) pieces; overlapping spans are joined."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for a, b in sorted(spans):
        a, b = max(a, pos), min(b, len(passage))
        if b <= a:
            continue
        if a > pos:
            out.append((passage[pos:a], False))
        out.append((passage[a:b], True))
        pos = b
    if pos < len(passage):
        out.append((passage[pos:], False))
    return out


_NOT_IN_ID = frozenset({"section", "ocr_confidence"})


def with_unique_ids(findings: list[Finding]) -> list[Finding]:
    """`findings` of one document (in reading order) with every id naming one finding. Two
    findings may share document, place, passage and category: a PDF page's reference list
    whose entries begin alike ("National Institute on Drug Abuse. (") has no finer place than
    the page. The second and later, in reading order, get '-2', '-3' after the id; every
    other id is left as it is."""
    seen: dict[str, int] = {}
    for i, f in enumerate(findings):
        n = seen[f.id] = seen.get(f.id, 0) + 1
        if n > 1:
            findings[i] = replace(f, id=f"{f.id}-{n}")
    return findings


def finding_id(path: str, location: Location, passage_offset: int, passage: str, category: str) -> str:
    """A stable id for one flag: the same document, place, passage and category always give
    the same id, whichever lexicon entries or models matched in it (so reviewers' decisions
    survive a rescan with newer lexicons or models, or after a heading above them is renamed)."""
    # a renamed heading, or another OCR engine's confidence, keeps the ids
    place = {k: v for k, v in location.as_dict().items() if k not in _NOT_IN_ID}
    key = json.dumps([path, place, passage_offset, passage.strip(), category], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
