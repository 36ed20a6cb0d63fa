"""Terminal report: each finding with its place, the span highlighted, why and what instead."""

from __future__ import annotations

import io
import shutil
import textwrap
from functools import lru_cache
from typing import Any, TextIO

from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from bias_review.results import DocumentResult, ScanResult
from bias_review.findings import Severity

WIDTH = 100


def _wrapped(label: str, text: str, width: int = WIDTH) -> Text:
    """`text` under its label, wrapped to the report's width here (rich need not wrap it again:
    textwrap breaks even a word longer than a line)."""
    return Text(_filled(label, text, width), no_wrap=True)


@lru_cache(maxsize=2048)
def _filled(label: str, text: str, width: int) -> str:
    """The wrapped lines (the same explanations and suggestions come back finding after finding)."""
    return textwrap.fill(text, width=width - 2, initial_indent="    " + label,
                         subsequent_indent=" " * (4 + len(label)))


_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


class TextWriter:
    """The terminal report written as a scan goes: each document as it is done (`document`, in
    the report's order), then the closing count (`summary`). The text is `render_text`'s."""

    def __init__(self, out: TextIO, *, min_severity: Severity = Severity.LOW, with_trace: bool = False,
                 color: bool = False) -> None:
        self.min_severity, self.with_trace, self.color = min_severity, with_trace, color
        # on a terminal, no wider than it (a progress bar reprints each line at its width)
        self.width = min(WIDTH, shutil.get_terminal_size().columns) if out.isatty() else WIDTH
        self.console = Console(file=out, force_terminal=color, no_color=not color, width=self.width,
                               highlight=False)

    def start(self, tool: dict[str, Any]) -> None:  # noqa: ARG002 - the writers' common shape
        return None

    def document(self, doc: DocumentResult) -> None:
        console, color = self.console, self.color
        if doc.error:
            console.print(Text.assemble((doc.path, "bold"), ": ", ("error", "bold red"), f": {doc.error}"))
            return
        shown = [f for f in doc.findings if f.severity.at_least(self.min_severity)]
        head = Text.assemble((doc.path, "bold"), f" ({doc.format}): {len(shown)} finding(s)")
        console.print(head)
        for w in doc.warnings:
            console.print(f"  [dim]note: {escape(w)}[/dim]")
        for f in shown:
            sev = f.severity.value
            passage = Text()
            for piece, flagged in f.segments():
                if flagged:
                    passage.append(piece if color else f"«{piece}»", style="bold reverse")
                else:
                    passage.append(piece)
            parts = [
                Text.assemble("  ", (f"[{sev}]", _STYLE[sev]), " ", (f.category.value, "bold"),
                              f"  {f.location.describe()}  ", (f"score {f.score:.2f}", "dim")),
                Padding(passage, (0, 0, 0, 4), expand=False),
                _wrapped("why: ", f.explanation, self.width),
            ]
            if f.suggestion:
                parts.append(_wrapped("instead: ", f.suggestion, self.width))
            if f.references:
                parts.append(_wrapped("ref: ", f.references[0], self.width))
            parts.append(Text("    detectors: " + ", ".join(f.detectors), style="dim"))
            if self.with_trace:
                parts += [Text(f"      - {step.source}: {step.reason}", style="dim") for step in f.trace]
            console.print(Group(*parts))  # one print a finding: rich's cost is per print
        console.print()

    def summary(self, summary: dict[str, Any]) -> None:
        """The closing line (counted as the scan went: `Tally.summary()`)."""
        cats = ", ".join(f"{k} {v}" for k, v in summary["by_category"].items()) or "none"
        self.console.print(Text(f"{summary['documents']} document(s), {summary['failed']} failed, "
                                f"{summary['findings']} finding(s): {cats}", style="bold"))


def render_text(result: ScanResult, *, min_severity: Severity = Severity.LOW,
                with_trace: bool = False, color: bool = False) -> str:
    buf = io.StringIO()
    writer = TextWriter(buf, min_severity=min_severity, with_trace=with_trace, color=color)
    for doc in result.documents:
        writer.document(doc)
    writer.summary(result.summary(min_severity))
    return buf.getvalue()
