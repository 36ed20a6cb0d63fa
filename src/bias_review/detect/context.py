"""Context rules: lower or quiet candidates in race-conscious sentences.

Unlike Presidio's context step, which can only raise a score, these rules exist to *lower*
one: a sentence that critiques race correction, names racism as the cause, names ancestry or
a variant, teaches history, or denies the claim is not a finding, or only `info`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bias_review.detect.base import Piece
from bias_review.detect.proper_names import proper_name
from bias_review.detect.sentence_kind import looks_like_citation
from bias_review.findings import Candidate, Category, Explanation, Severity
from bias_review.lexicon.schema import ContextRule, Lexicon
from bias_review.lexicon.terms import TermPattern, compile_terms, expand_terms

# a quoted chart or note ("Excerpt from the chart: "Pt insists ..."") is the record itself, taught
# as written, not someone's words about people
_CHART = re.compile(r"\b(?:pt|pts|patient|patients|chart|note|c/o|h/o|hx|y/o)\b", re.IGNORECASE)
_CURLY = re.compile("[“”]")
_OPEN_QUOTES = "\"'“‘«"
_CLOSE_QUOTES = "\"'”’»"


def _quoted(cand: Candidate) -> str | None:
    """The span in quotation marks: 'noncompliant', “Caucasian,” ("Oriental"); or inside a
    quotation of someone's words: “… more likely than non-Hispanic whites to be poor …” (curly
    quotes opened before the span and not yet closed, or closed after it and not opened; an
    odd number of straight quotes before or after it)."""
    before = cand.passage[: cand.start].rstrip()[-1:]
    after = cand.passage[cand.end :].lstrip(",.;:!? ")[:1]
    raw_after = cand.passage[cand.end : cand.end + 1]
    if before and before in _OPEN_QUOTES and (after in _CLOSE_QUOTES or raw_after in _CLOSE_QUOTES):
        return before + cand.text + (after or raw_after)
    head, tail = cand.passage[: cand.start], cand.passage[cand.end :]
    opened_before = head.count("“") > head.count("”")
    first_after = _CURLY.search(tail)
    first_after = first_after.group(0) if first_after else ""
    opened_earlier = "“" not in head and "”" not in head and first_after == "”"  # in a quote from a sentence before
    # straight quotes cannot say which way they face: an odd number on either side means one is open
    straight = head.count('"') % 2 == 1 or tail.count('"') % 2 == 1
    if (opened_before or opened_earlier or straight) and not _CHART.search(cand.passage):
        return f"{cand.text!r} inside a quotation"
    return None


def _covers_sentence(cand: Candidate) -> bool:
    text = cand.passage
    return cand.start <= len(text) - len(text.lstrip()) and cand.end >= len(text.rstrip())


# built in, not data: a finding inside a reference-list entry or cited title is a mention
CITED = ContextRule(id="cited", when=(), categories=tuple(Category), effect="info",
                    reason="the passage cites a published work (an old title is quoted, not used)")
# built in: a term inside a proper name (an instrument, a work, a body) is mentioned, not used
NAMED = ContextRule(id="named", when=(), categories=(Category.OUTDATED_TERM, Category.STIGMATIZING_LANGUAGE),
                    effect="info", reason="the term is part of a proper name (a test, a work, an organisation)")

_LOWER = {Severity.HIGH: Severity.MEDIUM, Severity.MEDIUM: Severity.LOW, Severity.LOW: Severity.LOW}


def _word_test(items: tuple[str, ...], sets: dict[str, tuple[str, ...]]):
    """Does a whole (lower-case) word belong to the term sets `items`? Memoised per word."""
    pattern = compile_terms(tuple(t for t in expand_terms(items, sets) if isinstance(t, str)))
    memo: dict[str, bool] = {}

    def test(word: str) -> bool:
        got = memo.get(word)
        if got is None:
            got = memo[word] = any(m.start() == 0 and m.end() == len(word) for m in pattern.finditer(word))
        return got

    return test


@dataclass(frozen=True)
class _CompiledRule:
    rule: ContextRule
    regex: TermPattern


class ContextRules:
    """Applies the lexicon's context rules to the candidates of one block."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.rules = [
            _CompiledRule(rule, compile_terms(expand_terms(rule.when, lexicon.term_sets)))
            for rule in lexicon.context_rules
        ]
        sets = lexicon.term_sets
        # every rule's terms in one pattern: a sentence where it finds nothing triggers no rule,
        # so most sentences are searched once instead of once per rule
        self._any = compile_terms(tuple(dict.fromkeys(t for c in self.rules for t in c.regex.terms)))
        self._name_head = _word_test(("@name_heads",), sets) if "name_heads" in sets else (lambda word: False)

    def apply(self, candidates: list[Candidate], piece: Piece, *, cited: bool = False, framing: str = "") -> list[Candidate]:
        """Lower or quiet each candidate whose sentence (or a neighbour) triggers a rule.
        Each rule's regex runs at most once per sentence, however many candidates it holds.
        `cited`: the block is a reference-list entry (its document structure says so).
        `framing`: text the block continues (a list's lead-in sentence), read by the sentence
        rules as part of every sentence of the block."""
        if not candidates or not self.rules:
            return candidates
        sents = piece.sentences
        index = {s.start: i for i, s in enumerate(sents)}
        memo: dict[tuple[int, int], list[re.Match[str]]] = {}
        some_rule: dict[int, bool] = {}  # sentence -> does any rule's term occur in it

        def matches(r: int, i: int) -> list[re.Match[str]]:
            got = memo.get((r, i))
            if got is None:
                text = sents[i].text if i >= 0 else framing
                any_here = some_rule.get(i)
                if any_here is None:
                    any_here = some_rule[i] = self._any.found(text)
                got = memo[(r, i)] = list(self.rules[r].regex.finditer(text)) if any_here else []
            return got

        citations: dict[int, bool] = {}  # sentence start -> does it look like a reference entry

        def is_cited(cand: Candidate) -> bool:
            got = citations.get(cand.sent_start)
            if got is None:
                got = citations[cand.sent_start] = cited or looks_like_citation(cand.passage)
            return got

        for cand in candidates:
            i = index.get(cand.sent_start)
            if cand.severity is not Severity.INFO and is_cited(cand):
                self._effect(cand, CITED, "a reference entry")
                continue
            if cand.severity is not Severity.INFO and cand.category in NAMED.categories:
                name = proper_name(cand.passage, cand.start, cand.end, name_head=self._name_head)
                if name is not None:
                    self._effect(cand, NAMED, name)
                    continue
            for r, compiled in enumerate(self.rules):
                rule = compiled.rule
                if cand.category not in rule.categories or cand.severity is Severity.INFO:
                    continue
                hit = self._hit(r, matches, cand, rule, i, len(sents), bool(framing))
                if hit is not None:
                    self._effect(cand, rule, hit)
        return candidates

    def _hit(self, r: int, matches, cand: Candidate, rule: ContextRule, i: int | None, n: int,
             framed: bool = False) -> str | None:
        if rule.quoted:
            return _quoted(cand)
        if rule.scope == "sentence":
            found = matches(r, i) if i is not None else self.rules[r].regex.finditer(cand.passage)
            whole = _covers_sentence(cand)
            for m in found:
                # outside the flagged span; a span that is the whole sentence (the classifier's
                # own findings) is judged by everything in it
                if whole or m.end() <= cand.start or m.start() >= cand.end:
                    return m.group(0)
            lead_in = matches(r, -1) if framed else []
            if lead_in:
                return f"{lead_in[0].group(0)} (in the list's lead-in)"
            return None
        if i is None:
            return None
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                found = matches(r, j)
                if found:
                    return found[0].group(0)
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
