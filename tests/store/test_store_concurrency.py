"""Two processes writing decisions to one database at the same moment lose nothing."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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


def test_a_locked_database_is_retried_and_other_errors_are_not(store, monkeypatch):
    monkeypatch.setattr("bias_review.store.db.time.sleep", lambda s: None)
    calls = []

    def locked_twice(session):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return "done"

    assert store.write(locked_twice) == "done" and len(calls) == 3

    def always_locked(session):
        calls.append(1)
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    calls.clear()
    try:
        store.write(always_locked)
    except OperationalError:
        pass
    assert len(calls) == WRITE_ATTEMPTS

    def broken(session):
        calls.append(1)
        raise OperationalError("INSERT", {}, Exception("no such table: x"))

    calls.clear()
    try:
        store.write(broken)
    except OperationalError:
        pass
    assert len(calls) == 1
