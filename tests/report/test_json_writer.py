"""The JSON report written as it is made (`write_json`) is `json.dumps(indent=2)`'s text
character for character, and never holds a large report whole."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest

from bias_review.findings import Category, Explanation, Finding, Location, Severity
from bias_review.report.json_report import render_json, write_json
from bias_review.results import DocumentResult, ScanResult


def _finding(i: int, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(id=f"id{i}", category=Category.RACE_CORRECTION, severity=severity, text="eGFR",
                   passage=f"Multiply the eGFR by 1.159 if the patient is Black.\n\"quoted\" {i} é",
                   start=13, end=17, location=Location(page=i, part="body", section="A > B"),
                   detectors=["lexicon:x", "classifier"], score=0.9, explanation="why", suggestion="instead",
                   references=["ref one", "ref two"], spans=[(13, 17), (40, 45)],
                   trace=[Explanation("lexicon:x", "matched", 0.8), Explanation("context", "nothing")])


def _dumped(result: ScanResult, **options) -> str:
    """The contract's JSON text, made the plain way: one tree, one string."""
    return json.dumps(result.as_dict(**options), indent=2, ensure_ascii=False) + "\n"


CASES = {
    "no documents": [],
    "a failed file": [DocumentResult(path="bad.pdf", error="password-protected PDF")],
    "no findings": [DocumentResult(path="a.txt", format="text", sha256="0" * 64, warnings=["no text found"])],
    "findings": [DocumentResult(path="a.txt", format="text", sha256="1" * 64,
                                findings=[_finding(i) for i in range(3)] + [_finding(9, Severity.INFO)]),
                 DocumentResult(path="b.md", format="markdown", sha256="2" * 64, findings=[_finding(4)])],
    "only info": [DocumentResult(path="c.txt", format="text", sha256="3" * 64, findings=[_finding(1, Severity.INFO)])],
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("floor", [Severity.LOW, Severity.INFO])
@pytest.mark.parametrize("trace", [False, True])
def test_written_report_is_the_rendered_one(case, floor, trace):
    result = ScanResult(CASES[case], "lex-1", None)
    out = io.StringIO()
    write_json(result, out, min_severity=floor, with_trace=trace)
    assert out.getvalue() == _dumped(result, min_severity=floor, with_trace=trace)
    json.loads(out.getvalue())


def test_a_large_report_is_written_without_being_held():
    findings = [_finding(i) for i in range(4000)]
    result = ScanResult([DocumentResult(path="big.txt", format="text", sha256="0" * 64, findings=findings)], "lex", None)
    size = len(render_json(result))

    class Counting(io.TextIOBase):
        written = 0

        def write(self, text: str) -> int:
            self.written += len(text)
            return len(text)

    out = Counting()
    tracemalloc.start()
    try:
        write_json(result, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.written == size
    assert peak < size / 20, f"{peak:,} bytes held to write a {size:,}-character report"


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c]])
def test_a_json_lines_document_line_is_the_document_object(case, tmp_path):
    from bias_review.report.jsonl_report import JsonlWriter

    path = tmp_path / "out.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        writer = JsonlWriter(fh, min_severity=Severity.INFO, with_trace=True)
        for doc in CASES[case]:
            writer.document(doc)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == [json.dumps({"document": d.as_dict(min_severity=Severity.INFO, with_trace=True)}, ensure_ascii=False)
                     for d in CASES[case]]


def test_csv_is_written_row_by_row():
    import csv

    from bias_review.report.csv_report import COLUMNS, write_csv

    result = ScanResult([d for docs in CASES.values() for d in docs], "lex", None)
    writes = []

    class Recording(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return super().write(text)

    out = Recording()
    write_csv(result, out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == COLUMNS
    assert [r[0] for r in rows[1:]] == ["bad.pdf", "a.txt", "a.txt", "a.txt", "a.txt", "b.md"]  # info left out
    assert rows[1][12] == "password-protected PDF" and rows[2][13] == "no text found"
    assert len(writes) == len(rows)  # one write per row, none held back


@pytest.mark.parametrize("fmt", ["json", "csv", "jsonl", "text"])
@pytest.mark.parametrize("case", CASES)
def test_a_report_in_order_is_written_as_documents_come(fmt, case):
    """In one process documents come in the report's order: JSON, CSV, JSON Lines and text are
    written as they come, keeping no document, and read as the report of the whole scan."""
    from bias_review.report import render
    from bias_review.report.stream import ReportStream

    result = ScanResult(CASES[case], "lex-1", "model-1")
    out = io.StringIO()
    stream = ReportStream(fmt, out, with_trace=True, in_order=True)
    stream.start(result.tool())
    written = []
    for doc in result.documents:
        stream.add(doc)
        written.append(len(out.getvalue()))
        assert not stream._kept
    stream.finish()
    assert out.getvalue() == render(result, fmt, with_trace=True)
    assert written == sorted(written) and (not written or written[0] > 0 and len(set(written)) == len(written))


def _docs(n: int) -> list[DocumentResult]:
    return [DocumentResult(path=f"f{i:03d}.txt", format="text", sha256=f"{i:064d}",
                           findings=[_finding(i)] if i % 3 else []) for i in range(n)]


@pytest.mark.parametrize("fmt", ["json", "csv", "text"])
def test_documents_out_of_order_are_written_as_soon_as_those_before_them_came(fmt):
    """Worker processes finish files out of order: a document waits only for the documents
    before it in the report (or their files' skipping), and the report is the one of the
    scanned documents in the files' order."""
    from bias_review.report import render
    from bias_review.report.stream import ReportStream

    docs = _docs(12)
    skipped = {"f004.txt", "f009.txt"}
    out = io.StringIO()
    stream = ReportStream(fmt, out, order=[d.path for d in docs])
    stream.start(ScanResult([], "lex-1", None).tool())
    # two "workers": each pair arrives swapped, skips announced when their file is reached
    arrivals = []
    for i in range(0, 12, 2):
        arrivals += [docs[i + 1], docs[i]]
    for doc in arrivals:
        if doc.path in skipped:
            stream.skip(doc.path)
        else:
            stream.add(doc)
        assert len(stream._waiting) <= 1 and not stream._kept
    assert stream.most_waiting == 1
    stream.finish()
    kept = [d for d in docs if d.path not in skipped]
    assert out.getvalue() == render(ScanResult(kept, "lex-1", None), fmt)


def test_a_document_waits_for_a_slow_one_before_it_and_no_longer():
    from bias_review.report.stream import ReportStream

    docs = _docs(5)
    out = io.StringIO()
    stream = ReportStream("json", out, order=[d.path for d in docs])
    stream.start(ScanResult([], "lex-1", None).tool())
    for doc in docs[1:]:
        stream.add(doc)
    assert "f001.txt" not in out.getvalue() and len(stream._waiting) == 4  # all wait for f000
    stream.add(docs[0])
    assert not stream._waiting and all(d.path in out.getvalue() for d in docs)
    stream.finish()
    assert out.getvalue() == _dumped(ScanResult(docs, "lex-1", None))


def test_an_interrupted_batch_writes_what_came_in_order_and_unknown_paths_last():
    """Documents still waiting when the scan stops (Ctrl-C before an earlier file finished) are
    written at `finish`, in order; a document whose path was not in the order comes last."""
    from bias_review.report.stream import ReportStream

    docs = _docs(4)
    extra = DocumentResult(path="elsewhere.txt", format="text", sha256="9" * 64)
    out = io.StringIO()
    stream = ReportStream("json", out, order=[d.path for d in docs])
    stream.start(ScanResult([], "lex-1", None).tool())
    for doc in (docs[3], extra, docs[1]):
        stream.add(doc)
    assert out.getvalue().count('"path"') == 0
    stream.finish()
    assert out.getvalue() == _dumped(ScanResult([docs[1], docs[3], extra], "lex-1", None))


def test_the_same_path_twice_takes_two_places():
    from bias_review.report.stream import ReportStream

    a1 = DocumentResult(path="same.txt", format="text", sha256="1" * 64)
    a2 = DocumentResult(path="same.txt", format="text", sha256="2" * 64)
    b = DocumentResult(path="b.txt", format="text", sha256="3" * 64)
    out = io.StringIO()
    stream = ReportStream("json", out, order=["same.txt", "b.txt", "same.txt"])
    stream.start(ScanResult([], "lex-1", None).tool())
    for doc in (a1, a2, b):
        stream.add(doc)
    stream.finish()
    assert out.getvalue() == _dumped(ScanResult([a1, b, a2], "lex-1", None))


def test_a_report_out_of_order_is_sorted_at_the_end():
    from bias_review.report.stream import ReportStream

    docs = CASES["findings"]
    out = io.StringIO()
    stream = ReportStream("json", out)
    stream.start(ScanResult([], "lex-1", None).tool())
    for doc in reversed(docs):
        stream.add(doc)
    assert out.getvalue() == "" and len(stream._kept) == 2
    stream.finish(order=lambda d: [x.path for x in docs].index(d.path))
    assert out.getvalue() == _dumped(ScanResult(docs, "lex-1", None))
