"""JSON report: exactly the output contract of DESIGN.md."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any, TextIO

from bias_review.results import DocumentResult, ScanResult
from bias_review.findings import Severity


def render_json(result: ScanResult, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> str:
    """The JSON report as a string."""
    out = io.StringIO()
    write_json(result, out, min_severity=min_severity, with_trace=with_trace)
    return out.getvalue()


def write_json(result: ScanResult, out: TextIO, *, min_severity: Severity = Severity.LOW,
               with_trace: bool = False) -> None:
    """The JSON report (`json.dumps(result.as_dict(), indent=2)`, character for character)
    written to `out` as it is made: one finding at a time, so a report of a very large document
    is never held whole (neither as one string nor as one tree of objects)."""
    writer = JsonWriter(out, min_severity=min_severity, with_trace=with_trace)
    writer.start(result.tool())
    for doc in result.documents:
        writer.document(doc)
    writer.summary(result.summary(min_severity))


class JsonWriter:
    """The JSON report written as a scan goes: the `tool` object (`start`), each document as it
    is done (`document`, in the report's order), then the `summary`. The text is `write_json`'s."""

    def __init__(self, out: TextIO, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> None:
        self.out, self.min_severity, self.with_trace = out, min_severity, with_trace
        self._documents = 0

    def start(self, tool: dict[str, Any]) -> None:
        self.out.write('{\n  "tool": ' + "".join(json_chunks(tool, indent=True, level=1)) + ',\n  "documents": ')

    def document(self, doc: DocumentResult) -> None:
        self.out.write("[\n    " if not self._documents else ",\n    ")
        for chunk in json_chunks(doc.as_dict(min_severity=self.min_severity, with_trace=self.with_trace, lazy=True),
                                 indent=True, level=2):
            self.out.write(chunk)
        self._documents += 1

    def summary(self, summary: dict[str, Any]) -> None:
        """The closing `summary` (counted as the scan went: `Tally.summary()`)."""
        self.out.write(("\n  ]" if self._documents else "[]") + ',\n  "summary": '
                       + "".join(json_chunks(summary, indent=True, level=1)) + "\n}\n")


def json_chunks(value: Any, *, indent: bool, level: int = 0) -> Iterator[str]:
    """The text of `json.dumps(value, ensure_ascii=False)` (with `indent=2` when `indent`), in
    pieces, with iterators in `value` written as lists item by item: their items are made only
    as they are written."""
    pad, step = ("\n" + "  " * level, "  ") if indent else ("", "")
    item_sep = "," + pad + step if indent else ", "
    if isinstance(value, Iterator):
        sep = "[" + pad + step
        for item in value:
            yield sep
            yield from json_chunks(item, indent=indent, level=level + 1)
            sep = item_sep
        yield "[]" if sep != item_sep else pad + "]"
    elif _lazy(value):
        sep = "{" + pad + step
        for key, item in value.items():
            yield sep + json.dumps(key, ensure_ascii=False) + ": "
            yield from json_chunks(item, indent=indent, level=level + 1)
            sep = item_sep
        yield pad + "}"
    elif indent:  # strings hold no raw line breaks in JSON: every line break is indentation
        yield json.dumps(value, indent=2, ensure_ascii=False).replace("\n", pad)
    else:
        yield json.dumps(value, ensure_ascii=False)


def _lazy(value: Any) -> bool:
    """A dict holding an iterator, at any depth of dicts."""
    return isinstance(value, dict) and any(isinstance(v, Iterator) or _lazy(v) for v in value.values())
