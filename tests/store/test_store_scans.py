"""Scans upsert findings by stable id: decisions survive a rescan; new and vanished are marked."""

from __future__ import annotations

import pytest

from bias_review.store import (
    FileScan, StoreError, add_course, counts, decide, documents, history, lexicon_stats, queue, record_file_scans,
    record_scan, record_scan_result,
)
from store_builders import LEXICON, MODEL, TOOL, finding, result, scanned_document

CONTENT = b"%PDF lecture"


def test_rescan_keeps_decisions_on_the_same_ids_and_marks_new_and_vanished(store):
    doc, first = scanned_document(store, [finding("keep"), finding("gone", category="stereotype")])
    assert set(first.new) == {"keep", "gone"}
    by_id = {i.stable_id: i for i in queue(store)}
    decide(store, by_id["keep"], "ana", "dismissed", reason="race-conscious")
    decide(store, by_id["gone"], "ana", "accepted")
    assert not any(i.is_new or i.vanished for i in queue(store))  # a first scan marks nothing new

    second = record_scan(store, doc, result(CONTENT, [finding("keep", severity="medium"), finding("fresh")]),
                         "lex-2", MODEL, TOOL)
    assert (second.new, second.kept, second.vanished) == (("fresh",), ("keep",), ("gone",))
    after = {i.stable_id: i for i in queue(store)}
    assert after["keep"].id == by_id["keep"].id and after["keep"].status == "dismissed"
    assert after["keep"].tool_severity == "medium"  # the tool's newest fields
    assert [d.decision for d in history(store, after["gone"])] == ["accepted"]
    assert (after["fresh"].is_new, after["fresh"].vanished) == (True, False)
    assert (after["gone"].vanished, after["keep"].vanished, after["keep"].is_new) == (True, False, False)
    assert "gone" not in {i.stable_id for i in queue(store, include_vanished=False)}

    third = record_scan(store, doc, result(CONTENT, [finding("keep"), finding("fresh"), finding("gone")]),
                        "lex-3", MODEL, TOOL)
    assert third.vanished == () and third.new == ()  # back again: the old row, not a new one
    again = {i.stable_id: i for i in queue(store)}
    assert again["gone"].id == by_id["gone"].id and not again["gone"].vanished and again["gone"].status == "accepted"


def test_a_failed_scan_is_recorded_and_changes_no_finding(store):
    doc, _ = scanned_document(store, [finding("f1")])
    failed = record_scan(store, doc, result(CONTENT, [], error="encrypted PDF"), LEXICON, MODEL, TOOL)
    assert failed.error == "encrypted PDF" and failed.vanished == ()
    assert [(i.stable_id, i.vanished) for i in queue(store)] == [("f1", False)]


def test_every_contract_field_is_kept_and_spans_and_unknown_fields_too(store):
    spans = [{"start": 0, "end": 5, "text": "Black"}, {"start": 20, "end": 46, "text": "multiply the eGFR by 1.159"}]
    doc, _ = scanned_document(store, [finding("f1", spans=spans, trace=[{"source": "x"}],
                                              location={"slide": 3, "part": "notes"})])
    [item] = queue(store)
    assert item.spans == spans and item.location == {"slide": 3, "part": "notes"}
    assert (item.text, item.start, item.end, item.score) == ("multiply the eGFR by 1.159", 20, 46, 0.9)
    assert (item.detectors, item.references, item.suggestion) == (
        ["lexicon:egfr-race-coefficient"], ["NKF-ASN 2021"], "instead")
    from bias_review.store.models import Finding
    with store.read() as s:
        assert s.get(Finding, item.id).extra == {"trace": [{"source": "x"}]}


def test_a_finding_without_spans_reports_its_one_span(store):
    scanned_document(store, [finding("f1")])
    assert queue(store)[0].spans == [{"start": 20, "end": 46, "text": "multiply the eGFR by 1.159"}]


def test_a_scan_of_other_content_or_a_bad_finding_is_refused(store):
    doc, _ = scanned_document(store, [])
    with pytest.raises(StoreError, match="other content"):
        record_scan(store, doc, result(b"other bytes", []), LEXICON, MODEL, TOOL)
    with pytest.raises(StoreError, match="finding #1: missing passage"):
        record_scan(store, doc, result(CONTENT, [{**finding("f1"), "passage": None}]), LEXICON, MODEL, TOOL)
    # two findings with one id: neither is kept in silence in the other's place
    with pytest.raises(StoreError, match="finding #2: its id 'f1' is another finding's"):
        record_scan(store, doc, result(CONTENT, [finding("f1"), {**finding("f1"), "severity": "info"}]),
                    LEXICON, MODEL, TOOL)
    assert queue(store) == []


def test_a_whole_scan_result_is_recorded_with_its_tool_versions(store):
    doc, _ = scanned_document(store, [])
    scan = {"tool": {"name": "bias-review", "version": "0.2.0", "lexicon_version": "lex-9", "model_version": None},
            "documents": [result(CONTENT, [finding("f1")])], "summary": {}}
    [info] = record_scan_result(store, scan, {"uploads/x/lecture.pdf": doc})
    assert (info.tool_version, info.lexicon_version, info.model_version, info.new) == ("0.2.0", "lex-9", None, ("f1",))
    with pytest.raises(StoreError, match="no stored document"):
        record_scan_result(store, scan, {})


def test_queue_filters_and_reading_order(store):
    renal = add_course(store, "Renal", 2025, "Dr Diaz")
    assert add_course(store, "Renal", 2025).id == renal.id
    findings = [
        finding("p2", location={"page": 2}),
        finding("p1b", location={"page": 1}, passage="Black patients: multiply the eGFR by 1.159 always."),
        finding("p1a", location={"page": 1}, category="outdated-term", severity="medium",
                passage="multiply the eGFR by 1.159 for negroid patients", detectors=("lexicon:negroid",)),
    ]
    doc, _ = scanned_document(store, findings, course=renal)
    scanned_document(store, [finding("other")], content=b"other", name="another.pdf")
    assert [i.stable_id for i in queue(store, document=doc)] == ["p1a", "p1b", "p2"]
    assert [i.stable_id for i in queue(store)] == ["other", "p1a", "p1b", "p2"]  # by document name first
    assert [i.stable_id for i in queue(store, course=renal, category="outdated-term")] == ["p1a"]
    decide(store, queue(store, document=doc)[0], "ana", "dismissed")
    assert [i.stable_id for i in queue(store, status=["open"], severity={"high", "medium"})] == ["other", "p1b", "p2"]
    assert [i.stable_id for i in queue(store, status="dismissed")] == ["p1a"]

    [c] = counts(store, doc)
    assert c.by_category == {"race-correction": 2} and c.by_severity == {"high": 2}
    assert c.by_status == {"dismissed": 1, "open": 2}
    assert {x.document_name for x in counts(store)} == {"lecture.pdf", "another.pdf"}

    stats = {s.entry: s for s in lexicon_stats(store)}
    assert (stats["egfr-race-coefficient"].fired, stats["egfr-race-coefficient"].dismissed) == (3, 0)
    assert (stats["negroid"].fired, stats["negroid"].dismissed, stats["negroid"].dismissal_rate) == (1, 1, 1.0)


def _tool() -> dict:
    return {"name": "bias-review", "version": TOOL, "lexicon_version": LEXICON, "model_version": MODEL}


def test_a_group_of_file_scans_is_recorded_in_one_go_and_a_bad_file_only_fails_itself(store, tmp_path):
    files = {}
    for n in range(4):
        content = f"%PDF lecture {n}".encode()
        files[n] = (tmp_path / f"lecture{n}.pdf", content)
        files[n][0].write_bytes(content)
    changed = result(files[2][1], [finding("c1")])
    files[2][0].write_bytes(b"%PDF edited after the scan")
    group = [FileScan(files[0][0], result(files[0][1], [finding("a1"), finding("a2", severity="low")]),
                      name="lecture0.pdf", source_path="w1/lecture0.pdf"),
             FileScan(tmp_path / "gone.pdf", result(b"x", [finding("g1")]), name="gone.pdf", source_path="gone.pdf"),
             FileScan(files[2][0], changed, name="lecture2.pdf", source_path="w1/lecture2.pdf"),
             FileScan(files[3][0], result(files[3][1], [], error="encrypted PDF"), name="lecture3.pdf",
                      source_path="w1/lecture3.pdf")]
    outcomes = record_file_scans(store, group, _tool())

    assert outcomes[0].new == ("a1", "a2") and not outcomes[0].kept
    assert isinstance(outcomes[1], OSError)
    assert isinstance(outcomes[2], StoreError) and "changed after it was scanned" in str(outcomes[2])
    assert outcomes[3].error == "encrypted PDF" and outcomes[3].new == ()
    stored = {d.source_path: d for d in documents(store)}
    assert set(stored) == {"w1/lecture0.pdf", "w1/lecture3.pdf"}
    assert {i.stable_id for i in queue(store, document=stored["w1/lecture0.pdf"].id)} == {"a1", "a2"}


def test_the_same_document_twice_in_a_group_keeps_one_row_per_finding(store, tmp_path):
    path = tmp_path / "lecture.pdf"
    path.write_bytes(b"%PDF same")
    first = FileScan(path, result(b"%PDF same", [finding("f1"), finding("f2")]), name="lecture.pdf", source_path="a.pdf")
    again = FileScan(path, result(b"%PDF same", [finding("f2"), finding("f3")]), name="lecture.pdf", source_path="a.pdf")
    one, two = record_file_scans(store, [first, again], _tool())

    assert one.document_id == two.document_id and one.new == ("f1", "f2")
    assert two.new == ("f3",) and two.kept == ("f2",) and two.vanished == ("f1",)
    assert sorted(i.stable_id for i in queue(store, document=one.document_id, include_vanished=True)) == ["f1", "f2", "f3"]
    # recorded again later (a rerun with new versions): the same rows, no duplicates
    (three,) = record_file_scans(store, [first], _tool())
    assert three.document_id == one.document_id and three.new == () and sorted(three.kept) == ["f1", "f2"]
    assert len(documents(store)) == 1


def test_a_mislabelled_file_is_stored_with_the_format_its_parser_found(store, tmp_path):
    path = tmp_path / "handout.pdf"
    path.write_bytes(b"PK docx bytes named .pdf")
    found = {**result(b"PK docx bytes named .pdf", [finding("m1")]), "format": "docx"}
    (info,) = record_file_scans(store, [FileScan(path, found, name="handout.pdf", source_path="handout.pdf")], _tool())
    assert [d.format for d in documents(store) if d.id == info.document_id] == ["docx"]
