"""The one spaCy pipeline of the process: blank English, sentencizer, lower-case lookup lemmas.

No downloadable model is used: `spacy.blank("en")` plus the lookup table from
`spacy-lookups-data`, which ships in the wheel (no network at run time).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

# spaCy refuses texts over nlp.max_length; blocks are cut into pieces well below it.
MAX_CHUNK_CHARS = 100_000


@lru_cache(maxsize=1)
def lemma_lookup():
    """The English lookup lemma table from spacy-lookups-data (keys are case-sensitive)."""
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


@Language.factory("lower_lemmatizer")
def _make_lower_lemmatizer(nlp: Language, name: str) -> "LowerLemmatizer":
    return LowerLemmatizer()


class LowerLemmatizer:
    """Sets token.lemma_ to the lookup lemma of the lower-cased form, so that matching on
    LEMMA is case-insensitive ('Refused', 'refuses' -> 'refuse')."""

    def __init__(self) -> None:
        self.table = lemma_lookup()
        self.memo: dict[int, int] = {}  # hash of the lower-case form -> hash of its lemma

    def _lemma_hash(self, lower_hash: int, strings) -> int:
        low = strings[lower_hash]
        lemma = str(self.table.get(low, low)).lower()
        h = strings.add(lemma)
        if len(self.memo) < 500_000:
            self.memo[lower_hash] = h
        return h

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        strings = doc.vocab.strings
        lowers = doc.to_array([LOWER])
        memo = self.memo
        lemmas = numpy.fromiter(
            (memo.get(h) or self._lemma_hash(h, strings) for h in lowers.tolist()),
            dtype=numpy.uint64, count=len(lowers))
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Build (once per process) and return the shared pipeline."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lower_lemmatizer")
    nlp.max_length = MAX_CHUNK_CHARS * 2
    return nlp


_BREAK = re.compile(r"(?<=[.!?;:])\s+|\n+")


def chunk_text(text: str, limit: int = MAX_CHUNK_CHARS) -> list[tuple[int, str]]:
    """Cut a long text into pieces of at most `limit` characters, preferring sentence ends,
    then whitespace. Returns (offset, piece) pairs."""
    if len(text) <= limit:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            window = text[start:end]
            cut = -1
            for m in _BREAK.finditer(window, len(window) // 2):
                cut = m.end()
            if cut <= 0:
                ws = window.rfind(" ", len(window) // 2)
                cut = ws + 1 if ws > 0 else len(window)
            end = start + cut
        pieces.append((start, text[start:end]))
        start = end
    return pieces
