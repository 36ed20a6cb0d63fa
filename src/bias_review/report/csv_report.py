"""CSV report: one row per finding, for spreadsheets (the reviewers' old tool)."""

from __future__ import annotations

import csv
import io
from typing import Any, TextIO

from bias_review.results import DocumentResult, ScanResult
from bias_review.findings import Severity

COLUMNS = ["path", "id", "category", "severity", "score", "location", "text", "passage",
           "detectors", "explanation", "suggestion", "references", "error", "warning"]


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas in document text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render_csv(result: ScanResult, *, min_severity: Severity = Severity.LOW) -> str:
    buf = io.StringIO()
    write_csv(result, buf, min_severity=min_severity)
    return buf.getvalue()


def write_csv(result: ScanResult, out: TextIO, *, min_severity: Severity = Severity.LOW) -> None:
    """The CSV report written to `out` row by row."""
    writer = CsvWriter(out, min_severity=min_severity)
    writer.start(result.tool())
    for doc in result.documents:
        writer.document(doc)


class CsvWriter:
    """The CSV report written as a scan goes: the header row (`start`), then each document's
    rows as it is done; the CSV report has no summary row."""

    def __init__(self, out: TextIO, *, min_severity: Severity = Severity.LOW) -> None:
        self.min_severity = min_severity
        self._rows = csv.writer(out)

    def start(self, tool: dict[str, Any]) -> None:  # noqa: ARG002 - the writers' common shape
        self._rows.writerow(COLUMNS)

    def summary(self, summary: dict[str, Any]) -> None:  # noqa: ARG002 - the writers' common shape
        return None

    def document(self, doc: DocumentResult) -> None:
        w = self._rows
        if doc.error:
            w.writerow([safe_cell(doc.path)] + [""] * 11 + [safe_cell(doc.error), ""])
            return
        for warning in doc.warnings:  # a row of its own, so a spreadsheet filter can find them
            w.writerow([safe_cell(doc.path)] + [""] * 12 + [safe_cell(warning)])
        for f in doc.findings:
            if not f.severity.at_least(self.min_severity):
                continue
            w.writerow([safe_cell(x) for x in [
                doc.path, f.id, f.category.value, f.severity.value, f"{f.score:.3f}",
                f.location.describe(), f.text, f.passage, "; ".join(f.detectors),
                f.explanation, f.suggestion or "", " | ".join(f.references), "", "",
            ]])
