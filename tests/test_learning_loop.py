"""The learning loop end to end: a document is scanned into the review store, reviewers dismiss
a kind of false flag the bundled model raises (standardized-patient casting notes: race names
who is hired to play the case, not the patient's biology or a clinical shortcut), the store
retrains, and the activated model stops raising that kind on casting notes it never saw, while
the dev set's recall and a true case stem stay flagged.

Every sentence below was written for this test. The loop is run once per module (training is
the slow step) and the tests read what it left."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bias_review import __version__
from bias_review.classifier.predict import bundled_model_dir
from bias_review.engine import Engine
from bias_review.findings import Severity
from bias_review.learning import (
    MIN_DECISIONS, RetrainResult, _save_new, engine_model_dir, held_back_examples, retrain_from_store,
    split_verdicts,
)
from bias_review.store import (
    activate_model, active_model, add_document, deactivate_models, decide, models, open_store, queue, record_scan,
)

VIGNETTE = "race-in-vignette"

# dismissed by the reviewer (in the store)
CASTING_DISMISSED = [
    "SP casting: Black woman, 45 to 55, must be comfortable with a breast exam.",
    "SP casting: South Asian woman, 35 to 45, comfortable with an abdominal exam.",
    "SP casting: Native American woman, 50 to 60, for the diabetes counselling station.",
    "Casting note: East Asian man, 40 to 50, no visible scars on the chest.",
    "Casting note: Latina woman, 25 to 35, able to portray early pregnancy.",
    "Casting note: African American woman, 70 to 80, uses a cane, for the falls station.",
    "SP casting request: Vietnamese man, 45 to 55, for the hepatitis B counselling case.",
    "SP casting: Somali woman, 25 to 35, wears a hijab, for the prenatal visit station.",
    "Casting note: Black woman, 30 to 40, for the migraine history station.",
    "SP casting request: Mexican American man, 50 to 60, comfortable with a foot exam.",
    "SP casting: Haitian woman, 60 to 70, Haitian Creole speaker, for the heart failure station.",
    "SP casting request: Chinese American man, 25 to 35, for the testicular exam station.",
    "Casting note: Black man, 35 to 45, for the low back pain station.",
    "SP casting: Guatemalan woman, 40 to 50, for the shoulder pain station.",
    "SP casting: Black woman, 55 to 65, comfortable with a pelvic exam model.",
    "SP casting: Hispanic woman, 40 to 50, for the gallbladder pain station.",
]
# the same kind, never in the store: what the new model must have learnt to leave alone
CASTING_UNSEEN = [
    "Casting note: Asian American man, 60 to 70, able to portray shortness of breath.",
    "SP casting request: African American man, 45 to 55, for the chest pain station.",
    "SP casting: Arab American woman, 30 to 40, comfortable with a thyroid exam.",
    "Casting note: Black woman, 20 to 30, for the sickle cell pain station.",
    "SP casting: white woman, 50 to 60, comfortable with a breast exam.",
    "Casting note: Hispanic man, 55 to 65, able to portray abdominal pain.",
    "Casting note: Latino man, 30 to 40, comfortable with a hernia exam.",
    "SP casting: Japanese American woman, 65 to 75, for the osteoporosis counselling station.",
    "SP casting request: Black woman, 35 to 45, able to portray anxiety and palpitations.",
    "SP casting: Dominican woman, 45 to 55, comfortable with an abdominal exam.",
    "Casting note: Nigerian woman, 40 to 50, for the fibroid counselling station.",
    "SP casting: African American man, 30 to 40, comfortable with a rectal exam model.",
]
# true findings of the same category that must survive the retraining
CASE_STEM = "A 52-year-old Black woman presents with three days of crushing chest pain and diaphoresis."
SP_ROLE = "The SP portrays a 47-year-old Hispanic landscaper who has had heel pain for a month."


def _txt(path: Path, sentences: list[str]) -> Path:
    path.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")  # one paragraph (block) each
    return path


def _flagged(engine: Engine, path: Path, category: str | None = None) -> set[str]:
    """Passages of `path` with a flag (low or above; of `category`, or of any)."""
    result = engine.scan_file(path)
    assert result.error is None, result.error
    return {f.passage for f in result.findings if f.is_flag and category in (None, f.category.value)}


def _tree_hash(directory: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(directory.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(directory)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _scan_into_store(store, engine: Engine, doc) -> None:
    result = engine.scan_file(doc.file, display_path=doc.path)
    record_scan(store, doc, result.as_dict(min_severity=Severity.INFO), engine.lexicon.version,
                engine.model_version, __version__)


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    """Scan, dismiss, retrain (not activated); returns what each step saw."""
    tmp = tmp_path_factory.mktemp("loop")
    bundled_hash = _tree_hash(bundled_model_dir())
    bundled = Engine()
    lecture = _txt(tmp / "osce-logistics.txt", ["OSCE week: station logistics and cases."] + CASTING_DISMISSED
                   + [CASE_STEM, SP_ROLE])
    unseen = _txt(tmp / "next-term.txt", CASTING_UNSEEN)
    store = open_store(f"sqlite:///{tmp}/s.sqlite", data=tmp)
    doc = add_document(store, lecture, uploader="ana")
    _scan_into_store(store, bundled, doc)
    dismissed = []
    for item in queue(store):  # whatever category the false flag was given
        if item.passage in CASTING_DISMISSED and item.severity != "info":
            decide(store, item, "ana", "dismissed", reason="race-conscious")
            dismissed.append(item.passage)
    before = {"unseen": _flagged(bundled, unseen), "lecture": _flagged(bundled, lecture, VIGNETTE)}
    family = json.loads((bundled_model_dir() / "metadata.json").read_text(encoding="utf-8"))["family"]
    result = retrain_from_store(store, out_dir=tmp / "models", folds=3, family=family, log=lambda m: None)
    state = {"active_after_retrain": active_model(store), "registered": models(store),
             "bundled_hash_after": _tree_hash(bundled_model_dir())}
    yield dict(store=store, doc=doc, tmp=tmp, unseen=unseen, lecture=lecture, dismissed=dismissed, before=before,
               result=result, bundled_hash=bundled_hash, **state)
    store.close()


def test_dismissed_casting_notes_are_learnt_and_unseen_ones_are_flagged_half_as_often(loop):
    store, result = loop["store"], loop["result"]
    assert len(loop["dismissed"]) >= 12, "the bundled engine no longer flags the casting notes: pick another kind"
    before_unseen = loop["before"]["unseen"]
    assert len(before_unseen) >= 8, before_unseen
    assert {CASE_STEM, SP_ROLE} <= loop["before"]["lecture"]

    activate_model(store, result.version)
    new = Engine(model_path=engine_model_dir(store))
    assert new.model_version == result.version
    after_unseen = _flagged(new, loop["unseen"])
    dev = {k: (result.before["dev"]["flag_vs_none"][k], result.after["dev"]["flag_vs_none"][k])
           for k in ("recall", "precision")}
    held = [m["held_back"]["false_flag_rate_on_negatives"] for m in (result.before, result.after)]
    print(f"\nunseen casting notes flagged {len(before_unseen)} -> {len(after_unseen)} of {len(CASTING_UNSEEN)}; "
          f"dev {dev}; decisions used {result.decisions_used}, held back {result.decisions_held_back} "
          f"(false flags {held[0]} -> {held[1]})")
    assert len(after_unseen) <= len(before_unseen) // 2, after_unseen
    # the true findings of the same category are still flagged after a rescan through the store
    _scan_into_store(store, new, loop["doc"])
    live = {i.passage for i in queue(store, category=VIGNETTE, include_vanished=False) if i.severity != "info"}
    assert {CASE_STEM, SP_ROLE} <= live
    # and the dev set keeps its recall
    assert abs(dev["recall"][1] - dev["recall"][0]) <= 0.02


def test_the_result_measures_before_and_after_on_dev_and_held_back_decisions(loop):
    result: RetrainResult = loop["result"]
    assert result.decisions_used + result.decisions_held_back == len(loop["dismissed"])
    assert result.decisions_held_back >= 1  # 25% of 16, by the seeded hash
    bundled_version = Engine().model_version
    assert result.before["model_version"] == bundled_version and result.after["model_version"] == result.version
    for measured in (result.before, result.after):
        assert measured["dev"]["n"] == 420 and measured["held_back"]["n"] == result.decisions_held_back
    # every held-back decision is a dismissal: the new model flags fewer of them, the old flagged all
    assert result.before["held_back"]["false_flag_rate_on_negatives"] == 1.0
    assert result.after["held_back"]["false_flag_rate_on_negatives"] < 1.0


def test_the_new_model_is_registered_with_its_metrics_but_not_active_until_activated(loop):
    result = loop["result"]
    assert loop["active_after_retrain"] is None
    [info] = [m for m in loop["registered"] if m.version == result.version]
    assert not info.active and Path(info.path) == result.path == loop["tmp"] / "models" / result.version
    assert info.metrics["before"] == result.before and info.metrics["after"] == result.after
    assert (info.metrics["decisions_used"], info.metrics["decisions_held_back"]) == (
        result.decisions_used, result.decisions_held_back)
    assert (result.path / "classifier.npz").is_file() and (result.path / "metadata.json").is_file()
    store = loop["store"]
    activate_model(store, result.version)
    assert engine_model_dir(store) == result.path
    deactivate_models(store)  # roll back to the bundled model
    assert engine_model_dir(store) is None


def test_the_bundled_model_directory_is_untouched(loop):
    assert loop["bundled_hash_after"] == loop["bundled_hash"]
    assert not list(loop["tmp"].joinpath("models").glob(".*")), "a partial model directory was left behind"


# -- the split and the refusals (no training) -------------------------------------------------

def _records(n: int, decision: str = "dismissed") -> list[dict]:
    return [{"finding_id": f"f{i}", "passage": f"Sentence number {i} of the review.", "category": VIGNETTE,
             "decision": decision, "new_category": None} for i in range(n)]


def test_the_split_is_deterministic_disjoint_and_stable_as_decisions_arrive():
    records = _records(400)
    train, held = split_verdicts(records, 0.25, seed=13)
    assert (train, held) == split_verdicts(records, 0.25, seed=13)
    keys = lambda rows: {r["finding_id"] for r in rows}
    assert keys(train).isdisjoint(keys(held)) and keys(train) | keys(held) == keys(records)
    assert 0.18 <= len(held) / len(records) <= 0.32
    assert keys(split_verdicts(records, 0.25, seed=14)[1]) != keys(held)  # the seed matters
    more_train, more_held = split_verdicts(records + _records(500)[400:], 0.25, seed=13)
    assert keys(held) <= keys(more_held) and keys(train) <= keys(more_train)  # nobody changes side
    assert split_verdicts(records, 0.0) == (records, [])
    with pytest.raises(ValueError, match="holdout_fraction"):
        split_verdicts(records, 1.0)


def test_the_same_sentence_in_two_documents_is_never_on_both_sides():
    twins = [dict(r, finding_id=r["finding_id"] + "-copy", passage=r["passage"].upper()) for r in _records(200)]
    train, held = split_verdicts(_records(200) + twins)
    assert {r["passage"].lower() for r in train}.isdisjoint({r["passage"].lower() for r in held})


def test_held_back_decisions_carry_the_label_their_verdict_implies():
    rows = [{"passage": "A", "decision": "dismissed", "category": VIGNETTE},
            {"passage": "B", "decision": "accepted", "category": "stereotype"},
            {"passage": "C", "decision": "recategorised", "category": VIGNETTE, "new_category": "outdated-term"}]
    assert [(e.text, e.label) for e in held_back_examples(rows)] == [
        ("A", "none"), ("B", "stereotype"), ("C", "outdated-term")]


def _store_with_dismissals(tmp_path: Path, n: int):
    store = open_store(f"sqlite:///{tmp_path}/s.sqlite", data=tmp_path)
    doc = add_document(store, b"casting notes", "notes.txt", uploader="ana")
    findings = [{"id": f"f{i}", "category": VIGNETTE, "severity": "low", "text": "Black woman",
                 "passage": f"SP casting {i}: Black woman, 45 to 55.", "location": {"line": i}} for i in range(n)]
    record_scan(store, doc, {"sha256": doc.sha256, "findings": findings}, "lex", None, __version__)
    for item in queue(store):
        decide(store, item, "ana", "dismissed", reason="race-conscious")
    return store


def test_too_few_decisions_is_a_clear_error_before_any_training(tmp_path: Path):
    with _store_with_dismissals(tmp_path, MIN_DECISIONS - 1) as store:
        with pytest.raises(ValueError, match="too few reviewer decisions"):
            retrain_from_store(store, out_dir=tmp_path / "models", holdout_fraction=0.0, log=lambda m: None)
        assert models(store) == [] and not (tmp_path / "models").exists()


def test_models_are_never_written_inside_the_bundled_model_directory(tmp_path: Path):
    with _store_with_dismissals(tmp_path, 8) as store:
        with pytest.raises(ValueError, match="outside the bundled model directory"):
            retrain_from_store(store, out_dir=bundled_model_dir() / "retrained", log=lambda m: None)


def test_an_existing_model_directory_is_never_overwritten(tmp_path: Path, tiny_training_dir: Path):
    from bias_review.classifier.workflow import build_model

    trained, version = build_model(tiny_training_dir, family="tfidf-logreg", folds=2, log=lambda m: None)
    out = tmp_path / "models"
    (out / version).mkdir(parents=True)
    (out / version / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="trained before"):
        _save_new(trained, out, version)
    assert [p.name for p in out.iterdir()] == [version]
    assert [p.name for p in (out / version).iterdir()] == ["keep.txt"]
    path = _save_new(trained, tmp_path / "fresh", version)
    assert sorted(p.name for p in path.iterdir()) == ["classifier.npz", "classifier.skops", "metadata.json"]
