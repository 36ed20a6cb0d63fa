"""HTML for `st.markdown(..., unsafe_allow_html=True)` built only from escaped text.

Document text is user content: `safe` escapes HTML *and* every character Markdown (and
Streamlit's own `:colour[...]`, `:emoji:` and `$math$` syntax) could read as markup, as
numeric character references, and turns line breaks into `<br>` so no blank line ever ends
the HTML block and lets Markdown parse what follows.
"""

from __future__ import annotations

from collections.abc import Iterable

from bias_review.findings import passage_segments

# HTML's special characters, and those with a meaning in Markdown or in Streamlit's Markdown
# extensions, each replaced in one pass by a character reference.
_MARKUP = "&<>\"'\\`*_{}[]()#+-.!|~:$=^"
_REFS = {ord(ch): f"&#{ord(ch)};" for ch in _MARKUP}


def safe(text: object) -> str:
    """`text` as inert HTML: shown literally, whatever it holds."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_REFS)
    return value.replace("\n", "<br>")


def highlighted(passage: str, spans: Iterable[tuple[int, int]], colour: str) -> str:
    """The passage with every flagged span in a `<mark>` of `colour`; all text escaped."""
    parts = []
    for text, flagged in passage_segments(passage, list(spans)):
        piece = safe(text)
        parts.append(f'<mark style="background:{colour};padding:0 2px;border-radius:3px">{piece}</mark>'
                     if flagged else piece)
    return "".join(parts)


def badge(text: str, colour: str, *, ink: str = "#fff") -> str:
    """A small coloured label (text escaped)."""
    return (f'<span style="background:{colour};color:{ink};border-radius:4px;padding:1px 6px;'
            f'font-size:0.8em;font-weight:600">{safe(text)}</span>')


def block(inner_html: str, *, border: str = "#d0d5dd") -> str:
    """A bordered box around already-safe HTML (a single line: no blank line inside)."""
    return (f'<div style="border-left:4px solid {border};padding:6px 10px;margin:4px 0 10px;'
            f'background:rgba(127,127,127,0.06);border-radius:0 6px 6px 0">{inner_html}</div>')


def labelled(label: str, text: object) -> str:
    """'<b>Label:</b> text' on its own line, text escaped; empty when there is no text."""
    return f'<div><b>{safe(label)}:</b> {safe(text)}</div>' if text else ""
