"""The review page's "Add a missed flag" section: pick a document, find or paste a passage
from its text, name the flagged words and the category."""

from __future__ import annotations

from typing import Optional

import streamlit as st

from bias_review.store import Store, StoreError, add_missed_flag, documents
from bias_review.webapp import markup, views
from bias_review.webapp.passages import Passage, document_passages, locate, search, span_of

NOTICE = "missed_notice"


@st.cache_data(max_entries=16, show_spinner="Reading the document…")
def _passages(path: str) -> list[Passage]:
    return document_passages(path)


def missed_flag_section(store: Store, reviewer: Optional[str]) -> None:
    st.subheader("Add a missed flag")
    docs = {d.id: d for d in documents(store)}
    if not docs:
        st.caption("No document uploaded yet.")
        return
    document = st.selectbox("Document", list(docs), format_func=lambda d: docs[d].name, key="missed_document")
    passages = _passages(docs[document].file)
    query = st.text_input("Find a passage in the document", key="missed_search")
    found = search(passages, query) if query.strip() else []
    if found:
        st.selectbox("Matching passages", range(len(found)), format_func=lambda n: found[n].label,
                     index=None, placeholder="Choose one to copy it below", key="missed_choice",
                     on_change=_copy_choice, args=(found,))
    elif query.strip():
        st.caption("No passage of this document holds that text.")
    st.text_area("Passage (paste it, or choose one above)", key="missed_passage")
    st.text_input("Flagged words (empty: the whole passage)", key="missed_words")
    category_col, severity_col = st.columns(2)
    category_col.selectbox("Category", views.CATEGORIES, key="missed_category")
    severity_col.selectbox("Severity", views.FLAG_SEVERITIES, index=1, key="missed_severity")
    st.text_input("Comment", key="missed_comment")
    st.button("Add flag", key="missed_add", disabled=reviewer is None, on_click=_add,
              args=(store, document, passages, reviewer))
    message = st.session_state.pop(NOTICE, None)
    if message:
        st.info(markup.safe(message))


def _copy_choice(found: list[Passage]) -> None:
    chosen = st.session_state.get("missed_choice")
    if chosen is not None and chosen < len(found):
        st.session_state["missed_passage"] = found[chosen].text


def _add(store: Store, document: int, passages: list[Passage], reviewer: Optional[str]) -> None:
    state = st.session_state
    passage = " ".join(str(state.get("missed_passage") or "").split())
    try:
        if not reviewer:
            raise StoreError("enter a Reviewer name first")
        span = span_of(passage, str(state.get("missed_words") or ""))
        add_missed_flag(store, document, passage, span, state["missed_category"], reviewer,
                        locate(passages, passage), severity=state["missed_severity"],
                        comment=str(state.get("missed_comment") or "").strip() or None)
    except (StoreError, ValueError) as exc:
        state[NOTICE] = f"Not added: {exc}"
        return
    state[NOTICE] = "Flag added (accepted under your name)."
    state.update({"missed_passage": "", "missed_words": "", "missed_comment": "", "missed_search": ""})
    state.pop("missed_choice", None)
