"""Document text becomes inert HTML: no tag, no Markdown, no Streamlit directive survives."""

from __future__ import annotations

import html
import re

import pytest

from bias_review.webapp import markup

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**bold** and _italic_",
    "[link](javascript:alert(1))",
    ":red[red] :smile: $x^2$ `code` # heading",
    "line one\n\nline two (a blank line would end an HTML block)",
    "&lt;already escaped&gt; \"quoted\" 'single'",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_text_reads_back_literally(text):
    out = markup.safe(text)
    assert re.fullmatch(r"(?:[^<>&*_\[\]()`$:#]|&#\d+;|<br>)*", out), out
    assert html.unescape(out.replace("<br>", "\n")) == text


def test_highlight_marks_every_span_and_escapes_the_rest():
    passage = "Black patients <b>have</b> denser bones and Black skin"
    out = markup.highlighted(passage, [(0, 5), (44, 49)], "#fec84b")
    assert out.count("<mark") == 2 and "<b>" not in out
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == passage
