"""The body blocks of a DOCX as the parser numbers them, with the paragraphs behind each.

The parser's own traversal (`parse/word.py`'s collector) is reused by subclassing it, so
paragraph, table, row and column numbers are the ones in the findings' `location`.
Headers, footers, notes and text boxes are not mapped: comments are anchored in the body
and table cells only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bias_review.parse.word import _P, _cell_content, _Collector
from bias_review.report.docx_runs import raw_text

ANCHORABLE_PARTS = ("body", "table")


@dataclass
class SourceBlock:
    """A parsed block and its paragraphs: (offset in the block, `w:p`, leading whitespace
    the parser stripped, length of the stripped text)."""

    text: str
    location: dict
    paragraphs: list[tuple[int, object, int, int]] = field(default_factory=list)

    def segments(self, start: int, end: int) -> list[tuple[object, int, int]]:
        """Block range [start, end) as raw ranges (paragraph, start, end) per paragraph."""
        out = []
        for offset, p, lead, length in self.paragraphs:
            lo, hi = max(start, offset), min(end, offset + length)
            if lo < hi:
                out.append((p, lead + lo - offset, lead + hi - offset))
        return out


class _SourceCollector(_Collector):
    """The parser's collector, also remembering the `w:p` elements behind each block."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[int, list] = {}

    def paragraph(self, p, part: str, anchor: dict | None) -> None:
        n = len(self.blocks)
        super().paragraph(p, part, anchor)  # the paragraph's block comes before its boxes'
        if len(self.blocks) > n and self.paragraph_text(p, None):
            self.sources[n] = [p]

    def cell(self, tc, part: str, anchor: dict) -> None:
        n = len(self.blocks)
        super().cell(tc, part, anchor)  # the cell's block comes before nested tables'
        paras = [c for c in _cell_content(tc) if c.tag == _P and self.paragraph_text(c, None)]
        if len(self.blocks) > n and paras:
            self.sources[n] = paras


def body_blocks(document) -> list[SourceBlock]:
    """The body and table-cell blocks of a python-docx Document whose text maps back onto
    their paragraphs exactly."""
    collector = _SourceCollector()
    collector.container(document.element.body, "body")
    out = []
    for i, block in enumerate(collector.blocks):
        if block.location.part not in ANCHORABLE_PARTS or i not in collector.sources:
            continue
        paras = collector.sources[i]
        raws = [raw_text(p) for p in paras]
        if "\n".join(r.strip() for r in raws) != block.text:
            continue  # the parser reads this block differently: leave it unmapped
        source = SourceBlock(block.text, block.location.as_dict())
        offset = 0
        for p, raw in zip(paras, raws):
            length = len(raw.strip())
            source.paragraphs.append((offset, p, len(raw) - len(raw.lstrip()), length))
            offset += length + 1
        out.append(source)
    return out
