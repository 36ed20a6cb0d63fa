"""What a scan returns: one DocumentResult per file, gathered in a ScanResult.

Plain data (no spaCy, no detectors), so reports, the store and worker processes can use it.
"""

from __future__ import annotations

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

    def as_dict(self, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "error": self.error,
            "warnings": list(self.warnings),
            "findings": [f.as_dict(with_trace=with_trace) for f in self.findings
                         if f.severity.at_least(min_severity)],
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
        flags = self.flags(min_severity)
        by_category: dict[str, int] = {}
        by_severity: dict[str, int] = {}
        for f in flags:
            by_category[f.category.value] = by_category.get(f.category.value, 0) + 1
            by_severity[f.severity.value] = by_severity.get(f.severity.value, 0) + 1
        return {
            "documents": len(self.documents),
            "failed": sum(1 for d in self.documents if d.error),
            "findings": len(flags),
            "by_category": dict(sorted(by_category.items())),
            "by_severity": by_severity,
        }

    def tool(self) -> dict[str, Any]:
        """The contract's `tool` object: name and the versions that produced the findings."""
        return {"name": "bias-review", "version": __version__,
                "lexicon_version": self.lexicon_version, "model_version": self.model_version}

    def as_dict(self, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> dict[str, Any]:
        """The JSON output contract of DESIGN.md."""
        return {
            "tool": self.tool(),
            "documents": [d.as_dict(min_severity=min_severity, with_trace=with_trace) for d in self.documents],
            "summary": self.summary(min_severity),
        }


