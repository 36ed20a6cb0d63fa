"""Batch scans against the review store: a scan killed mid-batch resumes to exactly the findings
of an uninterrupted one, an unchanged rerun scans nothing, a changed file (or a new lexicon) is
rescanned, and failed files wait for --retry-failed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from batch_builders import scan_counts, stored_findings, write_archive, write_file
from bias_review.batch import BatchOptions, EngineSpec, open_archive, run_batch
from bias_review.batch.archive import load_archive
from bias_review.cli import app
from bias_review.store import open_store

RULES = EngineSpec(classifier=False)


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _scan(root: Path, db: Path, *extra: str, data: Path):
    """The scan command as a child process (so it can be killed), its data folder `data`."""
    cmd = [sys.executable, "-m", "bias_review.cli", "scan", str(root), "--db", _url(db), "--workers", "2",
           "--no-classifier", *extra]
    return cmd, {**os.environ, "BIAS_REVIEW_DATA": str(data)}


def _scans_recorded(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM scans").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def _batch(root: Path, store, **options):
    with open_archive([root]) as files:
        return run_batch(files, RULES, store=store, options=BatchOptions(workers=2, progress=False, **options))


def test_a_scan_killed_mid_batch_resumes_to_the_findings_of_an_uninterrupted_scan(tmp_path: Path):
    archive = tmp_path / "archive"
    write_archive(archive, 40, repeat=20)
    killed, clean, jsonl = tmp_path / "killed.sqlite", tmp_path / "clean.sqlite", tmp_path / "flags.jsonl"
    cmd, env = _scan(archive, killed, "--format", "jsonl", "--out", str(jsonl), data=tmp_path / "data-killed")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while _scans_recorded(killed) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.kill()  # SIGKILL to the parent alone
    finally:
        proc.wait()
    recorded = _scans_recorded(killed)
    assert 3 <= recorded < 40, "the scan should have been killed part-way"

    time.sleep(0.5)  # the kernel kills the orphaned workers (PR_SET_PDEATHSIG)
    orphans = [p for p in psutil.process_iter(["cmdline"]) if str(killed) in " ".join(p.info["cmdline"] or [])]
    assert orphans == []
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]  # streamed, whole
    # the store records finished files in groups (at most 32, within a second), so the stream
    # may be up to one group ahead of it; the rerun scans what the store lacks
    streamed = sum("document" in o for o in lines)
    assert "tool" in lines[0] and max(1, recorded - 1) <= streamed <= recorded + 32
    assert not any("summary" in o for o in lines)

    cmd, env = _scan(archive, killed, data=tmp_path / "data-killed")
    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{recorded} unchanged, skipped" in resumed.stderr
    with open_store(_url(killed), data=tmp_path / "data-killed") as a, open_store(_url(clean), data=tmp_path / "data-clean") as b:
        assert _batch(archive, b).scanned.documents == 40  # uninterrupted, into another database
        got, want = stored_findings(a), stored_findings(b)
        assert len(want) == 40 and got == want
        assert all(len(ids) == len(set(ids)) for ids in got.values())
        assert set(scan_counts(a).values()) == {1}  # every file scanned once, over both runs
        assert len(load_archive(a).documents) == 40


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_records_every_file_already_finished_before_it_stops(tmp_path: Path, stop: signal.Signals):
    """The writer records finished files in groups; an interrupt (Ctrl-C, or SIGTERM from a
    scheduler) records the waiting group, so every document the streamed report has shown is
    in the store too."""
    archive = tmp_path / "archive"
    write_archive(archive, 40, repeat=20)
    db, jsonl = tmp_path / "s.sqlite", tmp_path / "flags.jsonl"
    cmd, env = _scan(archive, db, "--format", "jsonl", "--out", str(jsonl), data=tmp_path / "data")
    # SIGINT handled as in a terminal even when the tests run in a background job, whose children
    # start with SIGINT ignored (and Python then keeps ignoring it)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        shown = jsonl.read_text(encoding="utf-8").count('"document"') if jsonl.exists() else 0
        if shown >= 3:
            break
        time.sleep(0.01)
    proc.send_signal(stop)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130 and "interrupted" in err, err
    streamed = {json.loads(line)["document"]["path"] for line in jsonl.read_text(encoding="utf-8").splitlines()
                if '"document"' in line}
    assert 3 <= len(streamed) < 40, err
    with open_store(_url(db), data=tmp_path / "data") as store:
        recorded = set(scan_counts(store))
        # all but at most the one file the interrupt fell between recording and streaming
        assert len(recorded ^ streamed) <= 1 and len(recorded) >= 3, (sorted(recorded ^ streamed), err)
        assert set(scan_counts(store).values()) == {1}


def test_an_unchanged_rerun_scans_nothing_and_a_changed_file_is_rescanned(tmp_path: Path):
    archive = tmp_path / "archive"
    files = write_archive(archive, 6)
    with open_store(_url(tmp_path / "s.sqlite"), data=tmp_path / "data") as store:
        first = _batch(archive, store)
        assert (first.scanned.documents, first.unchanged) == (6, 0) and first.scanned.findings > 6
        before = stored_findings(store)

        again = _batch(archive, store)
        assert (again.scanned.documents, again.unchanged, again.failed_before) == (0, 6, [])
        assert set(scan_counts(store).values()) == {1} and stored_findings(store) == before

        changed = files[4]
        write_file(changed, ["A 40-year-old Hispanic woman presents with fever.", "Nothing else changed."])
        third = _batch(archive, store)
        shown = changed.relative_to(archive).as_posix()
        assert (third.scanned.documents, third.unchanged) == (1, 5)
        assert scan_counts(store)[shown] == 2 and stored_findings(store)[shown] != before[shown]
        current = {d["path"]: d for d in load_archive(store).documents}
        assert len(current) == 6  # the old version of the changed file is not counted again
        assert [f["category"] for f in current[shown]["findings"]] == ["race-in-vignette"]


def test_a_new_lexicon_version_rescans_every_file(tmp_path: Path):
    archive = tmp_path / "archive"
    write_archive(archive, 3, kinds=("txt",))
    lexicons = tmp_path / "school"
    lexicons.mkdir()
    (lexicons / "local.yml").write_text(
        "category: outdated-term\nentries:\n  - id: school-physiology-term\n    patterns: [heart physiology]\n"
        "    explanation: Our school names this course differently.\n    suggestion: cardiac physiology\n"
        "    references: [\"Curriculum committee 2026\"]\n", encoding="utf-8")
    with open_store(_url(tmp_path / "s.sqlite"), data=tmp_path / "data") as store:
        assert _batch(archive, store).scanned.documents == 3
        with open_archive([archive]) as files:
            school = EngineSpec(lexicon_dirs=(str(lexicons),), classifier=False)
            summary = run_batch(files, school, store=store, options=BatchOptions(workers=1, progress=False))
        assert (summary.scanned.documents, summary.unchanged) == (3, 0)
        assert summary.scanned.by_category["outdated-term"] >= 3


def test_failed_files_are_skipped_until_retry_failed(tmp_path: Path):
    archive = tmp_path / "archive"
    write_archive(archive, 2, kinds=("txt",))
    (archive / "2023-24" / "Renal" / "broken.pdf").write_bytes(b"%PDF-1.7\n not a pdf at all")
    url = _url(tmp_path / "s.sqlite")
    runner = CliRunner()
    args = ["scan", str(archive), "--db", url, "--no-classifier", "--workers", "2", "--format", "json"]
    env = {"BIAS_REVIEW_DATA": str(tmp_path / "data")}
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    assert [d["error"] is not None for d in json.loads(first.stdout)["documents"]].count(True) == 1

    second = runner.invoke(app, args, env=env)
    assert json.loads(second.stdout)["documents"] == []
    assert "2023-24/Renal/broken.pdf: failed before, skipped (use --retry-failed)" in second.stderr
    assert "2 unchanged, skipped; 1 failed before, skipped" in second.stderr

    third = runner.invoke(app, [*args, "--retry-failed"], env=env)
    assert [d["path"] for d in json.loads(third.stdout)["documents"]] == ["2023-24/Renal/broken.pdf"]
    assert third.exit_code == 2  # everything this run scanned failed


def test_decisions_carry_over_to_the_same_passages_of_a_changed_file(tmp_path: Path):
    """A lecture edited after review: its unchanged flagged passages keep their decisions (by
    stable id, derived, nothing copied), a new passage is open, the old version leaves the
    queue but not the store, and the report shows the carried decisions."""
    from batch_builders import lecture_text

    from bias_review.store import decide, flag_state, history, queue

    archive = tmp_path / "archive"
    path = write_file(archive / "2024" / "Renal" / "Lecture 01.txt", lecture_text(1, repeat=2))
    with open_store(_url(tmp_path / "s.sqlite"), data=tmp_path / "data") as store:
        _batch(archive, store)
        first = [i for i in queue(store) if i.severity != "info"]
        assert len(first) >= 2
        dismissed, recategorised = first[0], first[1]
        decide(store, dismissed.id, "ana", "dismissed", reason="race-conscious")
        decide(store, recategorised.id, "ben", "recategorised", new_category="stereotype")

        write_file(path, lecture_text(1, repeat=2) + ["A 52-year-old Black man presents with chest pain."])
        assert _batch(archive, store).scanned.documents == 1
        now = {i.stable_id: i for i in queue(store) if i.severity != "info"}
        assert {i.document_id for i in now.values()} == {max(i.document_id for i in now.values())}  # old version out
        carried = now[dismissed.stable_id]
        assert carried.id != dismissed.id and carried.status == "dismissed" and carried.carried == 1
        assert now[recategorised.stable_id].category == "stereotype"
        assert [h.reviewer for h in history(store, carried.id)] == ["ana"]
        fresh = [i for i in now.values() if i.stable_id not in {f.stable_id for f in first}]
        assert fresh and all(i.status == "open" and i.carried == 0 for i in fresh)
        # the old version is still in the store with its own decisions
        old = queue(store, document=dismissed.document_id)
        assert {i.id: i.status for i in old}[dismissed.id] == "dismissed" and all(i.superseded for i in old)

        decide(store, carried.id, "cy", "accepted")  # a new decision on the new version follows the carried ones
        assert flag_state(store, carried.id).status == "accepted"
        assert [h.reviewer for h in history(store, carried.id)] == ["ana", "cy"]
        assert flag_state(store, dismissed.id).status == "dismissed"  # the old version's flag is unchanged
        report = {f["id"]: f for d in load_archive(store).documents for f in d["findings"]}
        assert [d["reviewer"] for d in report[carried.stable_id]["decisions"]] == ["ana", "cy"]
        assert report[recategorised.stable_id]["status"] == "changed"
