"""The learning loop: decisions written through the store are what `train --with-annotations
URL` learns from (the latest verdict per flag; comments, rewrites and severity changes are not
verdicts)."""

from __future__ import annotations

import json
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


TINY = {  # 6 sentences per label, written for this test
    "race-correction": ["Multiply the eGFR by {x} for Black patients.", "Add a race factor of {x} to the spirometry value.",
                        "Use the African American coefficient {x} in the kidney equation.",
                        "Correct the result by {x} when the patient is Black.",
                        "Apply race adjustment {x} to the lung function reference.", "The race multiplier is {x} for black women."],
    "race-as-biology": ["Black people have denser bones by {x} percent.", "Races differ in muscle mass by {x} percent.",
                        "The white race has {x} percent more lung capacity.", "Black skin is thicker by {x} layers.",
                        "Asians metabolise drugs {x} times slower due to race.", "Race determines pain threshold by {x} points."],
    "race-in-vignette": ["A {x}-year-old Black man presents with chest pain.", "A {x}-year-old Hispanic woman presents with fever.",
                         "A {x}-year-old Asian boy presents with a rash.", "A {x}-year-old white woman presents with cough.",
                         "A {x}-year-old African American girl presents with asthma.", "A {x}-year-old Latino man presents with back pain."],
    "stereotype": ["Hispanic families are always loud, {x} of them.", "Asian students are naturally good at math, {x} times over.",
                   "Black patients exaggerate pain, said {x} nurses.", "Native patients drink too much, {x} cases.",
                   "Immigrants never follow advice, {x} reports.", "Arab men are aggressive, {x} incidents."],
    "outdated-term": ["The {x} Mongoloid patient was admitted.", "Caucasoid skulls were measured in {x} cases.",
                      "Negroid features were seen in {x} infants.", "The {x} Oriental patients were studied.",
                      "Mulatto children numbered {x}.", "The {x} colored patients waited."],
    "stigmatizing-language": ["The noncompliant patient refused {x} doses.", "The drug seeker asked for {x} pills.",
                              "The frequent flyer came back {x} times.", "The addict used {x} bags.",
                              "The diabetic failed {x} appointments.", "The patient denies {x} drinks, but is a poor historian."],
    "none": ["Lung compliance falls in fibrosis by {x} percent.", "The nephron has {x} segments.",
             "Structural racism explains {x} percent of the gap.", "Insulin lowers glucose within {x} minutes.",
             "The race coefficient was removed in {x}.", "Measure blood pressure twice, {x} minutes apart."],
}


@pytest.fixture
def tiny_training_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "training"
    directory.mkdir()
    rows = [{"text": t.format(x=n + 2), "label": label} for label, ts in TINY.items() for n, t in enumerate(ts)]
    (directory / "tiny.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return directory


def test_train_with_annotations_from_the_store(store, db_url: str, tiny_training_dir: Path):
    _decide_all(store)
    trained, version = build_model(tiny_training_dir, annotations=db_url, family="tfidf-logreg", folds=2,
                                   log=lambda m: None)
    assert f"+rev{len(EXPECTED)}-" in version
    assert trained.metadata["annotation_rows"] == len(EXPECTED)
    assert trained.metadata["training_rows"] == 42 + len(EXPECTED)
    predicted = trained.pipeline.predict(list(EXPECTED))
    assert dict(zip(EXPECTED, predicted)) == EXPECTED  # the weighted verdicts were learnt
