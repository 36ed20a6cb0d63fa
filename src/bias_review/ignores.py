"""Inline ignores a course director can write into a document.

`bias-review: ignore` in a paragraph, cell or note silences findings in that block and the
next one; `bias-review: ignore rc-mdrd-race-coefficient, outdated-term` silences only those
lexicon entries or categories; `bias-review: ignore-file` anywhere silences the whole document
(`ignore-file outdated-term` only that category). A reason may follow after ` -- `.
A word in the list that names no entry or category silences nothing and is reported.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from bias_review.findings import Category
from bias_review.lexicon.schema import Lexicon
from bias_review.parse.document import MARKER, Block

_MARK = re.compile(r"bias-review\s*:\s*ignore(-file)?\b([^\n]*)", re.IGNORECASE)
# where the id list ends and a free-text reason begins
_REASON = re.compile(r"(?:^|\s)(?:--|—|–)(?:\s|$)|[(;]|\.(?:\s|$)")
_WORD = re.compile(r"[^,\s]+")


@dataclass(frozen=True)
class Ignore:
    whole_file: bool
    only: frozenset[str]  # entry ids or categories; empty = everything
    unknown: frozenset[str] = field(default_factory=frozenset)  # named, but no such entry or category

    def covers(self, rule_ids: list[str], category: str) -> bool:
        if not self.only and not self.unknown:
            return True
        return category in self.only or any(r in self.only for r in rule_ids)


def find_ignore(text: str, known: Collection[str] | None = None) -> Ignore | None:
    """The ignore marker in a block of text, if any. With `known` (entry ids and categories),
    words that are neither are kept apart as `unknown` and silence nothing."""
    m = _MARK.search(text)
    if m is None:
        return None
    rest = m.group(2).lstrip(" :")
    cut = _REASON.search(rest)
    if cut is not None:
        rest = rest[: cut.start()]
    words = [w.lower().strip(".:") for w in _WORD.findall(rest)]
    words = [w for w in words if w]
    if known is None:
        return Ignore(bool(m.group(1)), frozenset(words))
    return Ignore(bool(m.group(1)), frozenset(w for w in words if w in known),
                  frozenset(w for w in words if w not in known))


def known_ids(lexicon: Lexicon) -> frozenset[str]:
    """What an ignore marker may name: every lexicon entry id and every category."""
    return frozenset(lexicon.entries) | frozenset(c.value for c in Category)


@dataclass(frozen=True)
class Ignores:
    """The ignore markers of a document: each block's (its own, or the previous block's), and
    an `ignore-file` marker's, which applies to every block."""

    by_block: dict[int, Ignore] = field(default_factory=dict)
    whole_file: Ignore | None = None

    def get(self, index: int) -> Ignore | None:
        """The marker that applies to the block at `index`, if any."""
        return self.whole_file if self.whole_file is not None else self.by_block.get(index)


def ignores_of_blocks(blocks: Iterable[Block], lexicon: Lexicon, warnings: list[str] | None = None) -> Ignores:
    """The ignore markers of a document's blocks (read in one pass; none for a large file's
    `BlockStream` that was seen to hold no marker when it was counted)."""
    known = None
    out: dict[int, Ignore] = {}
    if getattr(blocks, "marked", True) is False:
        return Ignores()
    for bi, block in enumerate(blocks):
        if MARKER not in block.text.lower():
            continue
        known = known if known is not None else known_ids(lexicon)
        ignore = find_ignore(block.text, known)
        if ignore is None:
            continue
        if ignore.unknown and warnings is not None:
            where = block.location.describe()
            warnings.append(f"{where}: ignore marker names no lexicon entry or category: "
                            f"{', '.join(sorted(ignore.unknown))} (nothing silenced for them)")
        if ignore.whole_file:
            return Ignores(whole_file=ignore)
        out[bi] = ignore
        out.setdefault(bi + 1, ignore)
    return Ignores(out)
