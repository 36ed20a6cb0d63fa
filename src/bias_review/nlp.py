"""The one spaCy pipeline of the process: blank English, sentencizer, lower-case lookup lemmas.

No downloadable model is used: `spacy.blank("en")` plus the lookup table from
`spacy-lookups-data`, which ships in the wheel (no network at run time).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import LEMMA, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from bias_review.cache import cached_json

# spaCy refuses texts over nlp.max_length; blocks are cut into pieces well below it.
MAX_CHUNK_CHARS = 100_000


@lru_cache(maxsize=1)
def lemma_lookup() -> dict[str, str]:
    """The English lookup lemma table from spacy-lookups-data (keys are case-sensitive),
    kept in the on-disk cache as plain JSON (faster to read than the package's gzip file)."""
    import spacy_lookups_data

    def build() -> dict[str, str]:
        import gzip
        import json
        from pathlib import Path

        path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return json.load(fh)

    return cached_json("lemma-lookup", spacy_lookups_data.__version__, build)


def singular(word: str) -> str:
    """A regular English plural's singular, for words the lookup table does not know
    ("capoids" -> "capoid", "negros" -> "negro"), so that lexicon phrases match their plurals;
    any other word is returned as it is."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[:-2].endswith(("s", "x", "ch", "sh", "z")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def plurals(word: str) -> set[str]:
    """The regular plural forms `singular` maps back to `word`."""
    out = {word + "s", word + "es"}
    if word.endswith("y") and len(word) > 2:
        out.add(word[:-1] + "ies")
    return {p for p in out if singular(p) == word}


@Language.factory("lower_lemmatizer")
def _make_lower_lemmatizer(nlp: Language, name: str) -> "LowerLemmatizer":
    return LowerLemmatizer()


# forms remembered per component (hash of a form -> what it computed for it), at most
FORM_MEMO_SIZE = 500_000


def per_form(memo: dict, forms: list[int], compute) -> list:
    """`memo[f]` for each form hash in `forms`, the known ones looked up at once in C (`map`);
    an unknown one is `compute(f)`, remembered while the memo holds fewer than FORM_MEMO_SIZE."""
    out = list(map(memo.get, forms))
    if None in out:
        for i, f in enumerate(forms):
            if out[i] is None:
                value = out[i] = compute(f)
                if len(memo) < FORM_MEMO_SIZE:
                    memo[f] = value
    return out


class LowerLemmatizer:
    """Sets token.lemma_ to the lookup lemma of the lower-cased form, so that matching on
    LEMMA is case-insensitive ('Refused', 'refuses' -> 'refuse')."""

    def __init__(self) -> None:
        self.table = lemma_lookup()
        self.memo: dict[int, int] = {}  # hash of the lower-case form -> hash of its lemma

    def _lemma_hash(self, lower_hash: int, strings) -> int:
        low = strings[lower_hash]
        found = self.table.get(low)
        lemma = str(found).lower() if found is not None else singular(low)
        return strings.add(lemma)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        strings = doc.vocab.strings
        lemmas = per_form(self.memo, doc.to_array(LOWER).tolist(), lambda low: self._lemma_hash(low, strings))
        doc.from_array([LEMMA], numpy.array(lemmas, dtype=numpy.uint64).reshape(-1, 1))
        return doc


@Language.factory("array_sentencizer")
def _make_array_sentencizer(nlp: Language, name: str) -> "ArraySentencizer":
    return ArraySentencizer(nlp)


class ArraySentencizer:
    """spaCy's rule-based Sentencizer rule, computed on token arrays: a sentence starts at the
    first non-punctuation token after '.', '!' or '?' (or '…', and their full-width forms).
    One rule more: a bullet ('•', '▪', ...) starts a sentence, so a list run into one line
    (drug labels' "contraindicated in: • ... • ...") is read, and shown, item by item.

    Each token is written as one letter of its kind (W a word, E an end mark, P other
    punctuation, B a bullet; the kind of a form is remembered), and the starts are found in
    that string by a regex, in C, instead of a Python loop over tokens: a word starts a
    sentence when an end mark came after the last word or bullet (`E[EP]*` right before it)."""

    ENDS = (".", "!", "?", "…", "。", "！", "？", "‼", "⁇", "⁈", "⁉")
    BULLETS = ("•", "●", "▪", "◦", "‣", "■", "◆", "❖", "➢", "➤", "⁃")
    _WORD_AFTER_END = re.compile(r"E[EP]*(?=W)")

    def __init__(self, nlp: Language) -> None:
        self.end_hashes = frozenset(nlp.vocab.strings.add(p) for p in self.ENDS)
        self.bullet_hashes = frozenset(nlp.vocab.strings.add(p) for p in self.BULLETS)
        self.kinds: dict[int, str] = {}  # hash of a form -> its kind letter

    def _kind(self, orth: int, doc: Doc) -> str:
        if orth in self.bullet_hashes:
            return "B"
        if orth in self.end_hashes:
            return "E"
        return "P" if doc.vocab[orth].is_punct else "W"

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        kinds = "".join(per_form(self.kinds, doc.to_array(ORTH).tolist(), lambda orth: self._kind(orth, doc)))
        starts = numpy.full(len(kinds), _NOT_START, dtype=numpy.uint64)
        starts[[m.end() for m in self._WORD_AFTER_END.finditer(kinds)]] = _START
        if "B" in kinds:
            starts[[i for i, k in enumerate(kinds) if k == "B"]] = _START
        starts[0] = _START
        doc.from_array([SENT_START], starts.reshape(-1, 1))
        return doc


_START, _NOT_START = 1, 2**64 - 1  # SENT_START values: 1 starts a sentence, -1 does not


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline, built once per process."""
    return new_nlp()


def new_nlp() -> Language:
    """A new pipeline with a vocabulary of its own (an engine renews its own when that grows)."""
    nlp = spacy.blank("en")
    # case-stem abbreviations that end in a period must not end the sentence
    # and "et al." must not end a sentence before the words that cite it
    for abbr in ("y.o.", "Y.O.", "y/o.", "yo.", "yr.", "yrs.", "mo.", "wk.", "wks.", "pt.", "hx.", "al."):
        nlp.tokenizer.add_special_case(abbr, [{ORTH: abbr}])
    nlp.add_pipe("array_sentencizer")
    nlp.add_pipe("lower_lemmatizer")
    nlp.max_length = MAX_CHUNK_CHARS * 2
    return nlp


def lemmatized(nlp: Language, texts: list[str]) -> list[Doc]:
    """Tokens and lemmas only (no sentences): what phrase patterns need, without the
    pipeline's per-document overhead."""
    lemmatizer = nlp.get_pipe("lower_lemmatizer")
    return [lemmatizer(doc) for doc in nlp.tokenizer.pipe(texts)]


def process(nlp: Language, texts: list[str]) -> list[Doc]:
    """`nlp.pipe(texts)` for this pipeline, calling its components directly (the same result,
    without the generator machinery that dominates on many short texts)."""
    components = [proc for _, proc in nlp.pipeline]
    docs = list(nlp.tokenizer.pipe(texts))
    for proc in components:
        docs = [proc(doc) for doc in docs]
    return docs


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
