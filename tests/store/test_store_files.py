"""Uploaded files stay inside the data folder whatever name they came with."""

from __future__ import annotations

from pathlib import Path

import pytest

from bias_review.store import add_course, add_document, documents, get_document
from bias_review.store.files import sanitise_name, save_upload


@pytest.mark.parametrize("name, safe", [
    ("../../etc/passwd", "passwd"),
    ("/etc/passwd", "passwd"),
    ("..\\..\\Windows\\System32\\evil.docx", "evil.docx"),
    ("C:\\Users\\ana\\lecture 1.pdf", "lecture 1.pdf"),
    ("lec\x00ture.pdf", "lecture.pdf"),
    ("..", "upload"),
    ("", "upload"),
    ("/", "upload"),
    (".hidden", "hidden"),
    ("renal; rm -rf *.pptx", "renal_ rm -rf _.pptx"),
    ("CON.txt", "_CON.txt"),
    ("Überblick Niere.docx", "Überblick Niere.docx"),
    ("a\nb\tc.md", "abc.md"),
])
def test_names_are_sanitised(name, safe):
    assert sanitise_name(name) == safe


def test_a_long_name_keeps_its_extension():
    safe = sanitise_name("x" * 400 + ".pptx")
    assert len(safe) <= 150 and safe.endswith(".pptx")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..\\..\\x.pdf", "a/\x00/../../b", "..", "."])
def test_no_upload_name_writes_outside_the_data_folder(tmp_path: Path, name: str):
    data = tmp_path / "data"
    digest, relative = save_upload(data, b"content", name)
    target = (data / relative).resolve()
    assert target.is_relative_to((data / "uploads" / digest).resolve()) and target.read_bytes() == b"content"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [target]


def test_add_document_keeps_the_file_and_is_idempotent(store, tmp_path: Path):
    course = add_course(store, "Renal", 2025)
    src = tmp_path / "Renal Lecture.PDF"
    src.write_bytes(b"%PDF-1.7 renal")
    doc = add_document(store, src, course=course, uploader="ana")
    assert doc.path == f"uploads/{doc.sha256}/Renal Lecture.PDF" and doc.format == "pdf"
    assert Path(doc.file).read_bytes() == b"%PDF-1.7 renal" and Path(doc.file).is_relative_to(store.data_dir)
    assert add_document(store, b"%PDF-1.7 renal", "Renal Lecture.PDF", course=course).id == doc.id
    other = add_document(store, b"%PDF-1.7 renal", "../../etc/passwd")
    assert other.id != doc.id and other.name == "passwd" and other.course_id is None
    assert get_document(store, doc.id) == doc
    assert [d.id for d in documents(store, course)] == [doc.id]
