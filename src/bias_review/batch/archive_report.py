"""The archive report's JSON and CSV forms, the choice of form, and the per-course files
(one CSV and one DOCX per course, for its director). The HTML form is `archive_html`; all
forms take their numbers from `numbers.archive_numbers`."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from bias_review.batch.archive import Archive
from bias_review.batch.numbers import archive_numbers, counted, course_label, year_label
from bias_review.report.csv_report import safe_cell
from bias_review.report.docx_common import location_label

FORMATS = ("html", "json", "csv")
COLUMNS = ["course", "year", "lecturer", "path", "id", "category", "severity", "status", "decisions", "location",
           "text", "passage", "explanation", "suggestion", "references", "error"]


def render_archive(archive: Archive, fmt: str) -> str:
    """The report in one of FORMATS."""
    if fmt == "html":
        from bias_review.batch.archive_html import render_archive_html

        return render_archive_html(archive)
    if fmt == "json":
        return archive_json(archive)
    if fmt == "csv":
        return archive_csv(archive)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def archive_json(archive: Archive) -> str:
    """The scan's JSON contract (`tool`, `documents` with `findings`, `summary`), each document
    with its course, year and lecturer, each finding with its status and decisions, and the
    report's `numbers`."""
    n = archive_numbers(archive)
    summary = {"documents": n["documents"], "failed": n["failed"], "findings": n["flags"],
               "by_category": n["by_category"], "by_severity": n["by_severity"]}
    body = {"tool": archive.tool, "generated": archive.generated, "documents": archive.documents,
            "summary": summary, "numbers": n}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def archive_csv(archive: Archive) -> str:
    """One row per flag (dismissed ones too, with their status), and one per document that
    could not be read."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for d in archive.documents:
        place = [course_label(d), year_label(d), d.get("lecturer") or "", d["path"]]
        if d["error"] and not d["findings"]:
            w.writerow([safe_cell(str(x)) for x in place] + [""] * 11 + [safe_cell(d["error"])])
        for f in d["findings"]:
            w.writerow([safe_cell(str(x)) for x in place + [
                f["id"], f["category"], f["severity"], f["status"], len(f["decisions"]),
                location_label(f.get("location")), f["text"], f["passage"], f.get("explanation") or "",
                f.get("suggestion") or "", " | ".join(f.get("references") or []), d["error"] or ""]])
    return buf.getvalue()


def write_per_course(archive: Archive, directory: Path) -> list[Path]:
    """`<course>-<year>.csv` and `.docx` per course in `directory` (created); returns the files.
    The DOCX leaves out flags reviewers dismissed; the CSV keeps them, with their status."""
    from bias_review.report.docx_report import docx_documents_report

    directory.mkdir(parents=True, exist_ok=True)
    written, used = [], set()
    for course, year in archive.courses():
        docs = [d for d in archive.documents if (d["course"], d["year"]) == (course, year)]
        label = " ".join(x for x in (course_label(docs[0]), year_label(docs[0]) if year is not None else "") if x)
        stem = _slug(label, used)
        part = Archive(archive.tool, docs, archive.lexicon, archive.generated)
        (directory / f"{stem}.csv").write_text(archive_csv(part), encoding="utf-8")
        for_director = [{**d, "findings": [f for f in d["findings"] if counted(f)]} for d in docs]
        docx_documents_report(for_director, directory / f"{stem}.docx", title=f"bias-review: {label}")
        written += [directory / f"{stem}.csv", directory / f"{stem}.docx"]
    return written


def _slug(label: str, used: set[str]) -> str:
    """A file name stem from a course label, unique among `used`."""
    base = re.sub(r"[^\w.-]+", "-", label).strip("-.") or "course"
    stem, n = base, 1
    while stem.lower() in used:
        n += 1
        stem = f"{base}-{n}"
    used.add(stem.lower())
    return stem
