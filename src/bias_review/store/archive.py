"""Read-side views for batch scans and the archive report: each document's newest scan, and
every decision grouped by flag, each in one query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import func, select

from bias_review.store.db import Store
from bias_review.store.decisions import decision_info
from bias_review.store.models import Annotation, Document, Finding, Scan
from bias_review.store.records import DecisionInfo
from bias_review.store.versions import carried_from, chunks, file_versions


@dataclass(frozen=True)
class LastScan:
    """A document and its newest scan (None fields when it was never scanned)."""

    document_id: int
    sha256: str
    source_path: Optional[str]
    course_id: Optional[int]
    lexicon_version: Optional[str]
    model_version: Optional[str]
    error: Optional[str]
    scanned_at: Optional[datetime]
    scanned: bool


def last_scans(store: Store) -> list[LastScan]:
    """Every document with its newest scan (failed or not), oldest document first."""
    newest = select(Scan.document_id, func.max(Scan.id).label("scan_id")).group_by(Scan.document_id).subquery()
    query = (select(Document, Scan).outerjoin(newest, newest.c.document_id == Document.id)
             .outerjoin(Scan, Scan.id == newest.c.scan_id).order_by(Document.id))
    with store.read() as session:
        return [LastScan(d.id, d.sha256, d.source_path, d.course_id,
                         s.lexicon_version if s else None, s.model_version if s else None,
                         s.error if s else None, s.scanned_at if s else None, s is not None)
                for d, s in session.execute(query)]


def decisions_by_finding(store: Store) -> dict[int, list[DecisionInfo]]:
    """Every flag's decisions, oldest first, keyed by the flag's row id (`QueueItem.id`): those
    carried from earlier versions of its file (store/versions.py), then its own."""
    own: dict[int, list[DecisionInfo]] = defaultdict(list)
    with store.read() as session:
        for row in session.scalars(select(Annotation).order_by(Annotation.id)):
            own[row.finding_id].append(decision_info(row))
        documents = session.scalars(select(Document).where(Document.source_path.is_not(None))).all()
        earlier, _ = file_versions(session, documents)
        later = [d for d, before in earlier.items() if before]
        findings = [f for chunk in chunks(later) for f in session.scalars(
            select(Finding).where(Finding.document_id.in_(chunk)))]
        carried = carried_from(session, findings, earlier)
    out = dict(own)
    for fid, chain in carried.items():
        out[fid] = [d for old in chain for d in own.get(old, [])] + own.get(fid, [])
    return {k: v for k, v in out.items() if v}
