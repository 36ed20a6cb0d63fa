"""The validated, in-memory form of lexicon files (see lexicons/README.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bias_review.findings import Category, Severity


class LexiconError(Exception):
    """One or more lexicon files are broken. Each problem names file, entry and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in lexicon files:\n{shown}{more}")


@dataclass(frozen=True)
class PhrasePattern:
    """A literal phrase, matched on lemmas (default) or on lower-cased word forms."""

    text: str
    match: str = "lemma"  # "lemma" | "lower"


@dataclass(frozen=True)
class TokenPattern:
    """A spaCy Matcher token pattern (a list of token specs)."""

    tokens: tuple[dict[str, Any], ...]


Pattern = PhrasePattern | TokenPattern


@dataclass(frozen=True)
class LexiconEntry:
    """One curated entry: what to match, why it matters, what to write instead."""

    id: str
    category: Category
    severity: Severity
    patterns: tuple[Pattern, ...]
    explanation: str
    suggestion: str | None
    references: tuple[str, ...]
    requires: tuple[str, ...] = ()
    requires_also: tuple[str, ...] = ()  # a second group: one of these must be present too
    unless: tuple[str, ...] = ()
    detector: str | None = None  # an entry that supplies the text for a code detector
    source: str = ""  # the file it came from
    # for a classifier entry: may the model raise findings of its own in this category, and may
    # its "race-conscious" reading quiet the lexicon's findings of this category?
    own: bool = True
    quiets: bool = True
    # for a lexicon entry: may the classifier's race-conscious reading quiet its findings? (false
    # for curated rules whose wording is specific enough that the model should not override them)
    model_may_quiet: bool = True


@dataclass(frozen=True)
class ContextRule:
    """A sentence-level rule: when a term set is present, lower a candidate's severity."""

    id: str
    when: tuple[str, ...]  # phrases or @set references
    categories: tuple[Category, ...]
    effect: str  # "info" (mentioned, race-conscious) or "lower" (one severity step down)
    reason: str
    scope: str = "sentence"  # "sentence" or "neighbours" (previous and next sentence)
    quoted: bool = False  # the rule fires when the flagged span itself is in quotation marks


@dataclass
class Lexicon:
    """All entries, the named term sets and the context rules, validated."""

    entries: dict[str, LexiconEntry] = field(default_factory=dict)
    term_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    context_rules: list[ContextRule] = field(default_factory=list)
    version: str = ""
    sources: list[str] = field(default_factory=list)
    digest: str = ""  # sha256 of every file's name and bytes: keys data derived from the lexicon

    def by_category(self) -> dict[Category, list[LexiconEntry]]:
        out: dict[Category, list[LexiconEntry]] = {c: [] for c in Category}
        for e in self.entries.values():
            out[e.category].append(e)
        return out

    def detector_entry(self, detector: str) -> LexiconEntry | None:
        """The entry that supplies explanation text for a code detector (e.g. 'vignette')."""
        for e in self.entries.values():
            if e.detector == detector:
                return e
        return None
