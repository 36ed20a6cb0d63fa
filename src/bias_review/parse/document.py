"""The parsed form of every input file: a Document made of located Blocks."""

from __future__ import annotations

import re

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bias_review.findings import Location


T = TypeVar("T")

#: What every inline ignore marker starts with (see `bias_review.ignores`), in lower case.
MARKER = "bias-review"


class ParseError(Exception):
    """A file could not be read. `reason` is one line a user can act on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def one_line(exc: BaseException) -> str:
    """An exception's message on one line of at most 200 characters (its type if empty)."""
    text = " ".join(str(exc).split())
    return (text[:200] + "…") if len(text) > 200 else (text or type(exc).__name__)


class ParseTimeout(ParseError):
    """Parsing passed its deadline (checked between OCR pages); the engine reports it as a timeout."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "timed out")


def check_deadline(path: str, deadline: float | None) -> None:
    """Raise ParseTimeout once `deadline` (a time.monotonic() value; None: none) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise ParseTimeout(path)


def open_or_fail(path: str, kind: str, opener: Callable[[], T]) -> T:
    """Run a library's opener; any exception it raises on bad input becomes one ParseError
    line naming the file ("corrupt or unreadable DOCX (…)")."""
    try:
        return opener()
    except Exception as exc:  # noqa: BLE001 - the libraries raise many kinds on bad input
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise ParseError(path, f"corrupt or unreadable {kind} ({detail})") from None


@dataclass(frozen=True, slots=True)
class Block:
    """A run of text that belongs together (a paragraph, a table cell, a notes frame)
    with its location in the document. `framing` is text the block reads as a continuation of:
    for a list item, the sentence that introduces its list ("Blumenbach divided humans into
    five races:"). Context rules read it as part of the item's sentence; nothing is flagged in it."""

    text: str
    location: Location
    framing: str = ""
    topic: str = ""  # for a list item or a short line: the headings (or slide title) it sits under


# a line this short (in words) under a heading reads as a point about the heading's subject
SHORT_LINE_WORDS = 20
#: Longest heading text kept in a section path (each heading), and in `describe()`.
SECTION_HEADING_MAX = 200


def short_heading(text: str) -> str:
    """A heading as kept in a section path: at most SECTION_HEADING_MAX characters."""
    return text if len(text) <= SECTION_HEADING_MAX else text[: SECTION_HEADING_MAX - 1] + "…"


class Headings:
    """The headings above the current place of a document, as a section path ("3 Cells >
    3.2 The Plasma Membrane"): a heading of level n closes every open heading of level n or
    deeper (`close`), and then opens (`push`)."""

    def __init__(self) -> None:
        self.open: list[tuple[int, str]] = []

    def close(self, level: int) -> None:
        while self.open and self.open[-1][0] >= level:
            self.open.pop()

    def push(self, level: int, text: str) -> None:
        if text:
            self.open.append((level, short_heading(text)))

    @property
    def path(self) -> str | None:
        return " > ".join(text for _, text in self.open) or None


def topic_for(text: str, part: str | None, headings: str) -> str:
    """The topic of a block: the `headings` above it when it is a list item or a short line
    (a chart of points under "Hispanic patients"), else nothing."""
    if not headings or part in ("heading", "table"):
        return ""
    return headings if part == "list" or len(text.split()) <= SHORT_LINE_WORDS else ""


def lead_in(previous: "Block | None", outer: str = "") -> str:
    """The framing of a list that starts after `previous`: the last sentence of that paragraph
    when it ends in a colon ("Blumenbach divided humans into five races:") and is a paragraph
    of the text (not a list item, heading or cell), else the enclosing list's (`outer`)."""
    if (previous is not None and previous.location.part in (None, "body")
            and previous.text.rstrip().endswith(":")):
        return re.split(r"(?<=[.!?])\s+(?=[A-Z])", previous.text.strip())[-1]
    return outer


@dataclass
class Document:
    """A parsed file: its blocks in reading order, plus facts about the file."""

    path: str
    format: str  # pdf, docx, pptx, text, markdown, html
    sha256: str
    # a list, or for a large plain-text file a `parse.text.BlockStream` (read from the file
    # each time it is gone through)
    blocks: list[Block] = field(default_factory=list)
    pages: int = 0  # pages (PDF), slides (PPTX), estimated pages (DOCX/text) for throughput stats
    warnings: list[str] = field(default_factory=list)
    chars: int | None = None  # the blocks' characters, when the parser has counted them

    @property
    def text_size(self) -> int:
        return self.chars if self.chars is not None else sum(len(b.text) for b in self.blocks)
