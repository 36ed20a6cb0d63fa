"""The contracts every detector and judge follows (modelled on Presidio's recognizers), and
the per-block data they share through spaCy `Doc` extensions.

A **detector** proposes candidates from a processed block. A **judge** takes a second look,
after the context rules, at every detector's candidates of a block (and may add its own): the
sentence classifier is one. Both are stateless between calls: whatever a judge computes for a
batch of blocks is returned by `prepare` and handed back to `judge`, so one engine can serve
several threads at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from bisect import bisect_right
from typing import Any, NamedTuple

from spacy.tokens import Doc, Span

from bias_review.detect.gate import Clauses, gate_keys_of_text
from bias_review.findings import Candidate

# per-block data, computed once and kept on the Doc: the original text, the sentence table, and
# the headings a short line or list item sits under (`Block.topic`, set by the engine)
for _name in ("br_text", "br_sentences", "br_topic"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class Sentence(NamedTuple):
    """One sentence of a block: its span, where it starts in the block, its text, its gate keys."""

    span: Span
    start: int
    text: str
    keys: frozenset[str]


def doc_text(doc: Doc) -> str:
    """The block's text; the engine stores the original string so it is not rebuilt from tokens."""
    text = doc._.br_text
    if text is None:
        text = doc._.br_text = doc.text
    return text


def sentences(doc: Doc) -> list[Sentence]:
    """The one sentence table of a block, computed once per Doc and shared by every stage."""
    table = doc._.br_sentences
    if table is None:
        text = doc_text(doc)
        table = []
        for sent in doc.sents:
            t = text[sent.start_char:sent.end_char]
            table.append(Sentence(sent, sent.start_char, t, gate_keys_of_text(t)))
        doc._.br_sentences = table
    return table


def block_gate_keys(doc: Doc) -> set[str]:
    """The gate keys of a whole block: the union of its sentences' keys."""
    keys: set[str] = set()
    for sent in sentences(doc):
        keys |= sent.keys
    return keys


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
    """Takes a processed block (a spaCy Doc with sentences and lemmas) and proposes candidates."""

    @abstractmethod
    def detect(self, doc: Doc) -> list[Candidate]:
        """Candidates found in one block."""

    def detect_many(self, docs: list[Doc]) -> list[list[Candidate]]:
        """Candidates for many blocks at once (override to batch)."""
        return [self.detect(doc) for doc in docs]


class Judge(Component):
    """A second look, after the context rules, at the candidates of each block."""

    @abstractmethod
    def prepare(self, docs: list[Doc], candidates: list[list[Candidate]]) -> Any:
        """Batch work over a document's blocks (e.g. scoring sentences with a model), given
        every detector's candidates of each block. The result is passed back to `judge`;
        nothing is kept on the judge itself."""

    @abstractmethod
    def judge(self, prepared: Any, index: int, doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
        """Adjust the candidates of block `index` (`doc`), possibly adding new ones."""


def sentence_holding(sents: list[Sentence], token: int) -> Sentence:
    """The sentence of a block's table that holds token `token` (a span's first token: the
    first sentence if the span crosses a boundary)."""
    return sents[max(0, bisect_right(sents, token, key=_first_token) - 1)]


def _first_token(sent: Sentence) -> int:
    return sent.span.start
