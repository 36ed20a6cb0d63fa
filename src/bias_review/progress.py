"""A progress bar for scans on a terminal: files, pages, findings, errors, rate and ETA.
Quiet (does nothing) when standard error is not a terminal."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from collections.abc import Iterator

from bias_review.results import DocumentResult


class ScanProgress:
    """Counts what finished files gave; shows it when a terminal is attached."""

    def __init__(self, progress=None, task=None) -> None:
        self._progress, self._task = progress, task
        self.files = self.pages = self.findings = self.errors = 0

    def update(self, result: DocumentResult) -> None:
        self.files += 1
        self.pages += result.pages
        self.findings += sum(1 for f in result.findings if f.is_flag)
        self.errors += 1 if result.error else 0
        if self._progress is not None:
            self._progress.update(self._task, advance=1, pages=self.pages, findings=self.findings,
                                  errors=self.errors)


@contextmanager
def scan_progress(total: int, *, enabled: bool | None = None) -> Iterator[ScanProgress]:
    """A ScanProgress; the bar is drawn on standard error only when it is a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total < 1:
        yield ScanProgress()
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                               TimeRemainingColumn)
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:.1f} files/s" if task.speed else "")

    columns = (
        TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TextColumn("files,"),
        TextColumn("{task.fields[pages]} pages, {task.fields[findings]} findings, {task.fields[errors]} errors,"),
        RateColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("scan", total=total, pages=0, findings=0, errors=0)
        yield ScanProgress(progress, task)
