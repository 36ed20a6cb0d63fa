"""Character offsets of a WordprocessingML paragraph, mapped to the runs that hold them.

The paragraph's text is read the way `parse/word.py` reads it (same tags, same skipped
subtrees), so an offset in a parsed block is an offset here. Runs are split at an offset
with their formatting (`w:rPr`) copied to both halves; nothing is added to or removed from
the text.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from docx.oxml import OxmlElement

from bias_review.parse.word import _BREAK_TAGS, _M, _SKIP, _TEXT_TAGS, _TXBX, _W

_R, _T, _RPR = _W + "r", _W + "t", _W + "rPr"
_MATH = {_M + "oMathPara", _M + "oMath"}
_CHAR = {_W + "tab": "\t", _W + "noBreakHyphen": "-", **{t: "\n" for t in _BREAK_TAGS}}
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass
class Piece:
    """One text-bearing element: its [start, end) in the paragraph's raw text and the unit
    a comment can be anchored on (its `w:r`, or the whole equation for math text)."""

    start: int
    end: int
    el: object
    unit: object | None
    splittable: bool


def pieces(p) -> list[Piece]:
    """The text-bearing elements of paragraph `p` in order (text boxes excluded)."""
    out: list[Piece] = []
    _walk(p, out, None, None)
    return out


def raw_text(p) -> str:
    """The paragraph's text before the parser strips it."""
    return "".join(_piece_text(pc.el) for pc in pieces(p))


def _piece_text(el) -> str:
    if el.tag in _TEXT_TAGS:
        return el.text or ""
    return _CHAR[el.tag]


def _walk(el, out: list[Piece], run, math) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag == _TXBX or tag in _SKIP:
            continue
        if tag in _TEXT_TAGS or tag in _CHAR:
            text = _piece_text(child)
            if text:
                start = out[-1].end if out else 0
                unit = run if run is not None else math
                out.append(Piece(start, start + len(text), child, unit,
                                 run is not None and child.getparent() is run))
        else:
            inner_math = math if math is not None or tag not in _MATH else child
            _walk(child, out, child if tag == _R else run, inner_math)


def split_at(p, x: int) -> None:
    """Make raw offset `x` of paragraph `p` fall on a run boundary where it can."""
    ps = pieces(p)
    for i, pc in enumerate(ps):
        if pc.start < x < pc.end:
            if pc.splittable and pc.el.tag == _T:
                _split_run(pc.unit, pc.el, x - pc.start)
            return
        if pc.start == x:
            if pc.splittable and i and ps[i - 1].unit is pc.unit:
                _split_run(pc.unit, pc.el, 0)
            return


def _split_run(r, child, k: int) -> None:
    """Move `child` from text offset `k` on, and every later child, to a copy of run `r`
    (same `w:rPr`) placed right after it."""
    tail = copy.deepcopy(r)
    for el in list(tail):
        if el.tag != _RPR:
            tail.remove(el)
    later = list(r)[list(r).index(child) + 1:]
    if k:
        rest = copy.deepcopy(child)
        rest.text, child.text = child.text[k:], child.text[:k]
        child.set(_SPACE, "preserve")
        rest.set(_SPACE, "preserve")
        tail.append(rest)
    else:
        later.insert(0, child)
    for el in later:
        tail.append(el)  # moves it
    r.addnext(tail)


def anchor_runs(segments: list[tuple[object, int, int]]):
    """The first and last `w:r` of raw ranges [(paragraph, start, end), ...] in document
    order, splitting runs so that they hold exactly that text; None if it has no run."""
    (p0, a, _), (p1, _, b) = segments[0], segments[-1]
    split_at(p0, a)
    split_at(p1, b)
    first = next((pc.unit for pc in pieces(p0) if pc.start <= a < pc.end), None)
    last = next((pc.unit for pc in pieces(p1) if pc.start < b <= pc.end), None)
    if first is None or last is None:
        return None
    return _as_run(first, before=True), _as_run(last, before=False)


def _as_run(unit, *, before: bool):
    """`unit` if it is a run; for an equation, an empty run next to it."""
    if unit.tag == _R:
        return unit
    empty = OxmlElement("w:r")
    if before:
        unit.addprevious(empty)
    else:
        unit.addnext(empty)
    return empty
