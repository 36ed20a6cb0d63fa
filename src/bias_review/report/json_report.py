"""JSON report: exactly the output contract of DESIGN.md."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from bias_review.results import ScanResult
from bias_review.findings import Severity


def render_json(result: ScanResult, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> str:
    return json.dumps(result.as_dict(min_severity=min_severity, with_trace=with_trace),
                      indent=2, ensure_ascii=False) + "\n"


def write_json(result: ScanResult, out: TextIO, *, min_severity: Severity = Severity.LOW,
               with_trace: bool = False) -> None:
    """`render_json`'s text, character for character, written to `out` as it is made: one
    finding at a time, so a report of a very large document is never held whole (neither as
    one string nor as one tree of objects)."""
    for chunk in json_chunks(result.as_dict(min_severity=min_severity, with_trace=with_trace, lazy=True), indent=True):
        out.write(chunk)
    out.write("\n")


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
