"""Bar charts of the archive's flags (per category, per course, per year) as inline SVG drawn
here: no script, no font or style sheet from anywhere, every label escaped.

`archive_charts(numbers)` gives each chart's data and its SVG; `dashboard_charts(store)` does
the whole way from the store, for a dashboard page of the review app
(`st.markdown(chart.svg, unsafe_allow_html=True)`, or `chart.data` to a chart widget).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from bias_review.store import Store

LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH, ROW, BAR = 190, 340, 50, 24, 16
MAX_LABEL = 28
COLORS = {"by_category": "#b42318", "by_course": "#175cd3", "by_year": "#027a48"}
TITLES = {"by_category": "Flags per category", "by_course": "Flags per course", "by_year": "Flags per year"}


@dataclass(frozen=True)
class Chart:
    """One chart: `key` names its numbers (`by_category`, `by_course`, `by_year`), `data` is
    (label, value) in order, `svg` the drawing."""

    key: str
    title: str
    data: list[tuple[str, int]]
    svg: str


def number_attrs(path: tuple, value: Any) -> str:
    """The attributes that mark a number shown in HTML with its place in the numbers
    (`numbers.flatten`), so a test can read every number back."""
    return (f' data-number="{escape(json.dumps(list(path)), quote=True)}"'
            f' data-value="{escape(json.dumps(value), quote=True)}"')


def bar_chart(key: str, title: str, data: list[tuple[str, int]]) -> str:
    """A horizontal bar chart as an inline <svg> element."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = max(1, len(data)) * ROW + 8
    top = max((v for _, v in data), default=0) or 1
    color = COLORS.get(key, "#475467")
    out = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" font-family="system-ui,sans-serif" font-size="13">',
           f"<title>{escape(title)}</title>"]
    if not data:
        out.append('<text x="4" y="18" fill="#667085">No flags yet.</text>')
    for n, (label, value) in enumerate(data):
        y = 4 + n * ROW
        w = max(1, round(BAR_WIDTH * value / top))
        short = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
        out.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end" fill="#1d2939">{escape(short)}'
                   f"<title>{escape(label)}</title></text>")
        out.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w}" height="{BAR}" rx="3" fill="{color}"/>')
        out.append(f'<text x="{LABEL_WIDTH + w + 6}" y="{y + 13}" fill="#1d2939"'
                   f"{number_attrs((key, label), value)}>{value}</text>")
    out.append("</svg>")
    return "".join(out)


def archive_charts(numbers: dict[str, Any]) -> list[Chart]:
    """The three charts of the archive report, from `archive_numbers`."""
    charts = []
    for key, title in TITLES.items():
        data = list(numbers[key].items())
        charts.append(Chart(key, title, data, bar_chart(key, title, data)))
    return charts


def dashboard_charts(store: Store) -> list[Chart]:
    """The archive report's charts, straight from the store."""
    from bias_review.batch.archive import load_archive
    from bias_review.batch.numbers import archive_numbers

    return archive_charts(archive_numbers(load_archive(store)))
