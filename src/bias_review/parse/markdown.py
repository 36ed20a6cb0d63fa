"""Markdown, parsed by markdown-it-py (CommonMark plus GitHub tables and strikethrough).

Blocks, each with Location(line=n), n the 1-based first source line of the block:
headings (part "heading"), paragraphs (part None, block quotes included), list items
(part "list"; a nested item is a block of its own, an item's text is its paragraphs', not
its sub-list's; a loose item's later paragraphs are blocks of their own), table cells
(part "table", row r, col c, the header row being row 1, line the row's line), fenced and
indented code (its text as is, line the code's first line) and HTML blocks (their text
without tags; comments dropped). `section` is the path of the headings above the block
("3 Cells > 3.2 The Plasma Membrane"); for a heading, the headings above it. Only headings
outside lists and quotes make the path.

Inline markup is reduced to its text: emphasis, strikethrough, code spans, links (their
text; the URL is dropped), images (their alt text), autolinks (the address), inline HTML
(tags and comments dropped), escapes and entities; breaks become a space. Obsidian wiki links `[[target]]` and
`[[target|shown]]` read as `target` and `shown` (an inline rule of ours; embeds `![[file]]`
are dropped); a task item's `[ ]`/`[x]` is dropped. YAML front matter is not scanned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from bias_review.findings import Location
from bias_review.parse.document import Block, Headings, lead_in, topic_for

#: markdown-it drops what is nested deeper than this many levels (a list item takes two);
#: the document then gets a warning. Its CommonMark preset has 20 (lists 9 deep); 50 keeps
#: any real outline, while the cost of a flood of `[` grows with it (100: four times 50's).
MAX_NESTING = 50
#: Longest wiki link read as one (Obsidian links are short); bounds the search for `]]`.
_WIKI_MAX = 300

_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_TASK = re.compile(r"\[[ xX]\]\s+")

# Tags after which words must not run together ("<td>a</td><td>b</td>" reads "a b").
_SPACING_TAGS = frozenset(
    "address article aside blockquote br caption dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol option "
    "p pre section summary table tbody td textarea tfoot th thead title tr ul".split()
)


# --------------------------------------------------------------------------- parser


def _wikilink(state: StateInline, silent: bool) -> bool:
    """Obsidian `[[target]]` / `[[target|shown]]` as the text `target` / `shown`;
    `![[embed]]` as nothing. Runs before the link rule, so code spans and escaped
    brackets are left alone; the search for `]]` is bounded (linear overall)."""
    src, pos = state.src, state.pos
    embed = src.startswith("!", pos)
    start = pos + 1 if embed else pos
    if not src.startswith("[[", start):
        return False
    limit = min(state.posMax, start + 2 + _WIKI_MAX)
    end = src.find("]]", start + 2, limit)
    if end < 0:
        return False
    inner = src[start + 2 : end]
    if not inner.strip() or "[" in inner or "]" in inner or "\n" in inner:
        return False
    if not silent and not embed:
        # in a table cell markdown-it has already turned `\|` into `|`
        target, _, shown = inner.partition("|")
        token = state.push("text", "", 0)
        token.content = shown.strip() or target.rstrip("\\").strip()
    state.pos = end + 2
    return True


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark with HTML, plus markdown-it's own GitHub tables and ~~strikethrough~~
    (no plugin, nothing fetched). Shared: markdown-it keeps per-call state in the parse
    state, not in the instance."""
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "wikilink", _wikilink)
    return md


def _drop_front_matter(text: str) -> str:
    """YAML front matter (a first line `---`, closed by `---` or `...`) as blank lines,
    so line numbers stay those of the file."""
    if not text.startswith("---"):
        return text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return text
    for k in range(1, len(lines)):
        if lines[k].strip() in ("---", "..."):
            return "\n" * (k + 1) + "\n".join(lines[k + 1 :])
    return text


# --------------------------------------------------------------------------- text


class _HTMLText(HTMLParser):
    """The text of an HTML fragment: tags and comments dropped, entities decoded, an
    image's alt text kept, a space where a block-level tag or <br> ends a run of words.
    Script and style contents are plain text like any other (only read, never run); an
    unfinished tag or comment at the end (`<!-- …` runs to the end of the document in
    CommonMark) is dropped, the same on every Python version."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def text_of(self, fragment: str) -> str:
        self.reset()
        self.parts = []
        self.feed(fragment)
        tail = self.rawdata  # feed() keeps only what it could not finish
        if self.cdata_elem is not None:  # <script>/<style> without its end tag
            self.parts.append(tail)
        if self.cdata_elem is not None or tail.startswith("<"):
            self.rawdata = ""
        self.close()
        return "".join(self.parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SPACING_TAGS:
            self.parts.append(" ")
        elif tag == "img":
            alt = next((v for k, v in attrs if k == "alt" and v), None)
            if alt:
                self.parts.append(f" {alt} ")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag in _SPACING_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _inline_text(children: list[Token] | None, html: _HTMLText, out: list[str]) -> None:
    for tok in children or ():
        kind = tok.type
        if kind in ("text", "text_special", "code_inline"):
            out.append(tok.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind == "image":
            _inline_text(tok.children, html, out)  # the alt text, its markup reduced too
        elif kind == "html_inline":
            out.append(html.text_of(tok.content))
        # link_open/close, em/strong/s open and close: markup only


def _clean(parts: list[str]) -> str:
    return _SPACES.sub(" ", "".join(parts)).strip()


class _Walk:
    """One pass over markdown-it's flat token stream, keeping the open section path, the
    open list items and quotes, and the table row and column."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.line_offset = 0  # lines of the document before the part being walked
        self.html = _HTMLText()
        self.headings = Headings()
        self.section: str | None = None
        self.containers: list[str] = []  # open list items and quotes, innermost last
        self.lead_ins: list[str] = []  # per open list: the sentence that introduces it, or ""
        self.row = self.col = 0
        self.deepest = 0

    def add(self, text: str, line: int, part: str | None = None, **cell: int) -> None:
        if text:
            framing = self.lead_ins[-1] if part == "list" and self.lead_ins else ""
            topic = topic_for(text, part, self.headings.path or "")
            self.blocks.append(Block(text, Location(line=line, part=part, section=self.section, **cell), framing, topic))

    def open_list(self) -> None:
        """A list begins: framed by the paragraph just before it (see `lead_in`)."""
        self.lead_ins.append(lead_in(self.blocks[-1] if self.blocks else None,
                                     self.lead_ins[-1] if self.lead_ins else ""))

    def run(self, tokens: list[Token]) -> None:
        for i, tok in enumerate(tokens):
            self.deepest = max(self.deepest, tok.level)
            kind = tok.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.open_list()
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lead_ins.pop()
            elif kind in ("list_item_open", "blockquote_open"):
                self.containers.append(kind)
            elif kind in ("list_item_close", "blockquote_close"):
                self.containers.pop()
            elif kind == "table_open":
                self.row = 0
            elif kind == "tr_open":
                self.row, self.col = self.row + 1, 0
            elif kind in ("th_open", "td_open"):
                self.col += 1
            elif kind in ("fence", "code_block"):
                code = "\n".join(line.rstrip() for line in tok.content.split("\n")).strip()
                # a fence's first code line
                self.add(code, self.line_offset + tok.map[0] + (2 if kind == "fence" else 1))
            elif kind == "html_block":
                self.add(_clean([self.html.text_of(tok.content)]), self.line_offset + tok.map[0] + 1)
            elif kind == "inline":
                parts: list[str] = []
                _inline_text(tok.children, self.html, parts)
                self.inline(tokens[i - 1], tokens[i - 2] if i > 1 else None, parts, self.line_offset + tok.map[0] + 1)

    def inline(self, opener: Token, before: Token | None, parts: list[str], line: int) -> None:
        if opener.type == "heading_open":
            self.heading(opener, _clean(parts), line)
        elif opener.type in ("th_open", "td_open"):
            self.add(_clean(parts), line, "table", row=self.row, col=self.col)
        elif self.containers and self.containers[-1] == "list_item_open":
            task = _TASK.match(parts[0]) if parts and before and before.type == "list_item_open" else None
            if task:  # "- [x] done": the box is markup
                parts[0] = parts[0][task.end():]
            self.add(_clean(parts), line, "list")
        else:  # a paragraph, at the top or in a quote
            self.add(_clean(parts), line)

    def heading(self, opener: Token, text: str, line: int) -> None:
        if opener.level > 0:  # in a list or quote: a heading, but not one of the document's
            self.add(text, line, "heading")
            return
        level = int(opener.tag[1:])
        self.headings.close(level)
        self.section = self.headings.path  # a heading's section: the headings above it
        self.add(text, line, "heading")
        self.headings.push(level, text)
        self.section = self.headings.path


# --------------------------------------------------------------------------- entry point


def markdown_blocks(text: str) -> tuple[list[Block], list[str]]:
    """The blocks of a Markdown text (line ends already normalised) and any warnings."""
    walk = _Walk()
    walk.run(_parser().parse(_drop_front_matter(text)))
    return walk.blocks, _nesting_warnings(walk)


def _nesting_warnings(walk: _Walk) -> list[str]:
    if walk.deepest >= MAX_NESTING - 1:
        return [f"Markdown nested too deeply (over {MAX_NESTING} levels of lists and quotes); "
                "text nested deeper was not read"]
    return []


# --------------------------------------------------------------------------- large files

#: A large file is parsed in parts of at least this many lines, cut before a top-level heading.
PART_LINES = 5_000
# a link reference definition ("[id]: https://…") counts for the whole document: a document
# holding one is parsed in one part
_REFERENCE_DEFINITION = re.compile(r"\[[^\]]+\]:")
_ATX_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)")
# HTML blocks that run past blank lines (CommonMark kinds 1-5), and what ends each
_HTML_RUNS = (
    (re.compile(r"( {0,3})<(?:script|pre|style|textarea)(?:\s|>|$)", re.IGNORECASE),
     re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE)),
    (re.compile(r"( {0,3})<!--"), re.compile(r"-->")),
    (re.compile(r"( {0,3})<\?"), re.compile(r"\?>")),
    (re.compile(r"( {0,3})<![A-Za-z]"), re.compile(r">")),
    (re.compile(r"( {0,3})<!\[CDATA\["), re.compile(r"\]\]>")),
)


class _PartCuts:
    """Where a Markdown document can be cut into parts that parse as they would in the whole:
    before an ATX heading at the line start that follows a blank line, outside fenced code and
    outside HTML blocks that run past blank lines. A blank line ends paragraphs, tables and
    the other HTML blocks, and a heading at the line start ends any list or quote. A fence or
    HTML block opened after 1-3 spaces may sit in a list item (where a later line can end it
    unseen here): after one, the document is not cut again."""

    def __init__(self) -> None:
        self.blank = True
        self.fence: tuple[str, int] | None = None  # the open fence's character and length
        self.html_end: re.Pattern[str] | None = None
        self.front_matter: bool | None = None  # None before the first line
        self.tagged = False  # since the last blank line, a line opened with a tag
        self.stopped = False

    def before(self, line: str) -> bool:
        """Whether the document can be cut before `line` (then read it)."""
        cut = (not self.stopped and self.blank and self.fence is None and self.html_end is None
               and not self.front_matter and _ATX_HEADING.match(line) is not None)
        self._read(line)
        return cut

    def _read(self, line: str) -> None:
        if self.front_matter is None:  # YAML front matter: its "# comments" are not headings
            self.front_matter = line.strip() == "---"
        elif self.front_matter:  # it reads as blank lines
            self.front_matter = line.strip() not in ("---", "...")
            self.blank = True
            return
        if self.front_matter:
            self.blank = True
            return
        stripped = line.strip()
        if self.fence is not None:
            char, length = self.fence
            columns = line.expandtabs(4)
            if (len(columns) - len(columns.lstrip()) <= 3 and stripped.startswith(char * length)
                    and stripped.strip(char) == ""):
                self.fence = None
        elif self.html_end is not None:
            if self.html_end.search(line):
                self.html_end = None
        elif (m := _FENCE.match(line)) is not None and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            self.fence = (m.group(2)[0], len(m.group(2)))
            # in a list item, or in what may be an HTML block (where it is no fence): unsure
            self.stopped |= bool(m.group(1)) or self.tagged
        else:
            for opener, end in _HTML_RUNS:
                if (m := opener.match(line)) is not None:
                    if not end.search(line, m.end()):
                        self.html_end = end
                    self.stopped |= bool(m.group(1))
                    break
            else:  # a line opening with a tag may start an HTML block that ends at a blank line
                self.tagged = self.tagged or (bool(stripped) and stripped[0] == "<"
                                              and len(line) - len(line.lstrip(" ")) <= 3)
        self.blank = not stripped
        if self.blank:
            self.tagged = False


def has_reference_definitions(lines: Iterable[str]) -> bool:
    """Whether a Markdown text may define a link reference ("[id]: https://…"), in a list or
    quote too (see `markdown_stream`); text such as "[1]: see" also counts."""
    return any("]:" in line and _REFERENCE_DEFINITION.search(line) for line in lines)


def markdown_stream(lines: Iterable[str], *, whole: bool = False,
                    warnings: list[str] | None = None) -> Iterator[Block]:
    """The blocks of a Markdown text given line by line (without line ends), parsed in parts
    of about PART_LINES lines cut where a cut changes nothing (see `_PartCuts`); `whole`: in
    one part (a document that may define link references, which count for the whole of it).
    The blocks are those of `markdown_blocks`; nesting warnings go to `warnings`."""
    walk = _Walk()
    cuts = _PartCuts()
    part: list[str] = []
    for line in lines:
        if cuts.before(line) and not whole and len(part) >= PART_LINES:
            yield from _walk_part(walk, part)
            part = []
        part.append(line)
    yield from _walk_part(walk, part)
    if warnings is not None:
        warnings.extend(_nesting_warnings(walk))


def _walk_part(walk: _Walk, part: list[str]) -> list[Block]:
    """The blocks of one part of a document, `walk` carrying the headings above it."""
    text = "\n".join(part)
    walk.run(_parser().parse(_drop_front_matter(text) if walk.line_offset == 0 else text))
    blocks, walk.blocks = walk.blocks, []  # at a cut no list is open: no lead-in is read across
    walk.line_offset += len(part)
    return blocks
