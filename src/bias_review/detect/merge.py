"""Merge overlapping candidates on the same sentence into one finding per span."""

from __future__ import annotations

from bias_review.findings import Candidate, Explanation, Severity


def _noisy_or(scores: list[float]) -> float:
    p = 1.0
    for s in scores:
        p *= 1.0 - max(0.0, min(1.0, s))
    return 1.0 - p


def rank(c: Candidate) -> tuple[int, float, int]:
    return (c.severity.rank, c.score, c.end - c.start)


def merge_candidates(candidates: list[Candidate]) -> list[tuple[Candidate, list[Candidate]]]:
    """Group candidates whose spans overlap in the same sentence. Returns (primary, group)
    pairs; the primary (highest severity, then score) gives category and text.

    The result does not depend on the order the candidates come in: ties are broken by the
    candidates' rule and detector names, so ids and detector lists are the same on every run."""
    by_sentence: dict[int, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: (c.sent_start, c.start, -c.end, c.rule_id, c.detector)):
        by_sentence.setdefault(c.sent_start, []).append(c)
    groups: list[list[Candidate]] = []
    for cands in by_sentence.values():
        cands.sort(key=lambda c: (c.start, -c.end))
        current: list[Candidate] = []
        current_end = -1
        for c in cands:
            if current and c.start < current_end:
                current.append(c)
                current_end = max(current_end, c.end)
            else:
                if current:
                    groups.append(current)
                current, current_end = [c], c.end
        if current:
            groups.append(current)
    out = []
    for group in groups:
        primary = max(group, key=rank)
        out.append((primary, group))
    return out


def combined(primary: Candidate, group: list[Candidate]) -> tuple[float, Severity, list[str], list[Explanation]]:
    """Score, severity, detector names and trace of a merged group.

    Only members that agree with the primary's verdict (flag vs info) raise its score. The
    trace names each reason once: spans of one entry in one passage give the same reasons."""
    detectors = list(dict.fromkeys(d for c in group for d in [c.detector, *c.also]))
    agreeing = [c.score for c in group if (c.severity is Severity.INFO) == (primary.severity is Severity.INFO)]
    score = _noisy_or(agreeing)
    trace = list(dict.fromkeys(e for c in sorted(group, key=rank, reverse=True) for e in c.trace))
    return score, primary.severity, detectors, trace
