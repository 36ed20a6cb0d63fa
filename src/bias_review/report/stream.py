"""A report written as documents finish, keeping as few as it can.

JSON Lines is written as each document finishes (its lines need no order). JSON, CSV and text
are written in the report's order: at once when documents come in that order (a scan in one
process), otherwise (worker processes finish files out of order) each document waits only
until every document before it in the report has come or been skipped. HTML, a page with its
summary at the top, is written once at the end, from the documents kept until then.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Optional, TextIO

from bias_review.findings import Severity
from bias_review.results import DocumentResult, ScanResult, Tally

#: the formats written document by document (the others are written whole at the end)
STREAMED = ("jsonl", "json", "csv", "text")


class ReportStream:
    """Told the versions (`start`), takes each finished document (`add`) and each file that
    will not come (`skip`), then writes the rest of the report (`finish`). `tally` counts every
    document, whatever the format."""

    def __init__(self, fmt: str, out: TextIO, *, min_severity: Severity = Severity.LOW,
                 with_trace: bool = False, color: bool = False, in_order: bool = False,
                 order: Optional[Iterable[str]] = None) -> None:
        """`in_order`: documents are added in the order of the report. `order`: the report's
        order as the documents' paths, when they come in another one (a path may appear more
        than once: each document takes its first free place). With neither, documents are
        kept and sorted at `finish`."""
        self.fmt, self.out = fmt, out
        self.min_severity, self.with_trace, self.color = min_severity, with_trace, color
        self.tool: dict[str, Any] = {}
        self.tally = Tally(min_severity)
        self._kept: list[DocumentResult] = []  # for a format written whole, or an unknown order
        self._writer = None
        self._streams = fmt in STREAMED and (in_order or order is not None or fmt == "jsonl")
        self._in_order = in_order or fmt == "jsonl"
        # the reorder buffer: each path's places, the documents waiting, the next place to write
        self._places: dict[str, deque[int]] = {}
        for n, path in enumerate(order or ()):
            self._places.setdefault(path, deque()).append(n)
        self._waiting: dict[int, Optional[DocumentResult]] = {}
        self._next = 0
        self._unplaced: list[DocumentResult] = []
        self.most_waiting = 0  # the most documents held at once waiting for an earlier one

    def start(self, tool: dict[str, Any]) -> None:
        """The scan starts with these versions (the contract's `tool`)."""
        self.tool = tool
        if not self._streams:
            return
        if self.fmt == "jsonl":
            from bias_review.report.jsonl_report import JsonlWriter

            self._writer = JsonlWriter(self.out, min_severity=self.min_severity, with_trace=self.with_trace)
        elif self.fmt == "json":
            from bias_review.report.json_report import JsonWriter

            self._writer = JsonWriter(self.out, min_severity=self.min_severity, with_trace=self.with_trace)
        elif self.fmt == "csv":
            from bias_review.report.csv_report import CsvWriter

            self._writer = CsvWriter(self.out, min_severity=self.min_severity)
        else:
            from bias_review.report.text_report import TextWriter

            self._writer = TextWriter(self.out, min_severity=self.min_severity, with_trace=self.with_trace,
                                      color=self.color)
        self._writer.start(tool)

    def add(self, doc: DocumentResult) -> None:
        self.tally.add(doc)
        if self._writer is None:
            self._kept.append(doc)
        elif self._in_order:
            self._writer.document(doc)
        else:
            self._place(doc.path, doc)

    def skip(self, path: str) -> None:
        """The file at `path` will not be reported (a batch rerun left it out): documents after
        it in the report need not wait for it."""
        if self._writer is not None and not self._in_order:
            self._place(path, None)

    def _place(self, path: str, doc: Optional[DocumentResult]) -> None:
        places = self._places.get(path)
        if not places:  # not in the order given: written at the end
            if doc is not None:
                self._unplaced.append(doc)
            return
        self._waiting[places.popleft()] = doc
        while self._next in self._waiting:
            ready = self._waiting.pop(self._next)
            self._next += 1
            if ready is not None:
                self._writer.document(ready)
        self.most_waiting = max(self.most_waiting, len(self._waiting))

    def finish(self, order: Callable[[DocumentResult], Any] | None = None) -> None:
        """Write what is left and the closing summary: documents still waiting (an interrupted
        batch) in the report's order, or the whole report of a format written at the end,
        sorted by `order` when given, else by the order the stream was given."""
        if order is None and self._places:
            last = len(self._places)
            order = lambda d: self._places[d.path][0] if self._places.get(d.path) else last  # noqa: E731
        if self._writer is not None:
            for place in sorted(self._waiting):
                if self._waiting[place] is not None:
                    self._writer.document(self._waiting[place])
            self._waiting.clear()
            for doc in self._unplaced:
                self._writer.document(doc)
            self._unplaced.clear()
            self._writer.summary(self.tally.summary())
            return
        from bias_review.report import write

        docs = sorted(self._kept, key=order) if order else self._kept
        result = ScanResult(docs, self.tool["lexicon_version"], self.tool["model_version"])
        write(result, self.fmt, self.out, min_severity=self.min_severity, with_trace=self.with_trace,
              color=self.color)
