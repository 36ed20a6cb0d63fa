"""The lexicon detector: spaCy PhraseMatcher + Matcher compiled from the lexicon entries."""

from __future__ import annotations

import re

from spacy.attrs import LEMMA, LOWER, NORM, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from bias_review.detect.base import Detector, Piece, Sentence, sentence_holding
from bias_review.detect.gate import Clauses, GateIndex, clause_of_values, order, word_keys
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
# the token attributes whose values a token spec may list exactly (TEXT is ORTH)
_EXACT_ATTRS = {"LOWER": LOWER, "ORTH": ORTH, "TEXT": ORTH, "LEMMA": LEMMA, "NORM": NORM}
# a spec that every match uses: no operator, or one that needs at least one token
_MANDATORY_OPS = (None, "+")


class RegexNeed:
    """A REGEX a token's attribute must match (searched in its text, as spaCy does), with the
    answer remembered per string hash: the same form is tested once per process, not once
    per sentence. One object per regex source (`of`)."""

    __slots__ = ("regex", "_hits")
    _made: dict[str, "RegexNeed"] = {}
    MEMO_SIZE = 200_000

    def __init__(self, source: str) -> None:
        self.regex = re.compile(source)
        self._hits: dict[int, bool] = {}

    @classmethod
    def of(cls, source: str) -> "RegexNeed":
        need = cls._made.get(source)
        if need is None:
            need = cls._made[source] = cls(source)
        return need

    def test(self, h: int, strings) -> bool:
        """Does the string with hash `h` match?"""
        hit = self._hits.get(h)
        if hit is None:
            hit = self.regex.search(strings[h]) is not None
            if len(self._hits) >= self.MEMO_SIZE:
                self._hits.clear()  # another thread may lose a few answers: they are recomputed
            self._hits[h] = hit
        return hit


def required_values(tokens: tuple[dict, ...], strings) -> tuple[tuple[int, int, frozenset[int] | RegexNeed], ...] | None:
    """What a sentence must hold for a token pattern to match in it: for each token spec that
    every match uses and that tests an attribute (LOWER, ORTH/TEXT, LEMMA or NORM) against
    values listed exactly (a string, or IN) or against a REGEX, the spec's place in the
    pattern, the attribute, and the hashes of those values or the regex (a `RegexNeed`), in
    pattern order. None if there is no such spec (the pattern must always be tried). spaCy compares
    the values as given (an IN list on LOWER is not lower-cased) and searches a REGEX in the
    attribute's text, and so does this."""
    needs: list[tuple[int, int, frozenset[int] | RegexNeed]] = []
    for place, spec in enumerate(tokens):
        if spec.get("OP") not in _MANDATORY_OPS:
            continue
        for name, attr in _EXACT_ATTRS.items():
            value = spec.get(name)
            if isinstance(value, dict) and set(value) == {"REGEX"} and isinstance(value["REGEX"], str):
                needs.append((place, attr, RegexNeed.of(value["REGEX"])))
                continue
            if isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
                value = value["IN"]
            elif not isinstance(value, str):
                continue
            values = [value] if isinstance(value, str) else value
            if all(isinstance(v, str) for v in values):
                needs.append((place, attr, frozenset(strings.add(v) for v in values)))
    return tuple(needs) or None


class LexiconDetector(Detector):
    """Finds lexicon phrases and token patterns; checks each entry's `requires`/`unless`."""

    name = "lexicon"

    def __init__(self, lexicon: Lexicon, nlp: Language, gates: dict[str, list[Clauses] | None]) -> None:
        self.lexicon = lexicon
        self.entries: dict[str, LexiconEntry] = {}
        self.lemma_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        # one Matcher per entry, run only on sentences that pass that entry's gate
        self.token_matchers: dict[str, Matcher] = {}
        self.ungated: set[str] = set()  # entries whose token patterns cannot be gated
        # per entry, per token pattern: the values (or regexes) a sentence must hold for it to match
        # (see `required_values`); an entry none of whose patterns can match is not run
        self._needs: dict[str, tuple[tuple[tuple[int, int, frozenset[int] | RegexNeed], ...], ...]] = {}
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
            tokens = []
            for p in entry.patterns:
                if isinstance(p, PhrasePattern):
                    target = lemma_phrases if p.match == "lemma" else lower_phrases
                    target.setdefault(entry.id, []).extend(phrase_variants(p.text))
                elif isinstance(p, TokenPattern):
                    tokens.append(list(p.tokens))
            if tokens:
                matcher = Matcher(nlp.vocab)
                matcher.add(entry.id, tokens)
                self.token_matchers[entry.id] = matcher
                needs = [required_values(tuple(t), nlp.vocab.strings) for t in tokens]
                if all(n is not None for n in needs):
                    self._needs[entry.id] = tuple(needs)
                entry_gate = gates[entry.id]
                if entry_gate is None:
                    self.ungated.add(entry.id)
                else:
                    gate_labels += [entry.id] * len(entry_gate)
                    gate_clauses += entry_gate
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

    @property
    def gates(self) -> list[Clauses] | None:
        return self._gates

    def detect(self, piece: Piece) -> list[Candidate]:
        doc = piece.doc
        vocab = doc.vocab
        spans = []
        for matcher in (self.lemma_matcher, self.lower_matcher):
            for match_id, start, end in matcher(doc):
                span = doc[start:end]
                span.label_ = vocab.strings[match_id]
                spans.append(span)
        values = _TokenValues(doc)
        for sent in piece.sentences:
            active = self._entry_index.which(sent.keys) | self.ungated
            for eid in sorted(active):  # a fixed order: ids must not depend on hash seeds
                matcher = self.token_matchers.get(eid)
                if matcher is None:
                    continue
                needs = self._needs.get(eid)
                if needs is not None and not values.may_match(sent.span, needs):
                    continue
                for match_id, start, end in matcher(sent.span):
                    span = sent.span[start:end]
                    span.label_ = vocab.strings[match_id]
                    spans.append(span)
        if not spans:
            return []
        # per entry keep the longest non-overlapping spans
        by_entry: dict[str, list] = {}
        for span in spans:
            by_entry.setdefault(span.label_, []).append(span)
        out: list[Candidate] = []
        sents = piece.sentences
        # (entry, requirement or -1 for `unless`, sentence): each searched once per sentence
        found: dict[tuple[str, int, int], re.Match[str] | None] = {}
        for eid, entry_spans in by_entry.items():
            entry = self.entries[eid]
            for span in filter_spans(entry_spans):
                cand = self._candidate(entry, span, sentence_holding(sents, span.start), found)
                if cand is not None:
                    out.append(cand)
        return out

    def _candidate(self, entry: LexiconEntry, span, sent: Sentence,
                   found: dict[tuple[str, int, int], re.Match[str] | None]) -> Candidate | None:
        passage = sent.text  # one string per sentence, shared by its candidates
        start = span.start_char - sent.start
        end = min(span.end_char - sent.start, len(passage))
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
    """The token attributes of one block's sentences, as sets of hashes, read on first use."""

    __slots__ = ("doc", "_columns", "_sets", "_searched")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._columns: dict[int, list[int]] = {}
        self._sets: dict[tuple[int, int], frozenset[int]] = {}
        self._searched: dict[tuple[int, int, RegexNeed], bool] = {}

    def column(self, attr: int) -> list[int]:
        column = self._columns.get(attr)
        if column is None:
            column = self._columns[attr] = self.doc.to_array(attr).tolist()
        return column

    def of(self, span, attr: int) -> frozenset[int]:
        key = (span.start, attr)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = frozenset(self.column(attr)[span.start:span.end])
        return found

    def holds(self, span, attr: int, wanted: frozenset[int] | RegexNeed) -> bool:
        """Does a token of `span` hold one of the values (or match the regex)?"""
        if type(wanted) is frozenset:
            return not wanted.isdisjoint(self.of(span, attr))
        key = (span.start, attr, wanted)
        found = self._searched.get(key)
        if found is None:
            test, strings = wanted.test, self.doc.vocab.strings
            found = self._searched[key] = any(test(h, strings) for h in self.column(attr)[span.start:span.end])
        return found

    def may_match(self, span, needs) -> bool:
        """Can one of the patterns match in `span`: does it hold every value set (or regex) one
        needs, and in the pattern's order (a match gives each spec tokens of its own, left to
        right)?"""
        for pattern in needs:
            for _, attr, wanted in pattern:
                if not self.holds(span, attr, wanted):
                    break
            else:
                if self._in_order(span, pattern):
                    return True
        return False

    def _in_order(self, span, pattern) -> bool:
        """Are there tokens, one per required spec and left to right, holding their values?
        (A spec with two value tests is found by its first.)"""
        position, end, last = span.start, span.end, -1
        for place, attr, wanted in pattern:
            if place == last:
                continue
            last = place
            column = self.column(attr)
            if type(wanted) is frozenset:
                while position < end and column[position] not in wanted:
                    position += 1
            else:
                test, strings = wanted.test, self.doc.vocab.strings
                while position < end and not test(column[position], strings):
                    position += 1
            if position == end:
                return False
            position += 1
        return True


def _search_once(found: dict, key: tuple[str, int, int], pattern, passage: str) -> re.Match[str] | None:
    """`pattern.search(passage)`, remembered in `found` under `key` (entry, requirement, sentence)."""
    if key not in found:
        found[key] = pattern.search(passage)
    return found[key]
