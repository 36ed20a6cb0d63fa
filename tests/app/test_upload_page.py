"""The upload page in AppTest: files through the uploader, stored results drawn from the store."""

from __future__ import annotations

from bias_review.store import documents, queue
from app_builders import app_test, markdown_text, prefilled

TEXT = (b"A 45-year-old African American man presents with chest pain. "
        b"For Black patients, multiply the eGFR by 1.159.")


def _upload(at, files, course="Renal physiology"):
    at.file_uploader(key="upload_files").set_value(files)
    at.text_input(key="upload_course").set_value(course)
    return at.button(key="upload_submit").click().run()


def test_upload_scans_stores_and_shows_each_file(app_store):
    at = app_test().run()
    _upload(at, [("case.txt", TEXT, "text/plain"), ("broken.pdf", b"%PDF-1.4 junk", "application/pdf")])
    assert not at.exception
    assert [d.name for d in documents(app_store)] == ["broken.pdf", "case.txt"]
    page = markdown_text(at)
    assert "case&#46;txt" in page and "broken&#46;pdf" in page
    assert [e.value for e in at.error] == ["This file could not be read: corrupt or unreadable PDF &#40;Data format error&#41;"]
    counts = at.dataframe[0].value
    assert set(counts["category"]) == {"race-in-vignette", "race-correction"}
    assert "<mark" in page and "line 1".capitalize() in page
    assert [b.label for b in at.get("download_button")] == ["Word report", "CSV", "HTML report"]


def test_course_name_is_required(app_store):
    at = _upload(app_test().run(), [("case.txt", TEXT, "text/plain")], course="")
    assert [w.value for w in at.warning] == ["A course name is required."]
    assert documents(app_store) == []


def test_stored_results_with_info_toggle(app_store):
    doc = prefilled(app_store)
    at = app_test().run()
    at.selectbox(key="upload_earlier").select(doc.id).run()
    page = markdown_text(at)
    assert "lecture&#46;txt" in page and "Line 3" in page and "Line 7" not in page
    assert "why egfr" in page and "instead egfr" in page and "ref egfr" in page
    at.toggle(key="earlier-info").set_value(True).run()
    assert "Line 7" in markdown_text(at)  # the info mention
    assert len(queue(app_store, document=doc)) == 4


def test_a_location_keeps_the_case_of_its_headings(app_store):
    at = app_test().run()
    _upload(at, [("renal.md", b"# Renal Week\n\n## Kidney Function in Practice\n\n" + TEXT, "text/markdown")])
    assert not at.exception
    assert "<h5>Line 5 &#40;Renal Week &#62; Kidney Function in Practice&#41;</h5>" in markdown_text(at)
