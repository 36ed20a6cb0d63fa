"""The archive as the store holds it, in the scan's JSON-contract shape: each current document
(with its course, year and newest scan) and its present flags (with status and decisions).

A file scanned again after it changed is a new document in the store; the archive keeps only
the newest document per source path and course, so a report counts each file once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional

from bias_review import __version__
from bias_review.store import (
    DecisionInfo, LexiconStat, QueueItem, Store, courses, decisions_by_finding, documents, last_scans,
    lexicon_stats, queue,
)


@dataclass
class Archive:
    """`documents` are contract documents plus `document_id`, `course`, `year`, `lecturer` and
    `scanned_at`; their findings carry `status`, `source` and `decisions`. `lexicon` is the
    store's `lexicon_stats`."""

    tool: dict[str, Any]
    documents: list[dict[str, Any]]
    lexicon: list[LexiconStat] = field(default_factory=list)
    generated: str = ""

    def courses(self) -> list[tuple[Optional[str], Optional[int]]]:
        """Each (course, year) that holds a document, in report order."""
        return list(dict.fromkeys((d["course"], d["year"]) for d in self.documents))


def load_archive(store: Store) -> Archive:
    """Everything the archive report shows, read from the store."""
    docs = documents(store)
    newest = {(d.source_path, d.course_id): d.id for d in sorted(docs, key=lambda d: d.id) if d.source_path}
    current = [d for d in docs if d.source_path is None or newest[(d.source_path, d.course_id)] == d.id]
    scans = {s.document_id: s for s in last_scans(store)}
    course_rows = {c.id: c for c in courses(store)}
    decisions = decisions_by_finding(store)
    flags: dict[int, list[QueueItem]] = {}
    for item in queue(store, include_vanished=False):
        if item.severity != "info":
            flags.setdefault(item.document_id, []).append(item)
    out = []
    for d in current:
        course = course_rows.get(d.course_id) if d.course_id is not None else None
        scan = scans.get(d.id)
        out.append({
            "document_id": d.id, "path": d.source_path or d.name, "sha256": d.sha256, "format": d.format,
            "error": scan.error if scan else "never scanned", "warnings": [],
            "course": course.name if course else None, "year": course.year if course else None,
            "lecturer": course.lecturer if course else None,
            "scanned_at": _iso(scan.scanned_at) if scan and scan.scanned_at else None,
            "findings": [_finding(i, decisions.get(i.id, [])) for i in flags.get(d.id, [])],
        })
    out.sort(key=lambda d: (d["course"] is None, d["course"] or "", d["year"] or 0, d["path"]))
    return Archive(_tool(scans.values()), out, lexicon_stats(store), _iso(datetime.now(timezone.utc)))


def _finding(item: QueueItem, history: list[DecisionInfo]) -> dict[str, Any]:
    return {
        **item.as_finding(),
        "source": item.source, "status": item.status, "tool_category": item.tool_category,
        "tool_severity": item.tool_severity,
        "decisions": [{"decision": h.decision, "reviewer": h.reviewer, "time": _iso(h.time),
                       "new_category": h.new_category, "severity": h.severity, "reason": h.reason,
                       "comment": h.comment} for h in history],
    }


def _tool(scans) -> dict[str, Any]:
    """The contract's `tool`: this version, and the versions of the newest scan in the store."""
    newest = max((s for s in scans if s.scanned), key=lambda s: (s.scanned_at, s.document_id), default=None)
    return {"name": "bias-review", "version": __version__,
            "lexicon_version": newest.lexicon_version if newest else None,
            "model_version": newest.model_version if newest else None}


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")
