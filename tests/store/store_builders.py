"""JSON-contract dicts built by hand for store tests (the engine is never run here)."""

from __future__ import annotations

from typing import Any

from bias_review.store import Store, add_document, record_scan
from bias_review.store.files import sha256_bytes

LEXICON, MODEL, TOOL = "lex-1", "clf-1", "0.1.0"


def finding(fid: str, *, category: str = "race-correction", severity: str = "high",
            passage: str = "For Black patients, multiply the eGFR by 1.159.", text: str = "multiply the eGFR by 1.159",
            detectors: tuple[str, ...] = ("lexicon:egfr-race-coefficient",), location: dict | None = None,
            **extra: Any) -> dict[str, Any]:
    start = passage.find(text)
    return {"id": fid, "category": category, "severity": severity, "text": text, "passage": passage,
            "start": start, "end": start + len(text), "location": location or {"page": 1},
            "detectors": list(detectors), "score": 0.9, "explanation": "why", "suggestion": "instead",
            "references": ["NKF-ASN 2021"], **extra}


def result(content: bytes, findings: list[dict[str, Any]], *, error: str | None = None) -> dict[str, Any]:
    return {"path": "uploads/x/lecture.pdf", "sha256": sha256_bytes(content), "format": "pdf",
            "error": error, "findings": [] if error else findings}


def scanned_document(store: Store, findings: list[dict[str, Any]], *, content: bytes = b"%PDF lecture",
                     name: str = "lecture.pdf", course=None):
    """A document uploaded and scanned once with `findings`; returns (document, scan)."""
    doc = add_document(store, content, name, course=course, uploader="ana")
    scan = record_scan(store, doc, result(content, findings), LEXICON, MODEL, TOOL)
    return doc, scan
