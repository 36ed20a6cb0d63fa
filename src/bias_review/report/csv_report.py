"""CSV report: one row per finding, for spreadsheets (the reviewers' old tool)."""

from __future__ import annotations

import csv
import io
from typing import TextIO

from bias_review.results import ScanResult
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
    w = csv.writer(out)
    w.writerow(COLUMNS)
    for doc in result.documents:
        if doc.error:
            w.writerow([safe_cell(doc.path)] + [""] * 11 + [safe_cell(doc.error), ""])
            continue
        for warning in doc.warnings:  # a row of its own, so a spreadsheet filter can find them
            w.writerow([safe_cell(doc.path)] + [""] * 12 + [safe_cell(warning)])
        for f in doc.findings:
            if not f.severity.at_least(min_severity):
                continue
            w.writerow([safe_cell(x) for x in [
                doc.path, f.id, f.category.value, f.severity.value, f"{f.score:.3f}",
                f.location.describe(), f.text, f.passage, "; ".join(f.detectors),
                f.explanation, f.suggestion or "", " | ".join(f.references), "", "",
            ]])
