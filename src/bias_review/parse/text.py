"""Plain text and Markdown: decoding shared, then blocks.

Plain text: blocks are paragraphs (lines separated by blank lines, joined with spaces),
with Location(line=n), n the 1-based number of the paragraph's first line. A line that
starts a list item also starts a new block, so bullets do not run together.

Markdown is parsed by markdown-it-py: see `bias_review.parse.markdown`.

Encoding: UTF-8 (with or without BOM), UTF-16/32 with BOM, else Windows-1252 with a
warning. NUL bytes without a UTF-16 BOM mean a binary file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
import re

from bias_review.findings import Location
from bias_review.parse.document import Block, Document, ParseError

# --------------------------------------------------------------------------- decoding

_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")


def decode(path: str, data: bytes) -> tuple[str, list[str]]:
    """The text of `data` and any warnings about its encoding."""
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
        if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
            warnings.append("invalid UTF-8 sequences were replaced")
        return text, warnings
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), warnings
    if b"\x00" in data:
        raise ParseError(path, "binary file, not text")
    sample = data[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise ParseError(path, "binary file, not text")
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        warnings.append("not UTF-8; decoded as Windows-1252")
        return data.decode("cp1252", errors="replace"), warnings


# --------------------------------------------------------------------------- plain text

# Bullets, short numbers ('1.', '12)') and '(a)'/'a)'; not '2020.' at the start of a
# wrapped line, which would cut a sentence.
_LIST_ITEM = re.compile(r"^\s{0,12}(?:[-*+\u2022\u25e6\u25aa\u2023]|\d{1,2}[.)]|\(?[a-z]\))\s+")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` one at a time (a list of every line of a large file would hold a
    second copy of it)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _plain_blocks(lines: Iterable[str]) -> list[Block]:
    blocks: list[Block] = []
    buf: list[str] = []
    start = 0

    def flush() -> None:
        if buf:
            text = " ".join(buf).strip()
            if text:
                blocks.append(Block(text, Location(line=start)))
            buf.clear()

    for n, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if buf and _LIST_ITEM.match(line):
            flush()
        if not buf:
            start = n
        buf.append(stripped)
    flush()
    return blocks


# --------------------------------------------------------------------------- entry point


def parse_text(path: str, data: bytes, sha256: str, *, markdown: bool = False) -> Document:
    text, warnings = decode(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    if markdown:
        from bias_review.parse.markdown import markdown_blocks  # markdown-it only when needed

        blocks, found = markdown_blocks(text)
        warnings.extend(found)
    else:
        blocks = _plain_blocks(_lines(text))
    chars = sum(len(b.text) for b in blocks)
    return Document(
        path=path,
        format="markdown" if markdown else "text",
        sha256=sha256,
        blocks=blocks,
        pages=max(1, math.ceil(chars / 3000)),
        warnings=warnings,
    )
