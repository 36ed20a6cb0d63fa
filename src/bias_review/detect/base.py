"""The one contract every detector follows (modelled on Presidio's recognizers)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable

from spacy.tokens import Doc, Span

from bias_review.findings import Candidate

_WORD = re.compile(r"[a-z0-9]+")
GATE_KEY_LEN = 5


def gate_key(word: str) -> str:
    """The key the vocabulary gate compares: the first letters of a lower-cased word, so that
    inflections ('refuse', 'refused', 'refusing') share one key."""
    return word[:GATE_KEY_LEN]


def gate_keys_of_text(text: str) -> set[str]:
    """Every gate key of a text (used once per block by the engine)."""
    return {gate_key(w) for w in _WORD.findall(text.lower())}


def gate_keys_of_phrase(phrase: str) -> set[str]:
    """The key of the most selective (longest) word of a phrase."""
    words = _WORD.findall(phrase.lower())
    return {gate_key(max(words, key=len))} if words else set()


class Detector(ABC):
    """Takes a processed block (a spaCy Doc with sentences and lemmas) and proposes candidates.

    `gate` is the set of word keys (see `gate_key`) at least one of which a block must contain
    for this detector to find anything in it, or None if the detector must see every block.
    """

    name: str = "detector"

    @property
    def gate(self) -> set[str] | None:
        return None

    @abstractmethod
    def detect(self, doc: Doc) -> list[Candidate]:
        """Candidates found in one block."""

    def detect_many(self, docs: list[Doc]) -> list[list[Candidate]]:
        """Candidates for many blocks at once (override to batch, e.g. a model)."""
        return [self.detect(doc) for doc in docs]

    def adjust(self, doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
        """A second look, after context rules, at every detector's candidates of one block
        (a sentence-level judge such as the classifier). The default changes nothing."""
        return candidates


def sentence_of(span: Span) -> Span:
    """The sentence a span sits in (the first one if it crosses a boundary)."""
    return span.doc[span.start].sent


def sentences(docs: Iterable[Doc]) -> Iterable[Span]:
    for doc in docs:
        yield from doc.sents
