"""Report writers: one module per output format, all reading a ScanResult.

The DOCX exports (`docx_annotated`, `docx_report`) read JSON-contract dicts instead, so
importing this package must not import the engine (and with it spaCy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from bias_review.findings import Severity

if TYPE_CHECKING:
    from bias_review.results import ScanResult

FORMATS = ("text", "json", "jsonl", "csv", "html")


def render(result: ScanResult, fmt: str, *, min_severity: Severity = Severity.LOW,
           with_trace: bool = False, color: bool = False) -> str:
    """The report as a string in one of FORMATS."""
    if fmt == "json":
        from bias_review.report.json_report import render_json
        return render_json(result, min_severity=min_severity, with_trace=with_trace)
    if fmt == "jsonl":
        from bias_review.report.jsonl_report import render_jsonl
        return render_jsonl(result, min_severity=min_severity, with_trace=with_trace)
    if fmt == "csv":
        from bias_review.report.csv_report import render_csv
        return render_csv(result, min_severity=min_severity)
    if fmt == "html":
        from bias_review.report.html_report import render_html
        return render_html(result, min_severity=min_severity)
    if fmt == "text":
        from bias_review.report.text_report import render_text
        return render_text(result, min_severity=min_severity, with_trace=with_trace, color=color)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def write(result: ScanResult, fmt: str, out: TextIO, *, min_severity: Severity = Severity.LOW,
          with_trace: bool = False, color: bool = False) -> None:
    """`render`'s report written to `out`; JSON and CSV as they are made, so a report of a very
    large document is never held whole."""
    if fmt == "json":
        from bias_review.report.json_report import write_json
        write_json(result, out, min_severity=min_severity, with_trace=with_trace)
    elif fmt == "csv":
        from bias_review.report.csv_report import write_csv
        write_csv(result, out, min_severity=min_severity)
    else:
        out.write(render(result, fmt, min_severity=min_severity, with_trace=with_trace, color=color))
