"""Dashboard page (reviewers and admins): the archive report's charts and numbers, from the store
(flags per category, course and year; decisions so far; the share of documents with a high flag)."""

from __future__ import annotations

import streamlit as st

from bias_review.webapp.auth import DASHBOARD
from bias_review.webapp.resources import get_store
from bias_review.webapp.widgets import page_access


def dashboard_page() -> None:
    if page_access(DASHBOARD) is None:
        return
    from bias_review.batch.archive import load_archive
    from bias_review.batch.charts import archive_charts
    from bias_review.batch.numbers import archive_numbers

    st.title("Dashboard")
    numbers = archive_numbers(load_archive(get_store()))
    cols = st.columns(4)
    cols[0].metric("Documents", numbers["documents"])
    cols[1].metric("Flags", numbers["flags"])
    cols[2].metric("Documents with a high flag", f"{numbers['share_with_high']:.0%}")
    cols[3].metric("Open flags", numbers["decisions"].get("open", 0))
    charts = archive_charts(numbers) if numbers["documents"] else []
    if not charts:
        st.info("Nothing scanned yet: upload documents or run an archive scan with --db.")
    for chart in charts:
        # our own SVG, every label escaped when it was drawn (batch/charts.py)
        st.markdown(chart.svg, unsafe_allow_html=True)
    st.caption("The same charts as `bias-review report --format html`.")
