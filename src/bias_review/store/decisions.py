"""Reviewers' decisions: appended, never changed; and flags for passages the tool missed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bias_review.findings import Category, Severity
from bias_review.store.db import Store, StoreError, get_row
from bias_review.store.models import DECISIONS, REASONS, Annotation, Document, Finding, utcnow
from bias_review.store.records import DecisionInfo, FlagState, Ref, ref_id
from bias_review.store.state import derive_state
from bias_review.store.versions import effective_history

CATEGORIES = tuple(c.value for c in Category)
SEVERITIES = tuple(s.value for s in Severity)


def decision_info(row: Annotation) -> DecisionInfo:
    return DecisionInfo(row.id, row.finding_id, row.reviewer, row.created_at, row.decision, row.category,
                        row.new_category, row.severity, row.reason, row.reason_text, row.rewrite, row.comment)


def _check(value: Optional[str], allowed: tuple[str, ...], what: str) -> None:
    if value is not None and value not in allowed:
        raise StoreError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")


def _state(session: Session, row: Finding) -> FlagState:
    return derive_state(row.category, row.severity, effective_history(session, row))


def decide(store: Store, finding: Ref, reviewer: str, decision: str, *,
           new_category: Optional[str] = None, severity: Optional[str] = None,
           reason: Optional[str] = None, reason_text: Optional[str] = None,
           rewrite: Optional[str] = None, comment: Optional[str] = None,
           at: Optional[datetime] = None) -> DecisionInfo:
    """Append one decision to a flag's history and return it.

    `decision` is accepted, dismissed, recategorised (needs `new_category`), severity (needs
    `severity`), comment (needs `comment`) or rewrite (needs `rewrite`). `reason` is one of
    race-conscious, quoted-or-historical, clinically-justified, wrong-span, other. The row keeps
    the flag's category (and, except for a severity decision, its severity) at that moment."""
    if not reviewer.strip():
        raise StoreError("a decision needs a reviewer")
    _check(decision, DECISIONS, "decision")
    _check(new_category, CATEGORIES, "new_category")
    _check(severity, SEVERITIES, "severity")
    _check(reason, REASONS, "reason")
    needs = {"recategorised": new_category, "severity": severity, "comment": comment, "rewrite": rewrite}
    if decision in needs and not needs[decision]:
        field = {"recategorised": "new_category"}.get(decision, decision)
        raise StoreError(f"a {decision} decision needs {field}")
    finding_id = ref_id(finding)

    def work(session: Session) -> DecisionInfo:
        state = _state(session, get_row(session, Finding, finding_id))
        row = Annotation(
            finding_id=finding_id, reviewer=reviewer, created_at=at or utcnow(), decision=decision,
            category=state.category, new_category=new_category if decision == "recategorised" else None,
            severity=severity if decision == "severity" else state.severity,
            reason=reason, reason_text=reason_text, rewrite=rewrite, comment=comment,
        )
        session.add(row)
        session.flush()
        return decision_info(row)

    return store.write(work)


def history(store: Store, finding: Ref) -> list[DecisionInfo]:
    """Every decision on a flag, oldest first: those made on the same passage in earlier
    versions of its file (their `finding` is that version's flag), then its own."""
    with store.read() as session:
        return [decision_info(a) for a in effective_history(session, get_row(session, Finding, ref_id(finding)))]


def flag_state(store: Store, finding: Ref) -> FlagState:
    """The flag's current status, category and severity, derived from its history."""
    with store.read() as session:
        return _state(session, get_row(session, Finding, ref_id(finding)))


def add_missed_flag(store: Store, document: Ref, passage: str, span: Optional[tuple[int, int]],
                    category: str, reviewer: str, location: Optional[dict[str, Any]] = None, *,
                    severity: str = "medium", comment: Optional[str] = None) -> int:
    """Flag a passage the tool missed; `span` is (start, end) in `passage` (None: all of it).

    The flag is stored like a tool finding (source `reviewer`) with an `accepted` decision by
    its reviewer, so it is counted, exported and learnt from. Returns the flag's id; flagging
    the same span with the same category again returns the same flag."""
    _check(category, CATEGORIES, "category")
    _check(severity, SEVERITIES, "severity")
    if not passage.strip() or not reviewer.strip():
        raise StoreError("a missed flag needs a passage and a reviewer")
    start, end = span if span is not None else (0, len(passage))
    if not 0 <= start < end <= len(passage):
        raise StoreError(f"span {start}-{end} is not inside the passage (length {len(passage)})")
    document_id = ref_id(document)
    loc = dict(location or {})
    key = json.dumps([document_id, loc, passage, start, end, category], sort_keys=True, ensure_ascii=False)
    stable_id = "reviewer-" + hashlib.sha256(key.encode()).hexdigest()[:20]

    def work(session: Session) -> int:
        get_row(session, Document, document_id)
        row = session.scalars(select(Finding).where(
            Finding.document_id == document_id, Finding.stable_id == stable_id)).first()
        if row is not None:
            return row.id
        text = passage[start:end]
        row = Finding(document_id=document_id, stable_id=stable_id, source="reviewer", flagged_by=reviewer,
                      category=category, severity=severity, text=text, passage=passage, start=start, end=end,
                      spans=[{"start": start, "end": end, "text": text}], location=loc, detectors=[],
                      score=None, explanation=comment, suggestion=None, references=[])
        session.add(row)
        session.flush()
        session.add(Annotation(finding_id=row.id, reviewer=reviewer, decision="accepted", category=category,
                               severity=severity, comment=comment))
        return row.id

    return store.write(work)
