"""PDF parser: reading order, dehyphenation, running headers, bad PDFs, a real PDF."""

from __future__ import annotations

import hashlib
import re

import pytest
from parse_builders import HEADER, PAGE_TEXTS, REAL_PDF, TWO_COL_LEFT, TWO_COL_RIGHT

from bias_review.parse import ParseError, parse


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+", text) if s]


def test_two_columns_written_across_the_page_are_not_interleaved(files):
    doc = parse(files["two_col"])
    assert doc.format == "pdf" and doc.pages == 1
    body = [b for b in doc.blocks if b.location.part == "body"]
    texts = [b.text for b in body]
    # every sentence of each column is whole, inside one block
    for sentence in _sentences(TWO_COL_LEFT) + _sentences(TWO_COL_RIGHT):
        assert any(sentence in t for t in texts), sentence
    # no block mixes the two columns
    for t in texts:
        assert not ("Loop diuretics" in t and "Thiazide" in t), t
    # title first, then left column, then right column
    joined = "\n".join(texts)
    assert joined.index("Diuretics: sites of action") < joined.index("Loop diuretics")
    assert joined.index("Ototoxicity") < joined.index("Thiazide diuretics act")
    assert all(b.location.page == 1 for b in doc.blocks)


def test_dehyphenation_joins_broken_words_and_keeps_compounds(files):
    doc = parse(files["hyphen"])
    text = " ".join(b.text for b in doc.blocks)
    assert "early treatment with an ACE inhibitor" in text
    assert "treat-" not in text and "treat ment" not in text
    assert "race-based adjustments" in text
    # lines of one paragraph are joined with spaces into one block
    assert len(doc.blocks) == 1
    assert doc.blocks[0].text.endswith("obsolete in current practice guidelines.")


def test_running_header_and_page_footer_emitted_once(files):
    doc = parse(files["multipage"])
    assert doc.pages == 5
    headers = [b for b in doc.blocks if b.location.part == "header"]
    footers = [b for b in doc.blocks if b.location.part == "footer"]
    assert [(b.text, b.location.page) for b in headers] == [(HEADER, 1)]
    assert [(b.text, b.location.page) for b in footers] == [("Page 1 of 5", 1)]
    body = [b for b in doc.blocks if b.location.part == "body"]
    for page, sentence in enumerate(PAGE_TEXTS, start=1):
        hits = [b for b in body if sentence in b.text]
        assert len(hits) == 1 and hits[0].location.page == page
    assert not any("Lecture 4" in b.text or "Page " in b.text for b in body)
    # blocks come in page order, header first and footer last on page 1
    assert doc.blocks[0].location.part == "header"
    pages = [b.location.page for b in doc.blocks]
    assert pages == sorted(pages)


def test_a_long_pdf_is_reopened_every_few_pages_and_reads_the_same(files, monkeypatch):
    """pdfium keeps every loaded page's resources until the document closes: the parser opens it
    again every REOPEN_EVERY_PAGES pages (memory of a 4,800-page PDF: 795 -> 486 MB), which must
    not change a block."""
    from bias_review.parse import pdf as pdf_parser

    whole = parse(files["multipage"])
    opened = []
    real_open = pdf_parser._open
    monkeypatch.setattr(pdf_parser, "_open", lambda path, data: opened.append(path) or real_open(path, data))
    monkeypatch.setattr(pdf_parser, "REOPEN_EVERY_PAGES", 2)
    again = parse(files["multipage"])
    assert len(opened) == 3  # pages 1-2, 3-4, 5
    assert [(b.text, b.location) for b in again.blocks] == [(b.text, b.location) for b in whole.blocks]


def test_a_packed_page_gives_back_its_segments():
    """While the rest of a document is read, each page is kept packed (texts, one array of
    boxes, flags): rebuilt, every segment is the one read, to the last bit of its box."""
    import pypdfium2 as pdfium

    from bias_review.parse import pdf as pdf_parser

    pdf = pdfium.PdfDocument(str(REAL_PDF))
    try:
        for pno in (0, 2, 5):  # dense pages, with end-of-line hyphens and bold
            segs = pdf_parser._page_segments(str(REAL_PDF), pdf, pno)
            page = pdf_parser._Page(segs)
            assert len(page) == len(segs) > 100
            slots = pdf_parser._Seg.__slots__
            assert [[getattr(s, a) for a in slots] for s in page.segs()] == [[getattr(s, a) for a in slots] for s in segs]
            assert any(s.hyphen for s in segs) and any(s.bold_start for s in segs)
            assert set(map(id, page.top + page.bottom)) <= set(map(id, segs)) and len(page.top) < len(segs) / 3
    finally:
        pdf.close()


@pytest.mark.parametrize("rows", [1, 2])
def test_running_lines_read_past_the_kept_rows_when_they_run_out(files, monkeypatch, rows):
    """Headers and footers are looked for in the rows kept whole at each edge of a page; where
    a round needs rows beyond them, the page is rebuilt whole: the same blocks either way."""
    from bias_review.parse import pdf as pdf_parser

    rebuilt = []
    real_segs = pdf_parser._Page.segs
    monkeypatch.setattr(pdf_parser._Page, "segs", lambda page: rebuilt.append(len(page)) or real_segs(page))
    whole = {name: parse(files[name]) for name in ("multipage", "two_col")}
    real = parse(REAL_PDF)
    pages = sum(d.pages for d in whole.values()) + real.pages
    assert len(rebuilt) == pages == 21  # once a page, to read its body: the kept rows sufficed
    monkeypatch.setattr(pdf_parser._Page, "EDGE_ROWS", rows)
    for name, doc in whole.items():
        assert [(b.text, b.location) for b in parse(files[name]).blocks] == [(b.text, b.location) for b in doc.blocks]
    assert [(b.text, b.location) for b in parse(REAL_PDF).blocks] == [(b.text, b.location) for b in real.blocks]
    assert len(rebuilt) > 2 * pages  # pages rebuilt for the search as well


def test_sha256_is_of_the_file_bytes(files):
    doc = parse(files["hyphen"])
    assert doc.sha256 == hashlib.sha256(files["hyphen"].read_bytes()).hexdigest()


def test_a_pdf_is_read_from_its_file_never_held_whole(tmp_path):
    """pdfium reads the pages it needs from the file, and the hash is taken in chunks: a PDF is
    never held in memory whole (a 185 MB file took 544 MB to parse, now 367 MB)."""
    import os

    from parse_builders import _pdf, parsed_with_peak
    from PIL import Image

    pdf = _pdf()
    pdf.add_page()
    pdf.text(72, 72, "Renin is released by the juxtaglomerular cells when perfusion falls.")
    noise = Image.frombytes("RGB", (1200, 1200), os.urandom(1200 * 1200 * 3))  # does not compress
    pdf.image(noise, x=72, y=100, w=300)
    path = tmp_path / "with-image.pdf"
    pdf.output(str(path))
    size = path.stat().st_size
    assert size > 4_000_000
    doc, peak = parsed_with_peak(path)
    assert [b.text for b in doc.blocks] == ["Renin is released by the juxtaglomerular cells when perfusion falls."]
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert peak < size / 4, f"{peak:,} bytes allocated while parsing a {size:,}-byte PDF"


def test_encrypted_pdf(files):
    with pytest.raises(ParseError) as err:
        parse(files["encrypted"])
    assert err.value.reason == "password-protected PDF"


def test_pdf_without_text_layer(files, monkeypatch):
    with pytest.raises(ParseError) as err:
        parse(files["rectangle"], ocr=False)
    assert err.value.reason == "no text layer (scanned document?); OCR is turned off"
    from bias_review.parse import ocr

    monkeypatch.setattr(ocr, "missing", lambda: "tesseract-ocr")  # as on a machine without Tesseract
    with pytest.raises(ParseError) as err:
        parse(files["rectangle"])
    assert err.value.reason == "no text layer (scanned document?); install tesseract-ocr to read it by OCR"


def test_truncated_pdf(files, tmp_path):
    data = files["multipage"].read_bytes()
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(data[:400])
    with pytest.raises(ParseError) as err:
        parse(bad)
    assert err.value.reason.startswith("corrupt or unreadable PDF (")
    assert "\n" not in err.value.reason


def test_garbage_after_pdf_magic(tmp_path):
    bad = tmp_path / "junk.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    with pytest.raises(ParseError) as err:
        parse(bad)
    assert err.value.reason.startswith("corrupt or unreadable PDF")


@pytest.mark.skipif(not REAL_PDF.exists(), reason="real corpus PDF not available")
def test_real_three_column_federal_register():
    doc = parse(REAL_PDF)
    assert doc.pages == 15
    body = " \n ".join(b.text for b in doc.blocks if b.location.part == "body")
    # sentences that run down a column, across a column break, and across a page break
    for sentence in [
        "Since AD 2018–23–51 was issued, the agency has determined that final corrective "
        "action is necessary to address the unsafe condition.",
        "The most helpful comments reference a specific portion of the proposal, explain the "
        "reason for any recommended change, and include supporting data.",
        "after takeoff from Soekarno-Hatta International Airport in Jakarta, Indonesia, "
        "resulting in 189 fatalities.",
        "On October 29, 2018, a Boeing Model 737–8 airplane operated by Lion Air",
        "three international civil aviation authorities: Agência Nacional de Aviação Civil",
    ]:
        assert sentence in body, sentence
    # the running header of pages 2-15 is emitted once
    running = [b for b in doc.blocks if b.text.startswith("Federal Register / Vol. 85")]
    assert len(running) == 1 and running[0].location.part == "header"
    assert running[0].location.page == 2
    # the per-page typesetting footer too
    verdate = [b for b in doc.blocks if b.text.startswith("VerDate")]
    assert len(verdate) == 1 and verdate[0].location.part == "footer"
    # no block is one giant page: paragraphs are split
    assert len(doc.blocks) > 150
    assert max(len(b.text) for b in doc.blocks) < 6000


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("early treat-", "ment with", "early treatment with"),
        ("in-", "dependent of", "independent of"),
        ("a race-", "based equation", "a race-based equation"),
        ("a known drug-", "seeker", "a known drug-seeker"),
        ("a 45-year-", "old man", "a 45-year-old man"),
        ("from Soekarno-", "Hatta", "from Soekarno-Hatta"),
        ("during COVID-", "19 waves", "during COVID-19 waves"),
        ("Model 737\u2013", "9 airplanes", "Model 737\u20139 airplanes"),
        ("see https://", "www.nkf.org", "see https://www.nkf.org"),
        ("http://x.org/what-are-health-", "consequences", "http://x.org/what-are-health-consequences"),
        ("the glomerular", "filtration rate", "the glomerular filtration rate"),
    ],
)
def test_line_joining_rules(left, right, joined):
    from bias_review.parse.pdf import _join_lines, _Vocab

    assert _join_lines(left, right, _Vocab()) == joined


def test_document_vocabulary_decides_unknown_compounds():
    from bias_review.parse.pdf import _join_lines, _Vocab

    vocab = _Vocab()
    assert _join_lines("a non-", "normal checklist", vocab) == "a nonnormal checklist"
    vocab.feed("the non-normal procedures and the nonnormal ones")
    assert _join_lines("a non-", "normal checklist", vocab) == "a non-normal checklist"
