"""Helpers shared by the DOCX exports: they read JSON-contract finding dicts (DESIGN.md),
never the engine, and make every piece of user text safe to put in XML."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from bias_review.findings import Location, Severity

# Characters XML 1.0 forbids (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LOCATION_KEYS = tuple(f.name for f in fields(Location))


def xml_safe(text: object) -> str:
    """`text` as a string with the characters XML cannot hold removed."""
    return _NOT_XML.sub("", "" if text is None else str(text))


def shown(findings: list[dict], min_severity: str | Severity) -> list[dict]:
    """The findings at or above `min_severity`, in their given order."""
    floor = Severity.parse(min_severity) if isinstance(min_severity, str) else min_severity
    return [f for f in findings if Severity.parse(f.get("severity", "info")).at_least(floor)]


def location_label(location: dict[str, Any] | None) -> str:
    """The `Location.describe()` label of a contract `location` (unknown keys appended)."""
    location = location or {}
    known = {k: v for k, v in location.items() if k in _LOCATION_KEYS}
    extra = [f"{k} {v}" for k, v in location.items() if k not in _LOCATION_KEYS]
    bits = [Location(**known).describe()] if known or not extra else []
    return ", ".join(bits + extra)


def flag_spans(finding: dict) -> list[tuple[int, int]]:
    """The flagged (start, end) offsets in the passage: `spans` if given, else start/end.
    Sorted; spans outside the passage or overlapping an earlier one are dropped."""
    passage = finding.get("passage") or ""
    raw = finding.get("spans") or [{"start": finding.get("start"), "end": finding.get("end")}]
    out: list[tuple[int, int]] = []
    for span in sorted(raw, key=lambda s: (_int(s.get("start")), _int(s.get("end")))):
        a, b = _int(span.get("start")), _int(span.get("end"))
        if 0 <= a < b <= len(passage) and (not out or a >= out[-1][1]):
            out.append((a, b))
    return out


def details(finding: dict) -> list[tuple[str, str]]:
    """(label, text) lines that explain a finding: why, what instead, each reference (a
    line of its own: citations hold semicolons), id."""
    lines = [("Why", finding.get("explanation") or ""), ("Instead", finding.get("suggestion") or "")]
    lines += [("Reference", ref) for ref in finding.get("references") or []]
    lines.append(("Finding id", finding.get("id") or ""))
    return [(label, xml_safe(text)) for label, text in lines if text]


def headline(finding: dict) -> str:
    """'race-correction, high' for a finding."""
    return xml_safe(f"{finding.get('category', '?')}, {finding.get('severity', '?')}")


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1
