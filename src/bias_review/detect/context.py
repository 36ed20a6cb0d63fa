"""Context rules: lower or quiet candidates in race-conscious sentences.

Unlike Presidio's context step, which can only raise a score, these rules exist to *lower*
one: a sentence that critiques race correction, names racism as the cause, names ancestry or
a variant, teaches history, or denies the claim is not a finding, or only `info`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from bias_review.findings import Candidate, Explanation, Severity
from bias_review.lexicon.schema import ContextRule, Lexicon
from bias_review.lexicon.terms import compile_terms, expand_terms

_OPEN_QUOTES = "\"'“‘«"
_CLOSE_QUOTES = "\"'”’»"


def _quoted(cand: Candidate) -> str | None:
    """The span in quotation marks: 'noncompliant', “Caucasian,” ("Oriental")."""
    before = cand.passage[: cand.start].rstrip()[-1:]
    after = cand.passage[cand.end :].lstrip(",.;:!? ")[:1]
    raw_after = cand.passage[cand.end : cand.end + 1]
    if before and before in _OPEN_QUOTES and (after in _CLOSE_QUOTES or raw_after in _CLOSE_QUOTES):
        return before + cand.text + (after or raw_after)
    return None


_LOWER = {Severity.HIGH: Severity.MEDIUM, Severity.MEDIUM: Severity.LOW, Severity.LOW: Severity.LOW}


@dataclass(frozen=True)
class _CompiledRule:
    rule: ContextRule
    regex: re.Pattern[str]


class ContextRules:
    """Applies the lexicon's context rules to the candidates of one block."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.rules = [
            _CompiledRule(rule, compile_terms(expand_terms(rule.when, lexicon.term_sets)))
            for rule in lexicon.context_rules
        ]

    def apply(self, candidates: list[Candidate], doc: Doc) -> list[Candidate]:
        if not candidates or not self.rules:
            return candidates
        sents = [(s.start_char, s.text) for s in doc.sents]
        index = {start: i for i, (start, _) in enumerate(sents)}
        for cand in candidates:
            i = index.get(cand.sent_start)
            for compiled in self.rules:
                rule = compiled.rule
                if cand.category not in rule.categories or cand.severity is Severity.INFO:
                    continue
                hit = self._hit(compiled.regex, cand, rule, sents, i)
                if hit is None:
                    continue
                self._effect(cand, rule, hit)
        return candidates

    @staticmethod
    def _hit(regex: re.Pattern[str], cand: Candidate, rule: ContextRule, sents, i) -> str | None:
        if rule.quoted:
            return _quoted(cand)
        if rule.scope == "sentence":
            for m in regex.finditer(cand.passage):
                if m.end() <= cand.start or m.start() >= cand.end:  # outside the flagged span
                    return m.group(0)
            return None
        if i is None:
            return None
        for j in (i - 1, i + 1):
            if 0 <= j < len(sents):
                m = regex.search(sents[j][1])
                if m is not None:
                    return m.group(0)
        return None

    @staticmethod
    def _effect(cand: Candidate, rule: ContextRule, hit: str) -> None:
        source = f"context:{rule.id}"
        if rule.effect == "info":
            change = -cand.score * 0.7
            cand.severity = Severity.INFO
            cand.score += change
            cand.trace.append(Explanation(source, f"{rule.reason} ({hit!r}); kept as info", change))
        else:
            new = _LOWER[cand.severity]
            change = -cand.score * 0.2
            cand.trace.append(Explanation(
                source, f"{rule.reason} ({hit!r}); severity {cand.severity.value} -> {new.value}", change))
            cand.severity = new
            cand.score += change
