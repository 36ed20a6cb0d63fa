"""Scan results into the store: findings upserted by their stable id, decisions kept."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bias_review.store.catalog import document_row, save_file
from bias_review.store.db import Store, StoreError, get_row
from bias_review.store.models import Document, Finding, Scan
from bias_review.store.records import Ref, ScanInfo, ref_id

# JSON-contract fields of a finding and the column each is kept in (`id` -> stable_id).
_FIELDS = ("category", "severity", "text", "passage", "start", "end", "spans", "location", "detectors",
           "score", "explanation", "suggestion", "references")
_REQUIRED = ("id", "category", "severity", "passage")


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
    return store.write(lambda session: _record(session, document_id, result, findings,
                                               (lexicon_version, model_version, tool_version)))


def _contract_findings(result: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The column values of a result's findings by stable id (checked before any transaction)."""
    findings: dict[str, dict[str, Any]] = {}
    for n, f in enumerate(result.get("findings") or [], 1):
        findings.setdefault(str(f.get("id") or ""), _columns(f, n))
    return findings


def _record(session: Session, document_id: int, result: Mapping[str, Any], findings: dict[str, dict[str, Any]],
            versions: tuple[str, Optional[str], str]) -> ScanInfo:
    """`record_scan`'s work inside an open transaction."""
    error = result.get("error")
    doc = get_row(session, Document, document_id)
    if result.get("sha256") and result["sha256"] != doc.sha256:
        raise StoreError(f"the scan is of other content than document {document_id} "
                         f"(sha256 {result['sha256'][:12]}… vs {doc.sha256[:12]}…)")
    if result.get("format") and not error:
        doc.format = result["format"]
    lexicon_version, model_version, tool_version = versions
    scan = Scan(document_id=document_id, lexicon_version=lexicon_version, model_version=model_version,
                tool_version=tool_version, error=error)
    session.add(scan)
    session.flush()
    if error:
        return scan_info(scan)
    previous = session.scalar(select(Scan.id).where(
        Scan.document_id == document_id, Scan.error.is_(None), Scan.id < scan.id).order_by(Scan.id.desc()))
    existing = {f.stable_id: f for f in session.scalars(
        select(Finding).where(Finding.document_id == document_id, Finding.source == "tool"))}
    new, kept = [], []
    for stable_id, values in findings.items():
        row = existing.get(stable_id)
        if row is None:
            new.append({**values, "document_id": document_id, "stable_id": stable_id, "source": "tool",
                        "first_seen_scan_id": scan.id, "last_seen_scan_id": scan.id})
            continue
        kept.append(stable_id)
        for key, value in values.items():
            setattr(row, key, value)
        row.last_seen_scan_id = scan.id
    if new:  # one statement for every new finding (a first scan's are all new)
        session.execute(insert(Finding), new)
    vanished = [s for s, row in existing.items() if s not in findings and row.last_seen_scan_id == previous]
    return scan_info(scan, [n["stable_id"] for n in new], kept, vanished)


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


def record_file_scan(store: Store, path: str | Path, result: Mapping[str, Any], tool: Mapping[str, Any], *,
                     name: Optional[str] = None, course: Optional[Ref] = None,
                     uploader: Optional[str] = None, source_path: Optional[str] = None) -> ScanInfo:
    """Keep a scanned file in the store (see `add_document`) and record its scan: one call per
    file of a command-line or batch scan. `result` is the document's JSON-contract dict (with
    `info` findings), `tool` the contract's `tool` object, `source_path` where the scan found
    the file. The document and its scan are recorded in one transaction: a scan interrupted at
    any moment leaves both or neither (the copy under uploads/ may stay, and is reused)."""
    findings = _contract_findings(result)
    upload = save_file(store, Path(path), name)
    course_id = ref_id(course) if course is not None else None
    versions = (tool.get("lexicon_version") or "", tool.get("model_version"), tool.get("version") or "")

    def work(session: Session) -> ScanInfo:
        doc = document_row(session, upload, course_id, uploader, source_path)
        return _record(session, doc.id, result, findings, versions)

    return store.write(work)
