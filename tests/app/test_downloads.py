"""Downloads of a stored document: the commented DOCX (DOCX input) or a DOCX report, CSV, HTML."""

from __future__ import annotations

import csv
import io

import docx

from bias_review.store import decide, queue
from bias_review.store.scan_history import last_scan
from bias_review.webapp.downloads import document_dict, downloads
from bias_review.webapp.uploads import handle_uploads
from app_builders import prefilled
from test_uploads import FLAGGED, docx_bytes


def _files(store, doc):
    items = queue(store, document=doc)
    scan = last_scan(store, doc)
    return {d.file_name: d for d in downloads(doc, document_dict(doc, items, scan), scan, "k")}


def test_text_upload_gets_a_word_report_csv_and_html(app_store):
    doc = prefilled(app_store)
    decide(app_store, queue(app_store)[0], "ana", "dismissed", reason="race-conscious")
    files = _files(app_store, doc)
    assert set(files) == {"lecture.report.docx", "lecture.flags.csv", "lecture.report.html"}
    assert len({d.key for d in files.values()}) == 3
    rows = list(csv.DictReader(io.StringIO(files["lecture.flags.csv"].data().decode())))
    assert [r["category"] for r in rows] == ["race-correction", "outdated-term"]  # dismissed and info left out
    page = files["lecture.report.html"].data().decode()
    assert "&lt;script&gt;" in page and "<script>alert" not in page and "lex-1" in page
    report = docx.Document(io.BytesIO(files["lecture.report.docx"].data()))
    assert any("Caucasian" in p.text for p in report.paragraphs)


def test_docx_upload_gets_its_own_file_with_comments(app_store, engine):
    doc = handle_uploads(app_store, engine, [("syllabus.docx", docx_bytes(FLAGGED))], "Renal")[0].document
    files = _files(app_store, doc)
    annotated = docx.Document(io.BytesIO(files["syllabus.reviewed.docx"].data()))
    assert [p.text for p in annotated.paragraphs] == FLAGGED
    assert len(annotated.comments) >= 3
