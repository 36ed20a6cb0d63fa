"""The lexicon detector: spaCy PhraseMatchers for phrases, compiled token patterns, each entry's
required context and exceptions."""

from __future__ import annotations

import re
from itertools import chain
from typing import NamedTuple

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from bias_review.detect.base import Detector, Piece, Sentence, sentence_holding
from bias_review.detect.gate import MEMO_SIZE, Clauses, GateIndex, clause_of_values, order, word_keys
from bias_review.detect.token_patterns import (
    IN, MANDATORY_OPS, REGEX, STRING_ATTR_IDS, Columns, Pattern, RegexNeed, compile_pattern, find)
from bias_review.findings import Candidate, Explanation, Severity
from bias_review.lexicon.schema import Lexicon, LexiconEntry, PhrasePattern, TokenPattern
from bias_review.cache import cached_json
from bias_review.nlp import lemmatized
from bias_review.lexicon.terms import compile_terms, expand_terms, necessary_terms

BASE_SCORE = 0.8
_WORDS = re.compile(r"[a-z0-9]+")
_CONCRETE_ATTRS = ("LOWER", "TEXT", "ORTH", "LEMMA", "NORM")


def phrase_variants(text: str) -> list[str]:
    """A phrase and its hyphen variants: 'non-compliant' -> also 'non compliant', 'noncompliant'."""
    out = [text]
    if "-" in text:
        out += [text.replace("-", " "), text.replace("-", "")]
    return list(dict.fromkeys(" ".join(v.split()) for v in out))


_LITERAL_REGEX = re.compile(r"\^?(\[[^\]]*\])?\(?[\w\\.]+(\|[\w\\.]+)*\)?\w?\??\$?")


def _spec_values(spec: dict) -> list[str] | None:
    """The literal strings a token spec accepts, or None if it is not a closed set."""
    for attr in _CONCRETE_ATTRS:
        v = spec.get(attr)
        if isinstance(v, str):
            return [v]
        if isinstance(v, dict):
            if isinstance(v.get("IN"), list):
                return [str(x) for x in v["IN"]]
            rx = v.get("REGEX")
            if isinstance(rx, str) and _LITERAL_REGEX.fullmatch(rx):
                inner = re.sub(r"^\^?(\[[^\]]*\])?\(?|\)?\w?\??\$?$", "", rx)
                return [alt.replace("\\", "") for alt in inner.split("|")]
    return None


def token_pattern_clauses(tokens: tuple[dict, ...]) -> list[frozenset[str]] | None:
    """One clause per required token with literal values; None if there is none."""
    clauses = []
    for spec in tokens:
        if spec.get("OP") in ("?", "*", "!"):
            continue
        values = _spec_values(spec)
        if not values:
            continue
        clause = clause_of_values(values, lemma="LEMMA" in spec)
        if clause is not None:
            clauses.append(clause)
    return clauses or None


def phrase_gates(pattern: PhrasePattern) -> list[list[frozenset[str]]]:
    """One conjunction per hyphen variant: every word of the phrase must be present (with its
    inflections when the phrase is matched on lemmas)."""
    out = []
    for variant in phrase_variants(pattern.text):
        words = _WORDS.findall(variant.lower())
        if words:
            out.append([frozenset(word_keys(w, lemma=pattern.match == "lemma")) for w in words])
    return out


def requires_clauses(entry: LexiconEntry, sets: dict[str, tuple[str, ...]]) -> list[frozenset[str]]:
    """The entry's `requires` and `requires_also` groups as clauses."""
    out = []
    for group in (entry.requires, entry.requires_also):
        if group:
            clause = clause_of_values([t.rstrip("*") for t in necessary_terms(expand_terms(group, sets))], lemma=False)
            if clause:
                out.append(clause)
    return out


def entry_gates(entry: LexiconEntry, sets: dict[str, tuple[str, ...]]) -> list[Clauses] | None:
    """Gate clauses for each pattern of an entry; None if one pattern cannot be gated."""
    extra = requires_clauses(entry, sets)
    out: list[Clauses] = []
    for p in entry.patterns:
        if isinstance(p, PhrasePattern):
            alternatives = phrase_gates(p)
        else:
            clauses = token_pattern_clauses(p.tokens)
            alternatives = [clauses] if clauses else []
        if not alternatives:
            return None
        out += [order(a + extra) for a in alternatives]
    return out


def gates_by_entry(lexicon: Lexicon) -> dict[str, list[Clauses] | None]:
    """Each entry's gate clauses (None: it must see every block). Computing them reads the
    lemma table and word frequencies, so the result is kept in the on-disk cache, keyed by the
    lexicon's files and the lemma data's version."""
    import spacy_lookups_data

    def build() -> dict[str, list[list[list[str]]] | None]:
        out = {}
        for eid, entry in lexicon.entries.items():
            g = entry_gates(entry, lexicon.term_sets)
            out[eid] = None if g is None else [[sorted(c) for c in clauses] for clauses in g]
        return out

    if not lexicon.digest:
        stored = build()
    else:
        stored = cached_json("gates", f"{lexicon.digest[:32]}-{spacy_lookups_data.__version__}", build)
    made: dict[tuple[str, ...], frozenset[str]] = {}  # one object per distinct clause (see GateIndex)

    def clause(keys: list[str]) -> frozenset[str]:
        key = tuple(keys)
        got = made.get(key)
        if got is None:
            got = made[key] = frozenset(keys)
        return got

    return {eid: None if g is None else [tuple(clause(c) for c in clauses) for clauses in g]
            for eid, g in stored.items()}


def lexicon_gates(lexicon: Lexicon, by_entry: dict[str, list[Clauses] | None] | None = None) -> list[Clauses] | None:
    """Gate clauses of every pattern of every entry, or None if one must see every block."""
    gates: list[Clauses] = []
    for g in (by_entry if by_entry is not None else gates_by_entry(lexicon)).values():
        if g is None:
            return None
        gates += g
    return gates


_EDGE_PUNCT = frozenset(" \t:;,.!?")


class Needs(NamedTuple):
    """What a sentence must hold for a compiled token pattern to match in it (`pattern_needs`)."""

    attrs: frozenset[int]  # the attributes `values` are read from
    values: tuple[frozenset[int], ...]  # per spec, string hashes one of which some token must have
    regexes: tuple[tuple[int, RegexNeed], ...]  # (attribute, regex) some token must match


def pattern_needs(pattern: Pattern) -> Needs:
    """The value-set (IN, on a string attribute) and REGEX tests of the specs every match of a
    compiled pattern uses: some token of the sentence must pass each. A quick test, on values
    gathered once per sentence, that skips most patterns without scanning for their anchor."""
    attrs, values, regexes = set(), [], []
    for spec in pattern.specs:
        if spec.op in MANDATORY_OPS:
            for t in spec.tests:
                if t.kind == IN and t.attr in STRING_ATTR_IDS:
                    attrs.add(t.attr)
                    values.append(t.value)
                elif t.kind == REGEX:
                    regexes.append((t.attr, t.value))
    return Needs(frozenset(attrs), tuple(values), tuple(regexes))


def longest_spans(pairs: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """spaCy's `filter_spans` on (start, end) pairs: longest first (then leftmost), dropping any
    whose first or last token an earlier one took; in text order."""
    taken: set[int] = set()
    out = []
    for start, end in sorted(pairs, key=lambda p: (p[1] - p[0], -p[0]), reverse=True):
        if start not in taken and end - 1 not in taken:
            out.append((start, end))
            taken.update(range(start, end))
    out.sort()
    return out


class LexiconDetector(Detector):
    """Finds lexicon phrases (spaCy PhraseMatchers) and token patterns (compiled, see
    detect/token_patterns.py); checks each entry's `requires`/`unless`."""

    name = "lexicon"

    def __init__(self, lexicon: Lexicon, nlp: Language, gates: dict[str, list[Clauses] | None]) -> None:
        self.lexicon = lexicon
        self.entries: dict[str, LexiconEntry] = {}
        self.lemma_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        # per entry, its compiled token patterns, each with what a sentence must hold for it
        # (see `pattern_needs`); run only on sentences that pass that entry's gate
        self.token_patterns: dict[str, tuple[tuple[Pattern, Needs], ...]] = {}
        self.ungated: set[str] = set()  # entries whose token patterns cannot be gated
        gate_labels: list[str] = []
        gate_clauses: list[Clauses] = []
        self._requires = {}
        self._unless = {}
        self._matched: dict[str, Explanation] = {}
        lemma_phrases: dict[str, list[str]] = {}
        lower_phrases: dict[str, list[str]] = {}
        for entry in lexicon.entries.values():
            if not entry.patterns:
                continue
            self.entries[entry.id] = entry
            # the first line of every candidate's trace: one shared object per entry
            self._matched[entry.id] = Explanation(
                f"lexicon:{entry.id}", f"matched lexicon entry {entry.id!r} ({entry.source.rsplit('/', 1)[-1]})",
                BASE_SCORE)
            groups = [g for g in (entry.requires, entry.requires_also) if g]
            if groups:
                self._requires[entry.id] = [compile_terms(expand_terms(g, lexicon.term_sets)) for g in groups]
            if entry.unless:
                self._unless[entry.id] = compile_terms(expand_terms(entry.unless, lexicon.term_sets))
            compiled = []
            for p in entry.patterns:
                if isinstance(p, PhrasePattern):
                    target = lemma_phrases if p.match == "lemma" else lower_phrases
                    target.setdefault(entry.id, []).extend(phrase_variants(p.text))
                elif isinstance(p, TokenPattern):
                    pattern = compile_pattern(p.tokens)
                    compiled.append((pattern, pattern_needs(pattern)))
            if compiled:
                self.token_patterns[entry.id] = tuple(compiled)
                entry_gate = gates[entry.id]
                if entry_gate is None:
                    self.ungated.add(entry.id)
                else:
                    gate_labels += [entry.id] * len(entry_gate)
                    gate_clauses += entry_gate
        self._need_attrs = tuple(sorted({a for compiled in self.token_patterns.values() for _, n in compiled for a in n.attrs}))
        # every lemma phrase through the pipeline in one batch, then back to its entry
        flat = [(eid, p) for eid, phrases in lemma_phrases.items() for p in phrases]
        docs = lemmatized(nlp, [p for _, p in flat])
        by_eid: dict[str, list[Doc]] = {}
        for (eid, _), doc in zip(flat, docs):
            by_eid.setdefault(eid, []).append(doc)
        for eid, phrase_docs in by_eid.items():
            self.lemma_matcher.add(eid, phrase_docs)
        for eid, phrases in lower_phrases.items():
            self.lower_matcher.add(eid, [nlp.make_doc(p) for p in phrases])
        self._gates = lexicon_gates(lexicon, gates)
        self._entry_index = GateIndex(gate_clauses, gate_labels)
        self._order: dict[frozenset[str], tuple[str, ...]] = {}

    @property
    def gates(self) -> list[Clauses] | None:
        return self._gates

    def _to_run(self, active: frozenset[str]) -> tuple[str, ...]:
        """The entries whose token patterns run on a sentence whose gate passes `active`
        (the gate's answers are few and shared: remembered per answer), in a fixed order: ids
        must not depend on hash seeds."""
        order = self._order.get(active)
        if order is None:
            if len(self._order) >= MEMO_SIZE:
                self._order.clear()
            order = self._order[active] = tuple(sorted((active | self.ungated) & self.token_patterns.keys()))
        return order

    def token_matches(self, eid: str, values: "_TokenValues", start: int, end: int) -> set[tuple[int, int]]:
        """Every (start, end) an entry's token patterns match within tokens [start, end) of a
        doc, as spaCy's Matcher would find them on that sentence."""
        out: set[tuple[int, int]] = set()
        held = values.held(start, end)
        for pattern, (_, needed, regexes) in self.token_patterns.get(eid, ()):
            for wanted in needed:
                if wanted.isdisjoint(held):
                    break
            else:
                if all(values.matched(start, end, attr, regex) for attr, regex in regexes):
                    out |= find(pattern, values.columns, start, end)
        return out

    def detect(self, piece: Piece) -> list[Candidate]:
        doc = piece.doc
        strings = doc.vocab.strings
        by_entry: dict[str, set[tuple[int, int]]] = {}
        for matcher in (self.lemma_matcher, self.lower_matcher):
            for match_id, start, end in matcher(doc):
                by_entry.setdefault(strings[match_id], set()).add((start, end))
        values = _TokenValues(Columns(doc), self._need_attrs)
        for sent in piece.sentences:
            span = sent.span
            for eid in self._to_run(self._entry_index.which(sent.keys)):
                found = self.token_matches(eid, values, span.start, span.end)
                if found:
                    by_entry.setdefault(eid, set()).update(found)
        if not by_entry:
            return []
        out: list[Candidate] = []
        sents = piece.sentences
        # (entry, requirement or -1 for `unless`, sentence): each searched once per sentence
        searched: dict[tuple[str, int, int], re.Match[str] | None] = {}
        for eid, pairs in by_entry.items():
            entry = self.entries[eid]
            for start, end in longest_spans(pairs):  # per entry, the longest non-overlapping spans
                cand = self._candidate(entry, doc, start, end, sentence_holding(sents, start), searched)
                if cand is not None:
                    out.append(cand)
        return out

    def _candidate(self, entry: LexiconEntry, doc: Doc, first: int, stop: int, sent: Sentence,
                   found: dict[tuple[str, int, int], re.Match[str] | None]) -> Candidate | None:
        passage = sent.text  # one string per sentence, shared by its candidates
        last = doc[stop - 1]
        start = doc[first].idx - sent.start
        end = min(last.idx + len(last) - sent.start, len(passage))
        # a pattern may hold punctuation for context (": manipulative", "blacks,"): the span is the words
        while start < end and passage[start] in _EDGE_PUNCT:
            start += 1
        while end > start and passage[end - 1] in _EDGE_PUNCT:
            end -= 1
        if start == end:
            return None
        detector = f"lexicon:{entry.id}"
        trace = [self._matched[entry.id]]
        for n, required in enumerate(self._requires.get(entry.id, ())):
            hit = _search_once(found, (entry.id, n, sent.start), required, passage)
            if hit is None:
                return None
            trace.append(Explanation(detector, f"required context present: {hit.group(0)!r}"))
        cand = Candidate(
            category=entry.category, severity=entry.severity, start=start, end=end,
            passage=passage, detector=detector, score=BASE_SCORE, explanation=entry.explanation,
            suggestion=entry.suggestion, references=entry.references, rule_id=entry.id,
            trace=trace, sent_start=sent.start,
        )
        unless = self._unless.get(entry.id)
        if unless is not None:
            hit = _search_once(found, (entry.id, -1, sent.start), unless, passage)
            if hit is not None:
                cand.severity = Severity.INFO
                cand.score *= 0.3
                cand.trace.append(Explanation(
                    f"lexicon:{entry.id}", f"exception named in the sentence: {hit.group(0)!r}", -0.56))
        return cand


class _TokenValues:
    """A doc's token columns and, per sentence, what its tokens hold, gathered on first use:
    the values of the string attributes the needs test, as one set; whether a token matches
    a REGEX."""

    __slots__ = ("columns", "attrs", "_held", "_matched")

    def __init__(self, columns: Columns, attrs: tuple[int, ...]) -> None:
        self.columns = columns
        self.attrs = attrs
        self._held: dict[tuple[int, int], frozenset[int]] = {}
        self._matched: dict[tuple[int, int, RegexNeed], bool] = {}

    def held(self, start: int, end: int) -> frozenset[int]:
        """The values of tokens [start, end), all tested attributes together (a value of one
        attribute may answer for another: the test can only say yes more often, never lose a
        match)."""
        found = self._held.get((start, end))
        if found is None:
            columns = self.columns
            found = self._held[start, end] = frozenset(chain.from_iterable(columns[a][start:end] for a in self.attrs))
        return found

    def matched(self, start: int, end: int, attr: int, regex: RegexNeed) -> bool:
        """Does a token of [start, end) match `regex` in attribute `attr`?"""
        key = (start, attr, regex)
        hit = self._matched.get(key)
        if hit is None:
            test, strings = regex.test, self.columns.strings
            hit = self._matched[key] = any(test(h, strings) for h in self.columns[attr][start:end])
        return hit


def _search_once(found: dict, key: tuple[str, int, int], pattern, passage: str) -> re.Match[str] | None:
    """`pattern.search(passage)`, remembered in `found` under `key` (entry, requirement, sentence)."""
    if key not in found:
        found[key] = pattern.search(passage)
    return found[key]
