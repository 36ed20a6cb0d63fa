"""The one contract every detector follows (modelled on Presidio's recognizers)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from spacy.tokens import Doc, Span

from bias_review.detect.gate import gate_keys_of_text
from bias_review.findings import Candidate


def block_gate_keys(doc: Doc) -> set[str]:
    """The gate keys of a processed block, computed once and kept on the Doc."""
    keys = doc.user_data.get("gate_keys")
    if keys is None:
        keys = doc.user_data["gate_keys"] = gate_keys_of_text(doc_text(doc))
    return keys


def doc_text(doc: Doc) -> str:
    """The Doc's text; the engine stores the original string so it is not rebuilt from tokens."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return text


def sentence_table(doc: Doc) -> list[tuple[Span, str, set[str]]]:
    """(sentence, its text, its gate keys) for each sentence, computed once per Doc."""
    table = doc.user_data.get("sentences")
    if table is None:
        text = doc_text(doc)
        table = []
        for sent in doc.sents:
            t = text[sent.start_char:sent.end_char]
            table.append((sent, t, gate_keys_of_text(t)))
        doc.user_data["sentences"] = table
    return table


class Detector(ABC):
    """Takes a processed block (a spaCy Doc with sentences and lemmas) and proposes candidates.

    `gates` lists, per pattern, the clauses of word keys (see `gate_key` and detect/gate.py) a
    block must satisfy for this detector to find anything in it; None if the detector must see
    every block.
    """

    name: str = "detector"

    @property
    def gates(self) -> list[tuple[frozenset[str], ...]] | None:
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

