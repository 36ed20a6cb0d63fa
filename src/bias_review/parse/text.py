"""Plain text and Markdown.

Blocks are paragraphs (lines separated by blank lines, joined with spaces), with
Location(line=n), n the 1-based number of the paragraph's first line. A line that
starts a list item also starts a new block, so bullets do not run together.

Markdown gets a light clean-up, enough for sentences to read as prose: heading hashes,
list and quote markers, emphasis, inline code, links and images (their text is kept),
HTML tags and comments are removed; a heading is its own block; fenced code is kept as
a block; pipe tables give one block per non-empty cell,
Location(line=n, part="table", row=r, col=c), the header row being row 1.

Encoding: UTF-8 (with or without BOM), UTF-16/32 with BOM, else Windows-1252 with a
warning. NUL bytes without a UTF-16 BOM mean a binary file.
"""

from __future__ import annotations

import math
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


def _plain_blocks(lines: list[str]) -> list[Block]:
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


# --------------------------------------------------------------------------- markdown

_ATX = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_THEMATIC = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_MD_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_TABLE_DELIM = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")

_INLINE = [
    (re.compile(r"!\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)"), r"\1"),
    (re.compile(r"\[([^\]\n]{1,500})\]\([^)\n]{0,2000}\)"), r"\1"),
    (re.compile(r"\[([^\]\n]{1,500})\]\[[^\]\n]{0,200}\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]{1,2000})>"), r"\1"),
    (re.compile(r"`([^`\n]{1,1000})`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)([^\n]{1,500}?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]{1,500}?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]{1,500}?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(?=\S)([^\n]{1,500}?)(?<=\S)~~"), r"\1"),
    (re.compile(r"<br\s*/?>", re.IGNORECASE), " "),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>\n]{0,500})?/?>"), ""),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
]
_INLINE_TRIGGER = re.compile(r"[\[*_`<~\\]")


def _inline(text: str) -> str:
    if not _INLINE_TRIGGER.search(text):
        return text
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text


def _interrupts(line: str) -> bool:
    """CommonMark: inside a paragraph, a bullet starts a list, a number only if it is 1
    (so a wrapped line starting with '2020.' stays in its paragraph)."""
    s = line.lstrip()
    return s[:1] in "-*+" or s.startswith(("1.", "1)"))


def _split_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells = re.split(r"(?<!\\)\|", s)
    return [c.strip().replace("\\|", "|") for c in cells]


def _markdown_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    buf: list[str] = []
    start = 0

    def flush() -> None:
        if buf:
            text = _inline(" ".join(buf)).strip()
            if text:
                blocks.append(Block(text, Location(line=start)))
            buf.clear()

    def add(n: int, text: str) -> None:
        nonlocal start
        if not buf:
            start = n
        buf.append(text.strip())

    def _heading(line: str, n: int) -> bool:
        """An ATX heading becomes its own block; True if the line was one."""
        heading = _ATX.match(line)
        if not heading:
            return False
        flush()
        text = _inline(heading.group(2) or "").strip()
        if text:
            blocks.append(Block(text, Location(line=n)))
        return True

    i = 0
    total = len(lines)
    # YAML front matter: each non-empty line becomes its own block
    if total and lines[0].strip() == "---":
        end = next((k for k in range(1, total) if lines[k].strip() in ("---", "...")), None)
        if end is not None:
            for k in range(1, end):
                if lines[k].strip():
                    blocks.append(Block(lines[k].strip(), Location(line=k + 1)))
            i = end + 1
    in_comment = False
    while i < total:
        n = i + 1
        line = lines[i]
        i += 1
        # HTML comments, possibly over several lines
        if in_comment:
            if "-->" in line:
                in_comment = False
                line = line.split("-->", 1)[1]
            else:
                continue
        if "<!--" in line:
            line = re.sub(r"<!--.*?-->", "", line)
            if "<!--" in line:
                line = line.split("<!--", 1)[0]
                in_comment = True
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        fence = _FENCE.match(line)
        if fence:
            flush()
            marker = fence.group(1)
            code: list[str] = []
            first = n + 1
            while i < total and not lines[i].strip().startswith(marker):
                code.append(lines[i].rstrip())
                i += 1
            i += 1  # closing fence
            text = "\n".join(code).strip()
            if text:
                blocks.append(Block(text, Location(line=first)))
            continue
        if _THEMATIC.match(line) or _LINK_DEF.match(line):
            flush()
            continue
        if buf and _SETEXT.match(line):
            flush()  # the paragraph above was a setext heading
            continue
        if _heading(line, n):
            continue
        if "|" in line and i < total and _TABLE_DELIM.match(lines[i]) and "-" in lines[i]:
            flush()
            rows = [(n, line)]
            i += 1  # skip the delimiter row
            while i < total and lines[i].strip() and "|" in lines[i]:
                rows.append((i + 1, lines[i]))
                i += 1
            for r, (ln, row) in enumerate(rows, start=1):
                for c, cell in enumerate(_split_row(row), start=1):
                    text = _inline(cell).strip()
                    if text:
                        blocks.append(Block(text, Location(line=ln, part="table", row=r, col=c)))
            continue
        quote = _QUOTE.match(line)
        if quote:
            line = line[quote.end():]
            stripped = line.strip()
            if not stripped:
                flush()
                continue
            if _heading(line, n):
                continue
        item = _MD_ITEM.match(line)
        if item and (not buf or _interrupts(line)):
            flush()
            add(n, line[item.end():])
            continue
        add(n, stripped)
    flush()
    return blocks


# --------------------------------------------------------------------------- entry point


def parse_text(path: str, data: bytes, sha256: str, *, markdown: bool = False) -> Document:
    text, warnings = decode(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    blocks = _markdown_blocks(lines) if markdown else _plain_blocks(lines)
    chars = sum(len(b.text) for b in blocks)
    return Document(
        path=path,
        format="markdown" if markdown else "text",
        sha256=sha256,
        blocks=blocks,
        pages=max(1, math.ceil(chars / 3000)),
        warnings=warnings,
    )
