"""DOCX: body paragraphs and tables in document order, headers and footers, footnotes
and endnotes, and text boxes.

python-docx opens the package; the text is read straight from the WordprocessingML
elements so that content python-docx does not surface (hyperlinks, tracked insertions,
content controls, text boxes, fields' results) is not lost, and deleted text and field
instructions are not picked up.

Locations:
- body paragraph: Location(paragraph=i, part="body", section=...), i counts non-empty body
  paragraphs from 1 (empty paragraphs used as spacing are not counted); `section` is the path
  of the headings above it ("Week 3 > Renal"): paragraphs in a Title or Heading style (or with
  an outline level), read from the styles part so that renamed or localised heading styles
  count; a heading's section is the headings above it;
- table cell: Location(table=t, row=r, col=c, part="table", section=...), 1-based; t counts tables in
  document order (nested tables get their own number); c is the grid column, so a cell
  merged across columns is emitted once at its first column, and vertically merged
  continuation cells are skipped;
- header / footer: Location(part="header"|"footer"), each distinct text once;
- footnote / endnote: Location(part="footnote"|"endnote", paragraph=n), n the note's
  position in the notes part (1-based);
- text box: Location(part="textbox", paragraph=i) with i the body paragraph it is
  anchored to (or table/row/col when anchored in a table cell).
"""

from __future__ import annotations

import io
import math
import re

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.parser import parse_xml

from bias_review.findings import Location
from bias_review.parse.document import Block, Document, Headings, lead_in, open_or_fail, topic_for

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"

_P, _TBL, _TR, _TC, _SDT = _W + "p", _W + "tbl", _W + "tr", _W + "tc", _W + "sdt"
_TEXT_TAGS = {_W + "t", _M + "t"}
_BREAK_TAGS = {_W + "br", _W + "cr"}
_TXBX = _W + "txbxContent"
# Subtrees that hold no visible text of the paragraph itself.
_SKIP = {
    _MC + "Fallback",  # duplicate (VML) rendering of the mc:Choice content
    _W + "pPr", _W + "rPr", _W + "sectPr", _W + "tblPr", _W + "tcPr", _W + "trPr",
    _W + "instrText", _W + "delText", _W + "delInstrText", _W + "del", _W + "moveFrom",
    _W + "footnoteReference", _W + "endnoteReference", _W + "commentReference",
}
# Block-level wrappers whose children are paragraphs/tables.
_WRAPPERS = {_W + "customXml", _W + "ins", _W + "moveTo", _W + "smartTag"}
_NOTE_SKIP_TYPES = {"separator", "continuationSeparator", "continuationNotice"}


def _open(path: str, data: bytes):
    return open_or_fail(path, "DOCX", lambda: docx.Document(io.BytesIO(data)))


def _is_list_item(p) -> bool:
    """A paragraph with list numbering, or in a List style (List Bullet, List Number, ...)."""
    ppr = p.find(_W + "pPr")
    if ppr is None:
        return False
    if ppr.find(_W + "numPr") is not None:
        return True
    style = ppr.find(_W + "pStyle")
    return style is not None and (style.get(_W + "val") or "").lower().startswith("list")


def _heading_levels(document) -> dict[str, int]:
    """Paragraph style id -> heading level (0 Title, 1 Heading 1, ...): a style's built-in
    name, else its outline level, its own or inherited through `basedOn`."""
    try:
        root = document.styles.element
    except (AttributeError, KeyError, ValueError):
        return {}
    styles = {s.get(_W + "styleId"): s for s in root.iterchildren(_W + "style") if s.get(_W + "type") == "paragraph"}

    def level(style_id: str | None, depth: int = 0) -> int | None:
        style = styles.get(style_id)
        if style is None or depth > 20:
            return None
        name = style.find(_W + "name")
        name = (name.get(_W + "val") or "").strip().lower() if name is not None else ""
        if name == "title":
            return 0
        numbered = re.fullmatch(r"heading ([1-9])", name)
        if numbered:
            return int(numbered.group(1))
        outline = _outline_level(style)
        if outline is not None:
            return outline
        based = style.find(_W + "basedOn")
        return level(based.get(_W + "val"), depth + 1) if based is not None else None

    return {sid: lvl for sid in styles if (lvl := level(sid)) is not None}


def _outline_level(el) -> int | None:
    """The heading level a paragraph's or style's `w:outlineLvl` gives (0-8 -> 1-9; 9 is body text)."""
    ppr = el.find(_W + "pPr")
    outline = ppr.find(_W + "outlineLvl") if ppr is not None else None
    if outline is None:
        return None
    value = _int(outline.get(_W + "val"), 9)
    return value + 1 if value < 9 else None


class _Collector:
    """Walks WordprocessingML containers and emits Blocks."""

    def __init__(self, heading_levels: dict[str, int] | None = None) -> None:
        self.blocks: list[Block] = []
        self.tables = 0
        self.body_paragraphs = 0
        self.list_framing: str | None = None  # the open list's lead-in (None: not in a list)
        self.heading_levels = heading_levels or {}
        self.headings = Headings()

    def heading_level(self, p) -> int | None:
        """The paragraph's heading level, or None for body text."""
        direct = _outline_level(p)
        if direct is not None:
            return direct
        ppr = p.find(_W + "pPr")
        style = ppr.find(_W + "pStyle") if ppr is not None else None
        return self.heading_levels.get(style.get(_W + "val")) if style is not None else None

    # -- text of one paragraph -------------------------------------------------------
    def paragraph_text(self, p, boxes: list | None) -> str:
        out: list[str] = []
        self._walk(p, out, boxes)
        return "".join(out).strip() if out else ""

    def _walk(self, el, out: list[str], boxes: list | None) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue  # comments, processing instructions
            if tag in _TEXT_TAGS:
                if child.text:
                    out.append(child.text)
            elif tag == _W + "tab":
                out.append("\t")
            elif tag in _BREAK_TAGS:
                out.append("\n")
            elif tag == _W + "noBreakHyphen":
                out.append("-")
            elif tag == _TXBX:
                if boxes is not None:
                    boxes.append(child)
            elif tag in _SKIP:
                continue
            else:
                self._walk(child, out, boxes)

    # -- containers --------------------------------------------------------------------
    def container(self, el, part: str, anchor: dict | None = None) -> None:
        """Paragraphs and tables of a body, header, footer, note, cell or text box."""
        for child in el:
            tag = child.tag
            if tag == _P:
                self.paragraph(child, part, anchor)
            elif tag == _TBL:
                self.table(child, part, anchor)
            elif tag == _SDT:
                content = child.find(_W + "sdtContent")
                if content is not None:
                    self.container(content, part, anchor)
            elif tag in _WRAPPERS:
                self.container(child, part, anchor)

    def paragraph(self, p, part: str, anchor: dict | None) -> None:
        boxes: list = []
        text = self.paragraph_text(p, boxes)
        if part == "body":
            if text:
                self.body_paragraphs += 1
                level = self.heading_level(p)
                if level is not None:  # a heading: its section is the headings above it
                    self.list_framing = None
                    self.headings.close(level)
                    self.blocks.append(Block(text, Location(paragraph=self.body_paragraphs, part="body",
                                                            section=self.headings.path)))
                    self.headings.push(level, text)
                else:
                    listed = _is_list_item(p)
                    if listed:  # a bulleted or numbered paragraph: framed by its list's lead-in
                        if self.list_framing is None:
                            self.list_framing = lead_in(self.blocks[-1] if self.blocks else None)
                    else:
                        self.list_framing = None
                    section = self.headings.path
                    self.blocks.append(Block(
                        text, Location(paragraph=self.body_paragraphs, part="body", section=section),
                        self.list_framing or "", topic_for(text, "list" if listed else "body", section or "")))
            box_anchor = {"paragraph": max(self.body_paragraphs, 1)}
        else:
            if text:
                self.blocks.append(Block(text, Location(part=part, **(anchor or {}))))
            box_anchor = anchor if part == "textbox" else (anchor or {})
        for box in boxes:
            box_part = "textbox" if part in ("body", "table", "textbox") else part
            self.container(box, box_part, box_anchor)

    def table(self, tbl, part: str, anchor: dict | None) -> None:
        in_body = part in ("body", "table")
        if in_body:
            self.tables += 1
            number = self.tables
        for r, tr in enumerate(_children(tbl, _TR), start=1):
            col = 1 + _grid_before(tr)
            for tc in _children(tr, _TC):
                span, continued = _cell_merge(tc)
                if not continued:
                    cell_anchor = (
                        {"table": number, "row": r, "col": col, "section": self.headings.path}
                        if in_body else (anchor or {})
                    )
                    self.cell(tc, "table" if in_body else part, cell_anchor)
                col += span

    def cell(self, tc, part: str, anchor: dict) -> None:
        texts: list[str] = []
        later: list = []  # nested tables and text boxes, emitted after the cell text
        for child in _cell_content(tc):
            if child.tag == _P:
                boxes: list = []
                t = self.paragraph_text(child, boxes)
                if t:
                    texts.append(t)
                later.extend(("box", b) for b in boxes)
            elif child.tag == _TBL:
                later.append(("table", child))
        if texts:
            self.blocks.append(Block("\n".join(texts), Location(part=part, **anchor)))
        for kind, el in later:
            if kind == "table":
                self.table(el, part, anchor)
            else:
                self.container(el, "textbox" if part == "table" else part, anchor)


def _children(el, tag):
    """Direct children with `tag`, looking through content controls and wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag == _SDT:
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _children(content, tag)
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _cell_content(tc):
    for child in tc:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _cell_content(content)
        elif child.tag in _WRAPPERS:
            yield from _cell_content(child)


def _int(value, default: int = 1) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return default


def _grid_before(tr) -> int:
    trpr = tr.find(_W + "trPr")
    if trpr is not None:
        gb = trpr.find(_W + "gridBefore")
        if gb is not None:
            return _int(gb.get(_W + "val"), 0)
    return 0


def _cell_merge(tc) -> tuple[int, bool]:
    """(grid columns spanned, True if this is a continuation of a merged cell)."""
    span, continued = 1, False
    tcpr = tc.find(_W + "tcPr")
    if tcpr is not None:
        gs = tcpr.find(_W + "gridSpan")
        if gs is not None:
            span = max(_int(gs.get(_W + "val")), 1)
        for tag in ("vMerge", "hMerge"):
            m = tcpr.find(_W + tag)
            if m is not None and m.get(_W + "val") != "restart":
                continued = True
    return span, continued


def _part_element(part):
    element = getattr(part, "element", None)
    if element is not None:
        return element
    return parse_xml(part.blob)


def _notes(document, collector: _Collector, reltype: str, part_name: str, tag: str) -> None:
    for rel in list(document.part.rels.values()):
        if rel.is_external or rel.reltype != reltype:
            continue
        root = _part_element(rel.target_part)
        n = 0
        for note in root.iterchildren(_W + tag):
            if note.get(_W + "type") in _NOTE_SKIP_TYPES or _int(note.get(_W + "id"), 0) <= 0:
                continue
            n += 1
            sub = _Collector()
            sub.container(note, part_name, {"paragraph": n})
            texts = [b.text for b in sub.blocks if b.location.part == part_name]
            if texts:
                collector.blocks.append(
                    Block("\n".join(texts), Location(part=part_name, paragraph=n))
                )
            collector.blocks.extend(b for b in sub.blocks if b.location.part != part_name)


def _headers_footers(document) -> tuple[list[Block], list[Block]]:
    seen_parts: set[str] = set()
    heads: list[Block] = []
    feet: list[Block] = []
    seen_text: set[tuple[str, str]] = set()
    related = document.part.related_parts
    for section in document.sections:
        sectpr = section._sectPr
        for tag, part, out in (
            ("headerReference", "header", heads),
            ("footerReference", "footer", feet),
        ):
            for ref in sectpr.iterchildren(_W + tag):
                rid = ref.get(_R + "id")
                target = related.get(rid) if rid else None
                if target is None:
                    continue
                name = str(target.partname)
                if name in seen_parts:
                    continue
                seen_parts.add(name)
                sub = _Collector()
                sub.container(_part_element(target), part)
                for block in sub.blocks:
                    key = (part, block.text)
                    if key not in seen_text:
                        seen_text.add(key)
                        out.append(Block(block.text, Location(part=part)))
    return heads, feet


def parse_docx(path: str, data: bytes, sha256: str) -> Document:
    document = _open(path, data)
    body = document.element.body
    collector = _Collector(_heading_levels(document))
    collector.container(body, "body")
    heads, feet = _headers_footers(document)
    _notes(document, collector, RT.FOOTNOTES, "footnote", "footnote")
    _notes(document, collector, RT.ENDNOTES, "endnote", "endnote")
    blocks = heads + collector.blocks + feet
    chars = sum(len(b.text) for b in blocks)
    return Document(
        path=path,
        format="docx",
        sha256=sha256,
        blocks=blocks,
        pages=max(1, math.ceil(chars / 3000)),
    )
