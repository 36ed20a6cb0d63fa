"""Inter-reviewer agreement: Cohen's kappa per category for each pair of reviewers."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import combinations
from typing import Optional

from sqlalchemy import select

from bias_review.store.db import Store
from bias_review.store.models import VERDICTS, Annotation, Finding
from bias_review.store.records import Agreement

NONE = "none"


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> Optional[float]:
    """Cohen's kappa of two raters' labels on the same items; None when chance agreement is 1
    (both used a single, identical label) and kappa is undefined."""
    if len(a) != len(b) or not a:
        raise ValueError("kappa needs two equally long, non-empty label lists")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[label] * cb[label] for label in ca) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def verdict_label(decision: str, category: Optional[str], new_category: Optional[str]) -> str:
    """What a verdict says the passage is: its category, `none`, or the new category."""
    if decision == "dismissed":
        return NONE
    if decision == "recategorised":
        return new_category or NONE
    return category or NONE


def agreement(store: Store) -> list[Agreement]:
    """Kappa per (tool) category for every pair of reviewers who both gave a verdict
    (accepted, dismissed, recategorised) on the same flags; each reviewer's latest verdict on
    a flag counts. Labels are the category each reviewer says the passage has, or `none`."""
    latest: dict[tuple[int, str], str] = {}
    category_of: dict[int, str] = {}
    with store.read() as session:
        rows = session.execute(
            select(Annotation.finding_id, Annotation.reviewer, Annotation.decision, Annotation.category,
                   Annotation.new_category, Finding.category)
            .join(Finding, Annotation.finding_id == Finding.id)
            .where(Annotation.decision.in_(VERDICTS)).order_by(Annotation.id))
        for finding_id, reviewer, decision, category, new_category, tool_category in rows:
            latest[(finding_id, reviewer)] = verdict_label(decision, category, new_category)
            category_of[finding_id] = tool_category
    by_flag: dict[int, dict[str, str]] = defaultdict(dict)
    for (finding_id, reviewer), label in latest.items():
        by_flag[finding_id][reviewer] = label
    pairs: dict[tuple[str, str, str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for finding_id, labels in by_flag.items():
        for ra, rb in combinations(sorted(labels), 2):
            la, lb = pairs[(category_of[finding_id], ra, rb)]
            la.append(labels[ra])
            lb.append(labels[rb])
    out = []
    for (category, ra, rb), (la, lb) in sorted(pairs.items()):
        observed = sum(x == y for x, y in zip(la, lb)) / len(la)
        out.append(Agreement(category, ra, rb, len(la), observed, cohen_kappa(la, lb)))
    return out
