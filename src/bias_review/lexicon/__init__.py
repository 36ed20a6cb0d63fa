"""Lexicons: curated entries (data) and the code that validates and loads them."""

from bias_review.lexicon.schema import (
    ContextRule,
    Lexicon,
    LexiconEntry,
    LexiconError,
    PhrasePattern,
    TokenPattern,
)
from bias_review.lexicon.loader import bundled_lexicon_dir, load_lexicon

__all__ = [
    "ContextRule",
    "Lexicon",
    "LexiconEntry",
    "LexiconError",
    "PhrasePattern",
    "TokenPattern",
    "bundled_lexicon_dir",
    "load_lexicon",
]
