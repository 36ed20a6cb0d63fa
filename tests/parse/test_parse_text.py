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
