"""Parsing ahead in helper processes (bias_review.parse.ahead): the same documents and errors as
parsing in the scan's own process, a helper stuck past the time budget killed, a helper that
dies taking only its file, memory bounded, no helper left behind."""

from __future__ import annotations

import faulthandler
import json
import multiprocessing
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from parse_builders import REAL_PDF
from typer.testing import CliRunner

import bias_review.parse as parse_package
from bias_review.cli import app
from bias_review.parse import ParseError, parse
from bias_review.parse import ahead as ahead_module
from bias_review.parse.ahead import ParseAhead


def _outcome(get):
    try:
        doc = get()
    except ParseError as exc:
        return ("error", type(exc).__name__, exc.reason)
    return ("document", doc.format, doc.pages, doc.sha256, [(b.text, b.location) for b in doc.blocks], doc.warnings)


def test_parsed_ahead_is_what_the_scan_parses_itself(files, tmp_path):
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(files["multipage"].read_bytes()[:900])
    notes = tmp_path / "notes.txt"
    notes.write_text("The patient was noncompliant.", encoding="utf-8")
    order = [files["docx"], files["pptx"], notes, files["two_col"], files["multipage"], files["hyphen"],
             files["encrypted"], truncated, REAL_PDF]
    with ParseAhead.start(order, ocr=False, timeout=60, helpers=2) as ahead:
        for path in order:
            parsed = ahead.take(path)
            if path == notes:  # read as it is analysed: never parsed ahead
                assert parsed is None
                continue
            assert parsed is not None and parsed.seconds > 0
            assert _outcome(parsed.get) == _outcome(lambda: parse(path, ocr=False)), path.name
    assert not any(h.process.is_alive() for h in ahead._helpers)


def test_files_must_be_taken_in_order(files):
    with ParseAhead.start([files["docx"], files["pptx"]], ocr=False, timeout=None, helpers=1) as ahead:
        with pytest.raises(ValueError):
            ahead.take(files["pptx"])


def test_no_helpers_where_they_would_not_help(files, tmp_path, monkeypatch):
    notes = tmp_path / "notes.md"
    notes.write_text("# Week 1", encoding="utf-8")
    assert ParseAhead.start([notes], ocr=False, timeout=None) is None  # nothing worth parsing ahead
    monkeypatch.setattr(ahead_module, "_cores", lambda: 1)
    assert ParseAhead.start([files["docx"], files["two_col"]], ocr=False, timeout=None) is None
    monkeypatch.setattr(ahead_module, "AHEAD_MAX_BYTES", 100)  # too large to cross the pipe
    assert ParseAhead.start([files["docx"]], ocr=False, timeout=None, helpers=1) is None


def _copies(folder: Path, names: list[str], source: Path = REAL_PDF) -> list[Path]:
    folder.mkdir(exist_ok=True)
    out = []
    for name in names:
        shutil.copy(source, folder / name)
        out.append(folder / name)
    return out


def test_a_helper_stuck_past_the_budget_is_killed_and_its_other_files_scanned(rules_engine, tmp_path, monkeypatch):
    """A parser stuck where it cannot check its deadline (inside pdfium, say): the helper is
    killed once the budget and the grace have passed, the file is timed out, and the files that
    helper had left are parsed by the scan itself."""
    real = parse_package.parse

    def stuck(path, **options):
        if Path(path).name == "b-stuck.pdf":
            time.sleep(60)
        return real(path, **options)

    monkeypatch.setattr(parse_package, "parse", stuck)  # what a helper forked now calls
    monkeypatch.setattr(ahead_module, "GRACE_SECONDS", 0.3)
    paths = _copies(tmp_path / "pdfs", ["a.pdf", "b-stuck.pdf", "c.pdf", "d.pdf", "e.pdf"])
    started = time.monotonic()
    with ParseAhead.start(paths, ocr=False, timeout=1.0, helpers=2) as ahead:
        results = list(rules_engine.scan_iter(paths, timeout=1.0, ahead=ahead))
        stuck_helper = ahead._owner[1]
        assert not stuck_helper.alive and not stuck_helper.process.is_alive()
        assert stuck_helper.jobs == [1, 3]  # d.pdf was its next: parsed by the scan itself
    assert time.monotonic() - started < 20
    assert results[1].error == "timed out after 1 s (raise --timeout for very large files)"
    assert [r.error for r in results[:1] + results[2:]] == [None] * 4
    assert len({r.sha256 for r in results}) == 1 and all(r.pages == 15 for r in results if not r.error)


def test_a_helper_that_dies_takes_only_its_file(rules_engine, tmp_path, monkeypatch):
    real = parse_package.parse

    def crashing(path, **options):
        if Path(path).name == "b-crash.pdf":
            faulthandler.disable()  # pytest's: it would print the helper's stack to the test's output
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(path, **options)

    monkeypatch.setattr(parse_package, "parse", crashing)
    paths = _copies(tmp_path / "pdfs", ["a.pdf", "b-crash.pdf", "c.pdf", "d.pdf"])
    with ParseAhead.start(paths, ocr=False, timeout=30, helpers=1) as ahead:
        results = list(rules_engine.scan_iter(paths, timeout=30, ahead=ahead))
    assert results[1].error == "the parser died while reading this file (signal SIGSEGV)"
    assert [r.error for r in results if r is not results[1]] == [None] * 3
    assert results[2].findings == results[0].findings  # c and d parsed by the scan itself, the same


@pytest.mark.parametrize("bound", ["documents", "bytes"])
def test_a_helper_keeps_a_bounded_number_of_documents_waiting(tmp_path, monkeypatch, log_parse_calls, bound):
    """A scan that is slow to take documents (building its engine, analysing a long one) does
    not make a helper hold the whole archive parsed: it waits with AHEAD documents, or fewer
    when they pass AHEAD_BYTES (one always goes through)."""
    calls = log_parse_calls(parse_package, lambda path: Path(path).name)
    waiting_at_most = 2
    if bound == "documents":
        monkeypatch.setattr(ahead_module, "AHEAD", waiting_at_most)
    else:  # each document pickles to about 0.3 MB
        monkeypatch.setattr(ahead_module, "AHEAD_BYTES", 1)
        waiting_at_most = 1
    paths = _copies(tmp_path / "pdfs", [f"{i:02d}.pdf" for i in range(14)])  # each document > a pipe's buffer
    with ParseAhead.start(paths, ocr=False, timeout=None, helpers=1) as ahead:
        time.sleep(3)  # 14 parses take about one second
        waiting = calls.read_text().split()
        # queued, one being sent, one parsed and waiting to be queued
        assert waiting_at_most <= len(waiting) <= waiting_at_most + 2
        taken = [ahead.take(p) for p in paths]
    assert all(t is not None and t.document.pages == 15 for t in taken)
    assert calls.read_text().split() == [p.name for p in paths]


def test_a_scan_with_helpers_reports_what_one_without_does(files, tmp_path, monkeypatch):
    folder = tmp_path / "course"
    folder.mkdir()
    for name in ("docx", "pptx", "two_col", "multipage", "encrypted"):
        shutil.copy(files[name], folder / files[name].name)
    (folder / "notes.txt").write_text("Multiply the eGFR by 1.159 if the patient is Black.", encoding="utf-8")
    shutil.copy(REAL_PDF, folder / "register.pdf")
    monkeypatch.chdir(folder)
    monkeypatch.setattr(ahead_module, "_cores", lambda: 2)
    started = []
    real_start = ParseAhead.start.__func__
    monkeypatch.setattr(ParseAhead, "start", classmethod(lambda cls, *a, **k: started.append(real_start(cls, *a, **k))
                                                         or started[-1]))
    args = ["scan", ".", "--format", "json", "--no-classifier", "--min-severity", "info"]
    with_helpers = CliRunner().invoke(app, args)
    assert started and started[-1] is not None and len(started[-1]._helpers) == 2
    monkeypatch.setattr(ahead_module, "MAX_HELPERS", 0)
    alone = CliRunner().invoke(app, args)
    assert started[-1] is None
    assert with_helpers.exit_code == alone.exit_code == 0, with_helpers.output
    assert with_helpers.stdout == alone.stdout
    docs = json.loads(alone.stdout)["documents"]
    assert len(docs) == 7 and sum(len(d["findings"]) for d in docs) > 3
    assert [d["error"] for d in docs].count("password-protected PDF") == 1
    assert multiprocessing.active_children() == []  # no helper left behind
