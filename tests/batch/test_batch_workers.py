"""Worker processes: a parser that hangs is cut off by the parent's deadline, a worker killed by
a signal is recorded and replaced, and workers find what a single-process scan finds.

Faults are injected by monkeypatching the engine's `parse` in this process: workers are forked
from it, so they run the patched function (no test hook in the product)."""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bias_review.engine as engine_module
from batch_builders import write_archive
from bias_review.batch import BatchOptions, EngineSpec, open_archive, run_batch
from bias_review.cli import app
from bias_review.results import timeout_message
from bias_review.store import last_scans, open_store

RULES = EngineSpec(classifier=False)


@pytest.fixture
def faulty_parse(monkeypatch):
    """`parse` that hangs on files named *hang*, and kills its own process on *segv* / *oom*."""
    real = engine_module.parse

    def parse(path, **options):
        name = Path(path).name
        if "hang" in name:
            time.sleep(60)
        if "segv" in name:
            faulthandler.disable()  # pytest's handler would print the worker's stack
            os.kill(os.getpid(), signal.SIGSEGV)
        if "oom" in name:  # what the OOM killer does
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, **options)

    monkeypatch.setattr(engine_module, "parse", parse)


def _run(root: Path, store=None, **options):
    results = {}
    with open_archive([root]) as files:
        summary = run_batch(files, RULES, store=store, options=BatchOptions(progress=False, **options),
                            on_result=lambda d: results.__setitem__(d.path, d))
    return summary, results


def _with_faults(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "archive"
    write_archive(root, 4, kinds=("txt",))
    for name in names:
        (root / "2024-25" / "Renal" / name).write_text("The patient was noncompliant.\n", encoding="utf-8")
    return root


def test_a_parser_that_hangs_is_cut_off_by_the_timeout_and_the_batch_goes_on(tmp_path: Path, faulty_parse):
    root = _with_faults(tmp_path, "hang.txt")
    with open_store(f"sqlite:///{tmp_path / 's.sqlite'}", data=tmp_path / "data") as store:
        started = time.monotonic()
        summary, results = _run(root, store, workers=2, timeout=1)
        assert time.monotonic() - started < 15
        hung = results.pop("2024-25/Renal/hang.txt")
        assert hung.error == timeout_message(1) and hung.error.startswith("timed out after 1 s")
        assert len(results) == 4 and all(r.error is None and r.findings for r in results.values())
        assert (summary.scanned.documents, summary.scanned.failed) == (5, 1)
        stored = {s.source_path: s.error for s in last_scans(store)}
        assert stored["2024-25/Renal/hang.txt"] == hung.error and len(stored) == 5


@pytest.mark.parametrize("name, signal_name", [("segv.txt", "SIGSEGV"), ("oom.txt", "SIGKILL")])
def test_a_worker_killed_by_a_signal_is_recorded_and_the_batch_finishes(tmp_path: Path, faulty_parse, name,
                                                                         signal_name):
    root = _with_faults(tmp_path, name, f"second-{name}")
    summary, results = _run(root, workers=2, timeout=30)
    assert len(results) == 6  # every file has a result: each death replaced its worker
    for shown in (f"2024-25/Renal/{name}", f"2024-25/Renal/second-{name}"):
        assert results[shown].error == f"the worker scanning this file died (signal {signal_name})"
    assert sum(1 for r in results.values() if r.error is None and r.findings) == 4


def test_workers_find_what_a_single_process_scan_finds(tmp_path: Path, monkeypatch):
    root = tmp_path / "archive"
    write_archive(root, 6)
    monkeypatch.chdir(root)  # the single-process scan of "." names files as the batch does
    single = CliRunner().invoke(app, ["scan", ".", "--format", "json", "--no-classifier", "--min-severity", "info"])
    batch = CliRunner().invoke(app, ["scan", ".", "--format", "json", "--no-classifier", "--min-severity", "info",
                                     "--workers", "2"])
    assert single.exit_code == batch.exit_code == 0, batch.output

    def ids(res) -> dict[str, list[str]]:
        return {d["path"]: [f["id"] for f in d["findings"]] for d in json.loads(res.stdout)["documents"]}

    assert ids(batch) == ids(single) and len(ids(single)) == 6
    assert sum(map(len, ids(single).values())) > 6
    assert list(ids(batch)) == list(ids(single))  # the report keeps the files' order
    assert batch.stdout == single.stdout
    for fmt in ("text", "csv"):  # written in order as workers finish, the same report
        args = ["scan", ".", "--format", fmt, "--no-classifier", "--min-severity", "info"]
        single, batch = CliRunner().invoke(app, args), CliRunner().invoke(app, [*args, "--workers", "2"])
        assert single.exit_code == batch.exit_code == 0, batch.output
        assert batch.stdout == single.stdout and "Lecture" in single.stdout


def test_a_worker_is_replaced_by_a_fresh_one_after_its_share_of_files(tmp_path: Path, log_parse_calls):
    from bias_review.batch import LocalPool, Task

    root = tmp_path / "archive"
    write_archive(root, 6, kinds=("txt",))
    pids = log_parse_calls(engine_module, lambda path: os.getpid())
    with open_archive([root]) as files:
        done = list(LocalPool(RULES, 1, recycle_after=2).results(Task(f) for f in files))
    assert sorted(d.path for _, d in done) == sorted(f.display for f in files)
    assert all(d.error is None for _, d in done)
    assert len(set(pids.read_text().split())) == 3  # 6 files, 2 per worker


def test_a_worker_that_dies_while_idle_is_replaced_and_its_next_file_goes_to_another(tmp_path: Path):
    import multiprocessing

    from bias_review.batch import LocalPool, Task

    root = tmp_path / "archive"
    write_archive(root, 3, kinds=("txt",))
    with open_archive([root]) as files:
        def tasks():
            for n, f in enumerate(files):
                if n == 1:  # the worker is idle, waiting for this file: the OOM killer takes it
                    for child in multiprocessing.active_children():
                        child.kill()
                        child.join()
                yield Task(f)

        done = list(LocalPool(RULES, 1).results(tasks()))
    assert sorted(d.path for _, d in done) == sorted(f.display for f in files)
    assert all(d.error is None and d.findings for _, d in done)


def test_a_zip_and_its_bad_member_go_through_the_workers_into_the_store(tmp_path: Path):
    """Archive inputs reach the batch: members are scanned by the workers under
    'archive.zip!member' and a member that cannot be taken out is recorded with its reason."""
    import zipfile

    from bias_review.store import documents, open_store

    root = tmp_path / "archive"
    root.mkdir()
    with zipfile.ZipFile(root / "week1.zip", "w") as z:
        z.writestr("renal/notes.txt", "A 45-year-old African American man presents with chest pain.")
        z.writestr("../../escape.txt", "The patient was noncompliant.")
    (root / "plain.txt").write_text("The patient is a known drug seeker.", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = open_store(url, data=tmp_path / "data")
    spec = EngineSpec(classifier=False)
    with open_archive([root]) as files:
        shown = sorted(f.display for f in files)
        summary = run_batch(files, spec=spec, store=store, options=BatchOptions(workers=2, progress=False))
    assert shown == ["plain.txt", "week1.zip!../../escape.txt", "week1.zip!renal/notes.txt"]
    assert summary.scanned.documents == 3 and summary.scanned.failed == 1
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape.txt").exists()
    names = {d.name for d in documents(store)}
    assert any("notes.txt" in n for n in names)


def test_the_summary_line_counts_the_findings_the_report_shows(tmp_path: Path):
    """With --min-severity, the batch's closing line (and its progress bar) counts the findings
    at or above it, as the report does, not every flag."""
    root = tmp_path / "archive"
    write_archive(root, 3, kinds=("txt",))
    counts = {}
    for floor in ("low", "high"):
        res = CliRunner().invoke(app, ["scan", str(root), "--format", "json", "--no-classifier", "--workers", "1",
                                       "--min-severity", floor])
        assert res.exit_code == 0, res.output
        counts[floor] = sum(len(d["findings"]) for d in json.loads(res.stdout)["documents"])
        assert f"; {counts[floor]} finding(s); 0 failed" in res.stderr
    assert 0 < counts["high"] < counts["low"]
