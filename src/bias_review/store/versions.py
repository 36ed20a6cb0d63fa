"""Versions of a scanned file. A file scanned again after it changed becomes a new document
with the same source path (in the same course); the older documents are its earlier versions,
and they are superseded. A flag of the new version that is the same passage in the same place
(the same stable id) carries the decisions reviewers made on it in earlier versions: its
history is theirs, oldest first, then its own. Nothing is copied or rewritten; it is derived
when read, so no decision is ever lost or attributed to anyone but its reviewer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from bias_review.store.models import Annotation, Document, Finding

_CHUNK = 500


def chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    """`values` in lists of at most `size` (an IN list stays within every database's limits)."""
    for i in range(0, len(values), size):
        yield values[i:i + size]


def file_versions(session: Session, documents: Iterable[Document]) -> tuple[dict[int, list[int]], set[int]]:
    """For each of `documents` scanned from a source path: the ids of its earlier versions
    (oldest first); and the ids of those of `documents` that a newer version supersedes."""
    keyed = {d.id: (d.source_path, d.course_id) for d in documents if d.source_path is not None}
    if not keyed:
        return {}, set()
    groups: dict[tuple, list[int]] = defaultdict(list)
    paths = sorted({path for path, _ in keyed.values()})
    for chunk in chunks(paths):
        for doc_id, path, course_id in session.execute(
                select(Document.id, Document.source_path, Document.course_id)
                .where(Document.source_path.in_(chunk)).order_by(Document.id)):
            groups[(path, course_id)].append(doc_id)
    earlier, superseded = {}, set()
    for doc_id, key in keyed.items():
        ids = groups.get(key, [doc_id])
        earlier[doc_id] = [i for i in ids if i < doc_id]
        if ids[-1] != doc_id:
            superseded.add(doc_id)
    return earlier, superseded


def carried_from(session: Session, findings: Iterable[Finding], earlier: dict[int, list[int]]) -> dict[int, list[int]]:
    """For each tool finding whose document has earlier versions: the ids of the findings with
    its stable id in those versions, oldest first."""
    wanted = [(f.id, f.document_id, f.stable_id) for f in findings
              if f.source == "tool" and earlier.get(f.document_id)]
    if not wanted:
        return {}
    pairs = sorted({(old, stable_id) for _, doc_id, stable_id in wanted for old in earlier[doc_id]})
    found: dict[tuple[int, str], int] = {}
    for chunk in chunks(pairs):
        for fid, doc_id, stable_id in session.execute(
                select(Finding.id, Finding.document_id, Finding.stable_id)
                .where(tuple_(Finding.document_id, Finding.stable_id).in_(chunk), Finding.source == "tool")):
            found[(doc_id, stable_id)] = fid
    out = {}
    for fid, doc_id, stable_id in wanted:
        olds = [found[(old, stable_id)] for old in earlier[doc_id] if (old, stable_id) in found]
        if olds:
            out[fid] = olds
    return out


def annotations_of(session: Session, finding_ids: Iterable[int]) -> dict[int, list[Annotation]]:
    """The decisions on these findings, oldest first, by finding id."""
    out: dict[int, list[Annotation]] = defaultdict(list)
    for chunk in chunks(sorted(set(finding_ids))):
        for a in session.scalars(select(Annotation).where(Annotation.finding_id.in_(chunk)).order_by(Annotation.id)):
            out[a.finding_id].append(a)
    return out


def effective_history(session: Session, finding: Finding) -> list[Annotation]:
    """A flag's decisions, oldest first: those carried from earlier versions of its file, then
    its own."""
    document = session.get(Document, finding.document_id)
    earlier, _ = file_versions(session, [document]) if document is not None else ({}, set())
    chain = carried_from(session, [finding], earlier).get(finding.id, []) + [finding.id]
    by_finding = annotations_of(session, chain)
    return [a for fid in chain for a in by_finding.get(fid, [])]
