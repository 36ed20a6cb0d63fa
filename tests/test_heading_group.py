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
