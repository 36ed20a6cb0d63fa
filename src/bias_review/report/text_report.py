"""Terminal report: each finding with its place, the span highlighted, why and what instead."""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache

from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from bias_review.results import ScanResult
from bias_review.findings import Severity

WIDTH = 100


def _wrapped(label: str, text: str) -> Text:
    """`text` under its label, wrapped to the report's width here (rich need not wrap it again:
    textwrap breaks even a word longer than a line)."""
    return Text(_filled(label, text), no_wrap=True)


@lru_cache(maxsize=2048)
def _filled(label: str, text: str) -> str:
    """The wrapped lines (the same explanations and suggestions come back finding after finding)."""
    return textwrap.fill(text, width=WIDTH - 2, initial_indent="    " + label,
                         subsequent_indent=" " * (4 + len(label)))


_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def render_text(result: ScanResult, *, min_severity: Severity = Severity.LOW,
                with_trace: bool = False, color: bool = False) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=WIDTH, highlight=False)
    for doc in result.documents:
        if doc.error:
            console.print(Text.assemble((doc.path, "bold"), ": ", ("error", "bold red"), f": {doc.error}"))
            continue
        shown = [f for f in doc.findings if f.severity.at_least(min_severity)]
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
                _wrapped("why: ", f.explanation),
            ]
            if f.suggestion:
                parts.append(_wrapped("instead: ", f.suggestion))
            if f.references:
                parts.append(_wrapped("ref: ", f.references[0]))
            parts.append(Text("    detectors: " + ", ".join(f.detectors), style="dim"))
            if with_trace:
                parts += [Text(f"      - {step.source}: {step.reason}", style="dim") for step in f.trace]
            console.print(Group(*parts))  # one print a finding: rich's cost is per print
        console.print()
    s = result.summary(min_severity)
    cats = ", ".join(f"{k} {v}" for k, v in s["by_category"].items()) or "none"
    console.print(Text(f"{s['documents']} document(s), {s['failed']} failed, {s['findings']} finding(s): {cats}", style="bold"))
    return buf.getvalue()
