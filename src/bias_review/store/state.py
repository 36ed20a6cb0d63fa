"""A flag's current state, derived from its append-only history (never stored)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional, Protocol

from bias_review.store.records import FlagState

OPEN, ACCEPTED, DISMISSED, CHANGED = "open", "accepted", "dismissed", "changed"
STATUSES = (OPEN, ACCEPTED, DISMISSED, CHANGED)


class Decided(Protocol):
    decision: str
    new_category: Optional[str]
    severity: Optional[str]


def derive_state(category: str, severity: str, history: Iterable[Decided]) -> FlagState:
    """Fold the decisions, oldest first, over the tool's category and severity.

    accepted -> accepted; dismissed -> dismissed; recategorised -> changed with the new
    category; severity -> changed with the new severity; comments and rewrites leave the
    status as it is. The last verdict sets the status; a new category or severity stays
    until another decision changes it."""
    status, n = OPEN, 0
    for d in history:
        n += 1
        if d.decision == "accepted":
            status = ACCEPTED
        elif d.decision == "dismissed":
            status = DISMISSED
        elif d.decision == "recategorised":
            status, category = CHANGED, d.new_category or category
        elif d.decision == "severity":
            status, severity = CHANGED, d.severity or severity
    return FlagState(status, category, severity, n)
