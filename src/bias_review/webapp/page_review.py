"""Review page (reviewers): filter the queue, decide one flag at a time, add a flag the tool
missed, see how far reviewers agree. Every decision goes straight to the store."""

from __future__ import annotations

from typing import Any, Optional

import streamlit as st

from bias_review.store import QueueItem, Store, StoreError, agreement, courses, decide, documents, history, queue
from bias_review.webapp import markup, views
from bias_review.webapp.auth import REVIEW
from bias_review.webapp.identity import current_access, current_reviewer
from bias_review.webapp.missed_flag import missed_flag_section
from bias_review.webapp.resources import get_store
from bias_review.webapp.widgets import page_access, show_html, show_text

CURRENT, POSITION, FORM_FOR, NOTICE = "review_current", "review_position", "review_form_for", "review_notice"
ALL = "All"


def review_page() -> None:
    access = page_access(REVIEW)
    if access is None:
        return
    store = get_store()
    st.title("Review flags")
    reviewer = current_reviewer(access)
    if reviewer is None:
        st.warning("Enter your name in **Reviewer name** (in the sidebar) to record decisions.")
    items = queue(store, include_vanished=False, **_filters(store))
    _notice()
    st.caption(f"{len(items)} flag(s) match the filters")
    if items:
        _current_flag(store, items, reviewer)
        with st.expander("Every matching flag"):
            st.dataframe(views.queue_rows(items), hide_index=True, key="review_table")
    else:
        st.success("Nothing to review with these filters.")
    st.divider()
    missed_flag_section(store, reviewer)
    st.divider()
    _agreement(store)


def _filters(store: Store) -> dict[str, Any]:
    """The filter widgets; returns the queue's keyword arguments."""
    course_col, document_col = st.columns(2)
    course_names = {c.id: c.name + (f" ({c.year})" if c.year else "") for c in courses(store)}
    course = course_col.selectbox("Course", [None, *course_names], format_func=lambda c: course_names.get(c, ALL),
                                  key="review_course")
    docs = {d.id: d.name for d in documents(store, course=course)}
    document = document_col.selectbox("Document", [None, *docs], format_func=lambda d: docs.get(d, ALL),
                                      key="review_document")
    category_col, severity_col, status_col = st.columns(3)
    category = category_col.multiselect("Category", views.CATEGORIES, key="review_category", placeholder=ALL)
    severity = severity_col.multiselect("Severity", views.SEVERITIES, default=list(views.FLAG_SEVERITIES),
                                        key="review_severity", placeholder=ALL)
    status = status_col.multiselect("Status", views.STATUSES, default=["open"], key="review_status",
                                    placeholder=ALL)
    return {"course": course, "document": document if document in docs else None,
            "category": category or None, "severity": severity or None, "status": status or None}


def _notice() -> None:
    message = st.session_state.pop(NOTICE, None)
    if message:
        st.toast(markup.safe(message))
        st.info(markup.safe(message))


def _current_flag(store: Store, items: list[QueueItem], reviewer: Optional[str]) -> None:
    position = views.position_of(items, st.session_state.get(CURRENT), st.session_state.get(POSITION, 0))
    item = items[position]
    st.session_state[CURRENT], st.session_state[POSITION] = item.id, position
    if st.session_state.get(FORM_FOR) != item.id:
        _reset_form(item)
    previous, where, following = st.columns([1, 4, 1])
    previous.button("Previous", key="review_previous", on_click=_move, args=(items, position - 1),
                    disabled=position == 0)
    where.markdown(f"Flag {position + 1} of {len(items)}")
    following.button("Next", key="review_next", on_click=_move, args=(items, position + 1),
                     disabled=position == len(items) - 1)
    view = views.flag_view(item)
    show_text(f"{item.document_name} · {view.location}" + (f" · {item.course}" if item.course else ""))
    show_html(views.card_html(view, with_status=True))
    _decision_widgets(store, item, views.next_open(items, position), reviewer)
    rows = views.history_rows(history(store, item.id), flag=item.id)
    st.markdown("**History**")
    if rows:
        st.dataframe(rows, hide_index=True, key="review_history")
    else:
        st.caption("No decision yet.")


def _move(items: list[QueueItem], position: int) -> None:
    position = max(0, min(position, len(items) - 1))
    st.session_state[CURRENT], st.session_state[POSITION] = items[position].id, position


def _reset_form(item: QueueItem) -> None:
    """Fresh decision fields for a flag (set before the widgets are drawn)."""
    st.session_state.update({
        FORM_FOR: item.id, "review_reason": None,  # no reason until the reviewer picks one
        "review_reason_text": "", "review_new_category": item.category, "review_new_severity": item.severity,
        "review_rewrite": "", "review_comment": "",
    })


def _decision_widgets(store: Store, item: QueueItem, next_id: Optional[int], reviewer: Optional[str]) -> None:
    off = reviewer is None
    accept, reason, details, dismiss = st.columns([1, 2, 3, 1], vertical_alignment="bottom")
    accept.button("Accept", key="review_accept", type="primary", disabled=off, on_click=_decide,
                  args=(store, item, "accepted", next_id))
    reason.selectbox("Dismiss reason", list(views.REASON_LABELS), format_func=views.REASON_LABELS.get,
                     key="review_reason", index=None, placeholder="none given")
    details.text_input("Reason details", key="review_reason_text")
    dismiss.button("Dismiss", key="review_dismiss", disabled=off, on_click=_decide,
                   args=(store, item, "dismissed", next_id))
    category, save_category, severity, save_severity = st.columns([3, 1, 2, 1], vertical_alignment="bottom")
    category.selectbox("Category", views.CATEGORIES, key="review_new_category")
    save_category.button("Save category", key="review_save_category", disabled=off, on_click=_decide,
                         args=(store, item, "recategorised", next_id))
    severity.selectbox("Severity", views.SEVERITIES, key="review_new_severity")
    save_severity.button("Save severity", key="review_save_severity", disabled=off, on_click=_decide,
                         args=(store, item, "severity", next_id))
    for column, decision, label in zip(st.columns(2), ("rewrite", "comment"), ("Suggested rewrite", "Comment")):
        with column:
            st.text_area(label, key=f"review_{decision}", height=80)
            st.button(f"Save {decision}", key=f"review_save_{decision}", disabled=off, on_click=_decide,
                      args=(store, item, decision, None))


def _decide(store: Store, item: QueueItem, decision: str, next_id: Optional[int]) -> None:
    """Save one decision at once; after a verdict the next open flag comes up."""
    access, _ = current_access(store.data_dir)
    reviewer = current_reviewer(access)
    state = st.session_state
    extra: dict[str, Any] = {}
    if decision == "dismissed":
        extra = {"reason": state.get("review_reason"), "reason_text": state.get("review_reason_text") or None}
    elif decision == "recategorised":
        if state.get("review_new_category") == item.category:
            state[NOTICE] = "The category is unchanged."
            return
        extra = {"new_category": state.get("review_new_category")}
    elif decision == "severity":
        if state.get("review_new_severity") == item.severity:
            state[NOTICE] = "The severity is unchanged."
            return
        extra = {"severity": state.get("review_new_severity")}
    elif decision in ("rewrite", "comment"):
        extra = {decision: (state.get(f"review_{decision}") or "").strip() or None}
    try:
        if not reviewer:
            raise StoreError("enter a Reviewer name first")
        decide(store, item.id, reviewer, decision, **extra)
    except StoreError as exc:
        state[NOTICE] = f"Not saved: {exc}"
        return
    state[NOTICE] = f"Saved: {decision} ({item.text})"
    if next_id is not None:
        state[CURRENT] = next_id
    state[FORM_FOR] = None  # fresh fields on the next run


def _agreement(store: Store) -> None:
    st.subheader("Agreement")
    rows = views.agreement_rows(agreement(store))
    if rows:
        st.caption("Cohen's kappa per category, for each pair of reviewers who decided the same flags.")
        st.dataframe(rows, hide_index=True, key="review_agreement")
    else:
        st.caption("No flag has been decided by two reviewers yet.")
