"""A DOCX report of one scanned document (for PDF, PPTX and text input, which cannot carry
Word comments): counts per category and severity, then each finding in reading order with
its location, its passage (flagged spans bold and highlighted), why, what instead and
references. `docx_documents_report` does the same for several documents (a course's)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path, PurePath
from typing import BinaryIO

import docx
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt, RGBColor

from bias_review.findings import Severity
from bias_review.report.docx_common import details, flag_spans, headline, location_label, shown, xml_safe

_SEVERITIES = [s.value for s in sorted(Severity, key=lambda s: -s.rank)]
_GREY = RGBColor(0x66, 0x70, 0x85)


def docx_report(
    document: dict,
    out: Path | str | BinaryIO,
    *,
    title: str | None = None,
    min_severity: str = "low",
) -> int:
    """Write the report of one JSON-contract `document` to `out`; return the number of
    findings it lists."""
    name = PurePath(str(document.get("path") or "document")).name
    report = _start(title or f"bias-review: {name}")
    _meta(report, document)
    if document.get("error"):
        _unreadable(report, document)
        report.save(out)
        return 0
    findings = shown(document.get("findings") or [], min_severity)
    _counts(report, findings, min_severity)
    for n, finding in enumerate(findings, start=1):
        _finding(report, n, finding)
    report.save(out)
    return len(findings)


def docx_documents_report(
    documents: list[dict],
    out: Path | str | BinaryIO,
    *,
    title: str,
    min_severity: str = "low",
) -> int:
    """One report of several JSON-contract documents (a course's, for its director): counts
    over all of them, then each document with its findings. Returns the findings listed."""
    report = _start(title)
    per_document = [shown(d.get("findings") or [], min_severity) if not d.get("error") else [] for d in documents]
    report.add_paragraph(f"{len(documents)} document(s), {sum(1 for f in per_document if f)} with findings.")
    _counts(report, [f for found in per_document for f in found], min_severity)
    for document, findings in zip(documents, per_document):
        report.add_heading(xml_safe(document.get("path") or "document"), level=1)
        _meta(report, document)
        if document.get("error"):
            _unreadable(report, document)
        elif not findings:
            report.add_paragraph("Nothing flagged.")
        for n, finding in enumerate(findings, start=1):
            _finding(report, n, finding)
    report.save(out)
    return sum(map(len, per_document))


def _start(title: str):
    report = docx.Document()
    report.core_properties.title = xml_safe(title)[:255]
    report.add_heading(xml_safe(title), level=0)
    return report


def _unreadable(report, document: dict) -> None:
    report.add_paragraph().add_run(xml_safe(f"This file could not be read: {document['error']}")).bold = True


def _meta(report, document: dict) -> None:
    bits = [f"File: {document.get('path') or '?'}", f"Format: {document.get('format') or '?'}"]
    if document.get("sha256"):
        bits.append(f"SHA-256: {document['sha256']}")
    run = report.add_paragraph().add_run(xml_safe(" · ".join(bits)))
    run.font.size, run.font.color.rgb = Pt(9), _GREY


def _counts(report, findings: list[dict], min_severity: str) -> None:
    """'N findings', then a table: one row per category, one column per severity."""
    report.add_paragraph(f"{len(findings)} finding(s) at severity {min_severity} or above.")
    if not findings:
        return
    cells = Counter((f.get("category", "?"), f.get("severity", "?")) for f in findings)
    sevs = [s for s in _SEVERITIES if any(k[1] == s for k in cells)]
    cats = sorted({k[0] for k in cells})
    table = report.add_table(rows=1 + len(cats), cols=2 + len(sevs))
    table.style = "Table Grid"
    for j, text in enumerate(["category", *sevs, "total"]):
        table.cell(0, j).paragraphs[0].add_run(text).bold = True
    for i, cat in enumerate(cats, start=1):
        row = [cells[(cat, s)] for s in sevs]
        for j, text in enumerate([xml_safe(cat), *map(str, row), str(sum(row))]):
            table.cell(i, j).text = text


def _finding(report, n: int, finding: dict) -> None:
    report.add_heading(xml_safe(f"{n}. {location_label(finding.get('location'))}"), level=2)
    quote = report.add_paragraph(style="Quote")
    passage, at = finding.get("passage") or "", 0
    for a, b in flag_spans(finding):
        quote.add_run(xml_safe(passage[at:a]))
        flagged = quote.add_run(xml_safe(passage[a:b]))
        flagged.bold = True
        flagged.font.highlight_color = WD_COLOR_INDEX.YELLOW
        at = b
    quote.add_run(xml_safe(passage[at:]))
    line = report.add_paragraph()
    line.add_run("Category, severity: ").bold = True
    line.add_run(headline(finding))
    if finding.get("status"):  # a flag from the review store
        line = report.add_paragraph()
        line.add_run("Review: ").bold = True
        line.add_run(xml_safe(f"{finding['status']} ({len(finding.get('decisions') or [])} decision(s))"))
    for label, text in details(finding):
        line = report.add_paragraph()
        line.add_run(f"{label}: ").bold = True
        line.add_run(text)
