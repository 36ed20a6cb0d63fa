"""Read-side views: the review queue, counts per document and lexicon entry statistics."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Optional, Union

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bias_review.store.db import Store
from bias_review.store.models import Annotation, Course, Document, Finding, Scan
from bias_review.store.records import DocumentCounts, FlagState, LexiconStat, QueueItem, Ref, ref_id
from bias_review.store.state import ACCEPTED, CHANGED, DISMISSED, derive_state
from bias_review.store.versions import annotations_of, carried_from, file_versions

Choice = Union[str, Iterable[str], None]
_NUMBERED = ("page", "slide", "paragraph", "table", "row", "col", "line")
_PARTS = ("header", "body", "table", "textbox", "notes", "footnote", "footer")


def location_key(location: dict[str, Any]) -> tuple:
    """Reading order of a contract location: page, slide, part, paragraph, table, row, col, line.
    Markdown's headings, list items and table cells read in line order with the body."""
    numbers = [location.get(k) if isinstance(location.get(k), int) else -1 for k in _NUMBERED]
    if isinstance(location.get("line"), int):  # text and Markdown: line order, cells by row and column
        return (-1, -1, _PARTS.index("body"), location["line"], *numbers[2:6])
    part = location.get("part", "body")
    rank = _PARTS.index(part) if part in _PARTS else len(_PARTS)
    return (*numbers[:2], rank, *numbers[2:])


@dataclass(frozen=True)
class _Flag:
    finding: Finding
    document: Document
    course: Optional[Course]
    state: FlagState
    is_new: bool
    vanished: bool
    superseded: bool = False  # a newer version of its file was scanned
    carried: int = 0  # decisions carried from earlier versions of its file


def _choice(value: Choice) -> Optional[set[str]]:
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def _load(session: Session, *, course: Optional[int] = None, document: Optional[int] = None) -> list[_Flag]:
    """Every flag (of one course or document) with its derived state (decisions carried from
    earlier versions of its file first, see store/versions.py) and new/vanished/superseded marks."""
    def scoped(query):
        if course is not None:
            query = query.where(Document.course_id == course)
        return query if document is None else query.where(Document.id == document)

    rows = session.execute(scoped(
        select(Finding, Document, Course).join(Document, Finding.document_id == Document.id)
        .outerjoin(Course, Document.course_id == Course.id))).all()
    history: dict[int, list[Annotation]] = defaultdict(list)
    for a in session.scalars(scoped(select(Annotation).join(Finding).join(Document)).order_by(Annotation.id)):
        history[a.finding_id].append(a)
    earlier, superseded = file_versions(session, {d.id: d for _, d, _ in rows}.values())
    carried = carried_from(session, [f for f, _, _ in rows], earlier)
    history.update(annotations_of(session, {c for chain in carried.values() for c in chain} - set(history)))
    scans = {d: (first, last) for d, first, last in session.execute(
        select(Scan.document_id, func.min(Scan.id), func.max(Scan.id)).where(Scan.error.is_(None))
        .group_by(Scan.document_id))}
    out = []
    for f, d, c in rows:
        first, last = scans.get(d.id, (None, None))
        tool = f.source == "tool"
        before = [a for old in carried.get(f.id, []) for a in history.get(old, [])]
        out.append(_Flag(f, d, c, derive_state(f.category, f.severity, before + history.get(f.id, [])),
                         is_new=tool and f.first_seen_scan_id == last and first != last,
                         vanished=tool and f.last_seen_scan_id != last, superseded=d.id in superseded,
                         carried=len(before)))
    return out


def _item(flag: _Flag) -> QueueItem:
    f, d = flag.finding, flag.document
    spans = f.spans or [{"start": f.start, "end": f.end, "text": f.text}]
    return QueueItem(
        id=f.id, stable_id=f.stable_id, document_id=d.id, document_name=d.name,
        course=flag.course.name if flag.course else None, source=f.source, status=flag.state.status,
        category=flag.state.category, severity=flag.state.severity, tool_category=f.category,
        tool_severity=f.severity, text=f.text, passage=f.passage, start=f.start, end=f.end, spans=spans,
        location=f.location, detectors=f.detectors, score=f.score, explanation=f.explanation,
        suggestion=f.suggestion, references=f.references, is_new=flag.is_new, vanished=flag.vanished,
        decisions=flag.state.decisions, superseded=flag.superseded, carried=flag.carried,
    )


def queue(store: Store, *, course: Optional[Ref] = None, document: Optional[Ref] = None,
          category: Choice = None, severity: Choice = None, status: Choice = None,
          include_vanished: bool = True, include_superseded: Optional[bool] = None) -> list[QueueItem]:
    """Flags to review, ordered by document, location and offset. `category`, `severity` and
    `status` (open, accepted, dismissed, changed) are matched against the current, derived
    values and take one value or several. Flags of a file's earlier versions (superseded by a
    newer scan of it) are left out unless `include_superseded`, or a `document` is asked for."""
    if include_superseded is None:
        include_superseded = document is not None
    wanted = {"category": _choice(category), "severity": _choice(severity), "status": _choice(status)}
    with store.read() as session:
        flags = _load(session, course=ref_id(course) if course is not None else None,
                      document=ref_id(document) if document is not None else None)
    items = [
        _item(fl) for fl in flags
        if (include_vanished or not fl.vanished) and (include_superseded or not fl.superseded)
        and all(allowed is None or getattr(fl.state, key) in allowed for key, allowed in wanted.items())
    ]
    return sorted(items, key=lambda i: (i.document_name, i.document_id, location_key(i.location), i.start, i.id))


def counts(store: Store, document: Optional[Ref] = None) -> list[DocumentCounts]:
    """Per document: present, non-info flags by current category and severity (dismissed
    ones left out) and by status. Documents without flags are listed with empty counts."""
    with store.read() as session:
        flags = _load(session, document=ref_id(document) if document is not None else None)
        docs = session.scalars(select(Document).order_by(Document.name, Document.id) if document is None
                               else select(Document).where(Document.id == ref_id(document))).all()
    by_doc: dict[int, list[_Flag]] = defaultdict(list)
    for fl in flags:
        if not fl.vanished and fl.state.severity != "info":
            by_doc[fl.document.id].append(fl)
    out = []
    for d in docs:
        live = [fl for fl in by_doc[d.id] if fl.state.status != DISMISSED]
        out.append(DocumentCounts(
            d.id, d.name,
            by_category=dict(Counter(fl.state.category for fl in live)),
            by_severity=dict(Counter(fl.state.severity for fl in live)),
            by_status=dict(Counter(fl.state.status for fl in by_doc[d.id])),
        ))
    return out


def lexicon_stats(store: Store) -> list[LexiconStat]:
    """Per lexicon entry (detector `lexicon:<id>`): the findings it fired on, and how many of
    them reviewers accepted, dismissed or changed (current status). Most fired first."""
    tally: dict[str, Counter] = defaultdict(Counter)
    with store.read() as session:
        flags = _load(session)
    for fl in flags:
        for detector in fl.finding.detectors:
            if isinstance(detector, str) and detector.startswith("lexicon:"):
                t = tally[detector.removeprefix("lexicon:")]
                t["fired"] += 1
                t[fl.state.status] += 1
    stats = [LexiconStat(entry, t["fired"], t[ACCEPTED], t[DISMISSED], t[CHANGED]) for entry, t in tally.items()]
    return sorted(stats, key=lambda s: (-s.fired, s.entry))
