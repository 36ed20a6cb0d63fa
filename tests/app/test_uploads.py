"""Uploads: each file stored in the data folder, scanned and recorded; a bad file is reported
and the others go on (the real engine, as the upload page calls it)."""

from __future__ import annotations

import io

import docx
import pytest

from bias_review.store import StoreError, courses, documents, queue
from bias_review.store.scan_history import last_scan
from bias_review.webapp.uploads import handle_uploads, unsupported_reason

FLAGGED = [
    "A 45-year-old African American man presents with chest pain.",
    "For Black patients, multiply the eGFR by 1.159.",
    "The patient is noncompliant with his medications.",
    "Caucasian patients were the reference group.",
]


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_good_and_bad_files_in_one_upload(app_store, engine):
    files = [
        ("syllabus.docx", docx_bytes(FLAGGED)),
        ("../../notes.txt", " ".join(FLAGGED).encode()),
        ("broken.pdf", b"%PDF-1.7 not really a pdf"),
        ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        ("empty.md", b""),
        ("virus.exe", b"MZ\x90\x00"),
    ]
    seen = []
    outcomes = handle_uploads(app_store, engine, files, " Renal physiology ", year=2025, lecturer="Dr Diaz",
                              uploader="director", on_progress=lambda done, total, what: seen.append((done, total)))
    by_name = {o.name: o for o in outcomes}
    assert list(by_name) == ["syllabus.docx", "notes.txt", "broken.pdf", "locked.docx", "empty.md", "virus.exe"]
    assert by_name["syllabus.docx"].error is None and by_name["syllabus.docx"].flags >= 3
    assert by_name["notes.txt"].error is None and by_name["notes.txt"].flags >= 3
    assert "PDF" in by_name["broken.pdf"].error
    assert "password-protected" in by_name["locked.docx"].error
    assert "empty" in by_name["empty.md"].error
    assert by_name["virus.exe"].document is None and "not a supported file type (.exe)" in by_name["virus.exe"].error
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)
    assert [(c.name, c.year, c.lecturer) for c in courses(app_store)] == [("Renal physiology", 2025, "Dr Diaz")]
    data = app_store.data_dir.resolve()
    for doc in documents(app_store):
        assert (data / doc.path).resolve().is_relative_to(data / "uploads") and doc.uploader == "director"
    good = by_name["syllabus.docx"].document
    assert last_scan(app_store, good).error is None and last_scan(app_store, by_name["broken.pdf"].document).error
    flags = queue(app_store, document=good)
    assert {"race-in-vignette", "race-correction"} <= {f.category for f in flags}
    assert all(f.location.get("paragraph") for f in flags)


def test_the_same_upload_again_keeps_its_flags(app_store, engine):
    files = [("syllabus.docx", docx_bytes(FLAGGED))]
    first = handle_uploads(app_store, engine, files, "Renal")[0]
    again = handle_uploads(app_store, engine, files, "Renal")[0]
    assert first.document.id == again.document.id
    assert {f.stable_id for f in queue(app_store, document=first.document)} == {
        f.stable_id for f in queue(app_store, document=again.document)}


def test_info_findings_are_kept(app_store, engine):
    text = b"The 2021 CKD-EPI equation removed the race coefficient that misclassified Black patients."
    doc = handle_uploads(app_store, engine, [("critique.txt", text)], "Renal")[0].document
    assert any(f.severity == "info" for f in queue(app_store, document=doc))


def test_a_course_name_is_required(app_store, engine):
    with pytest.raises(StoreError, match="course name"):
        handle_uploads(app_store, engine, [("a.txt", b"text")], "  ")


@pytest.mark.parametrize("name, refused", [("a.PDF", False), ("b.md", False), ("c.doc", True), ("noext", True)])
def test_supported_types(name, refused):
    assert (unsupported_reason(name) is not None) == refused
