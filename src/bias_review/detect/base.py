"""The one contract every detector follows (modelled on Presidio's recognizers)."""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from functools import lru_cache
from importlib import resources
from collections.abc import Iterable

from spacy.tokens import Doc, Span

from bias_review.findings import Candidate

_WORD = re.compile(r"[a-z0-9]+")
GATE_KEY_LEN = 7
MIN_PREFIX = 4


def gate_key(word: str) -> str:
    """The key the vocabulary gate compares for a pattern word: its first 7 letters. A text
    word offers its prefixes of 4 to 7 letters, so a pattern stem ('asian*', 'racis*') still
    finds 'asians', 'racism'; inflections come from the lemma table (see detect/gate.py)."""
    return word[:GATE_KEY_LEN]


def gate_keys_of_text(text: str) -> set[str]:
    """Every gate key a text offers."""
    keys: set[str] = set()
    for w in set(_WORD.findall(text.lower())):
        n = len(w)
        if n <= MIN_PREFIX:
            keys.add(w)
        else:
            keys.update(w[:k] for k in range(MIN_PREFIX, min(n, GATE_KEY_LEN) + 1))
    return keys


# words that are common in course text though not in general English
MEDICAL_COMMON = frozenset({
    "patient", "patients", "people", "person", "persons", "women", "woman", "men", "man",
    "children", "child", "adult", "adults", "individual", "individuals", "group", "groups",
    "population", "populations", "risk", "rates", "rate", "clinical", "disease", "treatment",
    "american", "americans", "non", "male", "female",
})
UNKNOWN_WORD_LOGPROB = -16.0


@lru_cache(maxsize=1)
def word_logprob() -> dict[str, float]:
    """Log-probabilities of the 30,000 most frequent English words (data/word_logprob.tsv,
    derived from spacy-lookups-data by tools/make_word_frequencies.py)."""
    path = resources.files("bias_review") / "data" / "word_logprob.tsv"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, lp = line.partition("\t")
        out[word] = float(lp)
    return out


def word_cost(word: str) -> float:
    """How likely a block is to contain the word: lower is a better gate key."""
    cost = math.exp(word_logprob().get(word, UNKNOWN_WORD_LOGPROB))
    if word in MEDICAL_COMMON:
        cost *= 50
    if len(word) < 3:
        cost = max(cost, 1e-3)  # short keys also prefix-match many longer words
    return cost


def rarest_word(text: str) -> str | None:
    words = _WORD.findall(text.lower())
    return min(words, key=word_cost) if words else None


def gate_keys_of_phrase(phrase: str) -> set[str]:
    """The key of the rarest word of a phrase."""
    word = rarest_word(phrase)
    return {gate_key(word)} if word else set()


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


def sentences(docs: Iterable[Doc]) -> Iterable[Span]:
    for doc in docs:
        yield from doc.sents
