"""Lexicons page (admins): search the entries; which fire most and which reviewers dismiss most."""

from __future__ import annotations

import streamlit as st

from bias_review.store import lexicon_stats
from bias_review.webapp import views
from bias_review.webapp.auth import LEXICONS
from bias_review.webapp.resources import get_engine, get_store
from bias_review.webapp.widgets import page_access

TOP = 20


def lexicons_page() -> None:
    if page_access(LEXICONS) is None:
        return
    store = get_store()
    lexicon = get_engine(store)[0].lexicon
    st.title("Lexicons")
    st.caption(f"Lexicon version {lexicon.version}: {len(lexicon.entries)} entries")
    query_col, category_col = st.columns([3, 2])
    query = query_col.text_input("Search id, pattern or explanation", key="lex_search")
    category = category_col.selectbox("Category", [None, *views.CATEGORIES], key="lex_category",
                                      format_func=lambda c: c or "All")
    rows = views.entry_rows(lexicon.entries.values(), query, category)
    st.caption(f"{len(rows)} entries")
    st.dataframe(rows, hide_index=True, key="lex_entries")
    stats = lexicon_stats(store)
    categories = {e.id: e.category.value for e in lexicon.entries.values()}
    fired_col, dismissed_col = st.columns(2)
    with fired_col:
        st.subheader("Fire most")
        st.dataframe(views.lexicon_stat_rows(stats[:TOP], categories), hide_index=True, key="lex_fired")
    with dismissed_col:
        st.subheader("Dismissed most")
        worst = views.most_dismissed(stats, TOP)
        if worst:
            st.dataframe(views.lexicon_stat_rows(worst, categories), hide_index=True, key="lex_dismissed")
        else:
            st.caption("Reviewers have dismissed no lexicon flag yet.")
