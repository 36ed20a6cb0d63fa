"""The same per-file work on a Dask distributed cluster (`pip install 'bias-review[dask]'`).

Workers read each file from the path the client names, so the archive must sit on storage
every worker sees at the same path (NFS, SMB, a cluster file system) and bias-review (with
the same lexicon and model folders) must be installed on every worker. Each worker process
builds the engine once (`engine_for`) and returns results to the client, which alone writes
the store. A file past its deadline is cancelled and recorded as timed out; the engine's own
deadline frees the worker's thread soon after. With no scheduler address, a LocalCluster of
`workers` single-threaded processes runs on this machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from itertools import chain
from typing import Any, Optional

from bias_review.batch.pool import TICK_SECONDS
from bias_review.batch.work import EngineSpec, Task, died, scan_one, timed_out
from bias_review.results import DocumentResult


class DaskPool:
    """`results(tasks)` like `LocalPool`: (task, result) as each file finishes. As many files
    are in flight as the cluster has worker threads, so a file's deadline starts about when a
    worker starts it."""

    def __init__(self, spec: EngineSpec, workers: int, *, timeout: Optional[float] = None,
                 scheduler: Optional[str] = None, tick: Optional[Callable[[], None]] = None) -> None:
        self.spec, self.n, self.timeout, self.scheduler = spec, workers, timeout, scheduler
        self.tick = tick or (lambda: None)

    def results(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, DocumentResult]]:
        source = iter(tasks)
        first = next(source, None)
        if first is None:
            return
        with ExitStack() as stack:
            client = self._client(stack)
            slots = max(1, sum(client.nthreads().values()))
            running: dict[Any, tuple[Task, float]] = {}
            queue: Optional[Iterator[Task]] = chain([first], source)
            while True:
                while queue is not None and len(running) < slots:
                    task = next(queue, None)
                    if task is None:
                        queue = None
                        break
                    future = client.submit(scan_one, self.spec, task.file.display, str(task.file.path),
                                           self.timeout, section=task.file.section, error=task.file.error,
                                           pure=False)
                    running[future] = (task, time.monotonic() + self.timeout if self.timeout else float("inf"))
                if not running:
                    return
                yield from self._collect(running)
                self.tick()

    def _collect(self, running: dict[Any, tuple[Task, float]]) -> Iterator[tuple[Task, DocumentResult]]:
        """Wait a moment for futures to finish; yield what finished or ran out of time."""
        from distributed import wait

        soonest = min(deadline for _, deadline in running.values())
        try:
            wait(list(running), timeout=max(0.01, min(TICK_SECONDS, soonest - time.monotonic())),
                 return_when="FIRST_COMPLETED")
        except TimeoutError:
            pass
        now = time.monotonic()
        for future, (task, deadline) in list(running.items()):
            if future.done():
                del running[future]
                yield task, _outcome(task, future)
            elif now >= deadline:
                del running[future]
                future.cancel()
                yield task, timed_out(task, self.timeout or 0)

    def _client(self, stack: ExitStack):
        from distributed import Client

        if self.scheduler:
            return stack.enter_context(Client(self.scheduler))
        import dask
        from distributed import LocalCluster

        # a file that kills its worker is not retried on the next one
        stack.enter_context(dask.config.set({"distributed.scheduler.allowed-failures": 0}))
        cluster = stack.enter_context(LocalCluster(n_workers=self.n, processes=True, threads_per_worker=1,
                                                   dashboard_address=None))
        return stack.enter_context(Client(cluster))


def _outcome(task: Task, future) -> DocumentResult:
    """A finished future's result; a worker lost on it (`KilledWorker`) or any other failure
    becomes the file's error."""
    if future.status == "finished":
        return future.result()
    exc = future.exception()
    if type(exc).__name__ == "KilledWorker":
        return died(task, "the Dask worker was lost")
    return DocumentResult(path=task.file.display, sha256=task.sha256,
                          error=f"internal error while scanning ({type(exc).__name__}: {exc})")
