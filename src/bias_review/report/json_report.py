"""JSON report: exactly the output contract of DESIGN.md."""

from __future__ import annotations

import json

from bias_review.results import ScanResult
from bias_review.findings import Severity


def render_json(result: ScanResult, *, min_severity: Severity = Severity.LOW, with_trace: bool = False) -> str:
    return json.dumps(result.as_dict(min_severity=min_severity, with_trace=with_trace),
                      indent=2, ensure_ascii=False) + "\n"
