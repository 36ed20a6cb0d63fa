"""DOCX and PPTX parsers."""

from __future__ import annotations

import pytest

from bias_review.findings import Location
from bias_review.parse import ParseError, parse


def _loc(doc, text):
    hits = [b.location for b in doc.blocks if b.text == text]
    assert len(hits) == 1, (text, hits)
    return hits[0]


# --------------------------------------------------------------------------- DOCX


def test_docx_paragraphs_in_order_skipping_empty(files):
    doc = parse(files["docx"])
    assert doc.format == "docx" and doc.pages == 1
    body = [b for b in doc.blocks if b.location.part == "body"]
    assert [b.text for b in body] == [
        "Acute kidney injury",
        "Acute kidney injury is a rapid fall in glomerular filtration.",
        "Urine output below 0.5 mL/kg/h for six hours is one criterion.",
        "Review the table before the lab session.",
        "Serum creatinine is usually measured with an enzymatic assay.",
    ]
    assert [b.location.paragraph for b in body] == [1, 2, 3, 4, 5]


def test_docx_table_cells_with_row_and_col(files):
    doc = parse(files["docx"])
    # cells carry the headings above their table, as paragraphs do
    assert _loc(doc, "Analyte") == Location(table=1, row=1, col=1, part="table", section="Acute kidney injury")
    assert _loc(doc, "Range") == Location(table=1, row=1, col=3, part="table", section="Acute kidney injury")
    assert _loc(doc, "0.7-1.3") == Location(table=1, row=2, col=3, part="table", section="Acute kidney injury")
    # the table sits between body paragraphs 3 and 4 in reading order
    texts = [b.text for b in doc.blocks]
    assert texts.index("Urine output below 0.5 mL/kg/h for six hours is one criterion.") < texts.index(
        "Analyte"
    ) < texts.index("Review the table before the lab session.")


def test_docx_merged_cell_emitted_once(files):
    doc = parse(files["docx"])
    assert _loc(doc, "Merged heading cell") == Location(table=2, row=1, col=1, part="table", section="Acute kidney injury")
    assert _loc(doc, "Right") == Location(table=2, row=2, col=2, part="table", section="Acute kidney injury")


def test_docx_header_footer_footnote_textbox(files):
    doc = parse(files["docx"])
    assert _loc(doc, "Renal Block Syllabus") == Location(part="header")
    assert _loc(doc, "Confidential course material") == Location(part="footer")
    assert _loc(doc, "The CKD-EPI 2021 equation does not use race.") == Location(
        part="footnote", paragraph=1
    )
    assert _loc(doc, "Key point: report eGFR without a race coefficient.") == Location(
        part="textbox", paragraph=2
    )


def test_docx_tracked_changes_and_links(files):
    doc = parse(files["docx"])
    text = " ".join(b.text for b in doc.blocks)
    assert "usually measured" in text  # insertion and hyperlink text kept
    assert "is not" not in text  # deleted text dropped


def test_docx_named_pdf_is_parsed_by_content(files, tmp_path):
    wrong = tmp_path / "syllabus.pdf"
    wrong.write_bytes(files["docx"].read_bytes())
    doc = parse(wrong)
    assert doc.format == "docx"
    assert any("does not match" in w and "docx" in w for w in doc.warnings)
    assert any(b.text == "Analyte" for b in doc.blocks)


def test_corrupt_docx(tmp_path, zip_bytes):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(
        zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<not-xml"})
    )
    with pytest.raises(ParseError) as err:
        parse(bad)
    assert err.value.reason.startswith("corrupt or unreadable DOCX (")


def test_truncated_docx(files, tmp_path):
    bad = tmp_path / "cut.docx"
    bad.write_bytes(files["docx"].read_bytes()[:2000])
    with pytest.raises(ParseError) as err:
        parse(bad)
    assert err.value.reason.startswith("corrupt or unreadable DOCX (")


# --------------------------------------------------------------------------- PPTX


def test_pptx_slides_groups_tables_notes(files):
    doc = parse(files["pptx"])
    assert doc.format == "pptx" and doc.pages == 3
    assert _loc(doc, "Kidney function") == Location(slide=1, part="body")
    # bullets of one text frame stay separate blocks
    assert _loc(doc, "GFR is estimated from serum creatinine") == Location(slide=1, part="body")
    assert _loc(doc, "Cystatin C is an alternative marker") == Location(slide=1, part="body")
    assert _loc(doc, "Start with the nephron diagram.") == Location(slide=1, part="notes")
    assert _loc(doc, "Grouped box one") == Location(slide=2, part="body")
    assert _loc(doc, "Nested group text") == Location(slide=2, part="body")
    assert _loc(doc, "G3a") == Location(slide=2, part="table", table=1, row=2, col=1)
    assert _loc(doc, "eGFR") == Location(slide=2, part="table", table=1, row=1, col=2)
    assert _loc(doc, "Spirometry measures FEV1 and FVC") == Location(slide=3, part="body")
    assert _loc(doc, "Use race-neutral reference equations.") == Location(slide=3, part="notes")
    slides = [b.location.slide for b in doc.blocks]
    assert slides == sorted(slides)


def test_corrupt_pptx(tmp_path, zip_bytes):
    bad = tmp_path / "bad.pptx"
    bad.write_bytes(zip_bytes({"ppt/presentation.xml": b"<p:presentation/>"}))
    with pytest.raises(ParseError) as err:
        parse(bad)
    assert err.value.reason.startswith("corrupt or unreadable PPTX (")


def test_pptx_smartart_text(tmp_path):
    from parse_builders import build_smartart_pptx

    doc = parse(build_smartart_pptx(tmp_path / "smart.pptx"))
    assert [(b.text, b.location) for b in doc.blocks] == [
        ("Filtration", Location(slide=1, part="body")),
        ("Reabsorption in the tubule", Location(slide=1, part="body")),
    ]


def test_docx_list_paragraphs_carry_their_lead_in_and_a_body_paragraph_ends_the_list(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Skulls were measured. Blumenbach divided humans into five races:")
    d.add_paragraph("Caucasian or White race: people of European origin", style="List Bullet")
    d.add_paragraph("Mongolian or Yellow race: people of East Asian origin", style="List Number")
    d.add_paragraph("A paragraph that introduces nothing.")
    d.add_paragraph("Mongolian or Yellow race: people of East Asian origin", style="List Bullet")
    path = tmp_path / "races.docx"
    d.save(path)
    blocks = parse(str(path)).blocks
    assert [b.framing for b in blocks] == ["", "Blumenbach divided humans into five races:",
                                           "Blumenbach divided humans into five races:", "", ""]
    assert [b.location.part for b in blocks] == ["body"] * 5  # locations (and finding ids) unchanged
