"""Scan results into the store: findings upserted by their stable id, decisions kept."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bias_review.store.catalog import StoredDocument, Upload, documents_rows, save_file
from bias_review.store.db import Store, StoreError, get_row
from bias_review.store.models import Document, Finding, Scan, utcnow
from bias_review.store.records import Ref, ScanInfo, ref_id

# JSON-contract fields of a finding and the column each is kept in (`id` -> stable_id).
_FIELDS = ("category", "severity", "text", "passage", "start", "end", "spans", "location", "detectors",
           "score", "explanation", "suggestion", "references")
_REQUIRED = ("id", "category", "severity", "passage")
_INSERT_SCANS = insert(Scan.__table__).returning(Scan.id, sort_by_parameter_order=True)


def _scan_row(document_id: int, versions: tuple[str, Optional[str], str], error: Optional[str],
              scanned_at) -> dict[str, Any]:
    """The parameters of one `_INSERT_SCANS` row."""
    lexicon_version, model_version, tool_version = versions
    return {"document_id": document_id, "lexicon_version": lexicon_version, "model_version": model_version,
            "tool_version": tool_version, "error": error, "scanned_at": scanned_at}


def _columns(finding: Mapping[str, Any], n: int) -> dict[str, Any]:
    """The column values of one contract finding; fields the schema does not name go to `extra`."""
    missing = [k for k in _REQUIRED if finding.get(k) in (None, "")]
    if missing:
        raise StoreError(f"finding #{n}: missing {', '.join(missing)}")
    values = {k: finding.get(k) for k in _FIELDS}
    values["text"] = values["text"] or ""
    values["start"] = values["start"] or 0
    values["end"] = values["end"] if values["end"] is not None else len(values["text"])
    values["location"] = values["location"] or {}
    values["detectors"] = list(values["detectors"] or [])
    values["references"] = list(values["references"] or [])
    values["extra"] = {k: v for k, v in finding.items() if k not in _FIELDS and k != "id"} or None
    return values


def scan_info(row: Scan, new: Iterable[str] = (), kept: Iterable[str] = (), vanished: Iterable[str] = ()) -> ScanInfo:
    return ScanInfo(row.id, row.document_id, row.lexicon_version, row.model_version, row.tool_version,
                    row.scanned_at, row.error, tuple(new), tuple(kept), tuple(vanished))


def record_scan(store: Store, document: Ref, result: Mapping[str, Any], lexicon_version: str,
                model_version: Optional[str], tool_version: str) -> ScanInfo:
    """Record one document's scan (`DocumentResult.as_dict()`; pass `min_severity=INFO` so
    info findings are not taken for vanished) and upsert its findings by stable id.

    A finding seen before keeps its row, and so every decision on it, with the tool's newest
    fields; a finding not seen before is new; a tool finding of the document missing from
    this scan has vanished (it stays, with the last scan that saw it). A scan with an `error`
    is recorded but changes no finding."""
    document_id = ref_id(document)
    findings = _contract_findings(result)
    def work(session: Session) -> ScanInfo:
        doc = get_row(session, Document, document_id)
        if result.get("sha256") and result["sha256"] != doc.sha256:
            raise StoreError(f"the scan is of other content than document {document_id} "
                             f"(sha256 {result['sha256'][:12]}… vs {doc.sha256[:12]}…)")
        scanned_at, versions = utcnow(), (lexicon_version, model_version, tool_version)
        scan_id = session.execute(_INSERT_SCANS, _scan_row(document_id, versions, result.get("error"),
                                                           scanned_at)).scalar_one()
        scan = ScanInfo(scan_id, document_id, *versions, scanned_at, result.get("error"))
        return scan if scan.error else _upsert(session, StoredDocument(doc.id, doc.sha256, doc.format), scan,
                                               result, findings)

    return store.write(work)


def _contract_findings(result: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The column values of a result's findings by stable id (checked before any transaction).
    Two findings with one id are refused: keeping one would lose the other without a word."""
    findings: dict[str, dict[str, Any]] = {}
    for n, f in enumerate(result.get("findings") or [], 1):
        stable_id = str(f.get("id") or "")
        if stable_id in findings:
            raise StoreError(f"finding #{n}: its id {stable_id!r} is another finding's")
        findings[stable_id] = _columns(f, n)
    return findings


def _new_rows(findings: dict[str, dict[str, Any]], document_id: int, scan_id: int) -> list[dict[str, Any]]:
    return [{**values, "document_id": document_id, "stable_id": stable_id, "source": "tool",
             "first_seen_scan_id": scan_id, "last_seen_scan_id": scan_id} for stable_id, values in findings.items()]


def _upsert(session: Session, doc: StoredDocument, scan: ScanInfo, result: Mapping[str, Any],
            findings: dict[str, dict[str, Any]]) -> ScanInfo:
    """Inside an open transaction, after the (error-free) scan row is written: the document's
    format, and its findings upserted by stable id (new, kept, vanished)."""
    if result.get("format") and result["format"] != doc.format:
        session.execute(update(Document).where(Document.id == doc.id).values(format=result["format"]))
    previous = session.scalar(select(Scan.id).where(
        Scan.document_id == doc.id, Scan.error.is_(None), Scan.id < scan.id).order_by(Scan.id.desc()))
    existing = {f.stable_id: f for f in session.scalars(
        select(Finding).where(Finding.document_id == doc.id, Finding.source == "tool"))}
    new = _new_rows({k: v for k, v in findings.items() if k not in existing}, doc.id, scan.id)
    kept = []
    for stable_id, values in findings.items():
        row = existing.get(stable_id)
        if row is not None:
            kept.append(stable_id)
            for key, value in values.items():
                setattr(row, key, value)
            row.last_seen_scan_id = scan.id
    if new:
        session.execute(insert(Finding.__table__), new)
    vanished = [s for s, row in existing.items() if s not in findings and row.last_seen_scan_id == previous]
    return replace(scan, new=tuple(n["stable_id"] for n in new), kept=tuple(kept), vanished=tuple(vanished))


def record_scan_result(store: Store, scan: Mapping[str, Any], documents: Mapping[str, Ref]) -> list[ScanInfo]:
    """Record a whole `ScanResult.as_dict()`: each document result goes to the stored document
    that `documents` maps its `path` to; the versions come from the result's `tool`."""
    tool = scan.get("tool") or {}
    out = []
    for result in scan.get("documents") or []:
        path = result.get("path")
        if path not in documents:
            raise StoreError(f"no stored document given for the scanned path {path!r}")
        out.append(record_scan(store, documents[path], result, tool.get("lexicon_version") or "",
                               tool.get("model_version"), tool.get("version") or ""))
    return out


@dataclass(frozen=True)
class FileScan:
    """One scanned file to keep in the store with its scan (see `record_file_scans`)."""

    path: str | Path
    result: Mapping[str, Any]
    name: Optional[str] = None
    course: Optional[Ref] = None
    uploader: Optional[str] = None
    source_path: Optional[str] = None


def record_file_scan(store: Store, path: str | Path, result: Mapping[str, Any], tool: Mapping[str, Any], *,
                     name: Optional[str] = None, course: Optional[Ref] = None,
                     uploader: Optional[str] = None, source_path: Optional[str] = None) -> ScanInfo:
    """Keep a scanned file in the store (see `add_document`) and record its scan: `result` is
    the document's JSON-contract dict (with `info` findings), `tool` the contract's `tool`
    object, `source_path` where the scan found the file. The document and its scan are recorded
    in one transaction: a scan interrupted at any moment leaves both or neither (the copy under
    uploads/ may stay, and is reused). Raises StoreError or OSError."""
    (outcome,) = record_file_scans(store, [FileScan(path, result, name, course, uploader, source_path)], tool)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def record_file_scans(store: Store, files: Sequence[FileScan], tool: Mapping[str, Any]) -> list[ScanInfo | Exception]:
    """`record_file_scan` for several files in one transaction, with one statement for all
    their new documents, one for their scans and one for their findings (what a batch's
    writer needs: a file costs a few rows, not a few round trips). A file that cannot be
    kept (it vanished, it changed after it was scanned, a finding lacks a field) gets its
    StoreError or OSError in its place and the others are recorded."""
    versions = (tool.get("lexicon_version") or "", tool.get("model_version"), tool.get("version") or "")
    outcomes: list[ScanInfo | Exception | None] = [None] * len(files)
    ready: list[tuple[int, FileScan, Upload, dict[str, dict[str, Any]]]] = []
    for n, f in enumerate(files):
        try:
            findings = _contract_findings(f.result)
            upload = save_file(store, Path(f.path), f.name)
            if f.result.get("sha256") and f.result["sha256"] != upload.sha256:
                raise StoreError(f"{f.name or f.path} changed after it was scanned "
                                 f"(sha256 {f.result['sha256'][:12]}… then, {upload.sha256[:12]}… now)")
            if f.result.get("format") and not f.result.get("error"):  # what the parser found, not the name
                upload = replace(upload, format=f.result["format"])
        except (StoreError, OSError) as exc:
            outcomes[n] = exc
            continue
        ready.append((n, f, upload, findings))

    def work(session: Session) -> list[ScanInfo]:
        keys = [(upload, ref_id(f.course) if f.course is not None else None, f.uploader, f.source_path)
                for _, f, upload, _ in ready]
        docs = documents_rows(session, keys)
        scanned_at = utcnow()
        scan_ids = session.execute(_INSERT_SCANS, [_scan_row(doc.id, versions, f.result.get("error"), scanned_at)
                                                   for (_, f, _, _), (doc, _) in zip(ready, docs)]).scalars().all()
        infos, new_rows = [], []
        for (_, f, _, findings), (doc, created), scan_id in zip(ready, docs, scan_ids):
            scan = ScanInfo(scan_id, doc.id, *versions, scanned_at, f.result.get("error"))
            if created and not scan.error:  # a new document: every finding is new, one statement for all
                rows = _new_rows(findings, doc.id, scan_id)
                new_rows += rows
                scan = replace(scan, new=tuple(r["stable_id"] for r in rows))
            elif not scan.error:
                if new_rows:  # the same document earlier in this batch: its findings go in first
                    session.execute(insert(Finding.__table__), new_rows)
                    new_rows = []
                scan = _upsert(session, doc, scan, f.result, findings)
            infos.append(scan)
        if new_rows:
            session.execute(insert(Finding.__table__), new_rows)
        return infos

    for (n, *_), info in zip(ready, store.write(work) if ready else []):
        outcomes[n] = info
    return outcomes  # type: ignore[return-value]
