"""Plain text and Markdown parser."""

from __future__ import annotations

import pytest

from bias_review.findings import Location
from bias_review.parse import ParseError, parse


def test_paragraphs_with_first_line_numbers(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text(
        "Hypertension is common.\nIt is often silent.\n\n\nSalt restriction helps.\n"
        "- first bullet\n- second bullet\n",
        encoding="utf-8",
    )
    doc = parse(f)
    assert doc.format == "text" and doc.pages == 1 and doc.warnings == []
    assert [(b.text, b.location) for b in doc.blocks] == [
        ("Hypertension is common. It is often silent.", Location(line=1)),
        ("Salt restriction helps.", Location(line=5)),
        ("- first bullet", Location(line=6)),
        ("- second bullet", Location(line=7)),
    ]


def test_markdown_markup_is_stripped(tmp_path):
    f = tmp_path / "lecture.md"
    f.write_text(
        "# Chronic kidney disease\n"
        "\n"
        "The **CKD-EPI 2021** equation is _race-free_; see [the NKF-ASN report](https://x.org).\n"
        "\n"
        "* Measure `cystatin C` when in doubt\n"
        "* Refer at eGFR < 30\n"
        "\n"
        "> Quoted guidance text.\n"
        "\n"
        "| Stage | eGFR |\n"
        "|-------|-----:|\n"
        "| G3a   | 45-59 |\n"
        "\n"
        "```\ncode sample\n```\n",
        encoding="utf-8",
    )
    doc = parse(f)
    assert doc.format == "markdown"
    pairs = [(b.text, b.location) for b in doc.blocks]
    ckd = "Chronic kidney disease"
    assert pairs[:5] == [
        (ckd, Location(line=1, part="heading")),
        ("The CKD-EPI 2021 equation is race-free; see the NKF-ASN report.", Location(line=3, section=ckd)),
        ("Measure cystatin C when in doubt", Location(line=5, part="list", section=ckd)),
        ("Refer at eGFR < 30", Location(line=6, part="list", section=ckd)),
        ("Quoted guidance text.", Location(line=8, section=ckd)),
    ]
    assert ("G3a", Location(line=12, part="table", row=2, col=1, section=ckd)) in pairs
    assert ("eGFR", Location(line=10, part="table", row=1, col=2, section=ckd)) in pairs
    assert ("code sample", Location(line=15, section=ckd)) in pairs


def test_utf8_bom(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbfCaf\xc3\xa9 au lait.\n")
    doc = parse(f)
    assert doc.blocks[0].text == "Café au lait." and doc.warnings == []


def test_cp1252_text_decoded_with_warning(tmp_path):
    f = tmp_path / "old.txt"
    f.write_bytes("The patient\u2019s na\u00efve T cells \u2013 a r\u00e9sum\u00e9.".encode("cp1252"))
    doc = parse(f)
    assert doc.blocks[0].text == "The patient\u2019s na\u00efve T cells \u2013 a r\u00e9sum\u00e9."
    assert doc.warnings == ["not UTF-8; decoded as Windows-1252"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_bom(tmp_path, codec):
    f = tmp_path / "wide.txt"
    data = "Glomerular filtration rate\n\nsecond para".encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    f.write_bytes(data)
    doc = parse(f)
    assert [b.text for b in doc.blocks] == ["Glomerular filtration rate", "second para"]
    assert [b.location.line for b in doc.blocks] == [1, 3]


def test_binary_with_nul_bytes(tmp_path):
    f = tmp_path / "blob.txt"
    f.write_bytes(b"abc\x00def\x00\x01\x02")
    with pytest.raises(ParseError) as err:
        parse(f)
    assert err.value.reason == "binary file, not text"


def test_one_megabyte_single_line(tmp_path):
    f = tmp_path / "long.txt"
    line = ("Serum creatinine rises late in acute kidney injury. " * 20000)[:1_000_000]
    f.write_text(line, encoding="utf-8")
    doc = parse(f)
    assert len(doc.blocks) == 1
    assert doc.blocks[0].text == line.strip()
    assert doc.blocks[0].location == Location(line=1)
    assert doc.pages == 334


def test_one_megabyte_markdown_line_with_markup(tmp_path):
    f = tmp_path / "long.md"
    line = "Some *emphasis* and a [link](https://example.org) here. " * 18000 + "*unclosed " * 100
    f.write_text(line, encoding="utf-8")
    doc = parse(f)
    assert len(doc.blocks) == 1
    assert "emphasis and a link here." in doc.blocks[0].text[:200]


def test_crlf_and_cr_line_endings(tmp_path):
    f = tmp_path / "dos.txt"
    f.write_bytes(b"one\r\ntwo\r\n\r\nthree\rfour")
    doc = parse(f)
    assert [(b.text, b.location.line) for b in doc.blocks] == [("one two", 1), ("three four", 4)]


def test_markdown_wrapped_year_does_not_start_a_list(tmp_path):
    f = tmp_path / "wrapped.md"
    f.write_text(
        "The race coefficient was removed in\n2021. Laboratories changed their reports.\n"
        "- a bullet interrupts\n",
        encoding="utf-8",
    )
    doc = parse(f)
    assert [b.text for b in doc.blocks] == [
        "The race coefficient was removed in 2021. Laboratories changed their reports.",
        "a bullet interrupts",
    ]


# --------------------------------------------------------------------------- large plain text

_PROSE = ("The glomerulus filters about 180 litres of plasma a day.\r\n"
          "Most filtered sodium is reabsorbed\rin the proximal tubule, caf\u00e9 na\u00efve \u2014 ok.\n\n"
          "- a bullet\n  - 12) a numbered item\n\n\n"
          "Black patients were given a race-adjusted eGFR.\n\n")
_VARIANTS = {
    "utf-8": _PROSE.encode("utf-8"),
    "utf-8 with BOM": b"\xef\xbb\xbf" + _PROSE.encode("utf-8"),
    "utf-16-le with BOM": b"\xff\xfe" + _PROSE.encode("utf-16-le"),
    "utf-16-be with BOM": b"\xfe\xff" + _PROSE.encode("utf-16-be"),
    "windows-1252": _PROSE.replace("\u2014", "-").encode("cp1252"),
}


def _whole_and_streamed(path, monkeypatch):
    from bias_review.parse import text

    whole = parse(path)
    monkeypatch.setattr(text, "STREAM_BYTES", 70_000)  # above the 64 KB read to tell the format
    streamed = parse(path)
    return whole, streamed


@pytest.mark.parametrize("variant", _VARIANTS)
def test_a_large_text_file_streams_the_same_blocks(tmp_path, monkeypatch, variant):
    """A plain-text file over STREAM_BYTES is never held whole: checked, hashed and counted in one
    pass, its blocks read from the file again each time. They are the blocks of reading it whole,
    with the same hash, pages, size and warnings, whatever the encoding; and a chunk boundary
    falls inside CR LF pairs and multi-byte characters along the way."""
    from bias_review.parse.text import BlockStream

    unit = _VARIANTS[variant]
    data = unit[:3] + unit[3:].replace(b"\xef\xbb\xbf", b"") if variant == "utf-8 with BOM" else unit
    bom = {"utf-8 with BOM": 3, "utf-16-le with BOM": 2, "utf-16-be with BOM": 2}.get(variant, 0)
    path = tmp_path / "notes.txt"
    path.write_bytes(data[:bom] + data[bom:] * (300_000 // len(data) + 1))
    whole, streamed = _whole_and_streamed(path, monkeypatch)
    assert isinstance(streamed.blocks, BlockStream) and not isinstance(whole.blocks, BlockStream)
    assert list(streamed.blocks) == whole.blocks and len(whole.blocks) > 2000
    assert list(streamed.blocks) == whole.blocks  # again: read from the file once more
    assert (streamed.sha256, streamed.pages, streamed.text_size, streamed.warnings) == (
        whole.sha256, whole.pages, whole.text_size, whole.warnings)
    assert len(streamed.blocks) == len(whole.blocks)


def test_a_large_text_file_with_a_nul_byte_far_in_is_refused(tmp_path, monkeypatch):
    from bias_review.parse import text

    monkeypatch.setattr(text, "STREAM_BYTES", 70_000)
    path = tmp_path / "dump.txt"
    path.write_bytes(b"plain words here.\n" * 20_000 + b"\x00\x01" + b"more words.\n" * 100)
    with pytest.raises(ParseError) as err:
        parse(path)
    assert err.value.reason == "binary file, not text"


def test_a_large_text_file_that_changes_between_reads_is_an_error(tmp_path, monkeypatch):
    from bias_review.parse import text

    monkeypatch.setattr(text, "STREAM_BYTES", 70_000)
    path = tmp_path / "notes.txt"
    path.write_text("A paragraph of notes.\n\n" * 5_000)
    doc = parse(path)
    path.write_text("A paragraph of other notes.\n\n" * 5_000)
    with pytest.raises(ParseError) as err:
        list(doc.blocks)
    assert err.value.reason == "file changed while it was being read"


def test_a_large_text_file_scans_as_when_read_whole(tmp_path, monkeypatch, rules_engine):
    """Findings, ignore markers (one block's, and the whole file's) and the result's counts are
    those of reading the file whole; memory does not hold the file (see bench/RESULTS.md)."""
    from bias_review.parse import text

    paragraph = ("bias-review: ignore -- taught as history\n\n"
                 "Race was used as a correction factor: multiply the eGFR by 1.159 if the patient is Black.\n\n"
                 "The Caucasian patient was started on metoprolol.\n\n"
                 "Residential segregation shaped the care that Black patients received.\n\n")
    path = tmp_path / "lecture.txt"
    path.write_text(paragraph * 1_000, encoding="utf-8")
    whole = rules_engine.scan_file(path)
    monkeypatch.setattr(text, "STREAM_BYTES", 70_000)
    streamed = rules_engine.scan_file(path)
    assert whole.findings and [f.as_dict() for f in streamed.findings] == [f.as_dict() for f in whole.findings]
    assert (streamed.pages, streamed.chars, streamed.sha256) == (whole.pages, whole.chars, whole.sha256)
    flagged = {f.passage for f in whole.findings if f.is_flag}
    assert any("Caucasian" in p for p in flagged) and not any("1.159" in p for p in flagged)
    path.write_text("bias-review: ignore-file\n\n" + paragraph * 1_000, encoding="utf-8")
    assert not [f for f in rules_engine.scan_file(path).findings if f.is_flag]


def test_a_large_file_without_ignore_markers_is_read_once_to_scan(tmp_path, monkeypatch, rules_engine):
    """Counted at parse time (which notes whether any block holds a marker), then read once by
    the engine: no pass for ignore markers when there is none."""
    from bias_review.parse import text

    monkeypatch.setattr(text, "STREAM_BYTES", 70_000)
    passes = []
    real = text.BlockStream.blocks
    monkeypatch.setattr(text.BlockStream, "blocks", lambda self, warnings=None: passes.append(1) or real(self, warnings))
    path = tmp_path / "lecture.txt"
    path.write_text("The Caucasian patient was started on metoprolol.\n\n" * 2_000, encoding="utf-8")
    assert len(rules_engine.scan_file(path).findings) == 2_000 and len(passes) == 2
    path.write_text("The Caucasian patient was started on metoprolol.\n\n" * 2_000 + "bias-review: ignore\n", encoding="utf-8")
    passes.clear()
    assert len(rules_engine.scan_file(path).findings) == 2_000 and len(passes) == 3
