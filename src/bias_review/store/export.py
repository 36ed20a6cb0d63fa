"""Decisions out of the store: JSON Lines or CSV, one decision a row (DESIGN.md's shape), and
the latest verdict per flag that `bias-review train --with-annotations` learns from."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import timezone
from typing import Any, Optional

from sqlalchemy import select

from bias_review.store.db import Store, StoreError
from bias_review.store.models import DECISIONS, VERDICTS, Annotation, Finding

FORMATS = ("jsonl", "csv")
NOT_VERDICTS = tuple(d for d in DECISIONS if d not in VERDICTS)
# DESIGN.md's fields first; `rewrite` and `reason_text` follow so no decision loses its text.
COLUMNS = ("finding_id", "passage", "category", "decision", "new_category", "severity", "reason",
           "comment", "reviewer", "time", "rewrite", "reason_text")


def decision_rows(store: Store) -> list[dict[str, Any]]:
    """Every decision, oldest first, as a dict of COLUMNS; `finding_id` is the flag's stable
    (JSON-contract) id and `time` is ISO 8601 in UTC."""
    with store.read() as session:
        rows = session.execute(select(Annotation, Finding.stable_id, Finding.passage)
                               .join(Finding, Annotation.finding_id == Finding.id).order_by(Annotation.id))
        return [{
            "finding_id": stable_id, "passage": passage, "category": a.category, "decision": a.decision,
            "new_category": a.new_category, "severity": a.severity, "reason": a.reason, "comment": a.comment,
            "reviewer": a.reviewer, "time": a.created_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "rewrite": a.rewrite, "reason_text": a.reason_text,
        } for a, stable_id, passage in rows]


def latest_verdicts(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The last verdict per `finding_id`, in the order of the rows (oldest first).

    Severity changes, comments and rewrites are not verdicts and are left out; a row without a
    `finding_id` stands alone; a row with an unknown decision is kept, for the reader to reject."""
    latest: dict[Any, dict[str, Any]] = {}
    for n, row in enumerate(rows):
        if row.get("decision") in NOT_VERDICTS:
            continue
        key = row.get("finding_id") or ("row", n)
        latest.pop(key, None)
        latest[key] = row
    return list(latest.values())


def verdict_rows(store: Store) -> list[dict[str, Any]]:
    """The latest verdict (accepted, dismissed, recategorised) on each flag."""
    return latest_verdicts(decision_rows(store))


def export_decisions(store: Store, format: str = "jsonl", *, verdicts_only: bool = False) -> str:
    """All decisions (or only the latest verdict per flag) as JSON Lines or CSV text."""
    rows = verdict_rows(store) if verdicts_only else decision_rows(store)
    return format_rows(rows, format)


def format_rows(rows: list[dict[str, Any]], format: str) -> str:
    if format == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    raise StoreError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")


def parse_decisions(text: str, format: str) -> list[dict[str, Any]]:
    """Read an export back (CSV empty cells become None)."""
    if format == "jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if format == "csv":
        return [{k: _none_if_empty(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]
    raise StoreError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")


def _none_if_empty(value: Optional[str]) -> Optional[str]:
    return value if value else None

