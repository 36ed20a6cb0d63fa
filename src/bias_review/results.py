"""What a scan returns: one DocumentResult per file, gathered in a ScanResult.

Plain data (no spaCy, no detectors), so reports, the store and worker processes can use it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bias_review import __version__
from bias_review.findings import Finding, Severity


@dataclass
class DocumentResult:
    """What one file gave: its findings, or the reason it could not be read."""

    path: str
    format: str | None = None
    sha256: str | None = None
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)
    pages: int = 0
    chars: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self, *, min_severity: Severity = Severity.LOW, with_trace: bool = False,
                lazy: bool = False) -> dict[str, Any]:
        """The contract's document object. `lazy`: its findings as an iterator of finding
        objects, made as they are read (for a report written as it is made)."""
        findings = (f.as_dict(with_trace=with_trace) for f in self.findings if f.severity.at_least(min_severity))
        return {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "error": self.error,
            "warnings": list(self.warnings),
            "findings": findings if lazy else list(findings),
        }


@dataclass
class ScanResult:
    """The result of a scan: one DocumentResult per input file, and the tool's versions."""

    documents: list[DocumentResult]
    lexicon_version: str
    model_version: str | None

    def flags(self, min_severity: Severity = Severity.LOW) -> list[Finding]:
        floor = min_severity if min_severity is not Severity.INFO else Severity.LOW
        return [f for d in self.documents for f in d.findings if f.severity.at_least(floor)]

    def summary(self, min_severity: Severity = Severity.LOW) -> dict[str, Any]:
        tally = Tally(min_severity)
        for d in self.documents:
            tally.add(d)
        return tally.summary()

    def tool(self) -> dict[str, Any]:
        """The contract's `tool` object: name and the versions that produced the findings."""
        return {"name": "bias-review", "version": __version__,
                "lexicon_version": self.lexicon_version, "model_version": self.model_version}

    def as_dict(self, *, min_severity: Severity = Severity.LOW, with_trace: bool = False,
                lazy: bool = False) -> dict[str, Any]:
        """The JSON output contract of DESIGN.md. `lazy`: documents, and each one's findings, as
        iterators made as they are read (see `DocumentResult.as_dict`)."""
        documents = (d.as_dict(min_severity=min_severity, with_trace=with_trace, lazy=lazy) for d in self.documents)
        return {
            "tool": self.tool(),
            "documents": documents if lazy else list(documents),
            "summary": self.summary(min_severity),
        }




def timeout_message(timeout: float) -> str:
    """The error of a file that took longer than its time budget."""
    return f"timed out after {timeout:g} s (raise --timeout for very large files)"


@dataclass
class Tally:
    """Counts of finished documents, kept one document at a time (a scan need not keep its
    documents to report them): the contract's `summary`, pages, and the highest flag severity."""

    min_severity: Severity = Severity.LOW
    documents: int = 0
    failed: int = 0
    pages: int = 0
    top: Severity | None = None  # the highest severity of any flag (info is not a flag)
    by_category: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)

    def add(self, doc: DocumentResult) -> None:
        floor = self.min_severity if self.min_severity is not Severity.INFO else Severity.LOW
        self.documents += 1
        self.failed += 1 if doc.error else 0
        self.pages += doc.pages
        for f in doc.findings:
            if f.is_flag and (self.top is None or f.severity.rank > self.top.rank):
                self.top = f.severity
            if f.severity.at_least(floor):
                self.by_category[f.category.value] += 1
                self.by_severity[f.severity.value] += 1

    @property
    def findings(self) -> int:
        """Flags at or above `min_severity`."""
        return sum(self.by_severity.values())

    def summary(self) -> dict[str, Any]:
        """The contract's `summary` object."""
        return {
            "documents": self.documents,
            "failed": self.failed,
            "findings": self.findings,
            "by_category": dict(sorted(self.by_category.items())),
            # highest first, whatever order the documents finished in
            "by_severity": {s.value: self.by_severity[s.value] for s in reversed(Severity)
                            if s.value in self.by_severity},
        }
