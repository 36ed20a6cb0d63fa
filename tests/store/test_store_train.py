"""The learning loop: decisions written through the store are what `train --with-annotations
URL` learns from (the latest verdict per flag; comments, rewrites and severity changes are not
verdicts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bias_review.classifier.data import annotation_rows
from bias_review.classifier.workflow import build_model, read_annotations
from bias_review.store import StoreError, decide, queue
from store_builders import finding, scanned_document

PASSAGES = {
    "f1": ("For Black patients, multiply the eGFR result by 1.159.", "race-correction"),
    "f2": ("Black patients have thicker bones than white patients.", "stereotype"),
    "f3": ("The CKD-EPI 2021 equation removed the race coefficient after advocacy.", "race-in-vignette"),
    "f4": ("Mongoloid features were noted in the infant.", "outdated-term"),
    "f5": ("Hispanic patients are often noncompliant with insulin.", "stigmatizing-language"),
}
EXPECTED = {
    PASSAGES["f1"][0]: "race-correction",  # accepted, then a severity change (not a verdict)
    PASSAGES["f2"][0]: "race-as-biology",  # recategorised
    PASSAGES["f3"][0]: "none",             # dismissed
    PASSAGES["f5"][0]: "none",             # accepted, then dismissed: the latest verdict counts
}                                          # f4: only a comment, no verdict


def _decide_all(store) -> None:
    scanned_document(store, [finding(fid, passage=p, text=p.split()[0], category=c) for fid, (p, c) in PASSAGES.items()])
    items = {i.stable_id: i for i in queue(store)}
    decide(store, items["f1"], "ana", "accepted")
    decide(store, items["f1"], "ben", "severity", severity="medium")
    decide(store, items["f2"], "ana", "recategorised", new_category="race-as-biology")
    decide(store, items["f3"], "ana", "dismissed", reason="race-conscious")
    decide(store, items["f4"], "ana", "comment", comment="check the source")
    decide(store, items["f4"], "ana", "rewrite", rewrite="Epicanthal folds were noted.")
    decide(store, items["f5"], "ana", "accepted")
    decide(store, items["f5"], "ben", "dismissed", reason="other")


def test_decisions_in_the_store_become_the_right_training_labels(store, db_url: str):
    _decide_all(store)
    rows = annotation_rows(read_annotations(db_url))
    assert {r.text: r.label for r in rows} == EXPECTED and len(rows) == len(EXPECTED)


def test_the_jsonl_export_trains_the_same_labels(store, tmp_path: Path):
    from bias_review.store import export_decisions

    _decide_all(store)
    path = tmp_path / "decisions.jsonl"
    path.write_text(export_decisions(store, "jsonl"), encoding="utf-8")
    assert {r.text: r.label for r in annotation_rows(read_annotations(str(path)))} == EXPECTED


def test_an_unreachable_database_is_one_clear_error():
    with pytest.raises(StoreError, match="database error"):
        read_annotations("postgresql://nobody:x@127.0.0.1:1/none")


def test_train_with_annotations_from_the_store(store, db_url: str, tiny_training_dir: Path):
    _decide_all(store)
    trained, version = build_model(tiny_training_dir, annotations=db_url, family="tfidf-logreg", folds=2,
                                   log=lambda m: None)
    assert f"+rev{len(EXPECTED)}-" in version
    assert trained.metadata["annotation_rows"] == len(EXPECTED)
    assert trained.metadata["training_rows"] == 42 + len(EXPECTED)
    predicted = trained.pipeline.predict(list(EXPECTED))
    assert dict(zip(EXPECTED, predicted)) == EXPECTED  # the weighted verdicts were learnt
