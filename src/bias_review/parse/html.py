"""HTML pages (course pages, LMS exports), read with the standard library's `html.parser`.

Blocks, each with Location(line=n), n the 1-based source line where the block's text starts:
headings (part "heading"), paragraphs and other runs of text (part None), list items (part
"list"; a nested list's items are blocks of their own), table cells (part "table", table t,
row r, col c, all 1-based; a cell is one block whatever it holds, a nested table's cells are
blocks of their own). `section` is the page's <title>, then the headings above the block
("CKD overview > Staging"); a heading's own section is what is above it.

Dropped: script, style, noscript and template content, elements with the `hidden` attribute or
an inline `display: none` style, comments, tags. Entities are decoded (in the text only: text
never becomes markup), `<br>` and block boundaries read as a space, an image's alt text is kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from bias_review.findings import Location
from bias_review.parse.document import Block, Document, Headings, lead_in, short_heading, topic_for
from bias_review.parse.text import decode

_DROPPED = frozenset({"script", "style", "noscript", "template"})
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_CELLS = frozenset({"td", "th"})
# Elements that end one block of text and start another (outside table cells).
_BLOCKS = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset "
    "figcaption figure footer form header hgroup hr html legend li main nav ol p pre section "
    "summary table tbody td tfoot th thead tr ul".split()
) | frozenset(_HEADINGS)
_TABLE_PARTS = frozenset({"table", "tr", "td", "th", "caption", "thead", "tbody", "tfoot"})
# A start tag that implicitly closes an open element of a set, unless one of `scope` is nearer.
_IMPLIED_ENDS = {
    "li": ({"li"}, {"ul", "ol", "table"}),
    "dt": ({"dt", "dd"}, {"dl", "table"}),
    "dd": ({"dt", "dd"}, {"dl", "table"}),
    "tr": ({"tr", "td", "th"}, {"table"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "thead": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "tbody": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "tfoot": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
}
_SPACES = re.compile(r"[\s\u00a0]+")
_INVISIBLE = str.maketrans({"\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\u00ad": None})
#: Elements nested deeper than this are not tracked (browsers cap nesting too); it bounds every
#: look along the open elements, so no page takes time quadratic in its size.
MAX_DEPTH = 256


def hidden(attrs: list[tuple[str, str | None]]) -> bool:
    """True for an element with the `hidden` attribute or an inline `display: none`."""
    for name, value in attrs:
        if name == "hidden":
            return True
        if name == "style" and value:
            for declaration in value.split(";"):
                prop, _, val = declaration.partition(":")
                if prop.strip().lower() == "display" and val.lower().replace("!important", "").strip() == "none":
                    return True
    return False


@dataclass
class _Open:
    tag: str
    dropped: bool  # this element's content is not read
    lead_in: str | None = None  # a list's framing (see parse.document.lead_in), once its start is read


@dataclass
class _Table:
    number: int
    row: int = 0
    col: int = 0  # the last column taken in the current row


@dataclass
class _Run:
    """The text of the block being read."""

    parts: list[str] = field(default_factory=list)
    line: int | None = None

    def text(self) -> str:
        return _SPACES.sub(" ", "".join(self.parts).translate(_INVISIBLE)).strip()


class _PageReader(HTMLParser):
    """One pass over the page, keeping the open elements, the table cell and the heading path."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.stack: list[_Open] = []
        self.dropping = 0  # open elements whose content is dropped
        self.run = _Run()
        self.title: _Run | None = None  # set while inside <title>
        self.page_title = ""
        self.headings = Headings()
        self.tables: list[_Table] = []
        self.table_count = 0
        self.cell: tuple[int, int, int] | None = None  # (table, row, col) of the open cell

    # -- events ---------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self._void(tag, attrs)
            return
        if tag in _IMPLIED_ENDS:
            self._close_implied(*_IMPLIED_ENDS[tag])
        elif tag in _BLOCKS and self._innermost_block() == "p":
            self._close("p")
        dropped = tag in _DROPPED or hidden(attrs)
        if len(self.stack) >= MAX_DEPTH and (self.dropping or not dropped):
            if not self.dropping:  # nested too deep: not tracked (so no look grows with depth),
                self._boundary(tag)  # but a block still starts a new block of text
            return
        self.stack.append(_Open(tag, dropped))
        if dropped:
            self.dropping += 1
        if self.dropping:
            return
        if tag == "title":
            self.title = _Run()
        else:
            self._boundary(tag)
        if tag in ("ul", "ol"):
            self.stack[-1].lead_in = lead_in(self.blocks[-1] if self.blocks else None, self._lead_in())
        if tag == "table":
            self.table_count += 1
            self.tables.append(_Table(self.table_count))
        elif tag == "tr" and self.tables:
            self.tables[-1].row += 1
            self.tables[-1].col = 0
        elif tag in _CELLS and self.tables:
            table = self.tables[-1]
            row = table.row = max(table.row, 1)
            self.cell = (table.number, row, table.col + 1)
            table.col += _span(attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self._void(tag, attrs)
        else:  # <div/> is a start tag in HTML; <p/> an empty paragraph
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # browsers read </br> as <br>
            self._void(tag, [])
        elif any(o.tag == tag for o in self.stack):
            self._close(tag)

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self._add(data, self.title if self.title is not None else self.run)

    def _add(self, data: str, target: _Run) -> None:
        if target.line is None and data.strip():
            line = self.getpos()[0]
            target.line = line + data[: len(data) - len(data.lstrip())].count("\n")
        target.parts.append(data)

    def close(self) -> None:
        super().close()
        while self.stack:
            self._pop()
        self._flush()

    # -- structure ------------------------------------------------------------------------
    def _void(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            return
        if tag == "br":
            self.run.parts.append(" ")
        elif tag == "img":
            alt = next((v for k, v in attrs if k == "alt" and v), "")
            self._add(f" {alt} ", self.run)
        elif tag == "hr" and self.cell is None:
            self._flush()

    def _innermost_block(self) -> str | None:
        return next((o.tag for o in reversed(self.stack) if o.tag in _BLOCKS), None)

    def _close_implied(self, tags: set[str], scope: set[str]) -> None:
        for o in reversed(self.stack):
            if o.tag in tags:
                self._close(o.tag)
                return
            if o.tag in scope:
                return

    def _close(self, tag: str) -> None:
        while self.stack:
            if self._pop() == tag:
                return

    def _pop(self) -> str:
        """Close the innermost open element (its text flushed while it is still open)."""
        o = self.stack[-1]
        if self.dropping:
            self.dropping -= o.dropped
            return self.stack.pop().tag
        if o.tag == "title" and self.title is not None:
            self.page_title = short_heading(self.title.text())
            self.title = None
        elif o.tag in _HEADINGS and self.cell is None:
            self._heading(_HEADINGS[o.tag])
        else:
            self._boundary(o.tag)
        if o.tag in _CELLS:
            self.cell = None
        elif o.tag == "table" and self.tables:
            self.tables.pop()
        return self.stack.pop().tag

    def _boundary(self, tag: str) -> None:
        """Where a block element starts or ends: a new block, except inside a table cell, where
        only the table's own structure makes one (a cell is one block) and others are a space."""
        if tag in (_TABLE_PARTS if self.cell is not None else _BLOCKS):
            self._flush()
        elif tag in _BLOCKS:
            self.run.parts.append(" ")

    # -- blocks ---------------------------------------------------------------------------
    def _flush(self, part: str | None = None, section: str | None = None) -> None:
        text = self.run.text()
        line = self.run.line
        self.run = _Run()
        if not text or line is None:
            return
        cell = {}
        if self.cell is not None:
            part = "table"
            cell = dict(zip(("table", "row", "col"), self.cell))
        elif part is None and any(o.tag == "li" for o in self.stack):
            part = "list"
        framing = self._lead_in() if part == "list" else ""
        where = section or self._section()
        self.blocks.append(Block(text, Location(line=line, part=part, section=where, **cell), framing,
                                 topic_for(text, part, where or "")))

    def _lead_in(self) -> str:
        """The framing of the innermost open list whose start has been read (a list just
        opened is still flushing the text before it, which belongs to the list around it)."""
        return next((o.lead_in for o in reversed(self.stack) if o.tag in ("ul", "ol") and o.lead_in is not None), "")

    def _heading(self, level: int) -> None:
        text = self.run.text()
        self.headings.close(level)
        self._flush("heading", self._section())
        self.headings.push(level, text)

    def _section(self) -> str | None:
        return " > ".join(p for p in (self.page_title, self.headings.path) if p) or None


def _span(attrs: list[tuple[str, str | None]]) -> int:
    value = next((v for k, v in attrs if k == "colspan"), None) or "1"
    return min(int(value), 1000) if value.strip().isdigit() and int(value) > 0 else 1


def html_blocks(text: str) -> list[Block]:
    """The blocks of an HTML page (line ends already normalised), in source order."""
    reader = _PageReader()
    reader.feed(text)
    reader.close()
    return reader.blocks


#: While reading a page piece by piece: once the parser holds back this much unfinished text (a
#: comment or tag that runs on), the rest of the page goes to it at once, as a whole page would
#: (each piece fed after it would search that text again).
HELD_BACK_CHARS = 1_000_000


def html_stream(pieces: Iterable[str]) -> Iterator[Block]:
    """The blocks of an HTML page given in pieces of text (line ends already normalised), one
    at a time as the pieces are read: those of `html_blocks` on the pieces joined."""
    reader = _PageReader()
    pieces = iter(pieces)
    for piece in pieces:
        reader.feed(piece)
        if len(reader.rawdata) > HELD_BACK_CHARS:
            reader.feed("".join(pieces))
        yield from reader.blocks[:-1]
        del reader.blocks[:-1]  # the last block stays: a list after it reads its lead-in
    reader.close()
    yield from reader.blocks


def parse_html(path: str, data: bytes, sha256: str) -> Document:
    text, warnings = decode(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = html_blocks(text)
    chars = sum(len(b.text) for b in blocks)
    return Document(path=path, format="html", sha256=sha256, blocks=blocks,
                    pages=max(1, math.ceil(chars / 3000)), warnings=warnings)
