"""Reports of a stored document for the course director to download: the DOCX with Word
comments (DOCX input) or a DOCX report (PDF, PPTX, text), and CSV and HTML reports.

The store keeps findings, not `Finding` objects: the JSON contract's document is rebuilt from
the store (flags present and not dismissed, with their reviewed category and severity), and
`Finding`s from it for the CSV and HTML writers.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Optional

from bias_review.findings import Category, Finding, Location, Severity
from bias_review.parse.document import ParseError
from bias_review.report import render
from bias_review.report.docx_annotated import annotate_docx
from bias_review.report.docx_report import docx_report
from bias_review.results import DocumentResult, ScanResult
from bias_review.store import DocumentInfo, QueueItem, ScanInfo

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Download:
    """One file to offer: `data` is called only when the user asks for it."""

    label: str
    file_name: str
    mime: str
    data: Callable[[], bytes]
    key: str


def document_dict(doc: DocumentInfo, items: list[QueueItem], scan: Optional[ScanInfo]) -> dict[str, Any]:
    """The JSON contract's document for a stored upload: its flags still present and not
    dismissed, in reading order (`items` is the queue of this document)."""
    return {
        "path": doc.name, "sha256": doc.sha256, "format": doc.format, "error": scan.error if scan else None,
        "warnings": [],
        "findings": [i.as_finding() for i in items if not i.vanished and i.status != "dismissed"],
    }


def contract_finding(d: dict[str, Any]) -> Finding:
    """A `Finding` from a contract dict (for the CSV and HTML writers)."""
    spans = [(int(s["start"]), int(s["end"])) for s in d.get("spans") or []]
    return Finding(
        id=d["id"], category=Category.parse(d["category"]), severity=Severity.parse(d["severity"]),
        text=d.get("text") or "", passage=d.get("passage") or "", start=int(d.get("start") or 0),
        end=int(d.get("end") or 0), location=Location(**(d.get("location") or {})),
        detectors=list(d.get("detectors") or []), score=float(d.get("score") or 0.0),
        explanation=d.get("explanation") or "", suggestion=d.get("suggestion"),
        references=list(d.get("references") or []), spans=spans,
    )


def scan_result(document: dict[str, Any], scan: Optional[ScanInfo]) -> ScanResult:
    """A one-document ScanResult carrying the versions of the scan that produced it."""
    result = DocumentResult(path=document["path"], format=document.get("format"), sha256=document.get("sha256"),
                            error=document.get("error"),
                            findings=[contract_finding(f) for f in document["findings"]])
    return ScanResult([result], scan.lexicon_version if scan else "", scan.model_version if scan else None)


def downloads(doc: DocumentInfo, document: dict[str, Any], scan: Optional[ScanInfo], key: str) -> list[Download]:
    """The files to offer for one stored document; `key` makes the widget keys unique."""
    stem = PurePosixPath(doc.name).stem or "document"
    report = lambda fmt: lambda: render(scan_result(document, scan), fmt).encode("utf-8")  # noqa: E731
    first = (Download("Word file with comments", f"{stem}.reviewed.docx", DOCX_MIME,
                      lambda: commented_docx(doc.file, document), f"{key}-docx")
             if doc.format == "docx" and not document.get("error") else
             Download("Word report", f"{stem}.report.docx", DOCX_MIME, lambda: report_docx(document),
                      f"{key}-docx"))
    return [
        first,
        Download("CSV", f"{stem}.flags.csv", "text/csv", report("csv"), f"{key}-csv"),
        Download("HTML report", f"{stem}.report.html", "text/html", report("html"), f"{key}-html"),
    ]


def commented_docx(path: str, document: dict[str, Any]) -> bytes:
    """The uploaded DOCX with a Word comment on each flag; the DOCX report if python-docx
    cannot open it."""
    out = io.BytesIO()
    try:
        annotate_docx(path, document["findings"], out)
    except ParseError:
        return report_docx(document)
    return out.getvalue()


def report_docx(document: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    docx_report(document, out)
    return out.getvalue()
