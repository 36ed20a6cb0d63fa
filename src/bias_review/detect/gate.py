"""The vocabulary gate: skip blocks no detector could find anything in, before spaCy runs.

Each pattern gets a conjunction of clauses, each clause a set of word keys of which the block
must contain one ("eGFR" requiring a race word: {egfr} and {black, white, afric, …}). Keys are
the first letters of lower-cased words (see `gate_key`), so inflections share a key; a clause
for a lemma also holds the keys of every inflected form in spaCy's lookup table.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from functools import lru_cache
from importlib import resources

from bias_review.cache import cached_json

Clauses = tuple[frozenset[str], ...]
_WORD = re.compile(r"[a-z0-9]+")
GATE_KEY_LEN = 7
MEMO_SIZE = 8_192  # distinct relevant key sets remembered per gate index
MIN_PREFIX = 4


def gate_key(word: str) -> str:
    """The key the vocabulary gate compares for a pattern word: its first 7 letters. A text
    word offers its prefixes of 4 to 7 letters, so a pattern stem ('asian*', 'racis*') still
    finds 'asians', 'racism'; inflections come from the lemma table (see detect/gate.py)."""
    return word[:GATE_KEY_LEN]


def gate_keys_of_text(text: str) -> frozenset[str]:
    """Every gate key a text offers. Remembered for the last few thousand texts: the engine
    asks for a sentence's keys before spaCy runs (to choose what to read) and again after."""
    keys = _TEXT_KEYS.get(text)
    if keys is not None:
        return keys
    found_keys: set[str] = set()
    memo = _WORD_KEYS
    for w in set(_WORD.findall(text.lower())):
        found = memo.get(w)
        if found is None:
            found = _word_prefixes(w)
            if len(memo) < 100_000:
                memo[w] = found
        found_keys.update(found)
    keys = frozenset(found_keys)
    if len(_TEXT_KEYS) >= TEXT_MEMO_SIZE:
        _TEXT_KEYS.clear()  # another thread may lose a few entries: they are recomputed
    _TEXT_KEYS[text] = keys
    return keys


_WORD_KEYS: dict[str, tuple[str, ...]] = {}
_TEXT_KEYS: dict[str, frozenset[str]] = {}
TEXT_MEMO_SIZE = 4_096


def _word_prefixes(w: str) -> tuple[str, ...]:
    n = len(w)
    if n <= MIN_PREFIX:
        return (w,)
    return tuple(w[:k] for k in range(MIN_PREFIX, min(n, GATE_KEY_LEN) + 1))


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




@lru_cache(maxsize=1)
def _lemma_maps() -> tuple[dict[str, str], dict[str, set[str]]]:
    """(form -> lemma, lemma -> forms) from spacy-lookups-data's English lemma table."""
    from bias_review.nlp import lemma_lookup

    table = lemma_lookup()
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
        from bias_review.nlp import plurals, singular

        forward, inverse = _lemma_maps()
        base = forward.get(word) or singular(word)
        forms = inverse.get(base, set()) | plurals(base)
        keys |= {gate_key(base)} | {gate_key(f) for f in forms}
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


def stored_clause_of_values(values: list[str], *, lemma: bool) -> frozenset[str] | None:
    """`clause_of_values`, kept in the on-disk cache under a hash of the values: a detector
    built at every start-up then reads its clause instead of loading the word frequencies."""
    key = hashlib.sha256(json.dumps([values, lemma]).encode()).hexdigest()[:32]
    if lemma:
        import spacy_lookups_data

        key += f"-{spacy_lookups_data.__version__}"

    def build() -> list[str] | None:
        clause = clause_of_values(values, lemma=lemma)
        return None if clause is None else sorted(clause)

    stored = cached_json("clause", key, build, keep=12)  # a few per lexicon: room for several
    return None if stored is None else frozenset(stored)


def clause_cost(clause: frozenset[str]) -> float:
    return sum(word_cost(k) for k in clause)


def order(clauses: list[frozenset[str]]) -> Clauses:
    """Clauses rarest first (the first one is used for indexing); duplicates dropped."""
    return tuple(sorted(set(clauses), key=clause_cost))


class GateIndex:
    """For the keys of a block: does any pattern pass, and which labelled patterns pass?"""

    def __init__(self, gates: list[Clauses], labels: list[object] | None = None) -> None:
        # a pattern of one clause passes with any key of it: those are looked up per key. A
        # pattern of two clauses, indexed under the keys of its first, passes when its second
        # meets the text: per key and label, the union of those second clauses is tested at
        # once. Longer patterns are checked one by one.
        alone: dict[str, set[object]] = defaultdict(set)
        pairs: dict[str, dict[object, set[str]]] = defaultdict(lambda: defaultdict(set))
        by_key: dict[str, list[tuple[object, Clauses]]] = defaultdict(list)
        # equal clauses as one object: dictionaries keyed by a clause then compare by identity,
        # not element by element (a clause may hold hundreds of keys)
        distinct: dict[frozenset[str], frozenset[str]] = {}
        if labels is None:
            gates = list(dict.fromkeys(gates))  # a pattern listed twice passes as once
        for i, clauses in enumerate(gates):
            label = labels[i] if labels is not None else None
            clauses = tuple(distinct.setdefault(c, c) for c in clauses)
            for key in clauses[0]:
                if len(clauses) == 1:
                    alone[key].add(label)
                elif len(clauses) == 2:
                    pairs[key][label] |= clauses[1]
                else:
                    by_key[key].append((label, clauses))
        universe = frozenset().union(*distinct)
        self.alone = {k: frozenset(v) for k, v in alone.items()}
        self._alone_keys = frozenset(alone)
        self.pairs = {k: {label: frozenset(u) for label, u in v.items()} for k, v in pairs.items()}
        self._pair_any = {k: frozenset().union(*v.values()) for k, v in self.pairs.items()}
        # a longer pattern's other clauses as bits of one number: it passes when all its bits are
        # among those of the clauses the text meets, found from the text's keys in one pass
        clause_bits: dict[frozenset[str], int] = {}
        for patterns in by_key.values():
            for _, clauses in patterns:
                for clause in clauses[1:]:
                    clause_bits.setdefault(clause, 1 << len(clause_bits))
        clauses_of: dict[str, int] = defaultdict(int)
        for clause, bit in clause_bits.items():
            for key in clause:
                clauses_of[key] |= bit
        self._clauses_of = dict(clauses_of)
        bits_of: dict[int, int] = {}  # per pattern (by identity: a pattern is indexed under many keys)

        def bits(clauses: Clauses) -> int:
            found = bits_of.get(id(clauses))
            if found is None:
                found = bits_of[id(clauses)] = sum(clause_bits[c] for c in set(clauses[1:]))
            return found

        self.by_key = {key: [(label, bits(clauses)) for label, clauses in patterns]
                       for key, patterns in by_key.items()}
        self._first_keys = frozenset(self.pairs) | frozenset(self.by_key)  # keys that index a longer pattern
        self._universe = universe
        # the answer depends only on the keys some clause names: memoised on that subset
        self._memo: dict[frozenset[str], frozenset[object]] = {}
        self._pass_memo: dict[frozenset[str], bool] = {}

    def which(self, keys: set[str] | frozenset[str]) -> frozenset[object]:
        """Labels of the patterns whose clauses are all satisfied."""
        relevant = self._universe.intersection(keys)
        found = self._memo.get(relevant)
        if found is None:
            out: set[object] = set()
            alone, pairs, by_key = self.alone, self.pairs, self.by_key
            for key in self._alone_keys.intersection(relevant):
                out |= alone[key]
            firsts = self._first_keys.intersection(relevant)
            for key in firsts:
                for label, second in pairs.get(key, {}).items():
                    if label not in out and not second.isdisjoint(relevant):
                        out.add(label)
            met = self._clauses_met(relevant, firsts)
            for key in firsts:
                for label, others in by_key.get(key, ()):
                    if label not in out and others & met == others:
                        out.add(label)
            found = frozenset(out)
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[relevant] = found
        return found

    def _clauses_met(self, relevant: frozenset[str], firsts: frozenset[str]) -> int:
        """The bits of the longer patterns' other clauses that share a key with the text (none
        to find when no longer pattern is indexed under the text's keys)."""
        met = 0
        if self.by_key.keys().isdisjoint(firsts):
            return met
        clauses_of = self._clauses_of
        for key in relevant:
            bits = clauses_of.get(key)
            if bits:
                met |= bits
        return met

    def passes(self, keys: set[str] | frozenset[str]) -> bool:
        """Does any pattern pass? (`which` not empty, answered with the first pattern found.)"""
        if not self._alone_keys.isdisjoint(keys):
            return True
        relevant = self._universe.intersection(keys)
        found = self._pass_memo.get(relevant)
        if found is None:
            pair_any, by_key = self._pair_any, self.by_key
            firsts = self._first_keys.intersection(relevant)
            found = any(not pair_any[key].isdisjoint(relevant) for key in firsts if key in pair_any)
            if not found:
                met = self._clauses_met(relevant, firsts)
                found = any(others & met == others for key in firsts for _, others in by_key.get(key, ()))
            if len(self._pass_memo) >= MEMO_SIZE:
                self._pass_memo.clear()
            self._pass_memo[relevant] = found
        return found
