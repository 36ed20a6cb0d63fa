"""Plain text and Markdown: decoding shared, then blocks.

Plain text: blocks are paragraphs (lines separated by blank lines, joined with spaces),
with Location(line=n), n the 1-based number of the paragraph's first line. A line that
starts a list item also starts a new block, so bullets do not run together.

Markdown is parsed by markdown-it-py: see `bias_review.parse.markdown`.

Encoding: UTF-8 (with or without BOM), UTF-16/32 with BOM, else Windows-1252 with a
warning. NUL bytes without a UTF-16 BOM mean a binary file.

A plain-text, Markdown or HTML file larger than STREAM_BYTES is never held in memory:
`parse_text_file` checks and hashes it in one pass and counts its blocks, which (a
`BlockStream`) are read from the file again each time they are gone through, one at a time (a
Markdown document in parts, see `markdown.markdown_stream`; a page piece by piece, see
`html.html_stream`). The blocks are the same as when it is read whole.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import math
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from bias_review.findings import Location
from bias_review.parse.document import MARKER, Block, Document, ParseError
from bias_review.parse.limits import check_size

#: Plain-text, Markdown and HTML files larger than this are read as a stream of blocks (see the
#: module's docstring).
STREAM_BYTES = 16 * 1024 * 1024
#: How much of a file is read at once when it is read in pieces (hashing, streaming).
READ_CHUNK_BYTES = 256 * 1024

# --------------------------------------------------------------------------- decoding

_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _bom(data: bytes) -> tuple[bytes, str] | None:
    """The UTF-16/32 byte-order mark `data` starts with, and its codec."""
    return next(((bom, codec) for bom, codec in _BOMS if data.startswith(bom)), None)


def _check_sample(path: str, data: bytes) -> None:
    """Refuse as binary a file whose first 64 KB hold many control characters."""
    sample = data[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise ParseError(path, "binary file, not text")


def decode(path: str, data: bytes) -> tuple[str, list[str]]:
    """The text of `data` and any warnings about its encoding."""
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
        if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
            warnings.append("invalid UTF-8 sequences were replaced")
        return text, warnings
    if (found := _bom(data)) is not None:
        return data[len(found[0]):].decode(found[1], errors="replace"), warnings
    if b"\x00" in data:
        raise ParseError(path, "binary file, not text")
    _check_sample(path, data)
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


def _plain_blocks(lines: Iterable[str]) -> Iterator[Block]:
    """Paragraphs and list items of plain text, one at a time."""
    buf: list[str] = []
    start = 0
    for n, line in enumerate(lines, start=1):
        stripped = line.strip()
        if buf and (not stripped or _LIST_ITEM.match(line)):
            text = " ".join(buf).strip()
            if text:
                yield Block(text, Location(line=start))
            buf.clear()
        if not stripped:
            continue
        if not buf:
            start = n
        buf.append(stripped)
    if buf:
        text = " ".join(buf).strip()
        if text:
            yield Block(text, Location(line=start))


# --------------------------------------------------------------------------- large files


class BlockStream:
    """The blocks of a large plain-text, Markdown or HTML file (`format`), read from the file
    each time they are gone through (a few hundred kilobytes, or one part of a Markdown
    document, at a time): `count` blocks holding `chars` characters. A file that changed since
    it was checked is a ParseError. `whole`: a Markdown document parsed in one part (see
    `markdown_stream`)."""

    def __init__(self, path: str, codec: str, skip: int, stamp: tuple[int, int], *,
                 format: str = "text", whole: bool = False) -> None:  # noqa: A002 - Document's word
        self.path, self.codec, self.skip, self.stamp = path, codec, skip, stamp
        self.format, self.whole = format, whole
        self.count = self.chars = 0
        self.marked = True  # whether a block may hold an ignore marker (`ignores_of_blocks`)

    @contextmanager
    def _reader(self) -> Iterator[io.TextIOWrapper]:
        """The file, decoded, line ends normalised, once it is seen not to have changed."""
        with open(self.path, "rb") as raw:
            if _stamp(raw) != self.stamp:
                raise ParseError(self.path, "file changed while it was being read")
            raw.seek(self.skip)
            yield io.TextIOWrapper(raw, encoding=self.codec, errors="replace", newline=None)

    def lines(self) -> Iterator[str]:
        """The file's lines, decoded, without their line ends."""
        with self._reader() as reader:
            yield from _stream_lines(reader)

    def pieces(self) -> Iterator[str]:
        """The file's text, decoded, line ends normalised, a few hundred kilobytes at a time."""
        with self._reader() as reader:
            while piece := reader.read(READ_CHUNK_BYTES):
                yield piece

    def __iter__(self) -> Iterator[Block]:
        return self.blocks()

    def blocks(self, warnings: list[str] | None = None) -> Iterator[Block]:
        """The blocks, one at a time; a Markdown document's warnings go to `warnings`."""
        if self.format == "html":
            from bias_review.parse.html import html_stream

            return html_stream(self.pieces())
        if self.format == "markdown":
            from bias_review.parse.markdown import markdown_stream

            return markdown_stream(self.lines(), whole=self.whole, warnings=warnings)
        return _plain_blocks(self.lines())

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0


def _stamp(fh) -> tuple[int, int]:
    st = os.fstat(fh.fileno())
    return st.st_size, st.st_mtime_ns


def _stream_lines(reader: io.TextIOWrapper) -> Iterator[str]:
    """The lines of a text stream without their line ends (universal newlines, as `parse_text`
    reads them: CR LF and CR are line ends), the first without a leading BOM."""
    first = True
    for line in reader:
        if line.endswith("\n"):
            line = line[:-1]
        if first:
            first = False
            line = line.removeprefix("\ufeff")
        yield line


def parse_text_file(path: str, head: bytes, *, max_bytes: int | None, format: str = "text") -> Document:  # noqa: A002
    """A plain-text, Markdown or HTML file too large to hold (see STREAM_BYTES), checked and
    hashed in one pass, then counted: its blocks are a `BlockStream`. `head` is the file's
    first bytes. Encoding and refusals are those of `decode`."""
    warnings: list[str] = []
    skip, codec = 0, "utf-8"
    strict = None  # the UTF-8 check, for files without a UTF-16/32 BOM
    if head.startswith(b"\xef\xbb\xbf"):
        skip, strict = 3, codecs.getincrementaldecoder("utf-8")()
    elif (found := _bom(head)) is not None:
        skip, codec = len(found[0]), found[1]
    else:
        _check_sample(path, head)
        strict = codecs.getincrementaldecoder("utf-8")()
    digest, size, valid = hashlib.sha256(), 0, True
    with open(path, "rb") as fh:
        stamp = _stamp(fh)
        while chunk := fh.read(READ_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                break
            if skip == 0 and b"\x00" in chunk:
                raise ParseError(path, "binary file, not text")
            if strict is not None and valid:
                try:
                    strict.decode(chunk[skip:] if size == len(chunk) else chunk)
                except UnicodeDecodeError:
                    valid = False
        if strict is not None and valid:
            try:
                strict.decode(b"", final=True)
            except UnicodeDecodeError:
                valid = False
    check_size(path, size, max_bytes)
    if not valid and skip:
        warnings.append("invalid UTF-8 sequences were replaced")
    elif not valid:
        warnings.append("not UTF-8; decoded as Windows-1252")
        codec = "cp1252"
    blocks = BlockStream(path, codec, skip, stamp, format=format)
    if format == "markdown":
        from bias_review.parse.markdown import has_reference_definitions

        blocks.whole = has_reference_definitions(blocks.lines())
    marked = False
    for block in blocks.blocks(warnings):
        blocks.count += 1
        blocks.chars += len(block.text)
        marked = marked or MARKER in block.text.lower()
    blocks.marked = marked
    return Document(path=path, format=format, sha256=digest.hexdigest(),
                    blocks=blocks, pages=max(1, math.ceil(blocks.chars / 3000)), warnings=warnings,
                    chars=blocks.chars)


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
        blocks = list(_plain_blocks(_lines(text)))
    chars = sum(len(b.text) for b in blocks)
    return Document(
        path=path,
        format="markdown" if markdown else "text",
        sha256=sha256,
        blocks=blocks,
        pages=max(1, math.ceil(chars / 3000)),
        warnings=warnings,
    )
