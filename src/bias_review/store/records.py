"""The plain, frozen records the store's functions return (no database session attached)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional, Protocol, Union


class HasId(Protocol):
    @property
    def id(self) -> int: ...


Ref = Union[int, HasId]


def ref_id(ref: Ref) -> int:
    """The row id of a record or of a plain id."""
    return ref if isinstance(ref, int) else ref.id


@dataclass(frozen=True)
class CourseInfo:
    id: int
    name: str
    year: Optional[int]
    lecturer: Optional[str]


@dataclass(frozen=True)
class DocumentInfo:
    """An uploaded document; `path` is relative to the data folder, `file` is absolute;
    `source_path` is where a scan found the file (None for an upload)."""

    id: int
    sha256: str
    name: str
    format: Optional[str]
    uploader: Optional[str]
    uploaded_at: datetime
    course_id: Optional[int]
    path: str
    file: str
    source_path: Optional[str] = None


@dataclass(frozen=True)
class ScanInfo:
    """A recorded scan and what it changed: stable ids that are new, kept and vanished."""

    id: int
    document_id: int
    lexicon_version: str
    model_version: Optional[str]
    tool_version: str
    scanned_at: datetime
    error: Optional[str]
    new: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    vanished: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlagState:
    """The current state of a flag, derived from its decision history."""

    status: str  # open | accepted | dismissed | changed
    category: str
    severity: str
    decisions: int = 0


@dataclass(frozen=True)
class DecisionInfo:
    """One row of a flag's append-only history."""

    id: int
    finding: int
    reviewer: str
    time: datetime
    decision: str
    category: Optional[str]
    new_category: Optional[str]
    severity: Optional[str]
    reason: Optional[str]
    reason_text: Optional[str]
    rewrite: Optional[str]
    comment: Optional[str]


@dataclass(frozen=True)
class QueueItem:
    """A flag as the review queue shows it: the tool's finding, its document and its state.

    `id` is the store's row id (pass it to `decide`); `stable_id` is the JSON contract's `id`.
    `category`/`severity` are the current (reviewed) ones, `tool_*` what the tool said."""

    id: int
    stable_id: str
    document_id: int
    document_name: str
    course: Optional[str]
    source: str
    status: str
    category: str
    severity: str
    tool_category: str
    tool_severity: str
    text: str
    passage: str
    start: int
    end: int
    spans: list[dict[str, Any]]
    location: dict[str, Any]
    detectors: list[str]
    score: Optional[float]
    explanation: Optional[str]
    suggestion: Optional[str]
    references: list[str]
    is_new: bool
    vanished: bool
    decisions: int
    superseded: bool = False  # a flag of a file's earlier version (a newer scan of the file exists)
    carried: int = 0  # of `decisions`, those made on this passage in earlier versions of the file

    def as_finding(self) -> dict[str, Any]:
        """The flag as the JSON contract's finding, with its current category and severity."""
        return {
            "id": self.stable_id, "category": self.category, "severity": self.severity, "text": self.text,
            "passage": self.passage, "start": self.start, "end": self.end, "spans": self.spans,
            "location": self.location, "detectors": self.detectors, "score": self.score,
            "explanation": self.explanation or "", "suggestion": self.suggestion, "references": self.references,
        }


@dataclass(frozen=True)
class DocumentCounts:
    """Flags of one document that are still present and not `info`: `by_category` and
    `by_severity` count those not dismissed (current category/severity), `by_status` all."""

    document_id: int
    document_name: str
    by_category: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Agreement:
    """Cohen's kappa of two reviewers on the flags of one category they both decided.

    `kappa` is None when it is undefined (both gave one and the same label throughout)."""

    category: str
    reviewer_a: str
    reviewer_b: str
    n: int
    observed: float
    kappa: Optional[float]


@dataclass(frozen=True)
class LexiconStat:
    """How often a lexicon entry fired (findings it is a detector of) and how reviewers judged them."""

    entry: str
    fired: int
    accepted: int
    dismissed: int
    changed: int

    @property
    def dismissal_rate(self) -> Optional[float]:
        decided = self.accepted + self.dismissed + self.changed
        return self.dismissed / decided if decided else None


@dataclass(frozen=True)
class ModelInfo:
    id: int
    version: str
    path: str
    metrics: dict[str, Any]
    created_at: datetime
    active: bool
