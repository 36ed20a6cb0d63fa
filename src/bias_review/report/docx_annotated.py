"""The course director's own DOCX back, with a Word comment on each flagged span.

Each finding is placed where the parser read it (same block numbering, see
`docx_blocks`), its passage found in that block, and its span anchored by splitting runs
(formatting kept). A finding with `spans` gets one comment: anchored from the first span
to the last when they sit in one paragraph, otherwise on the first span; the comment names
every span. Findings that cannot be anchored (headers, footers, notes, text boxes, a
passage no longer in the file) are listed in one summary comment on the first body
paragraph. The document's text is never changed.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.run import Run

from bias_review.parse.document import open_or_fail
from bias_review.report.docx_blocks import ANCHORABLE_PARTS, SourceBlock, body_blocks
from bias_review.report.docx_common import details, flag_spans, headline, location_label, shown, xml_safe
from bias_review.report.docx_runs import anchor_runs

_SUMMARY_HEAD = "bias-review: {n} finding(s) could not be anchored on their text"


@dataclass(frozen=True)
class AnnotateResult:
    """What `annotate_docx` did: comments on spans, findings listed in the summary comment
    (with the reason, by finding id), and findings below `min_severity` left out."""

    anchored: int
    summarised: int
    skipped: int
    reasons: dict[str, str] = field(default_factory=dict)


def annotate_docx(
    source: Path | str | bytes | BinaryIO,
    findings: list[dict],
    out: Path | str | BinaryIO,
    *,
    author: str = "bias-review",
    initials: str = "BR",
    min_severity: str = "low",
) -> AnnotateResult:
    """Write `source` to `out` with one comment per finding at or above `min_severity`.
    Raises ParseError when `source` is not a readable DOCX."""
    name = "document" if isinstance(source, bytes) else str(getattr(source, "name", source))
    document = open_or_fail(name, "DOCX", lambda: docx.Document(
        io.BytesIO(source) if isinstance(source, bytes) else source))
    author, initials = xml_safe(author), xml_safe(initials)
    todo = shown(findings, min_severity)
    placer = _Placer(body_blocks(document))
    anchored, left = 0, []
    for finding in todo:
        place = placer.place(finding)
        runs = anchor_runs(place[0]) if isinstance(place, tuple) else None
        if runs is None:
            left.append((finding, place if isinstance(place, str) else "no run holds this text"))
            continue
        comment = document.add_comment([Run(r, document) for r in runs], "", author, initials)
        _fill(comment, finding, place[1])
        anchored += 1
    if left:
        _summary_comment(document, placer.blocks, left, author, initials)
    document.save(out)
    return AnnotateResult(anchored, len(left), len(findings) - len(todo),
                          {f.get("id", ""): why for f, why in left})


class _Placer:
    """Finds the paragraph ranges of a finding; the k-th finding with the same location,
    passage and offsets goes to the k-th occurrence of that passage."""

    def __init__(self, blocks: list[SourceBlock]) -> None:
        self.blocks = blocks
        self.at: dict[tuple, list[SourceBlock]] = {}
        for block in blocks:
            self.at.setdefault(_key(block.location), []).append(block)
        self.seen: Counter = Counter()

    def place(self, finding: dict) -> tuple[list, list[str]] | str:
        """(raw ranges to anchor, flagged texts) or the reason it cannot be anchored."""
        location = finding.get("location") or {}
        if location.get("part", "body") not in ANCHORABLE_PARTS:
            return "Word comments cannot be anchored in this part"
        passage, spans = finding.get("passage") or "", flag_spans(finding)
        if not spans:
            return "the finding's offsets do not fit its passage"
        hits = [(b, i) for b in self.at.get(_key(location), []) for i in _find_all(b.text, passage)]
        if not hits:
            return "the passage was not found at this location"
        key = (_key(location), passage, spans[0])
        block, at = hits[min(self.seen[key], len(hits) - 1)]
        self.seen[key] += 1
        each = [block.segments(at + a, at + b) for a, b in spans]
        one_paragraph = len({id(seg[0]) for segs in each for seg in segs}) == 1
        ranges = block.segments(at + spans[0][0], at + spans[-1][1]) if one_paragraph else each[0]
        return ranges, [passage[a:b] for a, b in spans]


def _key(location: dict) -> tuple:
    return tuple(sorted(location.items()))


def _find_all(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub) if sub else -1
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def _fill(comment, finding: dict, flagged: list[str]) -> None:
    """Comment text: category and severity (bold), the flagged text, why, instead,
    references, id."""
    comment.paragraphs[0].add_run(headline(finding)).bold = True
    comment.add_paragraph(xml_safe("Flagged: " + _quoted(flagged)))
    for label, text in details(finding):
        comment.add_paragraph(f"{label}: {text}")


def _quoted(texts: list[str]) -> str:
    """“first” … “second”: every flagged span of a finding."""
    return " … ".join(f"“{t}”" for t in texts)


def _summary_comment(document, blocks: list[SourceBlock], left: list, author: str, initials: str) -> None:
    """One comment on the first body paragraph listing findings that have no anchor, each
    with every flagged span."""
    runs = _first_paragraph_runs(document, blocks)
    comment = document.add_comment([Run(r, document) for r in runs], "", author, initials)
    comment.paragraphs[0].add_run(_SUMMARY_HEAD.format(n=len(left))).bold = True
    for finding, why in left:
        label = location_label(finding.get("location"))
        passage = finding.get("passage") or ""
        flagged = [passage[a:b] for a, b in flag_spans(finding)] or [finding.get("text") or ""]
        comment.add_paragraph(xml_safe(f"• {label}: {_quoted(flagged)} ({headline(finding)}; {why})"))
        for label, line in details(finding):
            comment.add_paragraph(f"   {label}: {line}")


def _first_paragraph_runs(document, blocks: list[SourceBlock]):
    """First and last run of body paragraph 1; else an empty run at the start of the first
    paragraph of the body (an empty paragraph is added to a body that has none)."""
    for block in blocks:
        if block.location == {"paragraph": 1, "part": "body"}:
            _, p, lead, length = block.paragraphs[0]
            runs = anchor_runs([(p, lead, lead + length)])
            if runs:
                return runs
    p = next(document.element.body.iter(qn("w:p")), None)
    if p is None:
        p = document.add_paragraph()._p
    empty = OxmlElement("w:r")
    if p.pPr is not None:
        p.pPr.addnext(empty)
    else:
        p.insert(0, empty)
    return empty, empty
