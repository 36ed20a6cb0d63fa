"""The archive report's numbers: ONE function computes them, and the HTML, JSON and CSV forms
all show what it returns (a test holds the HTML's numbers equal to the JSON's).

A *flag* is a present finding that is not `info`; flags reviewers dismissed are left out of
every count but `decisions`, which counts all flags by their current status.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

from bias_review.batch.archive import Archive
from bias_review.findings import Category, Severity

TOP_ENTRIES = 10
NO_COURSE, NO_YEAR = "(no course)", "(no year)"
STATUSES = ("open", "accepted", "dismissed", "changed")


def counted(finding: dict[str, Any]) -> bool:
    """Whether a flag counts (reviewers have not dismissed it)."""
    return finding.get("status") != "dismissed"


def course_label(document: dict[str, Any]) -> str:
    return document.get("course") or NO_COURSE


def year_label(document: dict[str, Any]) -> str:
    return str(document["year"]) if document.get("year") is not None else NO_YEAR


def archive_numbers(archive: Archive) -> dict[str, Any]:
    """Every number the archive report shows."""
    docs = archive.documents
    live = [(d, f) for d in docs for f in d["findings"] if counted(f)]
    with_high = {d["document_id"] for d, f in live if f["severity"] == "high"}
    return {
        "documents": len(docs),
        "failed": sum(1 for d in docs if d["error"]),
        "flags": len(live),
        "flagged_documents": len({d["document_id"] for d, _ in live}),
        "documents_with_high": len(with_high),
        "share_with_high": round(len(with_high) / len(docs), 4) if docs else 0.0,
        "by_category": _ordered(Counter(f["category"] for _, f in live), [c.value for c in Category]),
        "by_severity": _ordered(Counter(f["severity"] for _, f in live), [s.value for s in reversed(Severity)]),
        "by_course": dict(sorted(Counter(course_label(d) for d, _ in live).items())),
        "by_year": dict(sorted(Counter(year_label(d) for d, _ in live).items())),
        "decisions": {s: sum(1 for d in docs for f in d["findings"] if f.get("status") == s) for s in STATUSES},
        "top_lexicon_entries": [
            {"entry": s.entry, "fired": s.fired, "accepted": s.accepted, "dismissed": s.dismissed,
             "changed": s.changed} for s in archive.lexicon[:TOP_ENTRIES]],
    }


def _ordered(counts: Counter, order: list[str]) -> dict[str, int]:
    """`counts` as a dict in the given order of its keys (unknown keys last, sorted)."""
    rank = {k: n for n, k in enumerate(order)}
    return {k: counts[k] for k in sorted(counts, key=lambda k: (rank.get(k, len(rank)), k))}


def flatten(numbers: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, value) for every leaf of the numbers: `(("by_course", "Renal"), 4)`. The HTML
    marks each number it shows with its path, so the two forms can be compared."""
    if isinstance(numbers, dict):
        for key, value in numbers.items():
            yield from flatten(value, (*path, key))
    elif isinstance(numbers, list):
        for n, value in enumerate(numbers):
            yield from flatten(value, (*path, n))
    else:
        yield path, numbers
