"""Upload page (course directors): upload documents for a course, see their flags, download
reports."""

from __future__ import annotations

import streamlit as st

from bias_review.store import StoreError, documents, get_document
from bias_review.webapp import markup
from bias_review.webapp.auth import UPLOAD
from bias_review.webapp.identity import current_reviewer
from bias_review.webapp.resources import get_engine, get_store
from bias_review.webapp.uploads import UPLOAD_TYPES, UploadOutcome, handle_uploads
from bias_review.webapp.widgets import page_access, show_document, show_text

BATCH_KEY = "upload_batch"  # the last upload's outcomes: (name, document id or None, error)


def upload_page() -> None:
    access = page_access(UPLOAD)
    if access is None:
        return
    store = get_store()
    st.title("Upload course materials")
    with st.form("upload_form"):
        files = st.file_uploader("Documents (PDF, DOCX, PPTX, TXT, MD)", type=list(UPLOAD_TYPES),
                                 accept_multiple_files=True, key="upload_files")
        name_col, year_col, lecturer_col = st.columns([3, 1, 2])
        course = name_col.text_input("Course name (required)", key="upload_course")
        year = year_col.number_input("Year", min_value=1900, max_value=2200, value=None, step=1,
                                     key="upload_year")
        lecturer = lecturer_col.text_input("Lecturer", key="upload_lecturer")
        submitted = st.form_submit_button("Upload and scan", type="primary", key="upload_submit")
    if submitted:
        _submit(files or [], course, year, lecturer, current_reviewer(access))
    batch = st.session_state.get(BATCH_KEY) or []
    for n, (name, document_id, error) in enumerate(batch):
        if document_id is None:
            show_text(name, tag="h3")
            st.error(markup.safe(error))
        else:
            show_document(store, get_document(store, document_id), f"upload-{n}", error)
    _earlier_uploads(store, {d for _, d, _ in batch})


def _submit(files: list, course: str, year, lecturer: str, uploader) -> None:
    if not files:
        st.warning("Choose at least one file.")
        return
    if not course.strip():
        st.warning("A course name is required.")
        return
    store = get_store()
    engine, warning = get_engine(store)
    if warning:
        st.warning(markup.safe(warning))
    with st.status(f"Scanning {len(files)} file(s)…", expanded=True) as status:
        bar = st.progress(0.0, text="starting")

        def progress(done: int, total: int, what: str) -> None:
            bar.progress(done / max(total, 1), text=markup.safe(what))

        try:
            outcomes = handle_uploads(store, engine, [(f.name, f.getvalue()) for f in files], course,
                                      year=int(year) if year else None, lecturer=lecturer,
                                      uploader=uploader, on_progress=progress)
        except StoreError as exc:
            status.update(label="Upload failed", state="error")
            st.error(markup.safe(exc))
            return
        failed = sum(1 for o in outcomes if o.error)
        status.update(label=_summary(outcomes, failed), state="error" if failed == len(outcomes) else "complete",
                      expanded=False)
    st.session_state[BATCH_KEY] = [(o.name, o.document.id if o.document else None, o.error) for o in outcomes]


def _summary(outcomes: list[UploadOutcome], failed: int) -> str:
    flags = sum(o.flags for o in outcomes)
    text = f"Scanned {len(outcomes) - failed} of {len(outcomes)} file(s): {flags} flag(s)"
    return text + (f", {failed} could not be read" if failed else "")


def _earlier_uploads(store, shown: set) -> None:
    """Any stored document, to look at its flags again (after a reload too)."""
    earlier = [d for d in documents(store) if d.id not in shown]
    if not earlier:
        return
    st.divider()
    st.subheader("Earlier uploads")
    labels = {d.id: f"{d.name} (uploaded {d.uploaded_at:%Y-%m-%d %H:%M})" for d in earlier}
    chosen = st.selectbox("Document", list(labels), format_func=labels.get, index=None,
                          placeholder="Choose a document", key="upload_earlier")
    if chosen is not None:
        show_document(store, get_document(store, chosen), "earlier")
