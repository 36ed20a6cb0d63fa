"""PDF text extraction: pypdfium2 for the text, a light layout pass for reading order.

Per page we take pdfium's text (content-stream order, one pdfium "line" per run on one
baseline) and the rectangles of its text objects. pdfium joins text that sits on the same
baseline even when it belongs to two columns, and it joins a line that ends in a hyphen
with the next one (marking the hyphen as U+FFFE), so each pdfium line is cut into
*segments*: runs of text on one visual line with no column gutter inside. Segments are
then

1. grouped into layout blocks (lines stacked under each other, same size, same column),
2. ordered by a recursive XY-cut (columns left to right, bands top to bottom), and
3. split into paragraphs (vertical gaps, indents, bullets, short sentence-final lines),
   joining lines with spaces and undoing end-of-line hyphenation.

Running headers and footers (lines at the top or bottom of at least half of the pages,
digits ignored) are emitted once, on the first page that has them.

Only per-line calls into pdfium are made on the hot path; per-character calls are used
only for the few lines that must be cut at a column gutter.
"""

from __future__ import annotations

import bisect
import ctypes
import math
import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from bias_review.findings import Location
from bias_review.parse.document import Block, Document, ParseError, check_deadline

#: Pages read before the document is closed and opened again (see parse_pdf).
REOPEN_EVERY_PAGES = 300

# --------------------------------------------------------------------------- text helpers

_HYPHEN_MARKS = "\ufffe\x02"  # what pdfium puts where a line ends in a hyphen
_PIECE = re.compile(r"[^\r\n\ufffe\x02]+[\ufffe\x02]?|[\ufffe\x02]")
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
     "\ufb05": "st", "\ufb06": "st", "\u00ad": "", "\x00": ""}
)
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_TERMINAL = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*$")
_BULLET = re.compile(
    r"^(?:[\u2022\u25cf\u25cb\u25aa\u25a0\u25e6\u2023\u2043\u2219\u27a2\u2713\uf0b7\uf0a7*]"
    r"|[-\u2013]\s|\(?\d{1,2}[.)]\s|\(?[a-z][.)]\s)"
)
_STARTS_UPPER = re.compile(r"^[\"'\u201c\u2018(\[]?[A-Z0-9]")
_STARTS_LOWER = re.compile(r"^[a-z]")

# Dehyphenation word lists (see _join_lines).
_SUFFIX_FRAGMENTS = frozenset(
    "ing ings ed er ers est ly ment ments ness tion tions sion sions ity ities al ally ance "
    "ence ive ous able ible ful less ism ist ists ish ize ise ized ised ization ic ical ure "
    "ures age ages ant ants ent ents ary ory ies es s y".split()
)
_NOT_A_WORD_PREFIX = frozenset(
    "in un re de dis pre pro con com inter sub super trans ex en em im ir il co counter mis "
    "over under semi anti auto bio hyper hypo multi poly post ultra".split()
)
_COMPOUND_SECOND = frozenset(
    "based related specific free neutral conscious blind adjusted corrected dependent "
    "independent induced associated mediated term old year years month months week weeks "
    "seeking seeker seekers risk sensitive resistant positive negative bearing containing "
    "limiting threatening saving making income aware informed centered centred friendly "
    "aged matched stratified reported identified defined approved controlled onset up "
    "ethnic racial".split()
)
_COMPOUND_FIRST = frozenset("race self well drug evidence ethnicity cross gender".split())


# Spacing accents some PDFs draw as separate glyphs after the letter ('Aviac¸a˜o'),
# recomposed when they sit inside a word ('Aviação').
_SPACING_ACCENTS = {
    "\u02c6": "\u0302", "\u02dc": "\u0303", "\u00b8": "\u0327", "\u00b4": "\u0301",
    "\u00a8": "\u0308", "\u02da": "\u030a", "\u02c7": "\u030c", "\u02d8": "\u0306",
}
_ACCENTED = re.compile("([A-Za-z])([" + "".join(_SPACING_ACCENTS) + "])(?=[^\\W\\d_])")


def _compose(m: re.Match) -> str:
    return unicodedata.normalize("NFC", m.group(1) + _SPACING_ACCENTS[m.group(2)])


_NEEDS_NORMALISING = re.compile(
    "[\ufb00-\ufb06\u00ad\x00" + "".join(_SPACING_ACCENTS) + "]"
)


def _normalise(text: str) -> str:
    text = text.translate(_LIGATURES)
    if _ACCENTED.search(text):
        text = _ACCENTED.sub(_compose, text)
    return text


# --------------------------------------------------------------------------- segments


class _Seg:
    """A run of text on one visual line, with no column gutter inside it.

    x0/x1 come from the text rectangles; y0/y1 from the loose (font-height) box of the
    first character, which gives stable line metrics whatever the glyphs."""

    __slots__ = ("text", "x0", "x1", "y0", "y1", "h", "w", "order", "hyphen", "bold_start", "bold_end")

    def __init__(self, text, x0, x1, y0, y1, order=0, hyphen=False) -> None:
        self.text = text
        self.x0, self.x1, self.y0, self.y1 = x0, x1, y0, y1
        self.h = max(y1 - y0, 1.0)
        self.w = max(x1 - x0, 0.1)
        self.order = order
        self.hyphen = hyphen  # pdfium saw an end-of-line hyphen
        self.bold_start = self.bold_end = False  # first / last character in a bold font

    def __repr__(self) -> str:
        return f"_Seg({self.text!r}, x={self.x0:.1f}-{self.x1:.1f}, y={self.y0:.1f}-{self.y1:.1f})"


class _Page:
    """One page's segments, packed while the rest of the document is read: their texts, their
    boxes in one array of floats and their flags in bytes (about a third of the memory of the
    segment objects), with the segments of the top and bottom rows kept whole for the search
    for running headers and footers. `segs()` rebuilds the segments, equal to the originals."""

    __slots__ = ("texts", "boxes", "flags", "top", "bottom")
    #: rows kept whole at each edge: headers and footers are looked for in at most 3 rounds of 2
    EDGE_ROWS = 8

    def __init__(self, segs: list[_Seg]) -> None:
        self.texts = [s.text for s in segs]
        self.boxes = array("d", [v for s in segs for v in (s.x0, s.x1, s.y0, s.y1)])
        self.flags = bytes(s.hyphen | s.bold_start << 1 | s.bold_end << 2 for s in segs)
        self.top = _edge_rows(segs, True, self.EDGE_ROWS)
        self.bottom = _edge_rows(segs, False, self.EDGE_ROWS)

    def __len__(self) -> int:
        return len(self.texts)

    def segs(self) -> list[_Seg]:
        out = []
        boxes, flags = self.boxes, self.flags
        for i, text in enumerate(self.texts):
            f = flags[i]
            seg = _Seg(text, boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3], i, bool(f & 1))
            seg.bold_start, seg.bold_end = bool(f & 2), bool(f & 4)
            out.append(seg)
        return out

    def edge(self, top: bool) -> list[_Seg]:
        """The segments of the top (or bottom) rows, whole."""
        return self.top if top else self.bottom


def _rect_breaks(p, q, line_h: float) -> str | None:
    """How two consecutive text rectangles (l, b, r, t) of one pdfium line relate:
    'row' (different visual line), 'gap' (a wide horizontal gap, maybe a gutter),
    or None (same run of text). `line_h` is the tallest rectangle of the line: a rect
    much smaller than that (an accent, a cedilla) never starts a new row."""
    hp, hq = p[3] - p[1], q[3] - q[1]
    h = max(hp, hq, 1.0)
    small, big = (p, q) if hp <= hq else (q, p)
    centre = (small[1] + small[3]) / 2
    tiny = small[3] - small[1] < 0.35 * line_h
    if not tiny and not (big[1] - 0.3 * h <= centre <= big[3] + 0.3 * h):
        return "row"
    gap = q[0] - p[2]
    if gap < -0.5 * h and min(p[2] - p[0], q[2] - q[0]) > h:
        return "row"  # a run going backwards on the same row (not an accent or overprint)
    if gap > max(0.6 * h, 3.0):
        return "gap"
    return None


@dataclass
class _Piece:
    a: int  # first visible char index
    b: int  # one past the last visible char index
    rects: list
    breaks: list  # (index into rects of the rect after the break, kind, gap interval)
    hyphen: bool


class _PageReader:
    """Turns one pdfium page into segments."""

    def __init__(self, textpage) -> None:
        self.tp = textpage
        self.raw = textpage.raw
        self._rect = pdfium_c.FS_RECTF()
        self.normalise = True  # set per page: False when no ligature/accent is present

    def text(self) -> str:
        n = self.tp.count_chars()
        if n <= 0:
            return ""
        text = self.tp.get_text_range(0, n)
        if len(text) != n or _NON_BMP.search(text):
            # Rare: index mapping between text and chars is not 1:1; rebuild per char.
            get = pdfium_c.FPDFText_GetUnicode
            text = "".join(chr(get(self.raw, i) or 32) for i in range(n))
        return text

    def pieces(self, text: str) -> list[_Piece]:
        out = []
        raw = self.raw
        count_rects = pdfium_c.FPDFText_CountRects
        get_rect = pdfium_c.FPDFText_GetRect
        l_, t_, r_, b_ = (ctypes.c_double() for _ in range(4))
        marks = _HYPHEN_MARKS
        for m in _PIECE.finditer(text):
            s, e = m.span()
            chunk = m.group()
            hyphen = chunk[-1] in marks
            body = chunk.rstrip(marks) if hyphen else chunk
            lead = len(body) - len(body.lstrip())
            body = body.strip()
            if not body and not hyphen:
                continue
            a = s + lead
            b = e if hyphen else a + len(body)
            if b <= a:
                continue
            k = count_rects(raw, a, b - a)
            if k <= 0:
                continue
            rects = []
            for j in range(k):
                get_rect(raw, j, l_, t_, r_, b_)
                rects.append((l_.value, b_.value, r_.value, t_.value))
            breaks = []
            if k > 1:
                line_h = max(r[3] - r[1] for r in rects)
                for j in range(1, k):
                    kind = _rect_breaks(rects[j - 1], rects[j], line_h)
                    if kind:
                        breaks.append((j, kind, (rects[j - 1][2], rects[j][0])))
            out.append(_Piece(a, b, rects, breaks, hyphen))
        return out

    def loose_box(self, index: int):
        rect = self._rect
        if pdfium_c.FPDFText_GetLooseCharBox(self.raw, index, rect):
            return rect.bottom, rect.top
        return None

    def make_seg(self, text: str, a: int, b: int, x0, x1, tb, tt, hyphen) -> _Seg | None:
        raw = text[a:b]
        t = (_normalise(raw) if self.normalise else raw).strip()
        if hyphen:
            t = t.rstrip(_HYPHEN_MARKS) + "-"
        if not t.strip("-"):
            return None
        first = a + (len(raw) - len(raw.lstrip()))
        last = a + len(raw.rstrip(_HYPHEN_MARKS).rstrip()) - 1
        box = self.loose_box(first)
        if box and box[1] > box[0]:
            seg = _Seg(t, x0, x1, min(box[0], tb), max(box[1], tt), 0, hyphen)
        else:
            seg = _Seg(t, x0, x1, tb, tt, 0, hyphen)
        weight = pdfium_c.FPDFText_GetFontWeight
        seg.bold_start = weight(self.raw, first) >= 600
        seg.bold_end = weight(self.raw, last) >= 600 if last > first else seg.bold_start
        return seg

    def split_piece(self, text: str, piece: _Piece, accepted: list) -> list[_Seg]:
        """Cut a piece at accepted breaks, locating them with per-character boxes."""
        l_, b_, r_, t_ = (ctypes.c_double() for _ in range(4))
        get_box = pdfium_c.FPDFText_GetCharBox
        runs = []  # [start, end, x0, x1, y0, y1]
        cur = None
        prev_box = None
        targets = [(piece.rects[j - 1], piece.rects[j], kind) for j, kind, _ in accepted]
        for i in range(piece.a, piece.b):
            ch = text[i]
            box = None
            if not ch.isspace() and get_box(self.raw, i, l_, r_, b_, t_):
                if r_.value - l_.value > 0.01 or t_.value - b_.value > 0.01:
                    box = (l_.value, b_.value, r_.value, t_.value)
            if box is None:
                if cur is not None:
                    cur[1] = i + 1
                continue
            if cur is not None and prev_box is not None and _char_breaks(prev_box, box, targets):
                runs.append(cur)
                cur = None
            if cur is None:
                cur = [i, i + 1, box[0], box[2], box[1], box[3]]
            else:
                cur[1] = i + 1
                cur[2] = min(cur[2], box[0])
                cur[3] = max(cur[3], box[2])
                cur[4] = min(cur[4], box[1])
                cur[5] = max(cur[5], box[3])
            prev_box = box
        if cur is not None:
            runs.append(cur)
        segs = []
        for n, (s, e, x0, x1, y0, y1) in enumerate(runs):
            last = n == len(runs) - 1
            seg = self.make_seg(text, s, e, x0, x1, y0, y1, piece.hyphen and last)
            if seg:
                segs.append(seg)
        return segs


def _char_breaks(prev, box, targets) -> bool:
    h = max(prev[3] - prev[1], box[3] - box[1], 1.0)
    for p, q, kind in targets:
        if kind == "row":
            # the char belongs to q's row and the previous one does not
            cq = (box[1] + box[3]) / 2
            cp = (prev[1] + prev[3]) / 2
            in_q = q[1] - 0.3 * h <= cq <= q[3] + 0.3 * h
            prev_in_q = q[1] - 0.3 * h <= cp <= q[3] + 0.3 * h
            if in_q and not prev_in_q and box[0] >= q[0] - 1.0:
                return True
            if in_q and box[0] < prev[0] - h and abs(box[0] - q[0]) < 1.0:
                return True
        else:
            if prev[2] <= p[2] + 1.0 and box[0] >= q[0] - 1.0:
                return True
    return False


def _accept_gaps(pieces: list[_Piece]) -> None:
    """Keep a 'gap' break only where it looks like a column gutter: the text on both
    sides is more than a bullet or a number, and the gap is very wide or at least two
    other lines of the page have a gap over the same x interval. ('row' breaks, where
    the text moves to another visual line, are always kept.)"""
    gaps = [(iv, id(p)) for p in pieces for _, kind, iv in p.breaks if kind == "gap"]
    if not gaps:
        return
    for p in pieces:
        if not any(kind == "gap" for _, kind, _ in p.breaks):
            continue
        cuts = [0] + [j for j, _, _ in p.breaks] + [len(p.rects)]
        kept = []
        for n, (j, kind, iv) in enumerate(p.breaks):
            if kind == "gap":
                left = p.rects[cuts[n]:j]
                right = p.rects[j:cuts[n + 2]]
                h = max(max(r[3] - r[1] for r in left), max(r[3] - r[1] for r in right), 1.0)
                lw = max(r[2] for r in left) - min(r[0] for r in left)
                rw = max(r[2] for r in right) - min(r[0] for r in right)
                if lw < 2.5 * h or rw < 2.5 * h:
                    continue
                if iv[1] - iv[0] < 3 * h:
                    others = sum(
                        1 for giv, owner in gaps
                        if owner != id(p) and min(iv[1], giv[1]) - max(iv[0], giv[0]) > 0
                    )
                    if others < 2:
                        continue
            kept.append((j, kind, iv))
        p.breaks = kept


# --------------------------------------------------------------------------- layout


@dataclass
class _LBlock:
    lines: list[_Seg] = field(default_factory=list)
    x0: float = math.inf
    x1: float = -math.inf
    y0: float = math.inf
    y1: float = -math.inf

    def add(self, seg: _Seg) -> None:
        self.lines.append(seg)
        if seg.x0 < self.x0:
            self.x0 = seg.x0
        if seg.x1 > self.x1:
            self.x1 = seg.x1
        if seg.y0 < self.y0:
            self.y0 = seg.y0
        if seg.y1 > self.y1:
            self.y1 = seg.y1


def _group_blocks(segs: list[_Seg]) -> list[_LBlock]:
    """Stack segments into layout blocks: a segment joins the block whose last line is
    right above it (small vertical gap, similar size, same column)."""
    blocks: list[_LBlock] = []
    for seg in segs:
        best, best_dy = None, math.inf
        sh, sy1, sx0, sx1, sw = seg.h, seg.y1, seg.x0, seg.x1, seg.w
        for blk in reversed(blocks[-60:]):
            last = blk.lines[-1]
            lh = last.h if last.h > sh else sh
            dy = last.y0 - sy1
            if dy > lh or dy < -0.6 * lh or dy >= best_dy:
                continue
            ratio = sh / last.h
            if ratio < 0.75 or ratio > 1.34:
                continue
            # (conditional expressions, not min()/max(): this loop runs for every line and block)
            overlap = (last.x1 if last.x1 < sx1 else sx1) - (last.x0 if last.x0 > sx0 else sx0)
            if overlap <= 0 or (
                overlap < 0.5 * (last.w if last.w < sw else sw) and abs(sx0 - blk.x0) > 3 * lh
            ):
                continue
            if len(blk.lines) > 1:
                slack = max(2 * lh, 0.4 * (blk.x1 - blk.x0))
                if sx0 < blk.x0 - slack or sx1 > blk.x1 + slack:
                    continue  # e.g. a full-width line under one column
            best, best_dy = blk, dy
        if best is None:
            best = _LBlock()
            blocks.append(best)
        best.add(seg)
    return blocks


def _split_x(items: list[_LBlock], min_gap: float) -> list[list[_LBlock]]:
    items = sorted(items, key=lambda b: b.x0)
    groups = [[items[0]]]
    right = items[0].x1
    for b in items[1:]:
        if b.x0 - right >= min_gap:
            groups.append([b])
        else:
            groups[-1].append(b)
        right = max(right, b.x1)
    return groups


def _split_y(items: list[_LBlock], min_gap: float = 0.0) -> list[list[_LBlock]]:
    items = sorted(items, key=lambda b: -b.y1)
    bands = [[items[0]]]
    bottom = items[0].y0
    for b in items[1:]:
        if bottom - b.y1 >= min_gap:
            bands.append([b])
        else:
            bands[-1].append(b)
        bottom = min(bottom, b.y0)
    return bands


def _order(items: list[_LBlock], min_gap: float, big_gap: float, depth: int = 0) -> list[_LBlock]:
    """Recursive XY-cut: columns (a vertical gutter no block crosses) left to right,
    else bands top to bottom. Consecutive bands that together show a gutter are read as
    one multi-column band, so columns whose paragraphs happen to end at the same height
    are not interleaved."""
    if len(items) <= 1 or depth > 60:
        return sorted(items, key=lambda b: (-b.y1, b.x0))
    bands = _split_y(items, min_gap=big_gap)
    if len(bands) > 1:  # wide blank strips across the region come first
        return [b for band in bands for b in _order(band, min_gap, big_gap, depth + 1)]
    cols = _split_x(items, min_gap)
    if len(cols) > 1:
        return [b for col in cols for b in _order(col, min_gap, big_gap, depth + 1)]
    bands = _split_y(items)
    if len(bands) > 1:
        merged = [bands[0]]
        for band in bands[1:]:
            if len(_split_x(merged[-1] + band, min_gap)) > 1:
                merged[-1] = merged[-1] + band
            else:
                merged.append(band)
        if len(merged) > 1:
            return [b for band in merged for b in _order(band, min_gap, big_gap, depth + 1)]
    return sorted(items, key=lambda b: (-b.y1, b.x0))


class _ColumnEdges:
    """Right edge of the text column a block sits in, from the lines of the page that
    start near the block's left edge."""

    def __init__(self, segs: list[_Seg]) -> None:
        pairs = sorted((s.x0, s.x1) for s in segs)
        self.x0s = [p[0] for p in pairs]
        self.x1s = [p[1] for p in pairs]

    def right_edge(self, blk: _LBlock) -> float:
        lh = blk.lines[0].h
        lo = bisect.bisect_left(self.x0s, blk.x0 - 3 * lh)
        hi = bisect.bisect_right(self.x0s, blk.x0 + 3 * lh)
        near = sorted(self.x1s[lo:hi])
        if not near:
            return blk.x1
        # a high percentile, not the max: a wide table or a figure caption starting at
        # the same margin must not stretch the column
        return max(blk.x1, near[int(0.9 * (len(near) - 1))])


def _first_word_width(seg: _Seg) -> float:
    """Estimated width of the first word of a line (average glyph width x length)."""
    word = seg.text.split(" ", 1)[0]
    return seg.w * (len(word) + 1) / max(len(seg.text), 1)


def _paragraphs(blk: _LBlock, edge: float) -> list[list[_Seg]]:
    """Split a layout block's lines into paragraphs. `edge` is the right edge of the
    text column the block sits in: a line is 'short' (ended on purpose) when the first
    word of the next line would have fitted after it."""
    lines = blk.lines
    if len(lines) == 1:
        return [lines]
    pitches = [lines[i - 1].y1 - lines[i].y1 for i in range(1, len(lines))]
    pitch = median(pitches) if len(pitches) >= 2 else None
    paras = [[lines[0]]]
    for i in range(1, len(lines)):
        prev, cur = lines[i - 1], lines[i]
        lh = max(prev.h, cur.h)
        indent = cur.x0 - blk.x0 > 0.7 * lh and cur.x0 - prev.x0 > 0.7 * lh
        short = edge - prev.x1 > max(_first_word_width(cur) + 0.3 * lh, lh)
        ended = bool(_TERMINAL.search(prev.text))
        starts_upper = bool(_STARTS_UPPER.match(cur.text))
        new = False
        step = prev.y1 - cur.y1
        if pitch is not None and step > 1.35 * pitch and step - pitch > 0.25 * lh:
            new = True
        elif pitch is None and prev.y0 - cur.y1 > 0.6 * lh:
            new = True
        elif _BULLET.match(cur.text) and not prev.hyphen:
            new = True
        elif abs(prev.h - cur.h) > 0.2 * max(prev.h, cur.h):
            new = True  # a change of font size: a heading
        elif (
            prev.bold_start and prev.bold_end and not cur.bold_start
            and not prev.text.endswith(("-", ","))
        ):
            new = True  # a bold line (a heading) followed by regular text
        elif cur.bold_start and cur.bold_end and not prev.bold_end and ended:
            new = True  # a bold heading after the end of a paragraph
        elif (
            prev.x0 - cur.x0 > 0.7 * lh and starts_upper and short
            and not _STRONG_END.search(prev.text) and _BULLET.match(paras[-1][0].text)
        ):
            new = True  # back to the margin after the last line of a list item
        elif ended and starts_upper and (indent or short):
            new = True
        elif (
            not ended and starts_upper and indent and short
            and not prev.text.endswith(("-", ",", "\u2013", "/"))
            and len(prev.text.split()) <= 12
        ):
            new = True  # a heading line followed by an indented paragraph
        if new:
            paras.append([cur])
        else:
            paras[-1].append(cur)
    return paras


# --------------------------------------------------------------------------- joining


class _Vocab:
    """Words seen in the document (lower-case, hyphenated compounds as one word), to
    judge end-of-line hyphens."""

    def __init__(self) -> None:
        self.words: set[str] = set()

    def feed(self, text: str) -> None:
        self.words.update(_WORDS.findall(text.lower()))


def _keep_hyphen(frag: str, nxt: str, vocab: _Vocab) -> bool:
    f, n = frag.lower(), nxt.lower()
    if f"{f}-{n}" in vocab.words:
        return True
    if f + n in vocab.words:
        return False
    if n in _SUFFIX_FRAGMENTS or f in _NOT_A_WORD_PREFIX:
        return False
    return n in _COMPOUND_SECOND or f in _COMPOUND_FIRST


_FRAG_BEFORE = re.compile(r"([A-Za-z]+)-$")
_WORD_AFTER = re.compile(r"([A-Za-z]+)")


def _join_lines(left: str, right: str, vocab: _Vocab, hyphen_mark: bool = False) -> str:
    """Join two lines of one paragraph.

    'treat-' + 'ment' -> 'treatment'; 'race-' + 'based' -> 'race-based' (a known
    compound, or the hyphenated form appears elsewhere in the document);
    'COVID-' + '19' and 'FAA\u2013' + '2020' keep the dash with no space; otherwise a space.
    """
    if not left:
        return right
    if not right:
        return left
    if left.endswith("-"):
        m = _FRAG_BEFORE.search(left)
        w = _WORD_AFTER.match(right)
        if m and w and m.group(1).islower() and right[0].islower():
            token = left.rsplit(None, 1)[-1]
            if "/" in token or "@" in token or token.startswith("www."):
                return left + right  # a URL or address broken at one of its hyphens
            if _keep_hyphen(m.group(1), w.group(1), vocab):
                return left + right
            return left[:-1] + right
        if len(left) > 1 and not left[-2].isspace():
            return left + right
        return left + " " + right
    if left.endswith(("\u2013", "\u2014", "/", "@")) and len(left) > 1 and not left[-2].isspace():
        return left + right
    return left + " " + right


def _para_text(lines: list[str], vocab: _Vocab) -> str:
    text = ""
    for line in lines:
        text = _join_lines(text, line, vocab)
    return text


# --------------------------------------------------------------------------- headers/footers

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def _hf_key(text: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("#", text.lower())).strip()


def _edge_rows(segs: list[_Seg], top: bool, rows: int = 2) -> list[_Seg]:
    """Segments in the `rows` highest (top=True) or lowest visual rows of the page."""
    return _edge_walk(segs, top, rows)[0]


def _edge_walk(segs: list[_Seg], top: bool, rows: int) -> tuple[list[_Seg], bool]:
    """`_edge_rows`, and whether the walk stopped at the start of the next row (False: it ran
    out of segments, so over a page's top or bottom rows alone it may have missed some)."""
    if not segs:
        return [], False
    if top:
        ordered = sorted(segs, key=lambda s: -s.y1)
        edge = lambda s: s.y1  # noqa: E731
    else:
        ordered = sorted(segs, key=lambda s: s.y0)
        edge = lambda s: -s.y0  # noqa: E731
    out = []
    row = 0
    row_edge = edge(ordered[0])
    for s in ordered:
        if abs(edge(s) - row_edge) > 0.3 * s.h:
            row += 1
            row_edge = edge(s)
            if row >= rows:
                return out, True
        out.append(s)
    return out, False


def _running_lines(pages: list[_Page]):
    """Find repeated header/footer segments: text in the top or bottom two rows of a
    page that repeats (digits ignored) on at least half of the pages, and on 3 or more.
    Repeated again on the rows uncovered, so a footer of three lines goes entirely.
    Returns ((page index, segment order) of the segments to drop, {page index: [(part,
    text)]} for the first occurrence of each)."""
    with_text = sum(1 for p in pages if len(p))
    need = max(3, math.ceil(with_text / 2))
    drop: set[tuple[int, int]] = set()
    firsts: dict[int, list[tuple[str, _Seg]]] = {}
    if with_text < 3:
        return drop, {}
    for part, top in (("header", True), ("footer", False)):
        for _round in range(3):
            seen: dict[str, list[tuple[int, _Seg]]] = {}
            for pno, page in enumerate(pages):
                keys_here = set()
                edge = page.edge(top)
                remaining = [s for s in edge if (pno, s.order) not in drop]
                rows, complete = _edge_walk(remaining, top, 2)
                if not complete and len(edge) < len(page):  # the kept rows ran out: the whole page
                    remaining = [s for s in page.segs() if (pno, s.order) not in drop]
                    rows = _edge_rows(remaining, top)
                for s in rows:
                    key = _hf_key(s.text)
                    if not key or key in keys_here:
                        continue
                    keys_here.add(key)
                    seen.setdefault(key, []).append((pno, s))
            found = False
            for hits in seen.values():
                if len(hits) < need:
                    continue
                found = True
                for pno, s in hits:
                    drop.add((pno, s.order))
                pno, s = hits[0]
                firsts.setdefault(pno, []).append((part, s))
            if not found:
                break
    first: dict[int, list[tuple[str, str]]] = {}
    for pno, items in firsts.items():
        items.sort(key=lambda item: (item[0] != "header", -item[1].y1, item[1].x0))
        first[pno] = [(part, s.text) for part, s in items]
    return drop, first


# --------------------------------------------------------------------------- entry point


def _open(path: str, source: str | bytes):
    """The PDF at `source`: a file's path (pdfium reads from it what it needs) or its bytes."""
    try:
        return pdfium.PdfDocument(source)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        msg = str(exc)
        if code == pdfium_c.FPDF_ERR_PASSWORD or "password" in msg.lower():
            raise ParseError(path, "password-protected PDF") from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise ParseError(path, "PDF uses an unsupported security handler") from None
        detail = msg.split("(PDFium:")[-1] if "PDFium:" in msg else msg
        detail = detail.strip(" .)") or "unknown error"
        raise ParseError(path, f"corrupt or unreadable PDF ({detail})") from None


def parse_pdf(path: str, source: str | bytes, sha256: str, *, ocr: bool = True,
              deadline: float | None = None) -> Document:
    """The blocks of the PDF `path`, read from `source` (its path, or its bytes). Pages with no text layer are read by OCR when `ocr` is on and
    Tesseract is installed (see `parse.ocr`); `deadline` (time.monotonic()) is checked between
    pages and raises ParseTimeout once passed."""
    pdf = _open(path, source)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise ParseError(path, "corrupt or unreadable PDF (no pages)")
        pages: list[_Page] = []
        vocab = _Vocab()
        for pno in range(n_pages):
            check_deadline(path, deadline)
            if pno and pno % REOPEN_EVERY_PAGES == 0:
                # pdfium keeps what it parsed of every page it has loaded (fonts, streams)
                # until the document is closed: 4,800 pages held 370 MB; reopened, 40 MB
                pdf.close()
                pdf = _open(path, source)
            segs = _page_segments(path, pdf, pno)
            vocab.feed("\n".join(seg.text for seg in segs))
            pages.append(_Page(segs))
        blank = [pno for pno, page in enumerate(pages) if not len(page)]
        read = _ocr(path, pdf, blank, ocr, deadline)
    finally:
        pdf.close()

    doc = Document(path=path, format="pdf", sha256=sha256, pages=n_pages)
    doc.warnings.extend(_blank_page_warnings(path, n_pages, blank, read))

    for paragraphs in read.paragraphs.values():
        vocab.feed("\n".join(line for p in paragraphs for line in p.lines))

    drop, first = _running_lines(pages)

    # Paragraphs in reading order; a paragraph cut by a column or page break (or by
    # footnotes or a box placed between the two halves) is joined back, see _attach.
    paras: list[_Para] = []
    edges: list[Block] = []
    for pno, page in enumerate(pages):
        page_no = pno + 1
        for part, text in first.get(pno, []):
            edges.append(Block(text, Location(page=page_no, part=part)))
        body = [s for s in page.segs() if (pno, s.order) not in drop]
        pages[pno] = _Page([])  # read: its segments go
        if not body:
            continue
        hs = sorted(s.h for s in body)
        line_h = hs[len(hs) // 2]
        blocks = _group_blocks(body)
        columns = _ColumnEdges(body)
        for blk in _order(blocks, max(2.0, 0.3 * line_h), 2.0 * line_h):
            edge = columns.right_edge(blk)
            for lines in _paragraphs(blk, edge):
                text = _para_text([seg.text for seg in lines], vocab)
                if not text.strip():
                    continue
                last = lines[-1]
                full = len(blk.lines) > 1 and (
                    edge - last.x1 <= max(_first_word_width(last) * 2, 1.5 * last.h)
                )
                para = _Para(page_no, text, lines[0], last, full)
                if not _attach(paras, para, vocab):
                    paras.append(para)

    blocks = edges + [Block(p.text, Location(page=p.page, part="body")) for p in paras]
    blocks += _ocr_blocks(read, vocab)
    rank = {"header": 0, "body": 1, "ocr": 1, "footer": 2}
    doc.blocks = sorted(blocks, key=lambda b: (b.location.page, rank[b.location.part]))
    return doc


# --------------------------------------------------------------------------- pages with no text


def _ocr(path: str, pdf, blank: list[int], ocr: bool, deadline: float | None):
    """OCR of the pages with no text layer, when there are any and OCR can run; else nothing read,
    with the reason OCR did not run."""
    from bias_review.parse import ocr as tesseract  # pytesseract only for scanned pages

    if not blank or not ocr:
        return tesseract.OcrPages({}, [], None if ocr else "OCR is turned off")
    missing = tesseract.missing()
    if missing:
        return tesseract.OcrPages({}, [], f"install {missing} to read it by OCR")
    return tesseract.read_pages(path, pdf, blank, deadline)


def _blank_page_warnings(path: str, n_pages: int, blank: list[int], read) -> list[str]:
    """What the document's reader should know about its pages with no text layer; a document
    with no text anywhere is a ParseError saying why (OCR off, not installed, found nothing)."""
    unread = [pno for pno in blank if pno not in read.paragraphs]
    if len(unread) == n_pages:
        if read.why_not:
            raise ParseError(path, f"no text layer (scanned document?); {read.why_not}")
        raise ParseError(path, "no text layer, and OCR found no text in it (blank or unreadable scan?)")
    warnings = list(read.warnings)
    if read.paragraphs:
        warnings.append(f"{len(read.paragraphs)} of {n_pages} pages have no text layer and were read by "
                        "OCR; check the findings there against the page")
    if unread:
        reason = f"; {read.why_not.replace('read it', 'read them')}" if read.why_not else (
            ", and OCR found no text in them")
        warnings.append(f"{len(unread)} of {n_pages} pages have no text layer (scanned images?); "
                        f"their content was not checked{reason}")
    return warnings


def _ocr_blocks(read, vocab: _Vocab) -> list[Block]:
    return [
        Block(_para_text(p.lines, vocab), Location(page=pno + 1, part="ocr", ocr_confidence=p.confidence))
        for pno, paragraphs in sorted(read.paragraphs.items()) for p in paragraphs
    ]


def _page_segments(path: str, pdf, pno: int) -> list[_Seg]:
    try:
        page = pdf[pno]
    except pdfium.PdfiumError as exc:
        raise ParseError(path, f"corrupt or unreadable PDF (page {pno + 1}: {exc})") from None
    tp = page.get_textpage()
    try:
        reader = _PageReader(tp)
        text = reader.text()
        if not text.strip():
            return []
        reader.normalise = bool(_NEEDS_NORMALISING.search(text))
        pieces = reader.pieces(text)
        _accept_gaps(pieces)
        segs: list[_Seg] = []
        for piece in pieces:
            if piece.breaks:
                got = reader.split_piece(text, piece, piece.breaks)
            else:
                r = piece.rects
                if len(r) == 1:  # most lines: one rectangle
                    x0, y0, x1, y1 = r[0]
                else:
                    x0, x1 = min(x[0] for x in r), max(x[2] for x in r)
                    y0, y1 = min(x[1] for x in r), max(x[3] for x in r)
                got = [reader.make_seg(text, piece.a, piece.b, x0, x1, y0, y1, piece.hyphen)]
            for seg in got:
                if seg is not None:
                    seg.order = len(segs)
                    segs.append(seg)
        return segs
    finally:
        tp.close()
        page.close()


@dataclass
class _Para:
    page: int
    text: str
    first: _Seg
    last: _Seg
    full: bool  # its last line runs to the right edge of its (multi-line) block
    last_page: int = 0

    def __post_init__(self) -> None:
        self.last_page = self.last_page or self.page


_STRONG_END = re.compile(
    r"(?:[,(\u2013\u2014/-]|\b(?:the|a|an|of|and|or|nor|to|in|on|at|by|for|with|from|as|is|are|"
    r"was|were|be|been|that|which|who|whose|than|its|their|this|these|those|not|but|into|"
    r"such|may|can|will|would|should|must|per|via|between|under|over|our|your|his|her))$",
    re.IGNORECASE,
)


def _attach(paras: list[_Para], para: _Para, vocab: _Vocab, lookback: int = 6) -> bool:
    """Join `para` to an earlier paragraph it obviously continues; True if joined.

    - the previous paragraph ends in a comma or hyphen and `para` starts upper-case;
    - `para` starts lower-case: join to the nearest of the last few paragraphs that ends
      unmistakably mid-sentence (footnotes or a text box may sit between the halves),
      or to one of the last three if it has no final punctuation, fills its line and
      `para` does not sit right under it (so it is a column or page break, not a
      paragraph break; a table cell or a heading may sit between the halves).
    """
    if not paras or _BULLET.match(para.text):
        return False
    lower = bool(_STARTS_LOWER.match(para.text))
    for dist, prev in enumerate(reversed(paras[-lookback:]), 1):
        end = prev.text.rstrip()
        if _TERMINAL.search(end):
            if dist == 1 and not lower:
                return False
            continue
        strong = bool(_STRONG_END.search(end))
        jumped = para.page > prev.last_page or para.first.y1 > prev.last.y1 + 0.5 * prev.last.h
        if lower:
            ok = strong or (dist <= 3 and prev.full and jumped)
        else:  # 'Soekarno-' + 'Hatta', '(83 FR 62697,' + 'December 6, 2018'
            ok = dist == 1 and end.endswith(("-", ",")) and para.text[:1].isupper()
        if ok:
            prev.text = _join_lines(end, para.text, vocab)
            prev.last, prev.full, prev.last_page = para.last, para.full, para.last_page
            return True
        if not lower:
            return False
    return False
