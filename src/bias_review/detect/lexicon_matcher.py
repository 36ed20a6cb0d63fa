"""The lexicon detector: spaCy PhraseMatcher + Matcher compiled from the lexicon entries."""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from bias_review.detect.base import Detector, gate_keys_of_phrase, sentence_of
from bias_review.findings import Candidate, Explanation, Severity
from bias_review.lexicon.schema import Lexicon, LexiconEntry, PhrasePattern, TokenPattern
from bias_review.lexicon.terms import compile_terms, expand_terms

BASE_SCORE = 0.8
_CONCRETE_ATTRS = ("LOWER", "TEXT", "ORTH", "LEMMA", "NORM")


def phrase_variants(text: str) -> list[str]:
    """A phrase and its hyphen variants: 'non-compliant' -> also 'non compliant', 'noncompliant'."""
    out = [text]
    if "-" in text:
        out += [text.replace("-", " "), text.replace("-", "")]
    return list(dict.fromkeys(" ".join(v.split()) for v in out))


def token_pattern_gate(tokens: tuple[dict, ...]) -> set[str] | None:
    """Gate keys for a token pattern: the values of its most selective required token, or
    None when no required token has literal values (the pattern must see every block)."""
    best: set[str] | None = None
    best_len = -1
    for spec in tokens:
        if spec.get("OP") in ("?", "*", "!"):
            continue
        values: list[str] | None = None
        for attr in _CONCRETE_ATTRS:
            v = spec.get(attr)
            if isinstance(v, str):
                values = [v]
            elif isinstance(v, dict) and isinstance(v.get("IN"), list):
                values = [str(x) for x in v["IN"]]
            if values:
                break
        if not values:
            continue
        keys: set[str] = set()
        for value in values:
            keys |= gate_keys_of_phrase(value)
        shortest = min(len(k) for k in keys) if keys else 0
        if keys and shortest > best_len:
            best, best_len = keys, shortest
    return best


def lexicon_gate(lexicon: Lexicon) -> set[str] | None:
    """Gate keys of every pattern of every entry, or None if one pattern must see every block."""
    gate: set[str] = set()
    for entry in lexicon.entries.values():
        for p in entry.patterns:
            if isinstance(p, PhrasePattern):
                gate |= gate_keys_of_phrase(p.text)
            else:
                keys = token_pattern_gate(p.tokens)
                if keys is None:
                    return None
                gate |= keys
    return gate


class LexiconDetector(Detector):
    """Finds lexicon phrases and token patterns; checks each entry's `requires`/`unless`."""

    name = "lexicon"

    def __init__(self, lexicon: Lexicon, nlp: Language) -> None:
        self.lexicon = lexicon
        self.entries: dict[str, LexiconEntry] = {}
        self.lemma_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.token_matcher = Matcher(nlp.vocab)
        self._requires = {}
        self._unless = {}
        lemma_phrases: dict[str, list[str]] = {}
        lower_phrases: dict[str, list[str]] = {}
        for entry in lexicon.entries.values():
            if not entry.patterns:
                continue
            self.entries[entry.id] = entry
            if entry.requires:
                self._requires[entry.id] = compile_terms(expand_terms(entry.requires, lexicon.term_sets))
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
                self.token_matcher.add(entry.id, tokens)
        for eid, phrases in lemma_phrases.items():
            self.lemma_matcher.add(eid, list(nlp.pipe(phrases)))
        for eid, phrases in lower_phrases.items():
            self.lower_matcher.add(eid, [nlp.make_doc(p) for p in phrases])
        self._gate = lexicon_gate(lexicon)

    @property
    def gate(self) -> set[str] | None:
        return self._gate

    def detect(self, doc: Doc) -> list[Candidate]:
        vocab = doc.vocab
        spans = []
        for matcher in (self.lemma_matcher, self.lower_matcher, self.token_matcher):
            for match_id, start, end in matcher(doc):
                span = doc[start:end]
                span.label_ = vocab.strings[match_id]
                spans.append(span)
        if not spans:
            return []
        # per entry keep the longest non-overlapping spans
        by_entry: dict[str, list] = {}
        for span in spans:
            by_entry.setdefault(span.label_, []).append(span)
        out: list[Candidate] = []
        for eid, entry_spans in by_entry.items():
            entry = self.entries[eid]
            for span in filter_spans(entry_spans):
                cand = self._candidate(entry, span)
                if cand is not None:
                    out.append(cand)
        return out

    def _candidate(self, entry: LexiconEntry, span) -> Candidate | None:
        sent = sentence_of(span)
        passage = sent.text
        start = span.start_char - sent.start_char
        end = min(span.end_char - sent.start_char, len(passage))
        detector = f"lexicon:{entry.id}"
        trace = [Explanation(detector, f"matched lexicon entry {entry.id!r} ({entry.source.rsplit('/', 1)[-1]})", BASE_SCORE)]
        required = self._requires.get(entry.id)
        if required is not None:
            hit = required.search(passage)
            if hit is None:
                return None
            trace.append(Explanation(detector, f"required context present: {hit.group(0)!r}"))
        cand = Candidate(
            category=entry.category, severity=entry.severity, start=start, end=end,
            passage=passage, detector=detector, score=BASE_SCORE, explanation=entry.explanation,
            suggestion=entry.suggestion, references=entry.references, rule_id=entry.id,
            trace=trace, sent_start=sent.start_char,
        )
        unless = self._unless.get(entry.id)
        if unless is not None:
            hit = unless.search(passage)
            if hit is not None:
                cand.severity = Severity.INFO
                cand.score *= 0.3
                cand.trace.append(Explanation(
                    f"lexicon:{entry.id}", f"exception named in the sentence: {hit.group(0)!r}", -0.56))
        return cand

