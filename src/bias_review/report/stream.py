"""A report written as documents finish: JSON Lines at once (nothing kept), JSON and CSV at once
when the documents come in the report's order (a scan in one process), every other format
once at the end, from the documents kept until then."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from bias_review.findings import Severity
from bias_review.results import DocumentResult, ScanResult, Tally


class ReportStream:
    """Told the versions (`start`), takes each finished document (`add`), then writes the
    report (`finish`). `tally` counts every document, whatever the format."""

    def __init__(self, fmt: str, out: TextIO, *, min_severity: Severity = Severity.LOW,
                 with_trace: bool = False, color: bool = False, in_order: bool = False) -> None:
        """`in_order`: documents are added in the order of the report (not as worker processes
        finish them), so JSON and CSV are written as they come, keeping none."""
        self.fmt, self.out, self.in_order = fmt, out, in_order
        self.min_severity, self.with_trace, self.color = min_severity, with_trace, color
        self.tool: dict[str, Any] = {}
        self.tally = Tally(min_severity)
        self._kept: list[DocumentResult] = []
        self._writer = None

    def start(self, tool: dict[str, Any]) -> None:
        """The scan starts with these versions (the contract's `tool`)."""
        self.tool = tool
        if self.fmt == "jsonl":
            from bias_review.report.jsonl_report import JsonlWriter

            self._writer = JsonlWriter(self.out, min_severity=self.min_severity, with_trace=self.with_trace)
        elif self.fmt == "json" and self.in_order:
            from bias_review.report.json_report import JsonWriter

            self._writer = JsonWriter(self.out, min_severity=self.min_severity, with_trace=self.with_trace)
        elif self.fmt == "csv" and self.in_order:
            from bias_review.report.csv_report import CsvWriter

            self._writer = CsvWriter(self.out, min_severity=self.min_severity)
        if self._writer is not None:
            self._writer.start(tool)

    def add(self, doc: DocumentResult) -> None:
        self.tally.add(doc)
        if self._writer is not None:
            self._writer.document(doc)
        else:
            self._kept.append(doc)

    def finish(self, order: Callable[[DocumentResult], Any] | None = None) -> None:
        """Write the closing summary line (JSON Lines) or the whole report, documents sorted
        by `order` when given (worker processes finish files out of order)."""
        if self._writer is not None:
            self._writer.summary(self.tally.summary())
            return
        from bias_review.report import write

        docs = sorted(self._kept, key=order) if order else self._kept
        result = ScanResult(docs, self.tool["lexicon_version"], self.tool["model_version"])
        write(result, self.fmt, self.out, min_severity=self.min_severity, with_trace=self.with_trace,
              color=self.color)
