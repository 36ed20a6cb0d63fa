"""A progress bar for scans on a terminal: files, pages, findings, errors, skipped files, rate
and ETA. Quiet (does nothing) when standard error is not a terminal."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from collections.abc import Iterator

from bias_review.findings import Severity
from bias_review.results import DocumentResult, Tally


class ScanProgress:
    """Counts what finished files gave (`tally`) and the files skipped; shows it when a
    terminal is attached."""

    def __init__(self, progress=None, task=None, min_severity: Severity = Severity.LOW) -> None:
        self._progress, self._task = progress, task
        self.tally = Tally(min_severity)  # findings counted as the report counts them
        self.skipped = 0

    def update(self, result: DocumentResult) -> None:
        """A file was scanned."""
        self.tally.add(result)
        if self._progress is not None:
            t = self.tally
            self._progress.update(self._task, advance=1, pages=t.pages, findings=t.findings, errors=t.failed,
                                  refresh=True)

    def skip(self) -> None:
        """A file was left out (a batch rerun: unchanged since its last scan). It leaves the
        bar's total, so rate and time left stay those of the files really scanned."""
        self.skipped += 1
        if self._progress is not None:
            total = self._progress.tasks[0].total or 1
            self._progress.update(self._task, total=max(total - 1, 1), skipped=self.skipped, refresh=True)

    def refresh(self) -> None:
        """Redraw (time left and rate move on while no file finishes)."""
        if self._progress is not None:
            self._progress.refresh()


@contextmanager
def scan_progress(total: int, *, enabled: bool | None = None, auto_refresh: bool = True,
                  min_severity: Severity = Severity.LOW) -> Iterator[ScanProgress]:
    """A ScanProgress counting findings at or above `min_severity` (the report's floor); the bar
    is drawn on standard error only when it is a terminal.

    `auto_refresh=False` draws only on `update`, `skip` and `refresh`: no drawing thread, so
    the process may fork worker processes safely."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total < 1:
        yield ScanProgress(min_severity=min_severity)
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                               TimeRemainingColumn)
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:.1f} files/s" if task.speed else "")

    class SkippedColumn(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.fields['skipped']} unchanged," if task.fields["skipped"] else "")

    columns = (
        TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TextColumn("files,"), SkippedColumn(),
        TextColumn("{task.fields[pages]} pages, {task.fields[findings]} findings, {task.fields[errors]} errors,"),
        RateColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True, auto_refresh=auto_refresh) as progress:
        task = progress.add_task("scan", total=total, pages=0, findings=0, errors=0, skipped=0)
        yield ScanProgress(progress, task, min_severity)
