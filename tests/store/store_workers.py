"""A worker process for the concurrency test (a module of its own so `spawn` can import it)."""

from __future__ import annotations

from bias_review.store import decide, open_store

DECISIONS = ("accepted", "dismissed", "comment")


def write_decisions(url: str, data: str, reviewer: str, flags: list[int], n: int, start) -> None:
    """Wait at the `start` barrier, then write `n` decisions, one transaction each, round-robin over `flags`."""
    store = open_store(url, data=data)
    start.wait()
    for i in range(n):
        decide(store, flags[i % len(flags)], reviewer, DECISIONS[i % 3], comment=f"{reviewer} #{i}")
    store.close()

