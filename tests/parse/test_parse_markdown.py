"""Markdown through markdown-it-py: blocks, locations, section paths, inline text, HTML,
front matter, and linear time on large files."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bias_review.cli import app
from bias_review.findings import Location
from bias_review.parse import parse
from bias_review.parse.markdown import MAX_NESTING, markdown_blocks


def md(tmp_path: Path, source: str, name: str = "notes.md"):
    f = tmp_path / name
    f.write_text(source, encoding="utf-8")
    return parse(f)


def pairs(doc) -> list[tuple[str, dict]]:
    return [(b.text, b.location.as_dict()) for b in doc.blocks]


# --------------------------------------------------------------------------- blocks

H = "heading"
L = "list"

BLOCK_CASES = {
    "headings, setext headings and paragraphs": (
        "# Kidney\n"
        "\n"
        "Glomerular filtration\n"
        "falls with age.\n"
        "\n"
        "Estimating GFR\n"
        "--------------\n"
        "\n"
        "Use creatinine.\n",
        [
            ("Kidney", {"part": H, "line": 1}),
            ("Glomerular filtration falls with age.", {"line": 3, "section": "Kidney"}),
            ("Estimating GFR", {"part": H, "line": 6, "section": "Kidney"}),
            ("Use creatinine.", {"line": 9, "section": "Kidney > Estimating GFR"}),
        ],
    ),
    "bullets, numbers, nested items, a loose item's second paragraph, a task": (
        "- first *item*\n"
        "  wrapped\n"
        "  1. nested one\n"
        "  2. nested two\n"
        "     - deeper\n"
        "- second item\n"
        "\n"
        "  its second paragraph\n"
        "- [x] done task\n"
        "\n"
        "3) numbered\n",
        [
            ("first item wrapped", {"part": L, "line": 1}),
            ("nested one", {"part": L, "line": 3}),
            ("nested two", {"part": L, "line": 4}),
            ("deeper", {"part": L, "line": 5}),
            ("second item", {"part": L, "line": 6}),
            ("its second paragraph", {"part": L, "line": 8}),
            ("done task", {"part": L, "line": 9}),
            ("numbered", {"part": L, "line": 11}),
        ],
    ),
    "a wrapped year does not start a list": (
        "The race coefficient was removed in\n2021. Laboratories changed.\n- a bullet interrupts\n",
        [
            ("The race coefficient was removed in 2021. Laboratories changed.", {"line": 1}),
            ("a bullet interrupts", {"part": L, "line": 3}),
        ],
    ),
    "block quotes: paragraphs, a list and a nested quote": (
        "> Quoted **guidance**\n"
        "> on two lines.\n"
        ">\n"
        "> - quoted item\n"
        ">\n"
        "> > inner quote\n",
        [
            ("Quoted guidance on two lines.", {"line": 1}),
            ("quoted item", {"part": L, "line": 4}),
            ("inner quote", {"line": 6}),
        ],
    ),
    "table cells: header row 1, inline markup, escaped pipe, empty cell skipped": (
        "Before.\n"
        "\n"
        "| Stage | **eGFR** |\n"
        "|:------|-----:|\n"
        "| G3a   | [45](https://x.org)-59 |\n"
        "| a \\| b |  |\n"
        "\n"
        "| Second | table |\n"
        "|---|---|\n",
        [
            ("Before.", {"line": 1}),
            ("Stage", {"part": "table", "row": 1, "col": 1, "line": 3}),
            ("eGFR", {"part": "table", "row": 1, "col": 2, "line": 3}),
            ("G3a", {"part": "table", "row": 2, "col": 1, "line": 5}),
            ("45-59", {"part": "table", "row": 2, "col": 2, "line": 5}),
            ("a | b", {"part": "table", "row": 3, "col": 1, "line": 6}),
            ("Second", {"part": "table", "row": 1, "col": 1, "line": 8}),
            ("table", {"part": "table", "row": 1, "col": 2, "line": 8}),
        ],
    ),
    "fenced and indented code kept as blocks, from their first code line": (
        "Text.\n"
        "\n"
        "```python\n"
        "x = 1   \n"
        "\n"
        "y = **2**\n"
        "```\n"
        "\n"
        "    indented *code*\n",
        [
            ("Text.", {"line": 1}),
            ("x = 1\n\ny = **2**", {"line": 4}),
            ("indented *code*", {"line": 9}),
        ],
    ),
    "a box is markup only at the start of an item": (
        "- [ ] open task\n\n  [x] in a later paragraph is text\n- plain [x] inside\n",
        [
            ("open task", {"part": L, "line": 1}),
            ("[x] in a later paragraph is text", {"part": L, "line": 3}),
            ("plain [x] inside", {"part": L, "line": 4}),
        ],
    ),
    "code in a list item is its own block": (
        "- item\n\n  ```\n  code line\n  ```\n",
        [("item", {"part": L, "line": 1}), ("code line", {"line": 4})],
    ),
}


@pytest.mark.parametrize("source,expected", BLOCK_CASES.values(), ids=list(BLOCK_CASES))
def test_blocks_lines_and_parts(tmp_path, source, expected):
    doc = md(tmp_path, source)
    assert doc.format == "markdown" and doc.warnings == []
    assert pairs(doc) == expected


# --------------------------------------------------------------------------- sections

SECTION_SOURCE = """\
# 3 Cells

Intro.

## 3.1 Structure

### Membranes

Lipids.

## 3.2 The Plasma Membrane

- carries *proteins*

> ## A quoted heading
>
> quoted text

# 4 Tissues

Epithelium.

#### Skipped levels

Deep.

## 

After an empty heading.
"""

SECTION_EXPECTED = [
    ("3 Cells", H, 1, None),
    ("Intro.", None, 3, "3 Cells"),
    ("3.1 Structure", H, 5, "3 Cells"),
    ("Membranes", H, 7, "3 Cells > 3.1 Structure"),
    ("Lipids.", None, 9, "3 Cells > 3.1 Structure > Membranes"),
    ("3.2 The Plasma Membrane", H, 11, "3 Cells"),
    ("carries proteins", L, 13, "3 Cells > 3.2 The Plasma Membrane"),
    # a heading inside a quote is a heading block but does not change the document's path
    ("A quoted heading", H, 15, "3 Cells > 3.2 The Plasma Membrane"),
    ("quoted text", None, 17, "3 Cells > 3.2 The Plasma Membrane"),
    ("4 Tissues", H, 19, None),
    ("Epithelium.", None, 21, "4 Tissues"),
    ("Skipped levels", H, 23, "4 Tissues"),
    ("Deep.", None, 25, "4 Tissues > Skipped levels"),
    # an empty level-2 heading closes "Skipped levels" and adds nothing
    ("After an empty heading.", None, 29, "4 Tissues"),
]


def test_section_paths(tmp_path):
    doc = md(tmp_path, SECTION_SOURCE)
    got = [(b.text, b.location.part, b.location.line, b.location.section) for b in doc.blocks]
    assert got == SECTION_EXPECTED


def test_long_heading_is_cut_in_the_path(tmp_path):
    doc = md(tmp_path, "# " + "a" * 500 + "\n\ntext\n")
    assert doc.blocks[0].text == "a" * 500  # the heading block keeps its whole text
    section = doc.blocks[1].location.section
    assert len(section) == 200 and section.endswith("…")


DESCRIBE_CASES = [
    (Location(line=40, part="list", section="3 Cells > 3.2 The Plasma Membrane"),
     "line 40, list (3 Cells > 3.2 The Plasma Membrane)"),
    (Location(line=7, section="Kidney"), "line 7 (Kidney)"),
    (Location(line=3, part="table", row=2, col=1, section="A"), "row 2, col 1, line 3, table (A)"),
    (Location(line=9, part="heading"), "line 9, heading"),
    (Location(page=2), "page 2"),
    (Location(line=5, section="Chapter 3: The Cellular Level of Organization > Introduction > Chapter Objectives"),
     "line 5 (… > Introduction > Chapter Objectives)"),
    (Location(line=6, section="Part one > " + "x" * 80), "line 6 (…" + "x" * 59 + ")"),
]


@pytest.mark.parametrize("location,label", DESCRIBE_CASES)
def test_describe_shows_the_section_briefly(location, label):
    assert location.describe() == label
    assert len(location.describe()) < 90


def test_section_is_last_in_the_location_dict():
    loc = Location(line=4, part="table", row=1, col=2, section="S")
    assert list(loc.as_dict()) == ["part", "row", "col", "line", "section"]
    assert "section" not in Location(line=4).as_dict()


# --------------------------------------------------------------------------- inline text

INLINE_CASES = {
    "strong, emphasis, strikethrough": ("**strong**, *em*, _em_ and ~~struck~~ x", "strong, em, em and struck x"),
    "intraword underscores and spaced stars stay": ("snake_case_name and 2 * 3 * 4", "snake_case_name and 2 * 3 * 4"),
    "code span": ("use `cystatin C` here", "use cystatin C here"),
    "link text kept, URL and title dropped": ('see [the report](https://x.org "Title") now', "see the report now"),
    "reference link": ("see [the report][r] now\n\n[r]: https://x.org", "see the report now"),
    "image alt text, its markup reduced": ("![a *kidney* diagram](k.png) shown", "a kidney diagram shown"),
    "autolink keeps the address": ("at <https://nkf.org> today", "at https://nkf.org today"),
    "wiki link": ("see [[Renal physiology]] first", "see Renal physiology first"),
    "wiki link with shown text": ("see [[Renal physiology#GFR|the GFR notes]] first", "see the GFR notes first"),
    "wiki embed dropped": ("![[diagram.png]] Caption text", "Caption text"),
    "escaped brackets are not a wiki link": ("\\[\\[not a link\\]\\] stays", "[[not a link]] stays"),
    "wiki link in a code span stays": ("`[[in code]]` stays", "[[in code]] stays"),
    "unclosed wiki link stays text": ("an [[unclosed link here", "an [[unclosed link here"),
    "escapes": ("a\\*b \\_c\\_ \\# d", "a*b _c_ # d"),
    "entities": ("AT&amp;T &lt;b&gt; &copy; &#39;x&#39; a&nbsp;b", "AT&T <b> © 'x' a\u00a0b"),
    "footnote reference left as text": ("a claim[^1] made", "a claim[^1] made"),
    "soft and hard breaks are spaces": ("one\ntwo  \nthree\\\nfour", "one two three four"),
    "inline HTML: tags dropped, text kept, <br> a space": (
        'x <span class="y">inline</span> z<br>next', "x inline z next"),
    "inline HTML comment dropped": ("keep <!-- bias-review hidden --> this", "keep this"),
    "inline img tag keeps its alt text": ('a <img src="k.png" alt="kidney"> b', "a kidney b"),
}


@pytest.mark.parametrize("source,text", INLINE_CASES.values(), ids=list(INLINE_CASES))
def test_inline_markup_reduced_to_text(tmp_path, source, text):
    doc = md(tmp_path, source + "\n")
    assert [b.text for b in doc.blocks] == [text]


def test_wiki_link_in_a_table_cell(tmp_path):
    doc = md(tmp_path, "| Topic |\n|---|\n| [[Renal\\|kidney notes]] and [[GFR]] |\n")
    assert pairs(doc)[1] == ("kidney notes and GFR", {"part": "table", "row": 2, "col": 1, "line": 3})


# --------------------------------------------------------------------------- HTML

HTML_CASES = {
    "block: tags dropped, words kept apart": (
        "<div>\n<p>Hello <b>world</b></p><p>again</p>\n</div>\n",
        ["Hello world again"],
    ),
    "script text is plain text, never markup": (
        '<div>\n<script>alert("x"); document.write("<b>hi</b>")</script>\n</div>\n\nAfter.\n',
        ['alert("x"); document.write("<b>hi</b>")', "After."],
    ),
    "a script without its end tag keeps its text": (
        "<script>\nvar a = 1;\n",
        ["var a = 1;"],
    ),
    "entities in HTML decoded": ("<p>Na&#x207A; &amp; K&#8314;</p>\n", ["Na\u207a & K\u207a"]),
    "comment block dropped": ("Before.\n\n<!-- a comment\nover lines -->\n\nAfter.\n", ["Before.", "After."]),
    "unclosed comment hides the rest": ("Before.\n\n<!-- never closed\n\nhidden text\n", ["Before."]),
    "markdown around an HTML block": (
        "# T\n\n<table><tr><td>cell one</td><td>cell two</td></tr></table>\n\nText.\n",
        ["T", "cell one cell two", "Text."],
    ),
}


@pytest.mark.parametrize("source,texts", HTML_CASES.values(), ids=list(HTML_CASES))
def test_html_reduced_to_text(tmp_path, source, texts):
    doc = md(tmp_path, source)
    assert [b.text for b in doc.blocks] == texts


def test_html_block_location(tmp_path):
    doc = md(tmp_path, "# Renal\n\nText.\n\n<div>\n<p>html text</p>\n</div>\n")
    assert pairs(doc)[2] == ("html text", {"line": 5, "section": "Renal"})


# --------------------------------------------------------------------------- front matter

FRONT_MATTER_CASES = {
    "YAML dropped, lines kept": (
        "---\ntitle: Race and eGFR\ntags: [renal]\n---\n# Heading\n\nBody.\n",
        [("Heading", {"part": H, "line": 5}), ("Body.", {"line": 7, "section": "Heading"})],
    ),
    "closed by ...": (
        "---\ntitle: x\n...\nBody.\n",
        [("Body.", {"line": 4})],
    ),
    "not closed: not front matter": (
        "---\nBody text.\n",
        [("Body text.", {"line": 2})],
    ),
    "not at the top: a rule and a setext heading": (
        "Intro.\n\n---\nTitle\n---\n",
        [("Intro.", {"line": 1}), ("Title", {"part": H, "line": 4})],
    ),
}


@pytest.mark.parametrize("source,expected", FRONT_MATTER_CASES.values(), ids=list(FRONT_MATTER_CASES))
def test_front_matter(tmp_path, source, expected):
    assert pairs(md(tmp_path, source)) == expected


# --------------------------------------------------------------------------- robustness


def test_plain_text_is_not_parsed_as_markdown(tmp_path):
    doc = md(tmp_path, "# Not a heading **here**\n- [link](u)\n", name="notes.txt")
    assert doc.format == "text"
    assert pairs(doc) == [("# Not a heading **here**", {"line": 1}), ("- [link](u)", {"line": 2})]


def test_crlf_and_bom(tmp_path):
    f = tmp_path / "dos.md"
    f.write_bytes(b"\xef\xbb\xbf# Title\r\n\r\nline one\r\nline two\r\n")
    assert pairs(parse(f)) == [("Title", {"part": H, "line": 1}),
                              ("line one line two", {"line": 3, "section": "Title"})]


@pytest.mark.parametrize("depth,warned", [(10, False), (MAX_NESTING + 10, True)])
def test_deep_nesting_warns_when_text_is_lost(tmp_path, depth, warned):
    doc = md(tmp_path, ">" * depth + " deep text\n\nafter\n")
    assert bool(doc.warnings) is warned
    assert ("deep text" in [b.text for b in doc.blocks]) is not warned
    assert doc.blocks[-1].text == "after"


def test_threads_share_the_parser(tmp_path):
    source = SECTION_SOURCE * 20
    expected = markdown_blocks(source)
    results: list = []

    def work() -> None:
        for _ in range(5):
            results.append(markdown_blocks(source))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20 and all(r == expected for r in results)


# A chapter-like unit: mostly prose, with lists, a table, HTML, and openers that never close.
PROSE = (
    "The kidneys filter the blood through about a million nephrons each, and the rate at which "
    "they do so is estimated from serum creatinine, age and sex. Creatinine depends on muscle "
    "mass, diet and some drugs, so an estimate can mislead in people at the extremes of body "
    "size; cystatin C is then measured as well. "
) * 3
UNIT = (
    "## Section\n\n"
    + PROSE
    + "See [the guideline](https://example.org/ckd) and [[Renal physiology|our notes]]. An unclosed "
    "[[bracket and a stray * star and <angle and `tick stay text.\n\n"
    "- Measure **cystatin C** when creatinine misleads.\n"
    "  - Nested point with &amp; an entity.\n\n"
    "| Stage | eGFR |\n|---|---|\n| G3a | 45-59 |\n\n"
    "<div><p>Some <b>HTML</b> text.</p></div>\n\n"
)


def test_five_megabyte_markdown_parses(tmp_path):
    n = 5 * 1024 * 1024 // len(UNIT) + 1
    doc = md(tmp_path, UNIT * n, name="big.md")
    per_unit = 9  # heading, paragraph, two items, four cells, HTML
    assert len(doc.blocks) == per_unit * n and doc.warnings == []
    assert doc.blocks[1].text.endswith("See the guideline and our notes. An unclosed [[bracket and "
                                       "a stray * star and <angle and `tick stay text.")
    assert doc.blocks[-1].location.line == UNIT.count("\n") * (n - 1) + 12  # the last unit's HTML


# one paragraph of prose with an unclosed opener every few hundred characters
ONE_PARAGRAPH = PROSE + "an [[unclosed link, a *star, a `tick and a [bracket. "


@pytest.mark.parametrize("unit", [UNIT, ONE_PARAGRAPH], ids=["chapters", "one paragraph"])
def test_time_grows_linearly(unit):
    def seconds(size: int) -> float:  # best of three: a busy machine must not fail the test
        text = unit * (size // len(unit))
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            markdown_blocks(text)
            best = min(best, time.perf_counter() - t)
        return best

    small, large = seconds(1_000_000), seconds(4_000_000)
    assert large / small < 8, (small, large)  # 4x the input; quadratic would be ~16x


# --------------------------------------------------------------------------- end to end


def test_scan_reports_markdown_findings_with_their_section(tmp_path):
    f = tmp_path / "renal.md"
    f.write_text(
        "---\nnote: For African American patients, multiply the MDRD eGFR by 1.212.\n---\n"
        "# Renal\n\n## eGFR\n\n"
        "- For **African American** patients, multiply the [MDRD](https://x.org) eGFR by 1.212.\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    res = runner.invoke(app, ["scan", str(f), "--format", "json", "--no-classifier"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    findings = json.loads(res.stdout)["documents"][0]["findings"]
    assert findings and {fd["category"] for fd in findings} == {"race-correction"}
    assert all(fd["location"] == {"part": "list", "line": 8, "section": "Renal > eGFR"} for fd in findings)
    assert findings[0]["passage"].startswith("For African American patients, multiply the MDRD eGFR")
    text = runner.invoke(app, ["scan", str(f), "--no-classifier"], catch_exceptions=False).stdout
    assert "line 8, list (Renal > eGFR)" in text


# --------------------------------------------------------------------------- a list's lead-in


LEAD_IN = ("## Race science\n\n"
           "Skulls were measured for centuries. Blumenbach divided humans into five races:\n\n"
           "- Caucasian or White race: people of European origin\n"
           "- Mongolian or Yellow race: people of East Asian origin\n"
           "  - a nested item\n\n"
           "A paragraph that introduces nothing.\n\n"
           "- Mongolian or Yellow race: people of East Asian origin\n")


def test_list_items_carry_the_sentence_that_introduces_their_list():
    blocks, _ = markdown_blocks(LEAD_IN)
    framing = {b.text: b.framing for b in blocks if b.location.part == "list"}
    lead = "Blumenbach divided humans into five races:"
    assert framing["Caucasian or White race: people of European origin"] == lead
    assert framing["a nested item"] == lead  # a nested list keeps its parent's lead-in
    assert [b.framing for b in blocks if b.location.line == 11] == [""]  # no colon, no lead-in
    assert all(b.framing == "" for b in blocks if b.location.part != "list")


def test_a_history_lead_in_makes_its_list_history_and_only_its_list(tmp_path, rules_engine):
    f = tmp_path / "race.md"
    f.write_text(LEAD_IN, encoding="utf-8")
    found = [x for x in rules_engine.scan_file(f).findings if x.category.value == "outdated-term"]
    by_line = {}
    for x in found:
        by_line.setdefault(x.location.line, []).append(x)
    assert all(x.severity.value == "info" and any("lead-in" in t.reason for t in x.trace)
               for line in (5, 6) for x in by_line[line])
    assert any(x.is_flag for x in by_line[11])  # the same item under a neutral paragraph is flagged
