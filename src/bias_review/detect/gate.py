"""The vocabulary gate: skip blocks no detector could find anything in, before spaCy runs.

Each pattern gets a conjunction of clauses, each clause a set of word keys of which the block
must contain one ("eGFR" requiring a race word: {egfr} and {black, white, afric, …}). Keys are
the first letters of lower-cased words (see `gate_key`), so inflections share a key; a clause
for a lemma also holds the keys of every inflected form in spaCy's lookup table.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from bias_review.detect.base import gate_key, rarest_word, word_cost

Clauses = tuple[frozenset[str], ...]
_WORDS = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _lemma_maps() -> tuple[dict[str, str], dict[str, set[str]]]:
    """(form -> lemma, lemma -> forms) from spacy-lookups-data's English lemma table."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    table = json.loads(gzip.open(path, "rt", encoding="utf-8").read())
    forward: dict[str, str] = {}
    inverse: dict[str, set[str]] = defaultdict(set)
    for form, lemma in table.items():
        forward[form.lower()] = lemma.lower()
        inverse[lemma.lower()].add(form.lower())
    return forward, inverse


def word_keys(word: str, *, lemma: bool) -> set[str]:
    """Keys of a word, and, when it is matched as a lemma, of every form sharing its lemma."""
    keys = {gate_key(word)}
    if lemma:
        forward, inverse = _lemma_maps()
        base = forward.get(word, word)
        keys |= {gate_key(base)} | {gate_key(f) for f in inverse.get(base, ())}
    return keys


def clause_of_values(values: list[str], *, lemma: bool) -> frozenset[str] | None:
    """A clause for 'one of these values': the rarest word of each value. None if a value
    has no word at all (punctuation), since it could then match without any key."""
    keys: set[str] = set()
    for value in values:
        word = rarest_word(value)
        if word is None:
            return None
        keys |= word_keys(word, lemma=lemma)
    return frozenset(keys)


def clause_cost(clause: frozenset[str]) -> float:
    return sum(word_cost(k) for k in clause)


def order(clauses: list[frozenset[str]]) -> Clauses:
    """Clauses rarest first (the first one is used for indexing); duplicates dropped."""
    return tuple(sorted(set(clauses), key=clause_cost))


class GateIndex:
    """For the keys of a block: does any pattern pass, and which labelled patterns pass?"""

    def __init__(self, gates: list[Clauses], labels: list[object] | None = None) -> None:
        self.by_key: dict[str, list[tuple[object, Clauses]]] = defaultdict(list)
        for i, clauses in enumerate(gates):
            label = labels[i] if labels is not None else None
            for key in clauses[0]:
                self.by_key[key].append((label, clauses))

    def _candidates(self, keys: set[str]):
        if len(keys) <= len(self.by_key):
            for key in keys:
                yield from self.by_key.get(key, ())
        else:
            for key, items in self.by_key.items():
                if key in keys:
                    yield from items

    def passes(self, keys: set[str]) -> bool:
        for _, clauses in self._candidates(keys):
            if all(not c.isdisjoint(keys) for c in clauses[1:]):
                return True
        return False

    def which(self, keys: set[str]) -> set[object]:
        """Labels of the patterns whose clauses are all satisfied."""
        out: set[object] = set()
        for label, clauses in self._candidates(keys):
            if label not in out and all(not c.isdisjoint(keys) for c in clauses[1:]):
                out.add(label)
        return out
