"""The contracts every detector and judge follows (modelled on Presidio's recognizers), and
the per-block data they share: a `Piece`, handed to every stage explicitly.

A **detector** proposes candidates from a processed piece of a block. A **judge** takes a
second look, after the context rules, at every detector's candidates of a piece (and may add
its own): the sentence classifier is one. Both are stateless between calls: whatever a judge
computes for a batch of pieces is returned by `prepare` and handed back to `judge`, so one
engine can serve several threads at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from bisect import bisect_right
from typing import Any, NamedTuple

from spacy.tokens import Doc, Span

from bias_review.detect.gate import Clauses, gate_keys_of_text
from bias_review.findings import Candidate


class Sentence(NamedTuple):
    """One sentence of a piece: its span, where it starts in the piece, its text, its gate keys."""

    span: Span
    start: int
    text: str
    keys: frozenset[str]


class Piece:
    """What the detectors, the context rules and the judges read of one piece of a block (a
    whole block, or the window of it the gate kept): its spaCy `Doc`, its original text (not
    rebuilt from tokens), the headings a short line or list item sits under (`Block.topic`),
    and its sentence table, built on first use and shared by every stage. A plain object
    rather than `Doc` extensions: every stage reads it many times per piece, and a `doc._`
    lookup costs about 5 us."""

    __slots__ = ("doc", "text", "topic", "_sentences")

    def __init__(self, doc: Doc, text: str | None = None, topic: str | None = None) -> None:
        self.doc = doc
        self.text = doc.text if text is None else text
        self.topic = topic
        self._sentences: list[Sentence] | None = None

    @property
    def sentences(self) -> list[Sentence]:
        """The sentence table (two threads never share a piece, so no lock is needed)."""
        table = self._sentences
        if table is None:
            text = self.text
            table = []
            for sent in self.doc.sents:
                t = text[sent.start_char:sent.end_char]
                table.append(Sentence(sent, sent.start_char, t, gate_keys_of_text(t)))
            self._sentences = table
        return table


class Component(ABC):
    """What the engine knows of every detector and judge: a name and its vocabulary gate.

    `gates` lists, per pattern, the clauses of word keys (see detect/gate.py) a block must
    satisfy for this component to find anything in it; None if it must see every block.
    """

    name: str = "component"

    @property
    def gates(self) -> list[Clauses] | None:
        return None


class Detector(Component):
    """Takes a processed piece (its Doc has sentences and lemmas) and proposes candidates."""

    @abstractmethod
    def detect(self, piece: Piece) -> list[Candidate]:
        """Candidates found in one piece."""

    def detect_many(self, pieces: list[Piece]) -> list[list[Candidate]]:
        """Candidates for many pieces at once (override to batch)."""
        return [self.detect(piece) for piece in pieces]


class Judge(Component):
    """A second look, after the context rules, at the candidates of each piece."""

    @abstractmethod
    def prepare(self, pieces: list[Piece], candidates: list[list[Candidate]]) -> Any:
        """Batch work over a batch of a document's pieces (e.g. scoring sentences with a
        model), given every detector's candidates of each piece. The result is passed back to
        `judge`; nothing is kept on the judge itself."""

    @abstractmethod
    def judge(self, prepared: Any, index: int, piece: Piece, candidates: list[Candidate]) -> list[Candidate]:
        """Adjust the candidates of piece `index`, possibly adding new ones."""


def sentence_holding(sents: list[Sentence], token: int) -> Sentence:
    """The sentence of a block's table that holds token `token` (a span's first token: the
    first sentence if the span crosses a boundary)."""
    return sents[max(0, bisect_right(sents, token, key=_first_token) - 1)]


def _first_token(sent: Sentence) -> int:
    return sent.span.start
