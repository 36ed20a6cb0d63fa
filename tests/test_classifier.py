"""The classifier: safe loading, reproducible training, integration, and learning from
reviewers' decisions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from bias_review.classifier import model as M
from bias_review.classifier import predict as P
from bias_review.classifier.data import annotation_rows, load_training
from bias_review.classifier.workflow import build_model, save_model
from bias_review.evaluate import LABELS

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "models"


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    d = tmp_path / "model"
    d.mkdir()
    for name in (M.MODEL_FILE, M.META_FILE, P.INFERENCE_FILE):
        shutil.copy(BUNDLED / name, d / name)
    return d


def test_bundled_model_loads_with_consistent_metadata():
    m = M.load(BUNDLED)
    meta = m.metadata
    assert sorted(meta["labels"]) == sorted(LABELS)
    assert meta["training_rows"] >= 2500
    assert set(meta["thresholds"]) >= {"own", "quiet", "agree"}
    proba = M.predict_proba(m, ["Multiply the eGFR by 1.159 if the patient is Black.",
                                "The 2021 CKD-EPI equation removed the race coefficient."])
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert LABELS[int(proba[0].argmax())] == "race-correction"
    assert LABELS[int(proba[1].argmax())] == "none"


def _flip_a_byte(path) -> None:
    """Change one byte in the middle of a file, as tampering or corruption would."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_tampered_model_file_is_refused(model_copy):
    _flip_a_byte(model_copy / M.MODEL_FILE)
    with pytest.raises(M.ModelError, match="does not match its metadata"):
        M.load(model_copy)


def test_scikit_learn_version_mismatch_is_refused(model_copy):
    meta_path = model_copy / M.META_FILE
    meta = json.loads(meta_path.read_text())
    meta["sklearn_version"] = "0.24.2"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(M.ModelError, match="trained with scikit-learn 0.24.2"):
        M.load(model_copy)


def test_missing_or_broken_metadata_is_refused(model_copy):
    (model_copy / M.META_FILE).write_text("{not json")
    with pytest.raises(M.ModelError, match="not valid JSON"):
        M.load(model_copy)
    (model_copy / M.META_FILE).unlink()
    with pytest.raises(M.ModelError, match="no model here"):
        M.load(model_copy)


def test_unexpected_types_in_a_model_file_are_refused(tmp_path):
    import hashlib

    import skops.io as sio
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    evil = Pipeline([("f", FunctionTransformer(func=shutil.rmtree))])
    path = tmp_path / M.MODEL_FILE
    sio.dump(evil, path)
    import sklearn
    (tmp_path / M.META_FILE).write_text(json.dumps({
        "model_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "sklearn_version": sklearn.__version__, "labels": LABELS, "model_version": "x"}))
    with pytest.raises(M.ModelError, match="refuses to load unexpected types"):
        M.load(tmp_path)


def test_engine_reports_a_model_problem_clearly(model_copy):
    from typer.testing import CliRunner

    from bias_review.cli import app

    (model_copy / P.INFERENCE_FILE).write_bytes(b"not a model")
    res = CliRunner().invoke(app, ["scan", str(ROOT / "examples"), "--model", str(model_copy)])
    assert res.exit_code == 2
    assert "does not match its metadata" in res.output and "Traceback" not in res.output


def _texts(name: str) -> list[str]:
    return [json.loads(line)["text"] for line in (BUNDLED / "dev" / name).read_text().splitlines() if line.strip()]


def test_compact_model_gives_scikit_learns_probabilities():
    """What scans load (classifier.npz, no scikit-learn) reproduces the fitted pipeline."""
    texts = _texts("dev.jsonl") + ["", "...", "  Tabs\tand   spaces  ", "ÀÉÎ accents; x"]
    expected = M.predict_proba(M.load(BUNDLED), texts)
    got = P.load_predictor(BUNDLED).predict_proba(texts)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-9


def test_a_large_batch_is_scored_in_chunks_with_the_same_numbers(monkeypatch):
    """Chunks keep the arrays in the processor's cache; no text's probabilities may change with
    the batch around it, to the last bit."""
    texts = _texts("dev.jsonl") + [t.upper() for t in _texts("dev.jsonl")]
    assert len(texts) > 2 * P.DECISION_CHUNK
    model = P.load_predictor(BUNDLED)
    chunked = model.predict_proba(texts)
    monkeypatch.setattr(P, "DECISION_CHUNK", len(texts) + 1)
    assert np.array_equal(model.predict_proba(texts), chunked)
    assert np.array_equal(model.predict_proba(texts[:7]), chunked[:7])


def test_compact_model_is_checked_and_holds_no_pickles(model_copy):
    path = model_copy / P.INFERENCE_FILE
    _flip_a_byte(path)
    with pytest.raises(P.ModelError, match="does not match its metadata"):
        P.load_predictor(model_copy)
    # a file with an object array (which only pickle can read) is refused even with a matching hash
    import hashlib

    np.savez(path, settings=np.array([{"evil": 1}], dtype=object))
    meta = json.loads((model_copy / M.META_FILE).read_text())
    meta["inference_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (model_copy / M.META_FILE).write_text(json.dumps(meta))
    with pytest.raises(P.ModelError, match="not a readable model file"):
        P.load_predictor(model_copy)


def _rewrite_npz(directory: Path, change) -> None:
    """Rewrite classifier.npz through `change(arrays)` and record its new hash."""
    import hashlib

    path = directory / P.INFERENCE_FILE
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    change(arrays)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    meta = json.loads((directory / M.META_FILE).read_text())
    meta["inference_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (directory / M.META_FILE).write_text(json.dumps(meta))


def test_compact_model_terms_are_packed_and_the_older_layout_still_loads(model_copy):
    texts = _texts("dev.jsonl")[:40]
    expected = P.load_predictor(BUNDLED).predict_proba(texts)
    with np.load(BUNDLED / P.INFERENCE_FILE, allow_pickle=False) as z:
        assert {"word_terms_utf8", "char_terms_utf8"} <= set(z.files) and z["word_terms_utf8"].dtype == np.uint8

    def unpack(arrays):  # the layout written before: fixed-width unicode arrays
        for name in ("word", "char"):
            packed = arrays.pop(f"{name}_terms_utf8")
            arrays[f"{name}_terms"] = np.array(packed.tobytes().decode().split("\n"), dtype=str)

    _rewrite_npz(model_copy, unpack)
    assert np.array_equal(P.load_predictor(model_copy).predict_proba(texts), expected)

    def garble(arrays):
        arrays["word_terms"] = np.frombuffer(b"\xff\xfe", dtype=np.uint8)
        arrays["word_terms_utf8"] = np.frombuffer(b"\xff\xfe", dtype=np.uint8)

    _rewrite_npz(model_copy, garble)
    with pytest.raises(P.ModelError, match="not a readable model file"):
        P.load_predictor(model_copy)


def test_training_reproduces_the_bundled_metrics():
    meta = json.loads((BUNDLED / M.META_FILE).read_text())
    rows = load_training(BUNDLED / "training")
    family = meta["family"]
    metrics, _ = M.cross_validate(M.candidate_pipelines()[family], rows, meta["cv_folds"])
    bundled = meta["cv_metrics"][family]
    for key in ("macro_f1", "flag_f1"):
        assert abs(metrics[key] - bundled[key]) <= 0.01, (key, metrics[key], bundled[key])


def test_annotation_rows_map_decisions_to_labels():
    rows = annotation_rows([
        {"passage": "a", "decision": "accepted", "category": "stereotype"},
        {"passage": "b", "decision": "dismissed", "category": "stereotype"},
        {"passage": "c", "decision": "recategorised", "category": "stereotype", "new_category": "race-as-biology"},
    ])
    assert [(r.text, r.label) for r in rows] == [("a", "stereotype"), ("b", "none"), ("c", "race-as-biology")]
    assert all(r.weight > 1 for r in rows)
    with pytest.raises(ValueError, match="decision"):
        annotation_rows([{"passage": "x", "decision": "maybe"}])


# A school's own false positives: standardized-patient casting notes must state the actor's
# race and age, and the school's reviewers dismiss those flags. Written for this test.
DISMISSED = [
    "SP casting: Black woman, 45 to 55 years old, able to portray chest pain.",
    "Standardized patient casting: Hispanic man in his 60s who can speak basic Spanish.",
    "Casting note for the SP office: Asian American woman, 30 to 40, any body type.",
    "SP requirements: White man, 50 to 65 years old, comfortable with an abdominal exam.",
    "Casting: South Asian woman in her late 20s for the prenatal visit station.",
    "SP profile for casting: African American man, 35 to 45, no visible tattoos.",
    "Casting request: Latina woman, 18 to 25, for the contraception counseling station.",
    "Casting: Native American woman in her 50s for the diabetes follow-up station.",
    "SP office casting sheet: Middle Eastern man, 40 to 50, able to simulate shortness of breath.",
    "SP casting: Filipino woman, 55 to 65, comfortable with a breast exam.",
    "Casting for the OSCE: Hispanic woman in her 70s who can portray memory loss.",
    "SP casting for the palliative care station: African American woman, 65 or older.",
]
HELD_BACK = [
    "SP casting: Black man in his 30s for the knee injury station.",
    "Casting for the SP program: Asian American man in his 40s able to portray back pain.",
    "Standardized patient casting: White woman in her 60s for the dizziness station.",
    "SP casting sheet: Hispanic teenager in her late teens for the asthma follow-up station.",
    "Casting: African American woman in her 40s who can portray a migraine.",
    "SP casting for station 2: Latino man in his 50s comfortable with a shoulder exam.",
]


def _flagged(engine, sentences):
    return [s for s in sentences if any(f.is_flag for f in engine.analyze_text(s))]


def test_reviewer_dismissals_retrain_away_a_class_of_false_positives(tmp_path):
    """Dismissing a school's false positives and retraining quiets held-back sentences of the
    same kind (the model now reads them as race-conscious and quiets the rule-based flags too),
    while a true finding of the same category stays flagged, and the old model stays loadable."""
    from bias_review.engine import Engine

    base = Engine()
    before = _flagged(base, HELD_BACK)
    assert len(before) >= 3, f"the bundled model should flag these; flagged {before}"
    ann = tmp_path / "decisions.jsonl"
    ann.write_text("".join(json.dumps({"finding_id": f"f{i}", "passage": s, "category": "stereotype",
                                       "decision": "dismissed"}) + "\n"
                           for i, s in enumerate(DISMISSED)))
    trained, version = build_model(BUNDLED / "training", annotations=str(ann),
                                   family=M.load(BUNDLED).metadata["family"], folds=3, log=lambda m: None)
    out = tmp_path / "school-model"
    save_model(trained, out, version)
    assert "+rev12-" in version
    retrained = Engine(model_path=out)
    after = _flagged(retrained, HELD_BACK)
    assert len(after) <= len(before) // 3, (before, after)
    still = "A 45-year-old African American man presents with chest pain."
    assert _flagged(retrained, [still]) == [still]
    assert M.load(BUNDLED).metadata["model_version"] != version


def test_the_bundled_engine_keeps_its_stated_real_text_and_dev_metrics(engine):
    """models/metadata.json states the combined engine's sentence-level metrics (README and
    MODEL_CARD.md quote them); a retrain or lexicon change that moves them by more than 0.02
    fails here, so the numbers users read stay true."""
    from bias_review.evaluate import evaluate_engine, load_examples

    stated = json.loads((BUNDLED / M.META_FILE).read_text())["engine_metrics"]
    for name, path, split in (("dev", BUNDLED / "dev" / "dev.jsonl", None),
                              ("heldout", BUNDLED / "dev" / "heldout.jsonl", None),
                              ("real_evaluation", BUNDLED / "real", "evaluation")):
        report = evaluate_engine(engine, load_examples(path, split=split))
        got = {"precision": report.flag.precision, "recall": report.flag.recall,
               "precision_medium": report.flag_medium.precision, "right_category": report.right_category}
        for key, value in got.items():
            assert abs(value - stated[name][key]) <= 0.02, (name, key, value, stated[name][key])
