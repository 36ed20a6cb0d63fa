"""`bias-review db upgrade` and `bias-review annotations export`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bias_review.cli import app
from bias_review.store import current_revision, decide, export_decisions, head_revision, open_store, queue
from store_builders import finding, scanned_document

runner = CliRunner()
DOCS = Path(__file__).parents[2] / "docs" / "store.md"


def test_db_upgrade_creates_the_store_and_can_run_again(db_url: str, tmp_path: Path):
    for _ in range(2):
        res = runner.invoke(app, ["db", "upgrade", "--db", db_url])
        assert res.exit_code == 0, res.output
        assert f"revision {head_revision()}" in res.output
    with open_store(db_url, data=tmp_path, migrate=False) as store:
        assert current_revision(store.engine) == head_revision()


def test_the_default_database_is_sqlite_in_the_data_folder(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("BIAS_REVIEW_DB", raising=False)
    monkeypatch.setenv("BIAS_REVIEW_DATA", str(tmp_path / "data"))
    res = runner.invoke(app, ["db", "upgrade"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "data" / "bias-review.sqlite").is_file()


def test_annotations_export_to_stdout_and_to_a_file(store, db_url: str, tmp_path: Path):
    scanned_document(store, [finding("f1")])
    decide(store, queue(store)[0], "ana", "accepted")
    decide(store, queue(store)[0], "ben", "comment", comment="multi\nline")
    res = runner.invoke(app, ["annotations", "export", "--db", db_url])
    assert res.exit_code == 0, res.output
    assert res.stdout == export_decisions(store, "jsonl")
    out = tmp_path / "decisions.csv"
    res = runner.invoke(app, ["annotations", "export", "--db", db_url, "--format", "csv", "--out", str(out)])
    assert res.exit_code == 0 and "2 decision(s)" in res.output
    assert out.read_text(encoding="utf-8") == export_decisions(store, "csv")
    res = runner.invoke(app, ["annotations", "export", "--db", db_url, "--verdicts"])
    assert res.stdout == export_decisions(store, "jsonl", verdicts_only=True) and res.stdout.count("\n") == 1


@pytest.mark.parametrize("args, message", [
    (["annotations", "export", "--db", "not a url"], "not a database URL"),
    (["annotations", "export", "--db", "postgresql://nobody:x@127.0.0.1:1/none"], "database error: connection"),
    (["annotations", "export", "--db", "sqlite:///{tmp}/x.sqlite", "--format", "xml"], "format must be"),
    (["db", "upgrade", "--db", "mysql://u@localhost/x"], "no database driver"),
])
def test_errors_are_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str):
    res = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


@pytest.mark.parametrize("cmd", [["annotations", "export"], ["db", "upgrade"]])
def test_every_store_command_has_help_and_is_documented(cmd: list[str]):
    res = runner.invoke(app, [*cmd, "--help"])
    assert res.exit_code == 0 and len(res.stdout) > 50
    assert "bias-review " + " ".join(cmd) in DOCS.read_text(encoding="utf-8")
