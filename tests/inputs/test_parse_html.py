"""HTML pages: blocks and locations, table-driven; what is dropped; format sniffing."""

from __future__ import annotations

import pytest
from inputs_builders import BIASED, write

from bias_review.parse import SUPPORTED_EXTENSIONS, detect_format, parse
from bias_review.parse.html import hidden, html_blocks


def blocks(html: str) -> list[tuple[str, dict]]:
    return [(b.text, b.location.as_dict()) for b in html_blocks(html)]


CASES = {
    "headings make the section, after the title": (
        "<html><head><title>CKD overview</title></head><body>\n<h1>Kidney</h1>\n<p>One.</p>\n"
        "<h2>Staging</h2>\n<p>Two.</p>\n<h2>Risk</h2>\n<p>Three.</p>\n<h1>Next</h1>\n<p>Four.</p></body></html>",
        [("Kidney", {"part": "heading", "line": 2, "section": "CKD overview"}),
         ("One.", {"line": 3, "section": "CKD overview > Kidney"}),
         ("Staging", {"part": "heading", "line": 4, "section": "CKD overview > Kidney"}),
         ("Two.", {"line": 5, "section": "CKD overview > Kidney > Staging"}),
         ("Risk", {"part": "heading", "line": 6, "section": "CKD overview > Kidney"}),
         ("Three.", {"line": 7, "section": "CKD overview > Kidney > Risk"}),
         ("Next", {"part": "heading", "line": 8, "section": "CKD overview"}),
         ("Four.", {"line": 9, "section": "CKD overview > Next"})]),
    "paragraphs, br, entities and white space": (
        "<p>Fish &amp; chips&nbsp;&mdash; &#x41;&#66;<br>next\n   line</p><div>loose <b>bold</b> <i>text</i></div>",
        [("Fish & chips \u2014 AB next line", {"line": 1}), ("loose bold text", {"line": 2})]),
    "lists, nested lists and an item's text after its sub-list": (
        "<ul>\n<li>one\n<ul><li>nested</li></ul>\ntail</li>\n<li><p>two</p></li>\n</ul>\n<ol><li>three</ol>",
        [("one", {"part": "list", "line": 2}), ("nested", {"part": "list", "line": 3}),
         ("tail", {"part": "list", "line": 4}), ("two", {"part": "list", "line": 5}),
         ("three", {"part": "list", "line": 7})]),
    "tables: header row, colspan, a cell of paragraphs, a nested table": (
        "<table>\n<tr><th>Stage</th><th colspan=2>GFR</th><th>Note</th></tr>\n"
        "<tr><td><p>G3a</p><p>moderate</p></td><td>45</td><td>59</td>"
        "<td><table><tr><td>inner</td></tr></table></td></tr>\n</table>\n<p>After.</p>",
        [("Stage", {"part": "table", "table": 1, "row": 1, "col": 1, "line": 2}),
         ("GFR", {"part": "table", "table": 1, "row": 1, "col": 2, "line": 2}),
         ("Note", {"part": "table", "table": 1, "row": 1, "col": 4, "line": 2}),
         ("G3a moderate", {"part": "table", "table": 1, "row": 2, "col": 1, "line": 3}),
         ("45", {"part": "table", "table": 1, "row": 2, "col": 2, "line": 3}),
         ("59", {"part": "table", "table": 1, "row": 2, "col": 3, "line": 3}),
         ("inner", {"part": "table", "table": 2, "row": 1, "col": 1, "line": 3}),
         ("After.", {"line": 5})]),
    "unclosed cells, rows and paragraphs close themselves": (
        "<table><tr><td>a<td>b<tr><td>c</table><p>one<p>two<ul><li>x<li>y</ul>",
        [("a", {"part": "table", "table": 1, "row": 1, "col": 1, "line": 1}),
         ("b", {"part": "table", "table": 1, "row": 1, "col": 2, "line": 1}),
         ("c", {"part": "table", "table": 1, "row": 2, "col": 1, "line": 1}),
         ("one", {"line": 1}), ("two", {"line": 1}),
         ("x", {"part": "list", "line": 1}), ("y", {"part": "list", "line": 1})]),
    "script, style, noscript, template and comments are dropped": (
        "<head><style>p { color: red }</style><script>var s = '<p>Black patients</p>';</script></head>"
        "<p>kept<script>document.write('<b>no</b>')</script></p><noscript><p>no js</p></noscript>"
        "<template><p>template</p></template><!-- <p>comment</p> --><p>end</p>",
        [("kept", {"line": 1}), ("end", {"line": 1})]),
    "hidden elements are dropped, whatever they hold": (
        "<div hidden><p>one</p><table><tr><td>two</td></tr></table></div>"
        "<p style='DISPLAY : None !important'>three</p><span style=\"color:red;display:none\">four</span>"
        "<p style='display: block'>shown</p><p style='visibility: hidden; color: red'>also shown</p>"
        "<table><tr><td>a</td></tr><tr hidden><td>b</td></tr><tr><td>c</td></tr></table>",
        [("shown", {"line": 1}), ("also shown", {"line": 1}),
         ("a", {"part": "table", "table": 1, "row": 1, "col": 1, "line": 1}),
         ("c", {"part": "table", "table": 1, "row": 2, "col": 1, "line": 1})]),
    "escaped markup is text; script text never becomes markup": (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;</p><script>x = '</p><p>injected';</script>",
        [("<script>alert(1)</script> and <b>", {"line": 1})]),
    "an image's alt text is read": (
        "<p>See <img src='a.png' alt='eGFR chart'> here.</p>\n<p><img alt='alone'></p>",
        [("See eGFR chart here.", {"line": 1}), ("alone", {"line": 2})]),
    "an unclosed script at the end is dropped": (
        "<p>before</p><script>never closed <p>inside</p>",
        [("before", {"line": 1})]),
    "a block's line is where its text starts": (
        "<p>\n\n   late start</p>\n<ul>\n  <li>\n    item</li></ul>",
        [("late start", {"line": 3}), ("item", {"part": "list", "line": 6})]),
}


@pytest.mark.parametrize("html,expected", CASES.values(), ids=CASES.keys())
def test_html_blocks(html, expected):
    assert blocks(html) == expected


@pytest.mark.parametrize("html", [h for h, _ in CASES.values()], ids=list(CASES))
def test_a_page_read_in_pieces_gives_the_same_blocks(html):
    """A large page is read piece by piece (`html_stream`): cut anywhere, inside a tag, an
    entity, a comment or a script, it gives the blocks of the whole page."""
    from bias_review.parse.html import html_stream

    whole = html_blocks(html)
    for size in (1, 2, 3, 5, 8, 13, 64):
        assert list(html_stream(html[i:i + size] for i in range(0, len(html), size))) == whole, size


def test_a_page_whose_comment_never_closes_is_read_at_once(monkeypatch):
    """A comment that runs on would have each later piece search it again: past
    HELD_BACK_CHARS the rest of the page goes to the parser at once."""
    from bias_review.parse import html as html_parser

    monkeypatch.setattr(html_parser, "HELD_BACK_CHARS", 100)
    page = "<p>before</p><!-- " + "<p>hidden</p>" * 200 + "<p>after</p>"
    fed = []
    real_feed = html_parser._PageReader.feed
    monkeypatch.setattr(html_parser._PageReader, "feed", lambda self, data: fed.append(len(data)) or real_feed(self, data))
    got = list(html_parser.html_stream(page[i:i + 10] for i in range(0, len(page), 10)))
    assert fed == [10] * 12 + [len(page) - 120]  # 12 pieces, then the rest in one
    assert got == html_blocks(page) and got[0].text == "before"


def test_a_large_page_streams_from_its_file(tmp_path, monkeypatch):
    from bias_review.parse import text

    body = "".join(f"<h2>Part {n}</h2>\n<p>The Caucasian patient {n} was started on metoprolol &amp; rest.</p>\n"
                   "<ul><li>one</li><li>two</li></ul>\r\n" for n in range(2_000))
    path = write(tmp_path / "page.html", ("<!doctype html><html><head><title>Week 2</title></head><body>"
                                          + body + "</body></html>").encode("utf-8"))
    whole = parse(path)
    monkeypatch.setattr(text, "STREAM_BYTES", 70_000)
    streamed = parse(path)
    assert isinstance(streamed.blocks, text.BlockStream) and streamed.format == "html"
    assert list(streamed.blocks) == whole.blocks and len(whole.blocks) == 8_000
    assert (streamed.sha256, streamed.pages, streamed.text_size, streamed.warnings) == (
        whole.sha256, whole.pages, whole.text_size, whole.warnings)
    assert whole.blocks[-1].location.section == "Week 2 > Part 1999"


def test_hidden():
    assert hidden([("hidden", None)]) and hidden([("hidden", "until-found")])
    assert hidden([("style", "color: red; display:none")])
    assert not hidden([("style", "display: flex")]) and not hidden([("class", "display:none")])


def test_html_is_chosen_by_content_and_by_extension(tmp_path):
    assert {".html", ".htm"} <= SUPPORTED_EXTENSIONS
    page = f"\ufeff<!-- exported -->\n<!DOCTYPE HTML>\n<html><body><p>{BIASED}</p></body></html>"
    assert detect_format(write(tmp_path / "page.bin", page)) == "html"
    assert detect_format(write(tmp_path / "x.txt", "<html><p>a</p></html>")) == "html"
    assert detect_format(write(tmp_path / "fragment.htm", "<p>only a fragment</p>")) == "html"
    assert detect_format(write(tmp_path / "notes.txt", "<p>a fragment in a text file</p>")) == "text"
    doc = parse(tmp_path / "page.bin")
    assert doc.format == "html" and [b.text for b in doc.blocks] == [BIASED]
    assert doc.warnings == []
    mismatch = parse(tmp_path / "x.txt")
    assert mismatch.warnings == ["extension .txt does not match the content (html); parsed as html"]


def test_html_decoding(tmp_path):
    latin = write(tmp_path / "old.html", "<p>Caf\u00e9 notes</p>".encode("cp1252"))
    doc = parse(latin)
    assert [b.text for b in doc.blocks] == ["Caf\u00e9 notes"]
    assert doc.warnings == ["not UTF-8; decoded as Windows-1252"]
    crlf = parse(write(tmp_path / "crlf.html", "<p>a</p>\r\n<p>b</p>\r<p>c</p>"))
    assert [b.location.line for b in crlf.blocks] == [1, 2, 3]


def test_escaped_script_stays_text_in_the_html_report(tmp_path, rules_engine):
    from bias_review.report import render

    page = write(tmp_path / "page.html", f"<p>&lt;script&gt;alert(1)&lt;/script&gt; {BIASED}</p>"
                                         "<script>alert(2)</script>")
    doc = rules_engine.scan_file(page)
    assert doc.error is None and doc.findings
    assert "<script>alert(1)</script>" in doc.findings[0].passage
    report = render(rules_engine.result_of([doc]), "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "<script>alert(1)" not in report and "alert(2)" not in report


def test_deep_nesting_stays_linear():
    """A flood of unclosed tags: time grows with the page, not with its square."""
    import time

    page = "<b>" * 25_000 + "<div hidden>" * 1000 + "gone</div>" + "<p>x</p><li>y" * 5_000 + "</span>" * 5_000
    started = time.perf_counter()
    got = html_blocks(page)
    assert time.perf_counter() - started < 5  # about 0.5 s; quadratic would be minutes
    assert len(got) == 10_000 and "gone" not in {b.text for b in got}  # blocks still cut below the cap


def test_html_list_items_carry_the_sentence_that_introduces_their_list():
    page = ("<h2>Race science</h2><p>Skulls were measured. Blumenbach divided humans into five races:</p>"
            "<ul><li>Caucasian race</li><li>Mongolian race<ul><li>nested</li></ul></li></ul>"
            "<p>Nothing here.</p><ol><li>Yellow race</li></ol>")
    framing = {b.text: b.framing for b in html_blocks(page)}
    lead = "Blumenbach divided humans into five races:"
    assert framing["Caucasian race"] == framing["Mongolian race"] == framing["nested"] == lead
    assert framing["Yellow race"] == "" and framing["Nothing here."] == ""
