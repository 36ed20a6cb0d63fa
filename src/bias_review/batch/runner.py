"""A batch scan of an archive: which files need scanning, their courses, the executor that
scans them, and the one writer that records finished files in the store (in small groups,
within a second).

A rerun hashes each file and looks up the store before anything is parsed: a file whose
content, lexicon version and model version match its newest scan is skipped (one whose newest
scan failed too, unless `retry_failed`). The writer records finished files in small groups
(at most WRITE_EVERY files, none waiting longer than WRITE_SECONDS), each group's documents,
scans and findings in one transaction, so a batch stopped at any moment (Ctrl-C, SIGKILL, a
crash) resumes where it stopped, without duplicates: a file is either recorded whole or
scanned again. Ctrl-C and SIGTERM record the files already finished before stopping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from bias_review.batch.courses import CourseOf, CourseRules
from bias_review.batch.inputs import InputFile
from bias_review.batch.work import EngineSpec, Task
from bias_review.findings import Severity
from bias_review.paths import sha256_or_none
from bias_review.processes import cores, sigterm_interrupts
from bias_review.progress import scan_progress
from bias_review.results import DocumentResult, ScanResult, Tally

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only by a batch that has one
    from bias_review.store import Store

DEFAULT_TIMEOUT = 120.0
# the writer's groups: a transaction per group, not per file (fewer round trips to the database)
WRITE_EVERY, WRITE_SECONDS = 32, 1.0
SCAN, UNCHANGED, FAILED_BEFORE = "scan", "unchanged", "failed before"


def default_workers() -> int:
    """One worker per core this process may use."""
    return cores()


@dataclass
class BatchOptions:
    """How to run a batch. `executor` is `local` (worker processes here) or `dask`."""

    workers: int = field(default_factory=default_workers)
    timeout: Optional[float] = DEFAULT_TIMEOUT
    retry_failed: bool = False
    executor: str = "local"
    scheduler: Optional[str] = None
    start_method: Optional[str] = None  # local: fork (Linux default) or spawn
    courses: CourseRules = field(default_factory=CourseRules)
    progress: Optional[bool] = None  # None: a bar when standard error is a terminal
    min_severity: Severity = Severity.LOW  # the findings the bar and the summary line count


@dataclass
class BatchSummary:
    """What a batch did: `scanned` counts the files scanned this run."""

    files: int
    scanned: Tally = field(default_factory=Tally)
    unchanged: int = 0
    failed_before: list[str] = field(default_factory=list)
    not_recorded: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        """One line for the end of a run (and a log)."""
        s = self.scanned
        rate = f", {s.documents / self.seconds:.1f} files/s" if self.seconds and s.documents else ""
        bits = [f"{s.documents} of {self.files} file(s) scanned ({s.pages} pages) in {_duration(self.seconds)}{rate}",
                f"{s.findings} finding(s)", f"{s.failed} failed"]
        if self.unchanged:
            bits.append(f"{self.unchanged} unchanged, skipped")
        if self.failed_before:
            bits.append(f"{len(self.failed_before)} failed before, skipped (use --retry-failed)")
        if self.not_recorded:
            bits.append(f"{len(self.not_recorded)} not recorded in the store")
        return "; ".join(bits)


class Resume:
    """The store's newest scan of each file a batch recorded, by (source path, course, content),
    and the verdict on a file: scan it, or skip it."""

    def __init__(self, store: Store, versions: tuple[str, Optional[str]], retry_failed: bool) -> None:
        from bias_review.store import last_scans

        self.versions, self.retry_failed = versions, retry_failed
        self.last = {(s.source_path, s.course_id, s.sha256): s for s in last_scans(store)
                     if s.source_path is not None and s.scanned}

    def verdict(self, display: str, course_id: Optional[int], sha256: Optional[str]) -> str:
        last = self.last.get((display, course_id, sha256))
        if last is None or (last.lexicon_version, last.model_version) != self.versions:
            return SCAN
        if last.error is None:
            return UNCHANGED
        return SCAN if self.retry_failed else FAILED_BEFORE


def run_batch(files: Sequence[InputFile], spec: EngineSpec, *, store: Optional[Store] = None,
              options: Optional[BatchOptions] = None, on_start: Optional[Callable[[dict], None]] = None,
              on_result: Optional[Callable[[DocumentResult], None]] = None,
              on_skip: Optional[Callable[[str], None]] = None) -> BatchSummary:
    """Scan `files` on the chosen executor; with a `store`, skip what it already holds and
    record finished files (in groups of at most WRITE_EVERY, within WRITE_SECONDS). `on_start`
    is given the contract's `tool` object before any file; `on_result` each scanned file's
    result, in the order they finish; `on_skip` the display path of each file a rerun leaves
    out. Raises
    CourseConfigError (before any work), BatchError, LexiconError or ModelError; a bad file
    only ever becomes its own error."""
    options = options or BatchOptions()
    started = time.monotonic()
    versions = spec.versions()
    tool = ScanResult([], *versions).tool()
    if on_start is not None:
        on_start(tool)
    where = {f.display: options.courses.resolve(f.display) for f in files}
    course_ids = _course_ids(store, set(where.values())) if store is not None else {}
    resume = Resume(store, versions, options.retry_failed) if store is not None else None
    summary = BatchSummary(len(files))

    with scan_progress(len(files), enabled=options.progress, auto_refresh=False,
                       min_severity=options.min_severity) as progress, sigterm_interrupts(), \
            _Writer(store, tool, summary) as writer:
        def tasks() -> Iterator[Task]:
            for f in files:
                course_id = course_ids.get(where[f.display])
                sha = sha256_or_none(f.path) if resume is not None else None
                verdict = resume.verdict(f.display, course_id, sha) if resume is not None else SCAN
                if verdict == SCAN:
                    yield Task(f, sha, course_id)
                    continue
                progress.skip()
                if on_skip is not None:
                    on_skip(f.display)
                if verdict == UNCHANGED:
                    summary.unchanged += 1
                else:
                    summary.failed_before.append(f.display)

        def tick() -> None:
            writer.write_if_due()
            progress.refresh()

        for task, doc in make_pool(spec, options, tick=tick).results(tasks()):
            writer.add(task, doc)
            progress.update(doc)
            if on_result is not None:
                on_result(doc)
    summary.scanned = progress.tally
    summary.seconds = time.monotonic() - started
    return summary


def make_pool(spec: EngineSpec, options: BatchOptions, *, tick: Optional[Callable[[], None]] = None):
    """The executor `options` name: a LocalPool or a DaskPool (both give `results(tasks)`)."""
    if options.executor == "dask":
        from bias_review.batch.dask_pool import DaskPool

        return DaskPool(spec, options.workers, timeout=options.timeout, scheduler=options.scheduler, tick=tick)
    if options.executor != "local":
        raise ValueError(f"executor must be local or dask, not {options.executor!r}")
    from bias_review.batch.pool import LocalPool

    return LocalPool(spec, options.workers, timeout=options.timeout, start_method=options.start_method, tick=tick)


def _course_ids(store: Store, places: set[CourseOf]) -> dict[CourseOf, int]:
    """The store's course row for each (named) place, created as needed."""
    from bias_review.store import add_course

    return {p: add_course(store, p.name, p.year, p.lecturer).id for p in places if p.name}


class _Writer:
    """The batch's one writer: finished files wait in a group that is recorded (one
    transaction) when it holds WRITE_EVERY files, when its first has waited WRITE_SECONDS, and
    at the end, also of an interrupted batch. A file that cannot be recorded (it changed while
    being scanned, it vanished) is noted in the summary and the batch goes on."""

    def __init__(self, store: Optional[Store], tool: dict, summary: BatchSummary) -> None:
        self.store, self.tool, self.summary = store, tool, summary
        self.waiting: list[tuple[Task, DocumentResult]] = []
        self.since = 0.0

    def add(self, task: Task, doc: DocumentResult) -> None:
        if self.store is None:
            return
        if not self.waiting:
            self.since = time.monotonic()
        self.waiting.append((task, doc))
        if len(self.waiting) >= WRITE_EVERY:
            self.write()

    def write_if_due(self) -> None:
        if self.waiting and time.monotonic() - self.since >= WRITE_SECONDS:
            self.write()

    def write(self) -> None:
        group, self.waiting = self.waiting, []
        if not group or self.store is None:
            return
        from bias_review.store import FileScan, record_file_scans

        outcomes = record_file_scans(self.store, [
            FileScan(task.file.path, doc.as_dict(min_severity=Severity.INFO), name=task.file.display,
                     course=task.course_id, source_path=task.file.display) for task, doc in group], self.tool)
        for (task, _), outcome in zip(group, outcomes):
            if isinstance(outcome, Exception):
                self.summary.not_recorded.append((task.file.display, str(outcome)))

    def __enter__(self) -> "_Writer":
        return self

    def __exit__(self, *exc) -> None:
        self.write()


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s" if minutes else f"{seconds:.1f} s"
