"""OCR of PDF pages with no text layer (Tesseract). Without Tesseract these tests skip, except in
CI (CI=true), where they fail: .ci/run installs tesseract-ocr and tesseract-ocr-eng."""

from __future__ import annotations

import json
import os
import time

import pytest
from inputs_builders import BIASED, CONSCIOUS, image_pdf_bytes, pdf_bytes, text_pdf_bytes, write

from bias_review.cli import app
from bias_review.parse import ParseError, ParseTimeout, ocr, parse

SCANNED_REASON = "no text layer (scanned document?); OCR is turned off"


@pytest.fixture(scope="module")
def tesseract():
    missing = ocr.missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} is not installed: in CI the OCR tests must run, not skip")
        pytest.skip(f"{missing} is not installed (OCR tests skipped outside CI)")


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """A one-page PDF that is only a picture of two sentences, one of them biased."""
    return write(tmp_path_factory.mktemp("ocr") / "scan.pdf", image_pdf_bytes([["Renal lecture notes", "", BIASED, CONSCIOUS]]))


def test_a_scanned_page_is_read_by_ocr_and_flagged(scan, tesseract, rules_engine):
    started = time.perf_counter()
    doc = rules_engine.scan_file(scan)
    assert time.perf_counter() - started < 30
    assert doc.error is None and doc.format == "pdf"
    assert doc.warnings == ["1 of 1 pages have no text layer and were read by OCR; check the findings there "
                            "against the page"]
    flags = [f for f in doc.findings if f.is_flag]
    assert [(f.category.value, f.passage) for f in flags] == [("race-correction", BIASED)]
    location = flags[0].location
    assert (location.page, location.part) == (1, "ocr")
    assert 60 <= location.ocr_confidence <= 100
    assert flags[0].as_dict()["location"] == {"page": 1, "part": "ocr", "ocr_confidence": location.ocr_confidence}
    assert location.describe() == f"page 1, ocr {location.ocr_confidence}%"


def test_ocr_off_gives_the_plain_error(scan, rules_engine):
    with pytest.raises(ParseError) as err:
        parse(scan, ocr=False)
    assert err.value.reason == SCANNED_REASON
    from bias_review.engine import Engine

    no_ocr = Engine(lexicon=rules_engine.lexicon, detectors=("lexicon", "vignette"), ocr=False)
    assert no_ocr.scan_file(scan).error == SCANNED_REASON


def test_no_ocr_on_the_command_line(scan):
    from typer.testing import CliRunner

    res = CliRunner().invoke(app, ["scan", str(scan), "--no-ocr", "--no-classifier", "--format", "json"])
    assert res.exit_code == 2  # nothing could be scanned
    assert json.loads(res.stdout)["documents"][0]["error"] == SCANNED_REASON


def test_without_tesseract_the_error_says_what_to_install(scan, monkeypatch):
    monkeypatch.setattr(ocr, "missing", lambda: "tesseract-ocr")
    with pytest.raises(ParseError) as err:
        parse(scan)
    assert err.value.reason == "no text layer (scanned document?); install tesseract-ocr to read it by OCR"


def test_only_pages_without_text_are_ocrd(tmp_path, tesseract, monkeypatch):
    text_pdf = write(tmp_path / "text.pdf", text_pdf_bytes([[BIASED]]))
    monkeypatch.setattr(ocr, "read_pages", lambda *a: pytest.fail("OCR ran on a PDF with a text layer"))
    doc = parse(text_pdf)
    assert [b.location.part for b in doc.blocks] == ["body"]


def test_ocr_stops_at_the_deadline_between_pages(tmp_path, tesseract, monkeypatch):
    """A long scan stops once the deadline passes, between two pages (here each page 'takes' 0.3 s)."""
    pages = write(tmp_path / "long.pdf", image_pdf_bytes([["page one"], ["page two"], ["page three"]]))
    read = []

    def slow_page(pytesseract, page, deadline):
        read.append(page)
        page.close()
        time.sleep(0.3)
        return []

    monkeypatch.setattr(ocr, "_read_page", slow_page)
    with pytest.raises(ParseTimeout):
        parse(pages, deadline=time.monotonic() + 0.1)
    assert len(read) == 1


def test_tesseract_is_stopped_when_the_time_is_up(scan, tesseract, monkeypatch):
    """One huge page cannot outrun the deadline: Tesseract gets only the time left."""
    import pypdfium2 as pdfium

    monkeypatch.setattr(ocr, "check_deadline", lambda path, deadline: None)  # only Tesseract's own limit left
    pdf = pdfium.PdfDocument(scan)
    try:
        with pytest.raises(ParseTimeout):
            ocr.read_pages(str(scan), pdf, [0], time.monotonic() + 0.15)  # reading the page takes longer
        assert ocr.read_pages(str(scan), pdf, [0], None).paragraphs  # with no deadline it is read
    finally:
        pdf.close()


def test_the_engine_reports_an_ocr_timeout_as_a_timeout(scan, tesseract, rules_engine):
    doc = rules_engine.scan_file(scan, timeout=0.05)
    assert doc.error == "timed out after 0.05 s (raise --timeout for very large files)"


def test_paragraphs_of_tesseract_data():
    data = {"text": ["", "Multiply", "the", "eGFR", "", "Next", "line", "|"],
            "conf": [-1, 90, 80, 70, -1, 95.5, 96, -1],
            "block_num": [1, 1, 1, 1, 2, 2, 2, 2], "par_num": [1, 1, 1, 1, 1, 1, 1, 1],
            "line_num": [1, 1, 1, 2, 1, 1, 1, 1]}
    got = ocr.paragraphs_of(data)
    assert [(p.lines, p.confidence) for p in got] == [(["Multiply the", "eGFR"], 80), (["Next line"], 96)]


def test_mixed_pages_keep_their_text_and_ocr_the_rest(tmp_path, tesseract):
    mixed = write(tmp_path / "mixed.pdf", pdf_bytes([[CONSCIOUS], [BIASED], [], ["Last page."]], scanned=(1, 2)))
    doc = parse(mixed)
    assert [(b.location.page, b.location.part, b.text) for b in doc.blocks] == [
        (1, "body", CONSCIOUS), (2, "ocr", BIASED), (4, "body", "Last page.")]
    assert doc.warnings == [
        "1 of 4 pages have no text layer and were read by OCR; check the findings there against the page",
        "1 of 4 pages have no text layer (scanned images?); their content was not checked, and OCR found no "
        "text in them"]


def test_a_blank_scan_says_ocr_found_nothing(tmp_path, tesseract):
    with pytest.raises(ParseError) as err:
        parse(write(tmp_path / "blank.pdf", image_pdf_bytes([[]])))
    assert err.value.reason == "no text layer, and OCR found no text in it (blank or unreadable scan?)"
