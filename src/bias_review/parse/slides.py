"""PPTX: every slide's text frames (group shapes included, recursively), tables,
SmartArt text and speaker notes.

One Block per paragraph of a text frame, so the bullets of one shape stay separate
(a bullet is usually its own sentence or fragment). Locations:
- text frame paragraph: Location(slide=n, part="body")
- table cell: Location(slide=n, part="table", table=t, row=r, col=c), t counting the
  tables of that slide from 1; merged cells are emitted once, at their origin
- speaker notes paragraph: Location(slide=n, part="notes")
Slides are numbered from 1 in presentation order (hidden slides included).
"""

from __future__ import annotations

import io
from dataclasses import replace

import pptx
from lxml import etree
from pptx.enum.shapes import MSO_SHAPE_TYPE

from bias_review.findings import Location
from bias_review.parse.document import Block, Document, open_or_fail, topic_for

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DGM = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}"
_DIAGRAM_URI = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
_MAX_GROUP_DEPTH = 50


def _open(path: str, data: bytes):
    return open_or_fail(path, "PPTX", lambda: pptx.Presentation(io.BytesIO(data)))


def _clean(text: str) -> str:
    # python-pptx renders a line break (a:br) as a vertical tab
    return text.replace("\v", "\n").replace("\x0b", "\n").strip()


def _frame_blocks(frame, loc: Location) -> list[Block]:
    out = []
    for para in frame.paragraphs:
        text = _clean(para.text)
        if text:
            out.append(Block(text, loc))
    return out


class _SlideReader:
    def __init__(self, number: int) -> None:
        self.number = number
        self.tables = 0
        self.blocks: list[Block] = []

    def shapes(self, shapes, depth: int = 0) -> None:
        if depth > _MAX_GROUP_DEPTH:
            return
        for shape in shapes:
            try:
                kind = shape.shape_type
            except NotImplementedError:  # unknown graphic frame / shape kinds
                kind = None
            if kind == MSO_SHAPE_TYPE.GROUP:
                self.shapes(shape.shapes, depth + 1)
                continue
            if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
                self.blocks.extend(
                    _frame_blocks(shape.text_frame, Location(slide=self.number, part="body"))
                )
            if getattr(shape, "has_table", False) and shape.has_table:
                self.table(shape.table)
            elif kind == MSO_SHAPE_TYPE.IGX_GRAPHIC or _is_diagram(shape):
                self.diagram(shape)

    def table(self, table) -> None:
        self.tables += 1
        for r, row in enumerate(table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                if cell.is_spanned:
                    continue
                text = _clean(cell.text)
                if text:
                    self.blocks.append(
                        Block(
                            text,
                            Location(slide=self.number, part="table", table=self.tables, row=r, col=c),
                        )
                    )

    def diagram(self, shape) -> None:
        """SmartArt: its text lives in the diagram data part, one a:p per line."""
        rel_ids = shape.element.find(f".//{_DGM}relIds")
        if rel_ids is None:
            return
        rid = rel_ids.get(f"{_R}dm")
        try:
            part = shape.part.related_part(rid)
            root = etree.fromstring(
                part.blob, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            )
        except Exception:  # noqa: BLE001 - a broken diagram only loses its own text
            return
        for p in root.iter(f"{_A}p"):
            text = "".join(t.text or "" for t in p.iter(f"{_A}t")).strip()
            if text:
                self.blocks.append(Block(text, Location(slide=self.number, part="body")))


def _is_diagram(shape) -> bool:
    el = shape.element
    data = el.find(f".//{_A}graphicData")
    return data is not None and data.get("uri") == _DIAGRAM_URI


def _title(slide) -> str:
    """The slide's title placeholder text, if it has one."""
    try:
        shape = slide.shapes.title
    except (KeyError, AttributeError, NotImplementedError):
        return ""
    return _clean(shape.text_frame.text) if shape is not None and shape.has_text_frame else ""


def parse_pptx(path: str, data: bytes, sha256: str) -> Document:
    prs = _open(path, data)
    blocks: list[Block] = []
    count = 0
    deck_title = ""
    for number, slide in enumerate(prs.slides, start=1):
        count = number
        reader = _SlideReader(number)
        reader.shapes(slide.shapes)
        title = _title(slide)
        if number == 1 and "title slide" in (slide.slide_layout.name or "").lower():
            deck_title = title  # the deck's title names its topic for every slide
        headings = " > ".join(dict.fromkeys(t for t in (deck_title, title) if t))
        blocks.extend(b if b.text == title else replace(b, topic=topic_for(b.text, b.location.part, headings))
                      for b in reader.blocks)
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            if frame is not None:
                blocks.extend(_frame_blocks(frame, Location(slide=number, part="notes")))
    return Document(path=path, format="pptx", sha256=sha256, blocks=blocks, pages=count)
