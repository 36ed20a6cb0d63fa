"""Two processes writing decisions to one database at the same moment lose nothing."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sqlalchemy.exc import OperationalError

from bias_review.store import decide, decision_rows, queue
from bias_review.store.db import WRITE_ATTEMPTS
from store_builders import finding, scanned_document
from store_workers import write_decisions

PER_PROCESS = 500


def test_two_processes_writing_500_decisions_each_lose_nothing(store, db_url: str, tmp_path: Path):
    scanned_document(store, [finding(f"f{i}") for i in range(20)])
    flags = [i.id for i in queue(store)]
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)  # both have opened the store before either writes
    procs = [ctx.Process(target=write_decisions, args=(db_url, str(tmp_path / "data"), r, flags, PER_PROCESS, start))
             for r in ("ana", "ben")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]
    rows = decision_rows(store)
    assert Counter(r["reviewer"] for r in rows) == {"ana": PER_PROCESS, "ben": PER_PROCESS}
    for reviewer in ("ana", "ben"):
        assert {r["comment"] for r in rows if r["reviewer"] == reviewer} == {
            f"{reviewer} #{i}" for i in range(PER_PROCESS)}
    assert sum(i.decisions for i in queue(store)) == 2 * PER_PROCESS


def test_threads_sharing_one_store_lose_nothing(store):
    """One store per process, shared by every thread (as the app's sessions share it)."""
    scanned_document(store, [finding(f"f{i}") for i in range(5)])
    flags = [i.id for i in queue(store)]

    def write(reviewer: str) -> None:
        for i in range(50):
            decide(store, flags[i % len(flags)], reviewer, "accepted")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, ["ana", "ben", "cy", "dee"]))
    assert Counter(r["reviewer"] for r in decision_rows(store)) == {r: 50 for r in ("ana", "ben", "cy", "dee")}


@pytest.mark.parametrize("failures, message, attempts", [
    (2, "database is locked", 3),
    (99, "database is locked", WRITE_ATTEMPTS),
    (1, "no such table: x", 1),
])
def test_a_locked_database_is_retried_and_other_errors_are_not(store, monkeypatch, failures, message, attempts):
    monkeypatch.setattr("bias_review.store.db.time.sleep", lambda s: None)
    calls = []

    def work(session) -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError("INSERT", {}, Exception(message))
        return "done"

    try:
        assert store.write(work) == "done"
    except OperationalError:
        assert failures >= attempts
    assert len(calls) == attempts
