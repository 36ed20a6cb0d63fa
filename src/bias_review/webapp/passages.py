"""A stored document's text as sentences with their locations, for flagging a passage the
tool missed (no spaCy: a plain sentence splitter is enough to pick a passage)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Optional

from bias_review.parse import parse
from bias_review.parse.document import Block
from bias_review.report.docx_common import location_label

_SENTENCE_END = re.compile(r"([.!?][\"')\]]*)\s+(?=[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Passage:
    """One sentence of a document and where it is."""

    text: str
    location: dict[str, Any]

    @property
    def label(self) -> str:
        shown = self.text if len(self.text) <= 120 else self.text[:117] + "…"
        return f"{location_label(self.location)}: {shown}"


def sentences(text: str) -> list[str]:
    """`text` split after '.', '!' or '?' followed by space and a capital or digit."""
    marked = _SENTENCE_END.sub("\\1\n", " ".join(text.split()))
    return [s.strip() for s in marked.split("\n") if s.strip()]


def passages_of(blocks: Iterable[Block]) -> list[Passage]:
    """Every sentence of the blocks, in reading order."""
    return [Passage(s, b.location.as_dict()) for b in blocks for s in sentences(b.text)]


def document_passages(path: str) -> list[Passage]:
    """The sentences of a stored file; none if it cannot be read."""
    try:
        return passages_of(parse(path).blocks)
    except Exception:  # noqa: BLE001 - parse raises ParseError; an unreadable file has no passages
        return []


def search(passages: Iterable[Passage], query: str, limit: int = 50) -> list[Passage]:
    """Passages holding `query` (case-insensitive, spaces normalised); the first `limit`."""
    needle = " ".join(query.split()).lower()
    return [p for p in passages if needle in p.text.lower()][:limit]


def locate(passages: Iterable[Passage], passage: str) -> dict[str, Any]:
    """The location of the first sentence that holds (or is held by) a pasted passage."""
    wanted = " ".join(passage.split()).lower()
    for p in passages:
        text = p.text.lower()
        if wanted and (wanted in text or text in wanted):
            return p.location
    return {}


def span_of(passage: str, words: str) -> Optional[tuple[int, int]]:
    """(start, end) of `words` in `passage` (first occurrence, case-insensitive); None for
    the whole passage when `words` is empty. ValueError when `words` are not in it."""
    words = words.strip()
    if not words:
        return None
    start = passage.lower().find(words.lower())
    if start < 0:
        raise ValueError("the flagged words are not in the passage")
    return start, start + len(words)
