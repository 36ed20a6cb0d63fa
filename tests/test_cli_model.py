"""`bias-review train` with reviewers' decisions from a database, and `bias-review evaluate`."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bias_review.classifier import model as M
from bias_review.cli import app

runner = CliRunner()


def test_train_with_annotations_from_a_sqlite_database(tmp_path: Path, tiny_training_dir: Path):
    db = tmp_path / "review.sqlite"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE annotations (finding_id TEXT, passage TEXT, category TEXT, "
                          "decision TEXT, new_category TEXT)"))
        conn.execute(text("INSERT INTO annotations VALUES (:i, :p, :c, :d, :n)"), [
            {"i": "a1", "p": "SP casting: Black woman, 45 to 55, able to portray chest pain.",
             "c": "race-in-vignette", "d": "dismissed", "n": None},
            {"i": "a2", "p": "Our Filipino patients usually refuse insulin because of fatalism.",
             "c": "stigmatizing-language", "d": "recategorised", "n": "stereotype"},
            {"i": "a3", "p": "eGFR African American: multiply by 1.159.",
             "c": "race-correction", "d": "accepted", "n": None},
        ])
    out = tmp_path / "model"
    res = runner.invoke(app, ["train", "--training-dir", str(tiny_training_dir), "--with-annotations",
                              f"sqlite:///{db}", "--out", str(out), "--family", "tfidf-logreg", "--folds", "2"])
    assert res.exit_code == 0, res.output
    assert "3 reviewer decision(s)" in res.output and "2-fold CV" in res.output
    meta = json.loads((out / M.META_FILE).read_text())
    assert meta["annotation_rows"] == 3 and "+rev3-" in meta["model_version"]
    assert M.load(out).metadata["model_version"] == meta["model_version"]
    assert M.load(Path(__file__).parents[1] / "models").metadata["annotation_rows"] == 0


def test_train_reports_bad_annotations_clearly(tmp_path: Path):
    bad = tmp_path / "a.jsonl"
    bad.write_text('{"passage": "x", "decision": "maybe"}\n')
    res = runner.invoke(app, ["train", "--with-annotations", str(bad), "--out", str(tmp_path / "m")])
    assert res.exit_code == 2 and "decision must be" in res.output and "Traceback" not in res.output


def test_evaluate_prints_all_three_modes(tmp_path: Path):
    f = tmp_path / "mini.jsonl"
    rows = [
        ("For Black patients, multiply the eGFR by 1.159.", "race-correction"),
        ("The CKD-EPI 2021 equation removed the race coefficient.", "none"),
        ("A 45-year-old African American man presents with chest pain.", "race-in-vignette"),
        ("Lung compliance falls in pulmonary fibrosis.", "none"),
    ]
    f.write_text("".join(json.dumps({"text": t, "label": l}) + "\n" for t, l in rows))
    res = runner.invoke(app, ["evaluate", str(f), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"lexicons", "classifier", "combined"}
    combined = data["combined"]
    assert combined["n"] == 4 and combined["flag_vs_none"]["precision"] == 1.0
    assert combined["confusion"]["none"]["none"] == 2
    text_out = runner.invoke(app, ["evaluate", str(f)]).stdout
    assert "confusion" in text_out and "== combined" in text_out
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "x", "label": "nonsense"}\n')
    res = runner.invoke(app, ["evaluate", str(broken)])
    assert res.exit_code == 2 and "unknown label" in res.output
