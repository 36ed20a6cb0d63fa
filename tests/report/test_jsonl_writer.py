"""The JSON Lines writer puts each line into a file with one system call, however long the line:
a scan killed at any moment leaves whole lines only."""

from __future__ import annotations

import io
import json
import os

from bias_review.findings import Category, Finding, Location, Severity
from bias_review.report.jsonl_report import JsonlWriter
from bias_review.results import DocumentResult

PASSAGE = "Multiply the eGFR by 1.159 if the patient is Black. " * 40  # a line far over 8 KB


def _document(n: int) -> DocumentResult:
    findings = [Finding(id=f"id{i}", category=Category.RACE_CORRECTION, severity=Severity.HIGH, text="eGFR",
                        passage=PASSAGE, start=13, end=17, location=Location(line=i), detectors=["lexicon:x"],
                        score=0.9, explanation="why", suggestion="instead", references=["ref"], trace=[],
                        spans=[(13, 17)]) for i in range(n)]
    return DocumentResult(path="lecture.txt", format="text", sha256="0" * 64, findings=findings)


def test_each_line_is_one_write_to_a_file(tmp_path, monkeypatch):
    writes = []
    real_write = os.write

    def counting(fd, data):
        writes.append(len(data))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", counting)
    path = tmp_path / "flags.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        writer = JsonlWriter(fh)
        writer.start({"name": "bias-review"})
        writer.document(_document(5))
        writer.summary({"documents": 1})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [len(line.encode()) + 1 for line in lines] == writes
    assert writes[1] > 8192 and len(writes) == 3  # longer than a text stream's buffer
    assert [next(iter(json.loads(line))) for line in lines] == ["tool", "document", "summary"]


def test_a_stream_without_a_file_gets_the_same_lines():
    out = io.StringIO()
    writer = JsonlWriter(out)
    writer.start({"name": "bias-review"})
    writer.document(_document(2))
    lines = out.getvalue().splitlines()
    assert json.loads(lines[1])["document"]["findings"][1]["location"] == {"line": 1}


def test_a_line_over_the_piece_size_goes_out_in_pieces(tmp_path, monkeypatch):
    """A document with tens of thousands of findings is not held as one line in memory: past
    LINE_PIECE_BYTES it is written in pieces; the file holds the same line."""
    from bias_review.report import jsonl_report

    monkeypatch.setattr(jsonl_report, "LINE_PIECE_BYTES", 20_000)
    writes = []
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: writes.append(len(data)) or real_write(fd, data))
    path = tmp_path / "flags.jsonl"
    doc = _document(40)
    with open(path, "w", encoding="utf-8") as fh:
        JsonlWriter(fh).document(doc)
    assert path.read_text(encoding="utf-8") == json.dumps({"document": doc.as_dict()}, ensure_ascii=False) + "\n"
    assert len(writes) > 3 and max(writes) < 20_000 + 3_000  # a piece is at most one finding over
