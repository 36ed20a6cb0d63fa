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
                self.add(code, tok.map[0] + (2 if kind == "fence" else 1))  # a fence's first code line
            elif kind == "html_block":
                self.add(_clean([self.html.text_of(tok.content)]), tok.map[0] + 1)
            elif kind == "inline":
                parts: list[str] = []
                _inline_text(tok.children, self.html, parts)
                self.inline(tokens[i - 1], tokens[i - 2] if i > 1 else None, parts, tok.map[0] + 1)

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
    warnings = []
    if walk.deepest >= MAX_NESTING - 1:
        warnings.append(f"Markdown nested too deeply (over {MAX_NESTING} levels of lists and quotes); "
                        "text nested deeper was not read")
    return walk.blocks, warnings
