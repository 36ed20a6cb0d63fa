"""A large Markdown file is parsed in parts, cut only where a cut changes nothing: its blocks
are those of parsing it whole, through code fences, HTML blocks, front matter, lists and quotes
that hold heading-like lines."""

from __future__ import annotations

import pytest

from bias_review.parse import parse
from bias_review.parse import markdown as md
from bias_review.parse import text

FRONT = "---\ntitle: Renal week\n\n# a YAML comment, not a heading\n---\n\n"
SECTIONS = [
    "# Kidney function\n\nThe glomerulus filters plasma. Black patients were given a race-adjusted eGFR.\n\n",
    "## Code\n\n```text\nfirst line\n\n# not a heading: inside a fence\n\n```\n\n",
    "## Longer fences\n\n````md\n```\n\n# still code\n````\n\n~~~\n\n# tilde code\n~~~\n\n",
    "## Comments\n\n<!-- a note\n\n# commented out\n\n-->\n\nAfter the comment.\n\n",
    "## Pre\n\n<pre>\n\n# preformatted\n\n</pre>\n\n",
    "## Lists\n\nThe five races were:\n\n- Caucasian\n- Mongolian\n  - nested item\n\n1. one\n2. two\n\n",
    "## Quote\n\n> The Caucasian patient was started on metoprolol.\n>\n> # a heading in a quote\n\n",
    "## Table\n\n| Stage | eGFR |\n|---|---|\n| G3a | 45-59 |\n\n",
    "# Second chapter\n\nText under the second chapter, *emphasis* and [a link](https://example.org).\n\n",
]
UNSURE = [  # after these, the document is not cut again (a list item or an HTML block may hold them)
    "## Fence in a list\n\n- item\n\n  ```\n  code\n\n# inside the list's fence?\n  ```\n\n",
    "## Fence after a tag\n\n<div>\n```\n</div>\n\n```\ncode\n\n# inside a fence\n```\n\n",
]


def _parts_and_blocks(path, monkeypatch):
    """The whole parse's blocks, and the streamed parse's blocks and number of parts."""
    whole = parse(path)
    monkeypatch.setattr(text, "STREAM_BYTES", 70_000)
    monkeypatch.setattr(md, "PART_LINES", 1)  # cut wherever a cut is allowed
    parts = []
    real = md._walk_part
    monkeypatch.setattr(md, "_walk_part", lambda walk, part: parts.append(len(part)) or real(walk, part))
    streamed = parse(path)
    assert isinstance(streamed.blocks, text.BlockStream)
    return whole, streamed, list(streamed.blocks), parts


@pytest.mark.parametrize("unsure", [False, True])
def test_parts_read_as_the_whole(tmp_path, monkeypatch, unsure):
    body = "".join(SECTIONS + (UNSURE if unsure else []) + SECTIONS)
    path = tmp_path / "notes.md"
    path.write_text(FRONT + body * (80_000 // len(body) + 1), encoding="utf-8")
    whole, streamed, blocks, parts = _parts_and_blocks(path, monkeypatch)
    assert blocks == whole.blocks and len(blocks) > 500
    assert (streamed.pages, streamed.text_size, streamed.warnings) == (whole.pages, whole.text_size, whole.warnings)
    texts = [b.text for b in blocks]
    assert "a YAML comment, not a heading" not in " ".join(texts)
    assert any("# not a heading: inside a fence" in t for t in texts)
    assert sum(1 for b in blocks if b.location.section == "Kidney function > Lists") >= 4
    counted = len(parts) // 2  # the counting pass, then the read above
    if unsure:  # cut before each heading up to the first unsure construct, never after
        assert counted == len(SECTIONS) + 2
    else:
        assert counted > 100  # cut before every top-level heading


def test_a_document_with_link_reference_definitions_is_parsed_whole(tmp_path, monkeypatch):
    body = "".join(SECTIONS) + "See [the guideline][kdigo].\n\n"
    path = tmp_path / "refs.md"
    path.write_text(body * (80_000 // len(body) + 1) + "[kdigo]: https://kdigo.org\n", encoding="utf-8")
    whole, streamed, blocks, parts = _parts_and_blocks(path, monkeypatch)
    assert streamed.blocks.whole and len(parts) == 2  # one part, counted and then read
    assert blocks == whole.blocks
    assert any(b.text == "See the guideline." for b in blocks)
