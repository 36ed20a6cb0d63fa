"""A group named in a heading applies to the short lines and list items under it (a cultural
"chart"); a heading that teaches against the chart, or names no group, does not; a line long
enough to be prose is read on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bias_review.parse.markdown import markdown_blocks

CHART = """# Caring for diverse patients

## Hispanic patients

- Expressive about pain; tend to complain loudly
- Family members usually make the decisions
- Ask every patient which language they prefer for consent

## Myths about Asian patients

- Tend to hide their pain

## Renal physiology

- Tend to retain sodium in heart failure

## Black patients

Usually present late. The clinic found that most patients who present late lived more than an hour away from the nearest hospital and had no car.
"""


def _stereotypes(engine, path: Path) -> dict[int, list]:
    out: dict[int, list] = {}
    for f in engine.scan_file(path).findings:
        if f.category.value == "stereotype" and f.is_flag:
            out.setdefault(f.location.line, []).append(f)
    return out


def test_short_lines_and_list_items_carry_their_headings_and_prose_does_not():
    blocks, _ = markdown_blocks(CHART)
    topic = {b.text: b.topic for b in blocks}
    assert topic["Expressive about pain; tend to complain loudly"] == "Caring for diverse patients > Hispanic patients"
    assert topic["Tend to retain sodium in heart failure"] == "Caring for diverse patients > Renal physiology"
    assert all(b.topic == "" for b in blocks if b.location.part == "heading")
    assert [b.topic for b in blocks if b.text.startswith("Usually present late.")] == [""]  # a paragraph of prose


def test_a_chart_under_a_group_heading_is_flagged_line_by_line(tmp_path, rules_engine):
    path = tmp_path / "chart.md"
    path.write_text(CHART, encoding="utf-8")
    found = _stereotypes(rules_engine, path)
    assert set(found) == {5, 6}  # the two trait lines under "Hispanic patients"
    for line in (5, 6):
        f = found[line][0]
        assert "heading-group" in f.detectors and f.severity.value == "low"
        assert any("Hispanic patients" in t.reason for t in f.trace)


def _deck(path: Path, slides: list[tuple[int, str, list[str]]]) -> Path:
    """A deck of (layout, title, body lines) slides; layout 0 is the Title Slide."""
    from pptx import Presentation

    prs = Presentation()
    for layout, title, lines in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[layout])
        slide.shapes.title.text = title
        if lines:
            body = slide.placeholders[1].text_frame
            body.text = lines[0]
            for line in lines[1:]:
                body.add_paragraph().text = line
    prs.save(str(path))
    return path


def _charted(engine, path: Path) -> list:
    return [f for f in engine.scan_file(path).findings if f.is_flag and "heading-group" in f.detectors]


def test_a_slide_titled_with_a_group_makes_its_bullets_a_chart(tmp_path, rules_engine):
    path = _deck(tmp_path / "deck.pptx", [
        (1, "Middle Eastern patients", ["Typically reluctant to discuss mental health", "Ask about preferred language"]),
        (1, "Heart failure", ["Typically reluctant to exercise after discharge"])])
    found = _charted(rules_engine, path)
    assert [(f.location.slide, f.text) for f in found] == [(1, "Typically reluctant to discuss mental health")]


@pytest.mark.parametrize("heading", ["<h2>Hispanic patients</h2>", "<title>Notes on Hispanic patients</title>"])
def test_an_html_heading_or_page_title_names_the_group_of_its_list(tmp_path, rules_engine, heading):
    page = f"<html><head>{heading if 'title' in heading else ''}</head><body>{heading if 'h2' in heading else ''}" \
           "<ul><li>Tend to express pain loudly</li><li>Ask about diet</li></ul></body></html>"
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert [f.text for f in _charted(rules_engine, path)] == ["Tend to express pain loudly"]


def test_a_title_slide_names_the_topic_of_the_whole_deck(tmp_path, rules_engine):
    path = _deck(tmp_path / "deck.pptx", [(0, "Caring for Somali patients", []),
                                          (1, "Pain", ["Often stoic and reluctant to ask for analgesia"])])
    found = _charted(rules_engine, path)
    assert [(f.location.slide, f.text) for f in found] == [(2, "Often stoic and reluctant to ask for analgesia")]
    assert any("Caring for Somali patients > Pain" in t.reason for t in found[0].trace)


def _docx(path: Path, paragraphs: list[tuple[str, str]]) -> Path:
    """A DOCX of (style, text) paragraphs; style "" is Normal."""
    import docx

    d = docx.Document()
    for style, text in paragraphs:
        d.add_paragraph(text, style=style or None)
    d.save(str(path))
    return path


def test_a_word_heading_names_the_group_of_its_list_and_a_neutral_heading_does_not(tmp_path, rules_engine):
    path = _docx(tmp_path / "chart.docx", [
        ("Title", "Caring for diverse patients"),
        ("Heading 1", "Hispanic patients"),
        ("List Bullet", "Expressive about pain; tend to complain loudly"),
        ("List Bullet", "Ask every patient which language they prefer for consent"),
        ("Heading 1", "Heart failure"),
        ("List Bullet", "Tend to retain sodium and water"),
        ("", "Expressive about pain, some patients need a second assessment before the team decides on analgesia and a review."),
    ])
    found = _charted(rules_engine, path)
    assert [f.text for f in found] == ["Expressive about pain; tend to complain loudly"]
    assert found[0].location.section == "Caring for diverse patients > Hispanic patients"
    assert any("Hispanic patients" in t.reason for t in found[0].trace)


def test_word_headings_make_section_paths_whatever_the_styles_are_called(tmp_path):
    """Built-in heading styles, a style based on one, a renamed or localised style with an
    outline level, and a paragraph's own outline level all count; a style merely named like a
    heading does not."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement

    from bias_review.parse import parse

    d = docx.Document()
    based = d.styles.add_style("Unit Heading", WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = d.styles["Heading 2"]
    local = d.styles.add_style("Überschrift Fall", WD_STYLE_TYPE.PARAGRAPH)
    ppr = local.element.get_or_add_pPr()
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "2")  # outline level 2 = heading 3
    ppr.append(level)
    d.styles.add_style("Heading Notes", WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("Renal block", style="Title")
    d.add_paragraph("Week 3", style="Heading 1")
    d.add_paragraph("Acute kidney injury", style="Unit Heading")
    d.add_paragraph("Case 2", style="Überschrift Fall")
    d.add_paragraph("A case paragraph.")
    d.add_paragraph("Not a heading at all", style="Heading Notes")
    direct = d.add_paragraph("Week 4")
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    direct._p.get_or_add_pPr().append(level)
    d.add_paragraph("A paragraph of week 4.")
    path = tmp_path / "styles.docx"
    d.save(str(path))
    section = {b.text: b.location.section for b in parse(path).blocks}
    assert section["Renal block"] is None
    assert section["Week 3"] == "Renal block"
    assert section["Case 2"] == "Renal block > Week 3 > Acute kidney injury"
    assert section["A case paragraph."] == "Renal block > Week 3 > Acute kidney injury > Case 2"
    assert section["Not a heading at all"] == "Renal block > Week 3 > Acute kidney injury > Case 2"
    assert section["A paragraph of week 4."] == "Renal block > Week 4"


def test_a_word_reference_list_holds_mentions(tmp_path, rules_engine):
    cited = "Jones K. Care of the mongoloid child in general practice."  # no publication details
    path = _docx(tmp_path / "refs.docx", [("Heading 1", "Pediatrics"), ("", cited),
                                          ("Heading 1", "References"), ("", cited)])
    found = [f for f in rules_engine.scan_file(path).findings if f.category.value == "outdated-term"]
    by_section = {f.location.section: f.is_flag for f in found}
    assert by_section == {"Pediatrics": True, "References": False}
