"""JSON Lines report, written as the scan goes: a `tool` line, one line per document as soon as
it is done (the contract's document object), and a closing `summary` line (only when the scan
finished). A scan stopped by Ctrl-C or SIGTERM leaves only whole lines: those signals wait
while a line is written. A scan killed outright (SIGKILL, the machine going down) may leave
its last line unfinished: the kernel can cut a write short when a process is killed, so a
reader keeps the lines that end with a line end, each of them whole."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any, TextIO

from bias_review.findings import Severity
from bias_review.processes import stop_signals_held
from bias_review.report.json_report import json_chunks
from bias_review.results import DocumentResult, ScanResult


#: A line longer than this is written in pieces of this size, not held whole (see above).
LINE_PIECE_BYTES = 8 * 1024 * 1024


class JsonlWriter:
    """Writes each line whole, at once: to a file, with Ctrl-C and SIGTERM held off until the
    line is out (a text stream cuts a line longer than its buffer into several writes, and a
    scan stopped between them would leave half a line); a line over LINE_PIECE_BYTES is sent in
    pieces of that size, not held whole."""

    def __init__(self, out: TextIO, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> None:
        self.out, self.min_severity, self.with_trace = out, min_severity, with_trace

    def _write(self, obj: dict[str, Any]) -> None:
        """One line; its findings (an iterator, see `DocumentResult.as_dict(lazy=True)`) are
        turned into text one at a time, so a line is held once, as the bytes written."""
        try:
            fd = self.out.fileno()
        except (AttributeError, OSError, ValueError):  # not a file (a StringIO, standard output's stand-in)
            line = "".join(json_chunks(obj, indent=False)) + "\n"
            with stop_signals_held():
                self.out.write(line)
                self.out.flush()
            return
        self.out.flush()  # nothing of the stream's own may come after this line
        pieces = _line_pieces(obj, self.out.encoding or "utf-8", self.out.errors or "strict")
        first = next(pieces)  # the whole line, unless it is longer than a piece
        with stop_signals_held():  # from the line's first write to its end
            _write_all(fd, first)
            for piece in pieces:
                _write_all(fd, piece)

    def start(self, tool: dict[str, Any]) -> None:
        self._write({"tool": tool})

    def document(self, doc: DocumentResult) -> None:
        self._write({"document": doc.as_dict(min_severity=self.min_severity, with_trace=self.with_trace, lazy=True)})

    def summary(self, summary: dict[str, Any]) -> None:
        """The closing line, from a summary counted as the scan went (`Tally.summary()`)."""
        self._write({"summary": summary})


def render_jsonl(result: ScanResult, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> str:
    """The whole JSON Lines report as a string (for a finished scan)."""
    out = io.StringIO()
    writer = JsonlWriter(out, min_severity=min_severity, with_trace=with_trace)
    writer.start(result.tool())
    for doc in result.documents:
        writer.document(doc)
    writer.summary(result.summary(min_severity))
    return out.getvalue()


def _line_pieces(obj: dict[str, Any], encoding: str, errors: str) -> Iterator[bytearray]:
    """`obj` as one line of bytes, ending with its line end, in pieces of LINE_PIECE_BYTES
    (one piece for all but the longest lines)."""
    line = bytearray()
    for chunk in json_chunks(obj, indent=False):
        line += chunk.encode(encoding, errors)
        if len(line) >= LINE_PIECE_BYTES:
            yield line
            line = bytearray()
    line += b"\n"
    yield line


def _write_all(fd: int, data: bytearray) -> None:
    """`data` to the file `fd` (os.write may take less than it is given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    view.release()  # a bytearray with a live view cannot be cleared
