"""Streamlit pieces more than one page draws: safe HTML, a scanned document's flags and
downloads, the access check at the top of a page."""

from __future__ import annotations

from typing import Optional

import streamlit as st

from bias_review.store import DocumentInfo, Store, queue
from bias_review.store.scan_history import last_scan
from bias_review.webapp import markup, views
from bias_review.webapp.auth import Access
from bias_review.webapp.downloads import document_dict, downloads
from bias_review.webapp.identity import current_access
from bias_review.webapp.resources import get_store


def show_html(html: str) -> None:
    """Draw HTML built by `markup`/`views` (all user text in it escaped)."""
    st.markdown(html, unsafe_allow_html=True)


def show_text(text: object, *, tag: str = "div") -> None:
    """Draw user text (a file name, an error) literally, as one element."""
    show_html(f"<{tag}>{markup.safe(text)}</{tag}>")


def page_access(page: str) -> Optional[Access]:
    """The current access if it may open `page`; otherwise a refusal is shown and None is
    returned (a page left out of the navigation can still be reached by its URL)."""
    access, _ = current_access(get_store().data_dir)
    if access.may_open(page):
        return access
    st.error("You do not have access to this page. Ask an admin to give you a role in the roles file.")
    return None


def show_document(store: Store, doc: DocumentInfo, key: str, error: Optional[str] = None) -> None:
    """One scanned document: its error, or counts per category and severity, its flags in
    reading order under their location, and its downloads."""
    show_text(doc.name, tag="h3")
    scan = last_scan(store, doc)
    error = error or (scan.error if scan else "not scanned yet")
    if error:
        st.error("This file could not be read: " + markup.safe(error))
        return
    items = queue(store, document=doc, include_vanished=False)
    counts = views.count_rows(items)
    if counts:
        st.dataframe(counts, hide_index=True, key=f"{key}-counts")
    else:
        st.success("Nothing flagged.")
    include_info = st.toggle("Show info mentions too", key=f"{key}-info",
                             help="Race mentioned in a way that looks race-conscious: not a flag.")
    for group in views.group_by_location(items, include_info=include_info):
        show_text(group.label[:1].upper() + group.label[1:], tag="h5")  # the section keeps its case
        for view in group.flags:
            show_html(views.card_html(view, with_status=True))
    document = document_dict(doc, items, scan)
    columns = st.columns(3)
    for column, download in zip(columns, downloads(doc, document, scan, key)):
        column.download_button(download.label, data=download.data, file_name=download.file_name,
                               mime=download.mime, key=download.key, on_click="ignore")
