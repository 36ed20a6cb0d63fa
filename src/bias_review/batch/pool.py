"""Worker processes on this machine, run by the parent, which alone hands out files, keeps
time and replaces workers.

Each worker has its own pipe: the parent sends one file, the worker sends back its result.
The parent waits on every pipe and every worker's exit at once (no thread, so forking a
replacement is safe): a result is yielded as soon as it arrives; a worker past its file's
deadline is killed (SIGKILL) and replaced, and the file is "timed out"; a worker that dies
(a segfault, the OOM killer) is replaced and its file recorded as such; a worker that has
scanned RECYCLE_AFTER files is replaced by a fresh one. With the `fork` start method (the
default on Linux) a worker inherits the engine the parent built once (and never used, so its
caches are empty); with `spawn` each worker builds its own.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from multiprocessing.connection import Connection, wait
from typing import Any, Optional

from bias_review.batch.work import EngineSpec, Task, died, engine_for, scan_one, timed_out
from bias_review.processes import become_helper, exit_reason
from bias_review.results import DocumentResult

# how long the parent sleeps at most between looks at the clock (deadlines, progress)
TICK_SECONDS = 0.5
# workers that die before they are ready, in a row, before the batch gives up
MAX_START_FAILURES = 3
# files a worker scans before it is replaced by a fresh one: its caches and spaCy's vocabulary
# grow with what it reads, so a long batch's memory stays that of its first files
RECYCLE_AFTER = 500


class BatchError(RuntimeError):
    """The batch cannot go on (workers cannot start); one file's failure is never this."""


def default_start_method() -> str:
    return "fork" if sys.platform.startswith("linux") else "spawn"


@dataclass
class _Worker:
    process: Any
    conn: Connection
    task: Optional[Task] = None
    deadline: float = float("inf")
    ready: bool = False
    done: int = 0


class LocalPool:
    """`results(tasks)` scans tasks in `workers` processes, yielding (task, result) as each
    finishes (in the order they finish). Tasks are drawn from the iterable only when a worker
    is free, and no process starts before the first task exists."""

    def __init__(self, spec: EngineSpec, workers: int, *, timeout: Optional[float] = None,
                 start_method: Optional[str] = None, tick: Optional[Callable[[], None]] = None,
                 recycle_after: Optional[int] = RECYCLE_AFTER) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.spec, self.n, self.timeout, self.recycle_after = spec, workers, timeout, recycle_after
        self.start_method = start_method or default_start_method()
        self.tick = tick or (lambda: None)
        self._ctx = multiprocessing.get_context(self.start_method)
        self._start_failures = 0

    def results(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, DocumentResult]]:
        source = iter(tasks)
        first = next(source, None)
        if first is None:
            return
        pending: Optional[Iterator[Task]] = chain([first], source)
        if self.start_method == "fork":
            engine_for(self.spec)  # built once here, inherited by every worker
        workers = [self._start() for _ in range(self.n)]
        try:
            while True:
                pending = self._hand_out(workers, pending)
                busy = [w for w in workers if w.task is not None]
                if pending is None and not busy:
                    return
                ready = set(wait([w.conn for w in workers] + [w.process.sentinel for w in workers],
                                 timeout=self._sleep(busy)))
                finished = []
                for i, w in enumerate(workers):
                    outcome = self._look_at(w, ready)
                    if outcome is not None:
                        done, replace = outcome
                        if replace:
                            workers[i] = self._start()
                        if done is not None:
                            finished.append(done)
                pending = self._hand_out(workers, pending)  # workers go on while the caller records
                yield from finished
                self.tick()
        finally:
            self._stop(workers)

    def _hand_out(self, workers: list[_Worker], pending: Optional[Iterator[Task]]) -> Optional[Iterator[Task]]:
        """Give each ready, idle worker the next task; None once the tasks are exhausted."""
        for w in workers:
            if pending is None:
                break
            if w.ready and w.task is None:
                task = next(pending, None)
                if task is None:
                    return None
                try:
                    w.conn.send((task.file.display, str(task.file.path), task.file.section, task.file.error))
                except OSError:  # it died while idle: replaced once its exit is seen; the file waits
                    pending = chain([task], pending)
                    continue
                w.task = task
                w.deadline = time.monotonic() + self.timeout if self.timeout else float("inf")
        return pending

    def _sleep(self, busy: list[_Worker]) -> float:
        soonest = min((w.deadline for w in busy), default=float("inf"))
        return max(0.0, min(TICK_SECONDS, soonest - time.monotonic()))

    def _look_at(self, w: _Worker, ready: set) -> Optional[tuple[Optional[tuple[Task, DocumentResult]], bool]]:
        """What happened to one worker: (finished (task, result) or None, whether to replace
        the worker), or None when nothing did."""
        if w.conn in ready:
            try:
                kind, payload = w.conn.recv()
            except (EOFError, OSError):
                return self._dead(w)
            if kind == "ready":
                w.ready, self._start_failures = True, 0
                return None
            if kind == "broken":
                raise BatchError(f"a worker could not build the engine: {payload}")
            task, w.task, w.deadline = w.task, None, float("inf")
            w.done += 1
            retire = self.recycle_after is not None and w.done >= self.recycle_after
            if retire:
                _retire(w)
            return ((task, payload) if task is not None else None), retire
        if w.process.sentinel in ready:
            return self._dead(w)
        if w.task is not None and time.monotonic() >= w.deadline:
            _discard(w)
            return (w.task, timed_out(w.task, self.timeout or 0)), True
        return None

    def _dead(self, w: _Worker) -> tuple[Optional[tuple[Task, DocumentResult]], bool]:
        _discard(w, grace=1.0)
        if not w.ready:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                raise BatchError(f"workers die before they start ({exit_reason(w.process.exitcode)})")
        how = exit_reason(w.process.exitcode)
        return ((w.task, died(w.task, how)) if w.task is not None else None), True

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child, self.spec, os.getpid()),
                                    name="bias-review worker", daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    @staticmethod
    def _stop(workers: list[_Worker]) -> None:
        """Idle workers are told to stop; busy ones (the batch was interrupted) are killed."""
        for w in workers:
            if w.task is None:
                _retire(w)
            else:
                _discard(w)


def _retire(w: _Worker) -> None:
    """Stop an idle worker (it has done its share, or the batch is over)."""
    try:
        w.conn.send(None)
    except (OSError, ValueError):  # it is gone already
        pass
    _discard(w, grace=5.0)


def _discard(w: _Worker, grace: float = 0.0) -> None:
    """Make sure a worker is gone (killed after `grace` seconds) and close its pipe."""
    if grace:
        w.process.join(grace)
    if w.process.is_alive():
        w.process.kill()
    w.process.join()
    w.conn.close()


def _worker_main(conn: Connection, spec: EngineSpec, parent_pid: int) -> None:
    """A worker: build (or inherit) the engine, say so, then scan one file per message."""
    become_helper(parent_pid)
    try:
        engine_for(spec)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops the batch
        conn.send(("broken", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        display, path, section, error = job
        conn.send(("result", scan_one(spec, display, path, section=section, error=error)))
